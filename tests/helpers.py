"""A minimal valid protocols library, written into a temporary folder, for tests that break one thing."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from generator import cli
from generator.approvals.register import name_key
from generator.approvals.signoffs import NAMESPACE, signed_message
from generator.approvals.sshsig import ed25519_public_line, sign_ed25519
from generator.approvals.versions import version_fingerprint
from generator.load.library import load_library
from generator.model.schema import DoseTable, Phase, Regimen, Section, VersionDoc
from generator.render.html_page import split_html_page
from generator.render.page_links import localize

SAMPLE_LIBRARY = Path(__file__).resolve().parent.parent / "protocols"
# The files of a library the checks read, relative to its folder (write_library's and an approvals ledger).
LIBRARY_FILES = [
    "ketamine-trd/1.0.yaml",
    "ketamine-trd/approvals.yaml",
    "_library/references.yaml",
    "_library/drugs.yaml",
    "_library/policy.yaml",
    "_library/handbooks.yaml",
]
# The sample library's published versions, (id, version), in the order protocols.json lists them.
SAMPLE_PUBLISHED = [
    ("esketamine-trd", "1.0"),
    ("esketamine-trd", "1.1"),
    ("ketamine-crps", "1.0"),
    ("ketamine-crps", "1.1"),
    ("ketamine-trd", "1.0"),
    ("ketamine-trd-twice-weekly", "1.0"),
    ("ketamine-trd-twice-weekly", "1.1"),
    ("ketamine-trd-twice-weekly", "1.2"),
]

# Fictional reviewers of the minimal library, with Ed25519 keys made from fixed seeds (test-only keys).
REVIEWER_KEYS = {
    "Ann Lee": Ed25519PrivateKey.from_private_bytes(bytes([1]) * 32),
    "Bo Chan": Ed25519PrivateKey.from_private_bytes(bytes([2]) * 32),
    "Cy Dee": Ed25519PrivateKey.from_private_bytes(bytes([3]) * 32),
    "Pat Pharm": Ed25519PrivateKey.from_private_bytes(bytes([4]) * 32),
    "Dr Phil Doc": Ed25519PrivateKey.from_private_bytes(bytes([5]) * 32),
    "Dr Psy": Ed25519PrivateKey.from_private_bytes(bytes([6]) * 32),
}
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes([9]) * 32)  # in no register

REFERENCES = """\
phillips-2019:
  type: article
  authors: [Phillips JL, Norris S]
  title: Single, repeated, and maintenance ketamine infusions for treatment-resistant depression
  journal: Am J Psychiatry
  year: 2019
  volume: 176
  issue: 5
  pages: 401-409
  doi: 10.1176/appi.ajp.2018.18070834
  pmid: 30922101
"""

DRUGS = """\
ketamine:
  name: ketamine
  class: NMDA receptor antagonist
"""

POLICY = f"""\
approval:
  minimum: 2
  required_roles: [pharmacist, psychiatrist]
review_interval_months: 24
reviewers:
  - name: Ann Lee
    roles: [pharmacist]
    keys: [{ed25519_public_line(REVIEWER_KEYS["Ann Lee"], "ann@test")}]
  - name: Bo Chan
    roles: [psychiatrist]
    keys: [{ed25519_public_line(REVIEWER_KEYS["Bo Chan"], "bo@test")}]
  - name: Cy Dee
    roles: [pharmacist, psychiatrist]
    keys: [{ed25519_public_line(REVIEWER_KEYS["Cy Dee"], "cy@test")}]
"""

HANDBOOKS = """\
- id: psychiatry
  title: Psychiatry
  description: Depression protocols.
  protocols: [ketamine-trd]
