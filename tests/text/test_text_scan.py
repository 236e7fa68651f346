"""generator.text.text_scan: one scan per distinct text, shared by every version and every folder that holds the
text, must judge exactly as a fresh parse of that text in that version and that folder would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import VERSION, check_lines, write_library
from hostile_markdown import PAYLOADS

from generator.checks.prose_rules import markdown_findings
from generator.load.library import load_library
from generator.text import markdown
from generator.text.inline import markdown_fields
from generator.text.markdown_rules import asset_exists, markup_findings
from generator.text.prose_findings import Finding, abbreviation_findings, prose_quantities, quantities_findings
from generator.text.reader_text import reader_runs
from generator.text.text_scan import text_scan

SAMPLE = Path(__file__).resolve().parents[2] / "protocols"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
IMAGE_BODY = "body: |\n      Monitor blood pressure.\n\n      ![Flow chart](_assets/flow.png)"


def fresh_findings(text: str, doc: Any | None, drugs: Any, root: Path) -> list[Finding]:
    """The prose findings of one field from a parse of its own, each version's values filled in directly:
    what `markdown_findings` gave before scans were kept per text (the reference it must keep matching)."""
    parsed = markdown.parse(text)
    found = list(markup_findings(parsed, lambda name: asset_exists(root, name)))
    runs = [run.filled(doc, drugs) for run in reader_runs(parsed)]
    for run in runs:
        found += quantities_findings(prose_quantities(run), doc, ())
    found += [finding for run in runs for finding in abbreviation_findings(run)]
    return sorted(found, key=lambda finding: finding.offset)


def without_placeholder_findings(found: list[Finding]) -> list[Finding]:
    return [finding for finding in found if finding.code != "P304"]


def test_the_sample_librarys_findings_equal_a_fresh_parse_of_every_field() -> None:
    library = load_library(SAMPLE)
    fields = 0
    for protocol in library.protocols.values():
        for version in protocol.ordered():
            for path, text in markdown_fields(version.doc):
                if path[0] == "changes":
                    continue  # `changes` may also quote the previous version (`also`), judged elsewhere
                kept = list(markdown_findings(text, version.doc, library.drugs, root=library.root))
                assert without_placeholder_findings(kept) == fresh_findings(text, version.doc, library.drugs,
                                                                            library.root), (protocol.id, path)
                fields += 1
    assert fields > 20


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_hostile_markdown_findings_equal_a_fresh_parse(name: str, tmp_path: Path) -> None:
    text = f"Give 5 mg SC qd.\n\n{PAYLOADS[name]}\n\n![x](_assets/missing.png) and ![y](_assets/there.png)"
    (tmp_path / "_assets").mkdir()
    (tmp_path / "_assets" / "there.png").write_bytes(PNG)
    kept = list(markdown_findings(text, None, {}, root=tmp_path))
    assert kept == fresh_findings(text, None, {}, tmp_path)
    assert {finding.code for finding in kept} >= {"P209", "P503"}  # no P208 outside a version


def test_one_text_is_judged_against_each_folders_assets(tmp_path: Path) -> None:
    """The scan is kept per text; whether the image's file exists is asked of each folder anew."""
    with_file = write_library(tmp_path / "a", {"ketamine-trd/1.0.yaml": VERSION.replace(
        "body: Monitor blood pressure.", IMAGE_BODY)})
    (with_file / "_assets").mkdir()
    (with_file / "_assets" / "flow.png").write_bytes(PNG)
    without_file = write_library(tmp_path / "b", {"ketamine-trd/1.0.yaml": VERSION.replace(
        "body: Monitor blood pressure.", IMAGE_BODY)})
    assert check_lines(with_file) == []
    assert check_lines(without_file) == [
        f'{without_file}/ketamine-trd/1.0.yaml:33:7: error P503: image "_assets/flow.png": no file flow.png in'
        " protocols/_assets/ (sections[0].body)"
    ]
    (without_file / "_assets").mkdir()
    (without_file / "_assets" / "flow.png").symlink_to(with_file / "_assets" / "flow.png")
    assert check_lines(without_file) == [
        f'{without_file}/ketamine-trd/1.0.yaml:33:7: error P503: image "_assets/flow.png": no file flow.png in'
        " protocols/_assets/ (sections[0].body)"
    ], "a symbolic link is not a file of the folder"
    assert check_lines(with_file) == [], "the other folder's answer is not kept"


def _two_versions(tmp_path: Path, first_doses: int, second_doses: int) -> Path:
    """Versions 1.0 and 1.1 with the same summary text, whose placeholder shows each version's own total."""
    def version(number: str, doses: int, length: str) -> str:
        text = VERSION.replace('version: "1.0"', f'version: "{number}"')
        text = text.replace("  Give {{ ketamine-iv.dose }}",
                            "  Give {{ induction.doses }} mg, then {{ ketamine-iv.dose }}")
        text = text.replace("doses: 6", f"doses: {doses}").replace("length: 2 weeks", f"length: {length}")
        if number != "1.0":
            text = text.replace("changes: []", "changes: [Induction lengthened (induction).]")
        return text

    weeks = {6: "2 weeks", 9: "3 weeks"}
    return write_library(tmp_path, {"ketamine-trd/1.0.yaml": version("1.0", first_doses, weeks[first_doses]),
                                    "ketamine-trd/1.1.yaml": version("1.1", second_doses, weeks[second_doses])})


def test_one_text_in_two_versions_reads_each_versions_placeholder_values(tmp_path: Path) -> None:
    """The same summary in 1.0 and 1.1; `{{ induction.doses }} mg` reads "6 mg" in one and "9 mg" in the other:
    a dose in prose that no data holds (P208), named with each version's own figure."""
    library = _two_versions(tmp_path, 6, 9)
    lines = check_lines(library)
    assert [line for line in lines if "P208" in line] == [
        f"{library}/ketamine-trd/1.0.yaml:7:8: error P208: dose \"6 mg\" matches no quantity of this version's data"
        " (summary)",
        f"{library}/ketamine-trd/1.1.yaml:7:8: error P208: dose \"9 mg\" matches no quantity of this version's data"
        " (summary)",
    ]


def test_a_text_scan_keeps_no_parse_and_no_folder() -> None:
    """What is kept per text is plain data: no markdown-it token, nothing that names a folder."""
    scan = text_scan("See ![chart](_assets/flow.png), give {{ ketamine-iv.dose }} [@a; @b] ([[other#x]]).")
    kept = [scan.syntax, scan.markup.findings, scan.markup.assets, scan.slots, scan.runs]
    assert not any(type(item).__module__.startswith("markdown_it") for group in kept for item in group)
    assert [image.name for image in scan.markup.assets] == ["flow.png"]
    assert [token.raw for token in scan.slots] == ["{{ ketamine-iv.dose }}"]
