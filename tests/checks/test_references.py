"""Bibliography rules: P301 (unknown citation), P302 (uncited reference), P306 (malformed DOI, PMID, URL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers import write_files

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
VERSION = """\
id: ketamine-trd
version: "1.0"
title: IV ketamine
status: STATUS
summary: Give {{ ketamine-iv.dose }} [@phillips-2019].
regimens:
  - id: ketamine-iv
    drug: ketamine
    route: IV
    dose: 0.5 mg/kg
    cite: [label-2019]
sections:
  - id: safety
    title: Safety
    body: |
      TEXT
"""
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


def test_known_citations_are_clean(tmp_path: Path) -> None:
    assert lines(write(tmp_path, "As shown [@phillips-2019; @label-2019]."), "P301") == [DRUG_NOTES_P301]


def test_p301_unknown_citation_in_prose_at_its_key(tmp_path: Path) -> None:
    assert lines(write(tmp_path, "As shown [@phillips-2019; @phillips-2091]."), "P301") == [
        DRUG_NOTES_P301,
        f'{VERSION_FILE}:16:34: error P301: citation of unknown reference "phillips-2091" (sections[0].body)\n'
        '    did you mean "phillips-2019"? cite an id of _library/references.yaml, or add the reference there',
    ]


def test_p301_unknown_reference_in_a_cite_list(tmp_path: Path) -> None:
    library = write(tmp_path, version=VERSION.replace("cite: [label-2019]", "cite: [label-2019, nobody-1999]"))
    assert lines(library, "P301")[1] == (
        f'{VERSION_FILE}:11:24: error P301: citation of unknown reference "nobody-1999" (regimens[0].cite[1])\n'
        "    cite an id of _library/references.yaml, or add the reference there"
    )


def test_p301_malformed_citation(tmp_path: Path) -> None:
    assert lines(write(tmp_path, "As shown [@Phillips 2019]."), "P301")[1] == (
        f'{VERSION_FILE}:16:16: error P301: malformed citation key "@Phillips 2019" in [@Phillips 2019]'
        " (sections[0].body)\n    write [@reference-id] or [@first-id; @second-id]"
    )


def test_p302_every_reference_cited_somewhere(tmp_path: Path) -> None:
    assert lines(write(tmp_path), "P302") == []


@pytest.mark.parametrize("status", ["draft", "approved"])
def test_p302_uncited_reference_at_its_key(tmp_path: Path, status: str) -> None:
    library = write(tmp_path, version=VERSION.replace("    cite: [label-2019]\n", ""), status=status)
    assert lines(library, "P302") == [
        f'{REFERENCES_FILE}:9:1: warning P302: reference "label-2019" is not cited by any protocol\n'
        "    cite it with [@label-2019] or a cite: list, or remove it from references.yaml"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "doi: 10.1176/appi.ajp.2018.18070834",
            "doi: https://doi.org/10.1176/appi.ajp.2018.18070834",
            f'{REFERENCES_FILE}:7:8: error P306: malformed DOI "https://doi.org/10.1176/appi.ajp.2018.18070834"'
            " in reference phillips-2019 (phillips-2019.doi)\n    write the bare DOI, e.g."
            " 10.1176/appi.ajp.2018.18070834 (no https://doi.org/ prefix: the site adds the link)",
        ),
        (
            "doi: 10.1176/appi.ajp.2018.18070834",
            "doi: 10.11/x",
            f'{REFERENCES_FILE}:7:8: error P306: malformed DOI "10.11/x" in reference phillips-2019'
            " (phillips-2019.doi)\n    write the bare DOI, e.g. 10.1176/appi.ajp.2018.18070834"
            " (no https://doi.org/ prefix: the site adds the link)",
        ),
        (
            "pmid: 30922101",
            "pmid: PMC30922101",
            f'{REFERENCES_FILE}:8:9: error P306: malformed PMID "PMC30922101" in reference phillips-2019'
            " (phillips-2019.pmid)\n    write the PubMed id as digits only, e.g. 30922101",
        ),
        (
            "url: https://example.org/label",
            "url: http://example.org/label",
            f'{REFERENCES_FILE}:14:8: error P306: malformed URL "http://example.org/label" in reference label-2019'
            " (label-2019.url)\n    write a full https:// address; plain http:// and other schemes are refused",
        ),
        (
            "url: https://example.org/label",
            "url: javascript:alert(1)",
            f'{REFERENCES_FILE}:14:8: error P306: malformed URL "javascript:alert(1)" in reference label-2019'
            " (label-2019.url)\n    write a full https:// address; plain http:// and other schemes are refused",
        ),
    ],
)
def test_p306_malformed_identifiers(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert lines(write(tmp_path, references=REFERENCES.replace(old, new)), "P306") == [expected]


def test_p306_well_formed_identifiers(tmp_path: Path) -> None:
    assert lines(write(tmp_path), "P306") == []