"""

# The minimal version file as data, written by version_yaml: values as they stand after "key: " (YAML text,
# so "1.0" keeps its quotes); a text with line breaks is a block (|), a list of mappings a block list.
KETAMINE_IV = {"id": "ketamine-iv", "drug": "ketamine", "route": "IV", "dose": "0.5 mg/kg",
               "dose_range": {"min": "0.1 mg/kg", "max": "0.75 mg/kg"}, "duration": "40 min", "cite": ["phillips-2019"]}
INDUCTION = {"id": "induction", "name": "Induction", "regimen": "ketamine-iv", "frequency": "3 per week",
             "length": "2 weeks", "doses": 6}
SAFETY = {"id": "safety", "title": "Safety", "body": "Monitor blood pressure."}
VERSION_FIELDS = {
    "id": "ketamine-trd",
    "version": '"1.0"',
    "title": "IV ketamine for treatment-resistant depression",
    "status": "draft",
    "owner": "Department of Psychiatry",
    "summary": "Give {{ ketamine-iv.dose }} {{ ketamine-iv.route }} over {{ ketamine-iv.duration }} "
               "[@phillips-2019].\n",
    "changes": [],
    "regimens": [KETAMINE_IV],
    "phases": [INDUCTION],
    "dose_tables": [{"regimen": "ketamine-iv", "weights": {"from": "40 kg", "to": "120 kg", "step": "5 kg"}}],
    "sections": [SAFETY],
    "algorithm": ["Screen for contraindications ([[#safety]])."],
}
# alpha-drug of the render tests (test_families, test_handbooks): 2.0 in use from 2026-03-01, 1.0 before it.
ALPHA_IV = {"id": "alpha-iv", "drug": "alphacaine", "route": "IV", "dose": "0.5 mg/kg",
            "dose_range": {"min": "0.25 mg/kg", "max": "0.75 mg/kg"}, "max_dose": "40 mg", "duration": "30 min",
            "concentration": "10 mg/mL", "cite": ["smith-2020", "label-alphacaine"], "notes": "Dilute before use."}
ALPHA_2_0_FIELDS = {
    "id": "alpha-drug", "version": '"2.0"', "title": "Alpha drug for tests", "status": "approved",
    "effective": "2026-03-01", "owner": "Department of Tests",
    "summary": "Give {{ alpha-iv.dose }} {{ alpha-iv.route }} over {{ alpha-iv.duration }},\n"
               "{{ course.frequency }} for {{ course.length }} [@smith-2020]. See [[#safety]].\n",
    "changes": ["Raised alpha-iv to {{ alpha-iv.dose }} and added a cap [@label-alphacaine]."],
    "regimens": [ALPHA_IV],
    "phases": [{"id": "course", "name": "Course", "regimen": "alpha-iv", "frequency": "2 per week",
                "length": "3 weeks", "doses": 6}],
    "dose_tables": [{"regimen": "alpha-iv", "weights": {"from": "60 kg", "to": "100 kg", "step": "10 kg"}}],
    "sections": [{"id": "safety", "title": "Safety (read first)",
                  "body": "Monitor *blood pressure* [@label-alphacaine]."}],
    "algorithm": ["Weigh the patient.", "Give the dose from the table ([[#dose-table]])."],
}
ALPHA_1_0_FIELDS = ALPHA_2_0_FIELDS | {
    "version": '"1.0"', "effective": "2026-01-01", "changes": [],
    "summary": "Give {{ alpha-iv.dose }} {{ alpha-iv.route }} [@smith-2020].\n",
    "regimens": [{"id": "alpha-iv", "drug": "alphacaine", "route": "IV", "dose": "0.4 mg/kg", "cite": ["smith-2020"]}],
    "phases": None, "dose_tables": None, "sections": None, "algorithm": None,
}
ALPHA_2_1_DRAFT = {"version": '"2.1"', "status": "draft", "effective": None}  # 2.0 as the next draft
# Keys in the order of the schema's fields, so that every fixture reads alike; lists of texts written as blocks.
_KEY_ORDER = {"": VersionDoc, "regimens": Regimen, "phases": Phase, "sections": Section, "dose_tables": DoseTable}
_BLOCK_LISTS = {"changes", "algorithm"}


def with_fields(base: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """`base` with `fields` replaced or added; a field given as None is left out."""
    return {key: value for key, value in {**base, **fields}.items() if value is not None}


def version_yaml(**fields: Any) -> str:
    """The minimal library's version file (VERSION) with `fields` replaced, added or (None) left out."""
    return "".join(line + "\n" for line in _mapping_lines(with_fields(VERSION_FIELDS, **fields), "", 0))


