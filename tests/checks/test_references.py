"""Bibliography rules: P301 (unknown citation), P302 (uncited reference), P306 (malformed DOI, PMID, URL)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import KETAMINE_IV, SAFETY, version_yaml, with_fields, write_files

from generator.checks import CheckContext
from generator.checks import references as reference_rules
from generator.load.library import Library, load_library

REFERENCES = """\
phillips-2019:
  type: article
  authors: [Phillips JL]
  title: Ketamine infusions
  journal: Am J Psychiatry
  year: 2019
  doi: 10.1176/appi.ajp.2018.18070834
  pmid: 30922101
label-2019:
  type: label
  title: Prescribing information
  publisher: Maker
  year: 2019
  url: https://example.org/label
"""
VERSION = version_yaml(  # STATUS and TEXT: filled in by write()
    title="IV ketamine", status="STATUS", owner=None, summary="Give {{ ketamine-iv.dose }} [@phillips-2019].",
    changes=None, regimens=[with_fields(KETAMINE_IV, dose_range=None, duration=None, cite=["label-2019"])],
    phases=None, dose_tables=None, sections=[with_fields(SAFETY, body="TEXT\n")], algorithm=None,
)
VERSION_FILE = "protocols/ketamine-trd/1.0.yaml"
REFERENCES_FILE = "protocols/_library/references.yaml"


def write(tmp_path: Path, text: str = "Fine.", references: str = REFERENCES, version: str = VERSION,
          status: str = "draft") -> Library:
    files = {
        "_library/references.yaml": references,
        "_library/drugs.yaml": "ketamine:\n  name: ketamine\n  notes: See [@drug-notes-ref].\n",
        "_library/policy.yaml": "approval:\n  minimum: 1\n",
        "ketamine-trd/1.0.yaml": version.replace("TEXT", text).replace("STATUS", status),
    }
    write_files(tmp_path / "protocols", files)
    library = load_library(tmp_path / "protocols", "protocols")
    assert library.diagnostics == []
    return library


def lines(library: Library, code: str) -> list[str]:
    diagnostics = reference_rules.check(library, CheckContext(as_of=dt.date(2026, 6, 1)))
    return [d.format_text() for d in sorted(diagnostics, key=lambda d: d.sort_key()) if d.code == code]


DRUG_NOTES_P301 = (
    'protocols/_library/drugs.yaml:3:16: error P301: citation of unknown reference "drug-notes-ref" (ketamine.notes)\n'
    "    cite an id of _library/references.yaml, or add the reference there"
)
UNKNOWN_HINT = "    cite an id of _library/references.yaml, or add the reference there"
DOI_HINT = (
    "    write the bare DOI, e.g. 10.1176/appi.ajp.2018.18070834 (no https://doi.org/ prefix: the site adds the link)"
)
URL_HINT = "    write a full https:// address; plain http:// and other schemes are refused"


@dataclass(frozen=True)
class ReferenceCase:
    """A library (TEXT in the safety section, edits to the version or references.yaml) and its `code` diagnostics.

    `expected` is every diagnostic of `code`, message line and hint line as printed, in order; with `index` set,
    only the diagnostic at that position is compared (the first is the drug notes' P301 of every case).
    """

    id: str
    code: str
    expected: tuple[str, ...] = ()
    text: str = "Fine."
    version: tuple[tuple[str, str], ...] = ()
    references: tuple[tuple[str, str], ...] = ()
    status: str = "draft"
    index: int | None = None


def edited(text: str, edits: tuple[tuple[str, str], ...]) -> str:
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def p306(id: str, old: str, new: str, message: str, hint: str) -> ReferenceCase:
    return ReferenceCase(id, "P306", (f"{REFERENCES_FILE}:{message}\n{hint}",), references=((old, new),))


DOI = "doi: 10.1176/appi.ajp.2018.18070834"
URL = "url: https://example.org/label"
CASES = [
    ReferenceCase("p301-known-citations", "P301", (DRUG_NOTES_P301,), text="As shown [@phillips-2019; @label-2019]."),
    ReferenceCase("p301-unknown-in-prose-at-its-key", "P301", (
        DRUG_NOTES_P301,
        f'{VERSION_FILE}:16:34: error P301: citation of unknown reference "phillips-2091" (sections[0].body)\n'
        '    did you mean "phillips-2019"? cite an id of _library/references.yaml, or add the reference there',
    ), text="As shown [@phillips-2019; @phillips-2091]."),
    ReferenceCase("p301-unknown-in-a-cite-list", "P301", (
        f'{VERSION_FILE}:11:24: error P301: citation of unknown reference "nobody-1999" (regimens[0].cite[1])\n'
        f"{UNKNOWN_HINT}",
    ), version=(("cite: [label-2019]", "cite: [label-2019, nobody-1999]"),), index=1),
    ReferenceCase("p301-malformed-citation", "P301", (
        f'{VERSION_FILE}:16:16: error P301: malformed citation key "@Phillips 2019" in [@Phillips 2019]'
        " (sections[0].body)\n    write [@reference-id] or [@first-id; @second-id]",
    ), text="As shown [@Phillips 2019].", index=1),
    ReferenceCase("p302-every-reference-cited", "P302"),
    *(ReferenceCase(f"p302-uncited-{status}", "P302", (
        f'{REFERENCES_FILE}:9:1: warning P302: reference "label-2019" is not cited by any protocol\n'
        "    cite it with [@label-2019] or a cite: list, or remove it from references.yaml",
    ), version=(("    cite: [label-2019]\n", ""),), status=status) for status in ("draft", "approved")),
    p306("p306-doi-with-prefix", DOI, "doi: https://doi.org/10.1176/appi.ajp.2018.18070834",
         '7:8: error P306: malformed DOI "https://doi.org/10.1176/appi.ajp.2018.18070834"'
         " in reference phillips-2019 (phillips-2019.doi)", DOI_HINT),
    p306("p306-doi-too-short", DOI, "doi: 10.11/x",
         '7:8: error P306: malformed DOI "10.11/x" in reference phillips-2019 (phillips-2019.doi)', DOI_HINT),
    p306("p306-pmc-id-for-pmid", "pmid: 30922101", "pmid: PMC30922101",
         '8:9: error P306: malformed PMID "PMC30922101" in reference phillips-2019 (phillips-2019.pmid)',
         "    write the PubMed id as digits only, e.g. 30922101"),
    p306("p306-plain-http", URL, "url: http://example.org/label",
         '14:8: error P306: malformed URL "http://example.org/label" in reference label-2019 (label-2019.url)',
         URL_HINT),
    p306("p306-javascript-url", URL, "url: javascript:alert(1)",
         '14:8: error P306: malformed URL "javascript:alert(1)" in reference label-2019 (label-2019.url)', URL_HINT),
    ReferenceCase("p306-well-formed-identifiers", "P306"),
]


def test_case_ids_are_unique() -> None:
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_reference_rule_case(tmp_path: Path, case: ReferenceCase) -> None:
    library = write(tmp_path, case.text, edited(REFERENCES, case.references), edited(VERSION, case.version),
                    case.status)
    found = lines(library, case.code)
    assert (found if case.index is None else found[case.index:case.index + 1]) == list(case.expected)
