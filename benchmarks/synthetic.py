"""A synthetic protocols library of any size, valid to the format, for benchmarks.

`generate_library(root, n, seed=0)` writes N protocols of three versions each into the protocols
folder `root`: 1.0 approved (superseded), 1.1 approved (current), 1.2 a draft or in review. The same
seed gives the same bytes. Every library passes `protocols check --as-of 2026-06-01` with no error:
doses sit inside their ranges and under their drug's ceiling, phase totals add up, every change of a
dosing field is named in `changes`, and every approval carries the version's real fingerprint and is
signed (in-process, SSHSIG) by its fictional reviewer's fixed-seed key listed in the register.

The drugs, references and text are fictional (see synthetic_text.py); nothing here is clinical content.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import synthetic_text as words
import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from synthetic_plan import REFERENCES_PER_PROTOCOL, Flow, FlowList, ProtocolPlan, make_drugs, plan_protocols

from generator.approvals.signoffs import NAMESPACE, signed_message
from generator.approvals.sshsig import ed25519_public_line, sign_ed25519
from generator.approvals.versions import cited_references, fingerprint
from generator.load.validate import validate
from generator.load.yaml_source import load_text
from generator.model.schema import VersionDoc

# the fictional reviewers' keys: fixed seeds, so the same library has the same bytes (benchmark-only keys)
REVIEWER_KEYS = {name: Ed25519PrivateKey.from_private_bytes(bytes([index + 1]) * 32)
                 for index, (name, _role) in enumerate(words.REVIEWERS)}

AS_OF = dt.date(2026, 6, 1)  # the build date every benchmark passes with --as-of
REFERENCE_COUNT = 200
HEADER = "# Synthetic benchmark protocol (benchmarks/synthetic.py): fictional drugs and text, not clinical content.\n"
_PROTECTED = re.compile(r"\{\{.*?\}\}|\[@.*?\]|\[\[.*?\]\]")
_NBSP = "\u00a0"


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    def ignore_aliases(self, data: Any) -> bool:
        return True  # anchors and aliases are P502 errors


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(Flow, lambda d, m: d.represent_mapping("tag:yaml.org,2002:map", m.items(), flow_style=True))
_Dumper.add_representer(FlowList, lambda d, s: d.represent_sequence("tag:yaml.org,2002:seq", s, flow_style=True))


def dump_yaml(data: Any, header: str = "") -> str:
    return header + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def fingerprint_text(text: str, drugs: dict[str, Any], references: dict[str, Any]) -> str:
    """The §4 fingerprint of a version file's text with the library's drug and reference entries (as
    written to drugs.yaml and references.yaml), as the generator computes it."""
    source, _ = load_text(text, "version.yaml")
    assert source is not None
    doc, _ = validate(VersionDoc, source)
    assert doc is not None
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    used_drugs = {r.drug: drugs[r.drug] for r in doc.regimens if r.drug in drugs}
    cited = {ref: references[ref] for ref in cited_references(doc) if ref in references}
    return fingerprint(data, used_drugs, cited)


def _signed(plan_id: str, entry: dict[str, Any]) -> dict[str, Any]:
    message = signed_message(plan_id, entry["version"], entry["role"], entry["date"], entry["fingerprint"], False)
    return {**entry, "signature": sign_ed25519(REVIEWER_KEYS[entry["reviewer"]], message, NAMESPACE)}


def wrap(paragraphs: list[str]) -> str:
    """Markdown paragraphs wrapped at 96 columns, never inside a placeholder, citation or link."""
    filled = []
    for paragraph in paragraphs:
        protected = _PROTECTED.sub(lambda m: m.group(0).replace(" ", _NBSP), paragraph)
        text = textwrap.fill(protected, width=96, break_on_hyphens=False, break_long_words=False)
        filled.append(text.replace(_NBSP, " "))
    return "\n\n".join(filled) + "\n"


class _Prose:
    """Fills the text templates of one protocol: placeholders, citations and links that resolve."""

    def __init__(self, plan: ProtocolPlan, others: list[ProtocolPlan], rng: random.Random) -> None:
        self.plan, self.others, self.rng = plan, others, rng
        self.citations: Iterator[str] = itertools.cycle(plan.references)

    def cite(self) -> str:
        count = self.rng.choice((1, 1, 2))
        return "[" + "; ".join("@" + next(self.citations) for _ in range(count)) + "]"

    def other(self) -> str:
        if not self.others:
            return "the local formulary"
        target = self.rng.choice(self.others)
        style = self.rng.randrange(4)
        if style == 0:
            return f"[[{target.id}]]"
        if style == 1:
            return f"[[{target.id}#{self.rng.choice(target.section_ids)}]]"
        if style == 2:
            return f"[[{target.id}|the protocol for {target.indication}]]"
        return f"[[{target.id}@1.0#{self.rng.choice(target.section_ids)}]]"

    def fill(self, template: str, phases: list[dict[str, Any]]) -> str:
        regimen = self.rng.choice(self.plan.regimens)
        phase = self.rng.choice(phases)
        r, p = regimen.id, phase["id"]
        slots = {
            "drug": f"{{{{ {r}.drug }}}}",
            "dose": f"{{{{ {r}.dose }}}}",
            "route": f"{{{{ {r}.route }}}}",
            "limit": words.LIMIT_PHRASES[regimen.kind].format(r=r),
            "phase_name": f"{{{{ {p}.name }}}}",
            "phase_freq": f"{{{{ {p}.frequency }}}}",
            "indication": self.plan.indication,
            "cite": self.cite(),
            "cite2": self.cite(),
            "other": self.other(),
            "self": "#" + self.rng.choice(self.plan.section_ids),
        }
        return template.format_map(slots)

    def paragraph(self, lead: str, phases: list[dict[str, Any]]) -> str:
        sentences = [lead, *self.rng.sample(words.FILLER, self.rng.choice((1, 2)))]
        return " ".join(self.fill(sentence, phases) for sentence in sentences)


def _changes(plan: ProtocolPlan, version: int) -> list[str]:
    if version == 0:
        return FlowList()
    said = {
        1: {
            "bolus": "dose range narrowed to {{{{ {r}.dose_range }}}}",
            "continuous": "cap changed to {{{{ {r}.max_dose }}}}",
            "fixed": "allowed doses widened to {{{{ {r}.options }}}}",
        },
        2: {
            "bolus": "stock concentration changed to {{{{ {r}.concentration }}}}",
            "continuous": "duration changed to {{{{ {r}.duration }}}}",
            "fixed": "standard dose changed to {{{{ {r}.dose }}}}",
        },
    }[version]
    changes = [f"Regimen {reg.id}: " + said[reg.kind].format(r=reg.id) + "." for reg in plan.regimens]
    for old, new in zip(plan.phases[version - 1], plan.phases[version], strict=True):
        if old != new:
            changes.append(f"Phase {new['id']}: schedule changed to {{{{ {new['id']}.frequency }}}}.")
    if version == 2:
        changes.append("Wording of the first section revised for clarity; no dosing change beyond those above.")
    return changes


def version_doc(plan: ProtocolPlan, others: list[ProtocolPlan], version: int, seed: int) -> dict[str, Any]:
    """The version file 1.0, 1.1 or 1.2 (version 0, 1, 2) of a protocol, as a mapping to dump."""
    rng = random.Random(f"{seed}:{plan.id}")  # the same prose in every version; 1.2 adds a paragraph
    prose = _Prose(plan, others, rng)
    phases = plan.phases[version]
    status = ("approved", "approved", plan.draft_status)[version]
    doc: dict[str, Any] = {"id": plan.id, "version": f"1.{version}", "title": plan.title, "status": status}
    if version < 2:
        doc["effective"] = plan.effective[version]
    doc["owner"] = plan.owner
    lead = plan.regimens[0]
    summary = [
        prose.fill(words.SUMMARY_SENTENCES[lead.kind], phases)
        + " "
        + " ".join(prose.fill(sentence, phases) for sentence in words.SUMMARY_TAIL)
    ]
    doc["summary"] = wrap(summary)
    doc["changes"] = _changes(plan, version)
    regimens = []
    for regimen in plan.regimens:
        entry = dict(regimen.versions[version])
        entry["cite"] = FlowList(rng.sample(plan.references, 2))
        entry["notes"] = wrap([prose.fill("{dose} is the standard dose of this regimen {cite}.", phases)])
        regimens.append(entry)
    doc["regimens"] = regimens
    doc["phases"] = [{**phase, "cite": FlowList(rng.sample(plan.references, 1))} for phase in phases]
    doc["dose_tables"] = [
        {"regimen": regimen.id, "weights": Flow({"from": f"{w[0]} kg", "to": f"{w[1]} kg", "step": f"{w[2]} kg"})}
        for regimen in plan.regimens
        if (w := regimen.weights) is not None
    ]
    sections = []
    for section_id in plan.section_ids:
        title, leads = words.SECTIONS[section_id]
        paragraphs = [prose.paragraph(lead_text, phases) for lead_text in leads]
        sections.append({"id": section_id, "title": title, "body": wrap(paragraphs)})
    if version == 2:
        sections[0]["body"] += "\n" + wrap(["This draft rewords the advice above; comments to the owner, please."])
    doc["sections"] = sections
    steps = [s for s in words.ALGORITHM_STEPS if doc["dose_tables"] or "dose-table" not in s]
    doc["algorithm"] = [prose.fill(step, phases) for step in steps]
    return doc


def _approvals(plan: ProtocolPlan, fingerprints: list[str]) -> list[dict[str, Any]]:
    entries = []
    for version in (0, 1):
        for offset, (reviewer, role) in ((10, words.REVIEWERS[version]), (5, words.REVIEWERS[2 + version])):
            date = plan.effective[version] - dt.timedelta(days=offset)
            entries.append(
                {
                    "version": f"1.{version}",
                    "reviewer": reviewer,
                    "role": role,
                    "date": date,
                    "fingerprint": fingerprints[version],
                }
            )
    if plan.draft_status == "in-review":
        reviewer, role = words.REVIEWERS[0]
        entries.append(
            {
                "version": "1.2",
                "reviewer": reviewer,
                "role": role,
                "date": AS_OF - dt.timedelta(days=3),
                "fingerprint": fingerprints[2],
            }
        )
    return [_signed(plan.id, entry) for entry in entries]


def make_references(rng: random.Random, count: int) -> dict[str, dict[str, Any]]:
    references: dict[str, dict[str, Any]] = {}
    kinds = ("article", "article", "article", "guideline", "label", "book", "web")
    for index in range(count):
        surname = rng.choice(words.AUTHOR_SURNAMES)
        year = 2000 + rng.randrange(26)
        kind = kinds[index % len(kinds)]
        title = " ".join(rng.sample(words.TITLE_WORDS, 8)).capitalize()
        entry: dict[str, Any] = {"type": kind}
        if kind == "article":
            others = rng.sample(words.AUTHOR_SURNAMES, 2)
            entry["authors"] = FlowList([f"{surname} AB", *(f"{name} C" for name in others)])
        entry["title"] = title
        if kind in ("article", "guideline"):
            entry["journal"] = rng.choice(words.JOURNALS)
        else:
            entry["publisher"] = rng.choice(words.PUBLISHERS)
        entry["year"] = year
        if kind == "article":
            entry.update(
                volume=str(rng.randrange(1, 90)),
                issue=str(rng.randrange(1, 12)),
                pages=f"{(start := rng.randrange(1, 900))}-{start + rng.randrange(5, 20)}",
                doi=f"10.5555/bench.{year}.{index:04d}",
                pmid=str(30000000 + index),
            )
        if kind in ("label", "web"):
            entry["url"] = f"https://example.org/bench/{index:04d}"
        references[f"{surname.lower()}-{year}-{index:03d}"] = entry
    return references


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def generate_library(root: Path | str, n: int, seed: int = 0, ledgers: bool = True) -> int:
    """Write a library of `n` protocols into the protocols folder `root`; returns the number of files.
    `ledgers=False`: no approvals.yaml (the same version files, for a reader of their texts only: a ledger
    costs a fingerprint of each version and a signature of each sign-off)."""
    root = Path(root)
    rng = random.Random(seed)
    references = make_references(rng, min(REFERENCE_COUNT, max(1, n) * REFERENCES_PER_PROTOCOL))
    drugs = make_drugs(rng)
    plans = plan_protocols(rng, n, drugs, list(references))
    library = {
        "references.yaml": references,
        "drugs.yaml": {name: {k: v for k, v in drug.items() if not k.startswith("_")} for name, drug in drugs.items()},
        "policy.yaml": {
            "approval": {"minimum": 2, "required_roles": FlowList(["pharmacist", "psychiatrist"])},
            "review_interval_months": 24,
            "reviewers": [
                {"name": name, "roles": FlowList([role]), "keys": FlowList([ed25519_public_line(REVIEWER_KEYS[name])])}
                for name, role in words.REVIEWERS
            ],
        },
        "handbooks.yaml": [
            {
                "id": re.sub("[^a-z]+", "-", owner.lower()).strip("-"),
                "title": owner,
                "description": f"Synthetic protocols of the {owner}.",
                "protocols": FlowList(members),
            }
            for owner in words.OWNERS
            if (members := [plan.id for plan in plans if plan.owner == owner])
        ],
    }
    for name, data in library.items():
        _write(root / "_library" / name, dump_yaml(data, "# Synthetic benchmark library (benchmarks/synthetic.py).\n"))
    files = len(library)
    for index, plan in enumerate(plans):
        neighbours = [plans[(index + k) % len(plans)] for k in (1, 2, 7, 31) if len(plans) > k]
        others = [other for other in dict.fromkeys(p.id for p in neighbours) if other != plan.id]
        other_plans = [next(p for p in neighbours if p.id == other) for other in others]
        fingerprints = []
        for version in range(3):
            text = dump_yaml(version_doc(plan, other_plans, version, seed), HEADER)
            _write(root / plan.id / f"1.{version}.yaml", text)
            if ledgers:
                fingerprints.append(fingerprint_text(text, library["drugs.yaml"], references))
        if ledgers:
            ledger = dump_yaml(_approvals(plan, fingerprints), "# Approvals ledger.\n")
            _write(root / plan.id / "approvals.yaml", ledger)
        files += 4 if ledgers else 3
    return files