def _mapping_lines(mapping: dict[str, Any], kind: str, indent: int) -> list[str]:
    order = list(_KEY_ORDER[kind].model_fields) if kind in _KEY_ORDER else []
    keys = sorted(mapping, key=lambda key: order.index(key) if key in order else len(order))
    return [line for key in keys for line in _field_lines(key, mapping[key], indent)]


def _field_lines(key: str, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, str) and "\n" in value:
        return [f"{pad}{key}: |", *(f"{pad}  {line}" if line else "" for line in value.rstrip("\n").split("\n"))]
    if isinstance(value, dict):
        return [f"{pad}{key}: {{" + ", ".join(f"{name}: {item}" for name, item in value.items()) + "}"]
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        lines = [f"{pad}{key}:"]
        for item in value:
            item_lines = _mapping_lines(item, key, indent + 4)
            lines += [f"{pad}  - {item_lines[0].lstrip()}", *item_lines[1:]]
        return lines
    if isinstance(value, list) and value and key in _BLOCK_LISTS:
        return [f"{pad}{key}:", *(f"{pad}  - {item}" for item in value)]
    if isinstance(value, list):
        return [f"{pad}{key}: [" + ", ".join(map(str, value)) + "]"]
    return [f"{pad}{key}: {value}"]


VERSION = version_yaml()


def shown_body(pages: dict[str, str], path: str, directory_urls: bool = True) -> str:
    """A generated page's HTML body as the site shows it: its links made relative for that page (what the
    site adapter does). Fails for a page that is still Markdown."""
    split = split_html_page(pages[path])
    assert split is not None, f"{path} is not an HTML page"
    return localize(split[1], path, directory_urls)


def table_rows(html: str) -> list[list[str]]:
    """The body rows of the generated HTML tables in `html` (one <td> per line), each as its cells' HTML."""
    rows = re.findall(r"<tr>\n((?:<td>.*</td>\n)+)</tr>", html)
    return [re.findall(r"<td>(.*)</td>", cells) for cells in rows]


def write_library(root: Path, files: dict[str, str] | None = None) -> Path:
    """Write the minimal library under root/protocols, with `files` (relative path -> text) added or replaced."""
    library = root / "protocols"
    defaults = {
        "_library/references.yaml": REFERENCES,
        "_library/drugs.yaml": DRUGS,
        "_library/policy.yaml": POLICY,
        "_library/handbooks.yaml": HANDBOOKS,
        "ketamine-trd/1.0.yaml": VERSION,
    }
    defaults.update(files or {})
    return write_files(library, defaults)


def copy_sample_library(folder: Path) -> Path:
    """A copy of the sample library at folder/protocols (a build may write beside it); returns it."""
    copy = folder / "protocols"
    shutil.copytree(SAMPLE_LIBRARY, copy)
    return copy


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under folder: file bytes, symbolic link targets, folders (hidden ones too)."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[name] = f"-> {os.readlink(path)}"
        elif path.is_dir():
            found[name] = "folder"
        else:
            found[name] = path.read_bytes()
    return found


