"""Drafts and versions in review never leak into the clinician site (§4): every file of the built output
(HTML, the Pagefind search index decompressed, sitemap.xml and sitemap.xml.gz decompressed, protocols.json,
assets) is scanned
for text that only unpublished versions contain: their own sentences, their `changes`, their version
numbers in URLs, their fingerprints. The reviewer site of the same sources must contain that text, so
the scan cannot pass by looking for the wrong thing.

Two libraries: the sample library (ketamine-trd 1.1 is a draft with "DRAFT-ONLY monitoring wording")
and a small one with a version in review and a protocol that exists only in review.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import SAMPLE_LIBRARY, SAMPLE_PUBLISHED, VERSION, signed_ledger, write_library
from pagefind_index import FRAGMENT_SIGNATURE

from generator import cli
from generator.approvals.versions import PUBLISHED_STATUSES, version_fingerprint
from generator.load.library import Library, load_library

AS_OF = "2026-06-01"
SITE_URL = "https://intranet.example/protocols/"
MIN_LINE = 20  # shorter source lines ("- pregnancy;") are too common to be evidence of a leak
# A source line without its list dash, its "key: " and the brackets of a flow list: the text as shown.
SOURCE_LINE = re.compile(r"(?:- )?(?:[a-z_]+: )?\[?(.*?)\]?")

IN_REVIEW_PHRASE = "Zebra-crossing review phrase 4417 appears only in review"
IN_REVIEW_CHANGE = "Safety section gains the zebra-crossing sentence"
NEW_PROTOCOL_PHRASE = "Okapi-only protocol wording 9083"


@dataclass(frozen=True)
class BuiltPair:
    library: Library
    clinician: dict[str, str]  # path -> text of every file (gz decompressed, binaries as latin-1)
    reviewer: dict[str, str]


def read_output(root: Path) -> dict[str, str]:
    """Every file of a built site as text; .gz files and Pagefind's gzip-compressed index files decompressed
    (and kept under their own name), a fragment's JSON decoded like a .json file."""
    files = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        in_pagefind = path.relative_to(root).parts[0] == "pagefind"
        if path.suffix == ".gz" or (in_pagefind and data.startswith(b"\x1f\x8b")):
            data = gzip.decompress(data)
        if path.suffix == ".pf_fragment":
            data = data.removeprefix(FRAGMENT_SIGNATURE)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")  # fonts and images: ASCII phrases would still show
        if path.suffix in (".json", ".pf_fragment"):
            # JSON may escape characters ("\u00b7", "\/"): scan the decoded strings as well
            text += "\n" + json.dumps(json.loads(text), ensure_ascii=False)
        files[path.relative_to(root).as_posix()] = text
    return files


def build(library_dir: Path, out: Path, reviewer: bool) -> dict[str, str]:
    log = io.StringIO()
    flags = ["--reviewer"] if reviewer else []
    out.parent.mkdir(parents=True, exist_ok=True)  # build refuses a missing parent folder (§7)
    status = cli.main(["build", *flags, "--as-of", AS_OF, "--out", str(out), str(library_dir)], out=log)
    assert status == 0, log.getvalue()
    return read_output(out)