def write_files(folder: Path, files: dict[str, str]) -> Path:
    """Write `files` (path relative to `folder` -> text) into `folder`, making subfolders; returns it."""
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def run(*argv: str) -> tuple[int, str, str]:
    """Run the `protocols` command in-process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def check_lines(library: Path, *extra: str) -> list[str]:
    """The diagnostic lines (without hints and the summary) of `protocols check` over a library."""
    _status, out, _err = run("check", "--as-of", "2026-06-01", *extra, str(library))
    return [line for line in out.splitlines() if not line.startswith("    ")][:-1]


def fingerprint_of(version_text: str, files: dict[str, str] | None = None) -> str:
    """The §4 fingerprint of a version file's text inside the minimal library (plus `files`)."""
    data = yaml.safe_load(version_text)
    relative = f"{data['id']}/{data['version']}.yaml"
    with tempfile.TemporaryDirectory() as folder:
        root = write_library(Path(folder), {**(files or {}), relative: version_text})
        library = load_library(root)
        return version_fingerprint(library.protocols[data["id"]].versions[data["version"]], library)


def signed_entry(version: str, reviewer: str, role: str, fingerprint: str, *, date: str = "2026-01-05",
                 withdrawn: bool = False, protocol_id: str = "ketamine-trd", key: Ed25519PrivateKey | None = None,
                 namespace: str = NAMESPACE, message: bytes | None = None) -> str:
    """One ledger entry, signed as `protocols approve` signs (by the reviewer's test key unless `key`)."""
    by_name = {name_key(name): item for name, item in REVIEWER_KEYS.items()}
    signer = key or by_name.get(name_key(reviewer), OTHER_KEY)
    signed = message or signed_message(protocol_id, version, role, dt.date.fromisoformat(date), fingerprint, withdrawn)
    signature = sign_ed25519(signer, signed, namespace)
    return (
        f'- version: "{version}"\n  reviewer: {reviewer}\n  role: {role}\n  date: {date}\n'
        + ("  withdrawn: true\n" if withdrawn else "")
        + f'  fingerprint: "{fingerprint}"\n  signature: |\n'
        + "".join(f"    {line}\n" for line in signature.splitlines())
    )


def write_key(folder: Path, reviewer: str, key: Ed25519PrivateKey | None = None) -> Path:
    """A reviewer's test key as OpenSSH private and public key files (mode 0600); returns the private one."""
    key = key or REVIEWER_KEYS[reviewer]
    path = folder / ("key-" + "-".join(reviewer.lower().split()))
    path.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.OpenSSH, NoEncryption()))
    path.chmod(0o600)
    path.with_name(path.name + ".pub").write_text(ed25519_public_line(key, "test") + "\n")
    return path


def register_yaml(*reviewers: tuple[str, str]) -> str:
    """A policy.yaml `reviewers:` block for (name, role) pairs, each with its test key."""
    return "reviewers:\n" + "".join(
        f"  - name: {name}\n    roles: [{role}]\n    keys: [{ed25519_public_line(REVIEWER_KEYS[name])}]\n"
        for name, role in reviewers
    )


# The policy of alpha-drug's library (render tests): a pharmacist and a physician, both registered.
ALPHA_POLICY = """\
approval:
  minimum: 2
  required_roles: [pharmacist, physician]
review_interval_months: 24
""" + register_yaml(("Pat Pharm", "pharmacist"), ("Dr Phil Doc", "physician"))


def signed_ledger(root: Path, protocol_id: str, entries: list[tuple[str, str, str, str]]) -> str:
    """Ledger text signing (version, reviewer, role, date) entries with the versions' fingerprints as the
    library in `root` has them now."""
    library = load_library(root)
    protocol = library.protocols[protocol_id]
    return "".join(
        signed_entry(version, reviewer, role, version_fingerprint(protocol.versions[version], library), date=date,
                     protocol_id=protocol_id)
        for version, reviewer, role, date in entries
    )


@contextmanager
def fails_after(seconds: float) -> Iterator[None]:
    """Turns what would block or run for minutes (a FIFO opened without O_NONBLOCK, a regex that backtracks)
    into a failure, not a hung run (Python's regex engine, too, stops for a signal)."""

    def interrupt(signum: int, frame: object) -> None:
        raise TimeoutError(f"blocked for {seconds} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