def build_pair(library_dir: Path, out: Path) -> BuiltPair:
    """Both sites, built from the library's parent folder with a mkdocs.yml that sets site_url: without
    one MkDocs writes an empty sitemap, and the sitemap part of the scan would prove nothing."""
    config = library_dir.parent / "mkdocs.yml"
    config.write_text(f"site_url: {SITE_URL}\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(library_dir.parent)
        return BuiltPair(
            load_library(library_dir, "protocols"),
            build(library_dir, out / "clinician", reviewer=False),
            build(library_dir, out / "reviewer", reviewer=True),
        )


def unpublished_evidence(library: Library) -> list[str]:
    """Strings only unpublished versions have: source lines no published version has, each
    unpublished version's URL segment and fingerprint, and ids of protocols with nothing published."""
    published_text = "\n".join(
        version.source.text
        for protocol in library.protocols.values()
        for version in protocol.versions.values()
        if version.doc.status in PUBLISHED_STATUSES
    )
    evidence: set[str] = set()
    for protocol in library.protocols.values():
        unpublished = [v for v in protocol.versions.values() if v.doc.status not in PUBLISHED_STATUSES]
        if len(unpublished) == len(protocol.versions):
            evidence.add(f"protocols/{protocol.id}/")
        for version in unpublished:
            evidence.add(f"{protocol.id}/{version.version}/")
            evidence.add(version_fingerprint(version, library))
            evidence.add(version_fingerprint(version, library)[: len("sha256:") + 8])
            for line in version.source.text.splitlines():
                line = SOURCE_LINE.fullmatch(line.strip()).group(1)  # type: ignore[union-attr]
                if len(line) >= MIN_LINE and line not in published_text and not line.startswith("#"):
                    evidence.add(line)
    return sorted(evidence)


def _pattern(item: str) -> re.Pattern[str]:
    """The evidence as written, not as the tail of a longer id: "ketamine-trd/1.1/" is not found in
    "esketamine-trd/1.1/" (another protocol's published version)."""
    boundary = r"(?<![\w-])" if item[:1].isalnum() else ""
    return re.compile(boundary + re.escape(item))


def leaks(files: dict[str, str], evidence: list[str]) -> dict[str, list[str]]:
    found = {}
    patterns = {item: _pattern(item) for item in evidence}
    for path, text in files.items():
        hits = [item for item in evidence if patterns[item].search(text)]
        if hits:
            found[path] = hits
    return found


def in_review_library(root: Path) -> Path:
    published = VERSION.replace("status: draft", "status: approved\neffective: 2026-01-01")
    in_review = (
        VERSION.replace('version: "1.0"', 'version: "1.1"')
        .replace("status: draft", "status: in-review")
        .replace("changes: []", f"changes: [{IN_REVIEW_CHANGE}.]")
        .replace("body: Monitor blood pressure.", f"body: Monitor blood pressure. {IN_REVIEW_PHRASE}.")
    )
    only_in_review = (
        VERSION.replace("ketamine-trd", "okapi-protocol")
        .replace("status: draft", "status: in-review")
        .replace("IV ketamine for treatment-resistant depression", NEW_PROTOCOL_PHRASE)
    )
    library_dir = write_library(
        root,
        {
            "ketamine-trd/1.0.yaml": published,
            "ketamine-trd/1.1.yaml": in_review,
            "okapi-protocol/1.0.yaml": only_in_review,
        },
    )
    ledger = signed_ledger(library_dir, "ketamine-trd", [
        ("1.0", "Ann Lee", "pharmacist", "2025-12-20"), ("1.0", "Bo Chan", "psychiatrist", "2025-12-20")
    ])
    (library_dir / "ketamine-trd" / "approvals.yaml").write_text(ledger, encoding="utf-8")
    return library_dir


@pytest.fixture(scope="module")
def sample_sites(tmp_path_factory: pytest.TempPathFactory) -> BuiltPair:
    root = tmp_path_factory.mktemp("leak-sample")
    shutil.copytree(SAMPLE_LIBRARY, root / "protocols")
    return build_pair(root / "protocols", root / "out")


@pytest.fixture(scope="module")
def in_review_sites(tmp_path_factory: pytest.TempPathFactory) -> BuiltPair:
    root = tmp_path_factory.mktemp("leak-in-review")
    return build_pair(in_review_library(root), root / "out")


def test_sample_evidence_is_what_only_the_draft_says(sample_sites: BuiltPair) -> None:
    evidence = unpublished_evidence(sample_sites.library)
    assert "ketamine-trd/1.1/" in evidence
    assert "Proposed DRAFT-ONLY monitoring wording, not yet reviewed. From the start of each infusion" in evidence
    assert "Monitoring section reworded: it now lists each check on its own line and says that" in evidence


def test_sample_clinician_site_has_no_trace_of_the_draft(sample_sites: BuiltPair) -> None:
    files = sample_sites.clinician
    assert {"sitemap.xml", "sitemap.xml.gz", "pagefind/pagefind-entry.json", "protocols.json"} <= set(files)
    assert "IV ketamine for treatment-resistant depression" in search_index_text(files)  # the index is read
    assert f"<loc>{SITE_URL}protocols/ketamine-trd/1.0/</loc>" in files["sitemap.xml"]  # the sitemap is not empty
    assert leaks(files, unpublished_evidence(sample_sites.library)) == {}
    draft_diff = _pattern("ketamine-trd/1.1/diff")
    for path, text in files.items():
        assert "DRAFT-ONLY" not in text, path
        assert not draft_diff.search(text) and "diff-current" not in text, path
    # esketamine-trd 1.1 is published with its diff; nothing of ketamine-trd's draft is
    assert not any(path.startswith(("review/", "protocols/ketamine-trd/1.1")) for path in files)
    audit = json.loads(files["protocols.json"].split("\n{", 1)[0])
    assert [(entry["id"], entry["version"]) for entry in audit["protocols"]] == SAMPLE_PUBLISHED


def search_index_text(files: dict[str, str]) -> str:
    """The decoded fragments of the Pagefind index: each indexed page's URL, title and text."""
    return "\n".join(text for path, text in files.items() if path.startswith("pagefind/fragment/"))


def found_anywhere(files: dict[str, str], evidence: list[str]) -> list[str]:
    return sorted({item for hits in leaks(files, evidence).values() for item in hits})


def test_sample_reviewer_site_has_the_draft_everywhere(sample_sites: BuiltPair) -> None:
    files = sample_sites.reviewer
    evidence = unpublished_evidence(sample_sites.library)
    assert found_anywhere(files, evidence) == evidence  # every piece of evidence is findable
    found = leaks(files, ["DRAFT-ONLY monitoring wording", "ketamine-trd/1.1/"])
    for path in ("sitemap.xml", "sitemap.xml.gz", "protocols/ketamine-trd/1.1/index.html",
                 "protocols/ketamine-trd/1.1/diff/index.html"):
        assert path in found, path
    assert any(path.startswith("pagefind/fragment/") for path in found)
    assert "DRAFT-ONLY monitoring wording" in search_index_text(files)
    assert '"version": "1.1"' in files["protocols.json"]


def test_in_review_versions_and_protocols_never_reach_the_clinician_site(in_review_sites: BuiltPair) -> None:
    evidence = unpublished_evidence(in_review_sites.library)
    assert {"ketamine-trd/1.1/", "protocols/okapi-protocol/"} <= set(evidence)
    assert f"Monitor blood pressure. {IN_REVIEW_PHRASE}." in evidence
    assert f"{IN_REVIEW_CHANGE}." in evidence
    assert NEW_PROTOCOL_PHRASE in evidence
    clinician = in_review_sites.clinician
    assert leaks(clinician, evidence) == {}
    for path, text in clinician.items():
        for phrase in (IN_REVIEW_PHRASE, IN_REVIEW_CHANGE, NEW_PROTOCOL_PHRASE, "okapi"):
            assert phrase not in text, (path, phrase)


def test_in_review_reviewer_site_has_them(in_review_sites: BuiltPair) -> None:
    reviewer = in_review_sites.reviewer
    evidence = unpublished_evidence(in_review_sites.library)
    assert found_anywhere(reviewer, evidence) == evidence
    for phrase in (IN_REVIEW_PHRASE, IN_REVIEW_CHANGE, NEW_PROTOCOL_PHRASE, "ketamine-trd/1.1/", "okapi-protocol/"):
        assert phrase in search_index_text(reviewer) or phrase in reviewer["sitemap.xml"], phrase
        assert any(phrase in text for text in reviewer.values()), phrase
    assert "ketamine-trd/1.1/" in reviewer["sitemap.xml"] and "ketamine-trd/1.1/" in reviewer["sitemap.xml.gz"]
    assert IN_REVIEW_PHRASE in reviewer["protocols/ketamine-trd/1.1/index.html"]
    assert IN_REVIEW_PHRASE in reviewer["protocols/ketamine-trd/1.1/diff/index.html"]
    assert "in review, not approved for use" in reviewer["review/index.html"]
