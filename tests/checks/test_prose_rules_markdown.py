"""P501, P305 and P503 decided from the parse, and P208/P209 on the text as a reader sees it (format §5):
each payload of issue 12 at its exact file:line:col, and what must stay clean."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import check_lines, write_files, write_library
from test_prose_rules import FILE, TEXT_COL, TEXT_LINE, VERSION, ProseCase, assert_prose_case, prose_lines, write

from generator.checks.prose_rules import markdown_findings
from generator.load.library import load_library
from generator.text.markdown import parse
from generator.text.reader_text import reader_runs


def indented(text: str) -> str:
    """A multi-line text for the body of test_prose_rules.VERSION (a block scalar indented 6)."""
    return text.replace("\n", "\n      ")


def at(line: int, col: int) -> str:
    return f"{FILE}:{TEXT_LINE + line}:{(TEXT_COL if line == 0 else 7) + col}"


HTML = 'use Markdown instead (**bold**, *italic*, lists, [links](https://...)); raw HTML is refused'


LINK = "is not https, http or mailto"
NO_MATCH = "matches no quantity of this version's data"
LINK_HINT = (
    "link to an https:// (or http://, mailto:) address; a link to another protocol or a section is written"
    " [[protocol-id#section]]"
)
IMAGE_HINT = (
    "a page loads nothing from outside the site: put the image file (PNG, JPEG, GIF or WebP) in"
    " protocols/_assets/ and write ![what it shows](_assets/file-name.png)"
)


def md_case(id: str, text: str, *found: tuple[int, int, str], **fields: object) -> ProseCase:
    """A case for `text` (lines of the section body): each finding is (line in text, col, "CODE: message")."""
    expected = tuple(f"{at(line, col)}: error {message} (sections[0].body)" for line, col, message in found)
    return ProseCase(id, indented(text), expected, **fields)  # type: ignore[arg-type]


def route_case(route: str, *messages: str) -> ProseCase:
    """A case for a regimen's route written as `route`: each message stands at the route's value."""
    expected = tuple(f"{FILE}:8:12: error {message} (regimens[0].route)" for message in messages)
    return ProseCase(f"route-{route}", "Fine.", expected, version=VERSION.replace("route: IV", f"route: {route}"))


CASES = [
    # P501: raw HTML of any kind, decided from the parse
    md_case("p501-img-with-quoted-angle", 'Note <img src=x onerror="alert(1)" title="<"> here',
            (0, 5, 'P501: raw HTML "<img src=x onerror="alert(1)" title="<">" in Markdown')),
    md_case("p501-svg-onload", "Look <svg viewBox='0 0 1 1' onload=alert(1)>",
            (0, 5, "P501: raw HTML \"<svg viewBox='0 0 1 1' onload=alert(1)>\" in Markdown")),
    md_case("p501-details-block", "<details open ontoggle=alert(1)>\nx",
            (0, 0, 'P501: raw HTML "<details open ontoggle=alert(1)>" in Markdown')),
    md_case("p501-javascript-anchor", 'Click <a href="javascript:alert(1)">here',
            (0, 6, 'P501: raw HTML "<a href="javascript:alert(1)">" in Markdown')),
    md_case("p501-meta-refresh", '<meta http-equiv="refresh" content="0;url=https://elsewhere.example/">',
            (0, 0, 'P501: raw HTML "<meta http-equiv="refresh" content="0;url=https://elsewhere...." in Markdown')),
    md_case("p501-tag-split-over-lines", "A tag split\n<img\nsrc=x onerror=alert(1)> over lines",
            (1, 0, 'P501: raw HTML "<img src=x onerror=alert(1)>" in Markdown')),
    md_case("p501-remote-img-tag", "See <img src=http://elsewhere.example/t.png>",
            (0, 4, 'P501: raw HTML "<img src=http://elsewhere.example/t.png>" in Markdown')),
    md_case("p501-comment", "A <!-- hidden --> comment", (0, 2, 'P501: HTML comment "<!-- hidden -->" in Markdown')),
    md_case("p501-processing-instruction", "A <?php echo 1 ?> instruction",
            (0, 2, 'P501: raw HTML "<?php echo 1 ?>" in Markdown')),
    md_case("p501-hint", "<b>x", (0, 0, 'P501: raw HTML "<b>" in Markdown'), hint=HTML),
    # P305: link destinations other than https, http and mailto
    md_case("p305-destination-on-the-next-line", "[here](\njavascript:alert(1))",
            (1, 0, f'P305: link destination "javascript:alert(1)" {LINK}')),
    md_case("p305-reference-definition", "[here][x]\n\n[x]:\n  javascript:alert(1)",
            (3, 2, f'P305: link destination "javascript:alert(1)" {LINK}')),
    # a definition never used is refused too
    md_case("p305-unused-definition", "\n[x]: javascript:alert(1)",
            (1, 5, f'P305: link destination "javascript:alert(1)" {LINK}')),
    md_case("p305-mixed-case-scheme", "[a](JaVaScRiPt:alert(1))",
            (0, 4, f'P305: link destination "JaVaScRiPt:alert(1)" {LINK}')),
    md_case("p305-entity-in-scheme", "[a](&#x6A;avascript:alert(1))",
            (0, 4, f'P305: link destination "javascript:alert(1)" {LINK}')),
    md_case("p305-percent-escape-in-scheme", "[a](java%73cript:alert(1))",
            (0, 4, f'P305: link destination "java%73cript:alert(1)" {LINK}')),
    md_case("p305-tab-in-scheme", "[a](<java\tscript:alert(1)>)",
            (0, 5, f'P305: link destination "java\\u0009script:alert(1)" {LINK}')),
    md_case("p305-file-autolink", "<file:///etc/passwd>",
            (0, 1, f'P305: link destination "file:///etc/passwd" {LINK}')),
    md_case("p305-relative-page", "[a](../other/index.md)",
            (0, 4, f'P305: link destination "../other/index.md" {LINK}')),
    md_case("p305-fragment-with-hint", "[a](#safety)", (0, 4, f'P305: link destination "#safety" {LINK}'),
            hint=LINK_HINT),
    md_case("p305-data-url", "[a](data:text/html,x)", (0, 4, f'P305: link destination "data:text/html,x" {LINK}')),
    md_case("clean-safe-links",
            "[a](https://example.org/x) <https://example.org> [b](HTTP://EXAMPLE.ORG) <someone@example.org>"),
    md_case("clean-mailto-and-reference-link",
            "[a](mailto:pharmacy@example.org) [b][r]\n\n[r]: https://example.org/ref"),
    md_case("clean-code-and-comparisons",
            "[[#safety]] and `<b>` and\n\n    <i>code block</i>\n\nHeart rate <100 and a < b"),
    # P503: an image from outside the site
    md_case("p503-remote-image", "See ![x](http://elsewhere.example/t.png)",
            (0, 4, 'P503: image "http://elsewhere.example/t.png" is not a file under protocols/_assets/'),
            hint=IMAGE_HINT),
    # P208 on the text as a reader sees it
    *(md_case(f"p208-reader-sees-{index}", text, (0, col, f'P208: dose "{read}" {NO_MATCH}'))
      for index, (text, col, read) in enumerate((
          ("Give **50** mg now", 7, "50 mg"),
          ("Give 5&#48; mg now", 5, "50 mg"),
          ("Give 50&nbsp;mg now", 5, "50 mg"),
          ("Give \uff15\uff10 mg now", 5, "50 mg"),
          ("Give \u0665\u0660 mg now", 5, "50 mg"),
          ("Give 50\u2009mg now", 5, "50 mg"),
          ("Give `50 mg` now", 6, "50 mg"),
          ("Give *5*0 *m*g now", 6, "50 mg"),
          ("Give [50](https://example.org) mg", 6, "50 mg"),
          ("Give 50 \u338e", 5, "50 mg"),
          ("Give a 50-mg dose", 7, "50-mg"),
          ("Give 50 milligrams", 5, "50 milligrams"),
          ("Give 0.05 Grams", 5, "0.05 Grams"),
      ))),
    md_case("p208-in-a-link-title", 'See [the guide](https://example.org "give 50 mg")',
            (0, 5, f'P208: dose "50 mg" {NO_MATCH}'), codes=("P208",)),
    md_case("p208-in-an-image-description", "See ![give 50 mg](https://example.org/t.png)",
            (0, 4, f'P208: dose "50 mg" {NO_MATCH}'), codes=("P208",)),
    # "1" then the dose 0.5 mg/kg reads "10.5 mg/kg": a dose no data holds
    md_case("p208-placeholder-read-with-its-value", "Give 1{{ ketamine-iv.dose }}",
            (0, 5, f'P208: dose "10.5 mg/kg" {NO_MATCH}')),
    md_case("clean-verbatim-text-as-a-whole", 'A study gave {{ "20 mg" }}.'),
    md_case("p208-verbatim-text-only-as-a-whole", 'Give 5{{ "0 mg" }}.', (0, 5, f'P208: dose "50 mg" {NO_MATCH}')),
    # P209 inside verbatim text, and decimal commas
    md_case("p209-verbatim-trailing-zero", '{{ "5.0 mg" }}', (0, 4, 'P209: trailing zero in "5.0 mg": write "5 mg"')),
    md_case("p209-verbatim-leading-zero", '{{ ".5 mg" }}',
            (0, 4, 'P209: missing leading zero in ".5 mg": write "0.5 mg"')),
    md_case("p209-verbatim-abbreviation", '{{ "TIW" }}',
            (0, 4, 'P209: error-prone abbreviation "TIW": write "3 times per week"')),
    md_case("p209-verbatim-unit", '{{ "2 cc" }}', (0, 6, 'P209: unsafe unit spelling "cc" in "2 cc": write "2 mL"')),
    md_case("p209-verbatim-route", '{{ "a study gave 20 mg SQ" }}',
            (0, 23, 'P209: error-prone abbreviation "SQ": write "SUBCUT"')),
    md_case("p209-decimal-comma", "Give 0,5 mg/kg",
            (0, 5, 'P209: decimal comma in "0,5 mg/kg": write "0.5 mg/kg" if that is the amount meant')),
    md_case("p209-decimal-comma-four-digits", "Up to 1,5000 mg",
            (0, 6, 'P209: decimal comma in "1,5000 mg": write "1.5000 mg" if that is the amount meant')),
    md_case("p209-decimal-comma-verbatim", 'A study gave {{ "2,5 mg" }}',
            (0, 17, 'P209: decimal comma in "2,5 mg": write "2.5 mg" if that is the amount meant')),
    md_case("clean-thousands-separators-and-lists", "Never above 3,000 mg; weeks 1,2 and 3; 40, 50 and 60 kg."),
    # P209 on a regimen's route
    route_case("SC", 'P209: error-prone abbreviation "SC": write "SUBCUT"'),
    route_case("SQ", 'P209: error-prone abbreviation "SQ": write "SUBCUT"'),
    route_case("s.c.", 'P209: error-prone abbreviation "s.c.": write "SUBCUT"'),
    route_case("SUBCUT"),
]


def test_case_ids_are_unique() -> None:
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_markdown_rule_case(tmp_path: Path, case: ProseCase) -> None:
    assert_prose_case(tmp_path, case)


IMAGE = "(sections[0].body)"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("data:image/png;base64,AA", 'image "data:image/png;base64,AA" is not a file under protocols/_assets/'),
        ("//elsewhere.example/t.png", 'image "//elsewhere.example/t.png" is not a file under protocols/_assets/'),
        ("_assets/../secret.png", 'image "_assets/../secret.png" is not a file under protocols/_assets/'),
        ("_assets/missing.png", 'image "_assets/missing.png": no file missing.png in protocols/_assets/'),
        ("_assets/link.png", 'image "_assets/link.png": no file link.png in protocols/_assets/'),
        ("_assets/folder.png", 'image "_assets/folder.png": no file folder.png in protocols/_assets/'),
    ],
)
def test_p503_sources(tmp_path: Path, source: str, message: str) -> None:
    library = write(tmp_path, f"![x]({source}) and ![flow chart](_assets/flow.png)")
    assets = tmp_path / "protocols" / "_assets"
    assets.mkdir()
    (assets / "flow.png").write_bytes(b"\x89PNG\r\n")
    (assets / "folder.png").mkdir()
    os.symlink(assets / "flow.png", assets / "link.png")
    assert [line.splitlines()[0] for line in prose_lines(library)] == [f"{at(0, 0)}: error P503: {message} {IMAGE}"]


# --- P208 / P209 on the text as a reader sees it ----------------------------------------------------------

@pytest.mark.parametrize("control", ["\x0b", "\x7f", "\u2028", "\u200b"])
def test_p305_a_control_character_anywhere_in_a_destination(control: str) -> None:
    text = f"[a](<https://example.org/{control}>)"
    found = [(f.code, f.offset, f.message) for f in markdown_findings(text, None, {})]
    escaped = f"\\u{ord(control):04X}"  # as diagnostics.excerpt quotes it
    assert found == [("P305", 5, f'link destination "https://example.org/{escaped}" is not https, http or mailto')]


@pytest.mark.parametrize("invisible", ["\u200b", "\u200e", "\u202e", "\u2066", "\ufeff", "\u00ad"])
def test_p208_is_not_fooled_by_invisible_characters(invisible: str) -> None:
    # P110 refuses these in the loader; the reader's text drops them so a dose cannot hide behind one
    doc = load_library(Path(__file__).resolve().parents[2] / "protocols").protocols["ketamine-trd"].versions["1.0"].doc
    found = [(f.code, f.offset, f.message) for f in markdown_findings(f"Give 5{invisible}0{invisible} mg.", doc, {})]
    assert found == [("P208", 5, "dose \"50 mg\" matches no quantity of this version's data")]


def test_a_reader_run_keeps_where_each_character_came_from() -> None:
    [run] = reader_runs(parse("a **5**&#48;\u00a0mg"))
    assert run.text == "a 50 mg"
    assert list(run.origins) == [0, 1, 4, 7, 12, 13, 14]


# --- changes may name the previous version's doses ----------------------------------------------------------

SECOND = (VERSION.replace('version: "1.0"', 'version: "1.1"').replace("dose: 0.5 mg/kg", "dose: 0.6 mg/kg")
          .replace("TEXT", "Fine.") + "changes:\n  - CHANGE\n")


def _versions(tmp_path: Path, change: str) -> list[str]:
    files = {
        "_library/references.yaml": "{}\n",
        "_library/drugs.yaml": "ketamine:\n  name: ketamine\n",
        "_library/policy.yaml": "approval:\n  minimum: 1\n",
        "ketamine-trd/1.0.yaml": VERSION.replace("TEXT", "Fine."),
        "ketamine-trd/1.1.yaml": SECOND.replace("CHANGE", change),
    }
    write_files(tmp_path / "protocols", files)
    return [line.removeprefix(f"{tmp_path}/") for line in check_lines(tmp_path / "protocols") if " P208: " in line]


def test_a_change_may_name_a_dose_of_the_previous_version(tmp_path: Path) -> None:
    assert _versions(tmp_path, "Raised ketamine-iv from 0.5 mg/kg to 0.6 mg/kg.") == []


def test_a_change_naming_a_dose_of_no_version_is_p208(tmp_path: Path) -> None:
    assert _versions(tmp_path, "Raised ketamine-iv from 0.4 mg/kg to 0.6 mg/kg.") == [
        "protocols/ketamine-trd/1.1.yaml:27:29: error P208: dose \"0.4 mg/kg\" matches no quantity of this version's"
        " data (changes[0])"
    ]


def test_only_changes_may_name_the_previous_versions_doses(tmp_path: Path) -> None:
    files = {
        "_library/references.yaml": "{}\n",
        "_library/drugs.yaml": "ketamine:\n  name: ketamine\n",
        "_library/policy.yaml": "approval:\n  minimum: 1\n",
        "ketamine-trd/1.0.yaml": VERSION.replace("TEXT", "Fine."),
        "ketamine-trd/1.1.yaml": (VERSION.replace('version: "1.0"', 'version: "1.1"')
                                  .replace("dose: 0.5 mg/kg", "dose: 0.6 mg/kg").replace("TEXT", "Was 0.5 mg/kg.")
                                  + "changes:\n  - Raised ketamine-iv.\n"),
    }
    write_files(tmp_path / "protocols", files)
    assert [line.removeprefix(f"{tmp_path}/") for line in check_lines(tmp_path / "protocols") if " P208: " in line] == [
        "protocols/ketamine-trd/1.1.yaml:25:11: error P208: dose \"0.5 mg/kg\" matches no quantity of this version's"
        " data (sections[0].body)"
    ]


# --- every Markdown field of the library files ----------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"_library/drugs.yaml":
          "ketamine:\n  name: ketamine\n  notes: 'Avoid <img src=x onerror=\"a\" title=\"<\">.'\n"},
         'protocols/_library/drugs.yaml:3:17: error P501: raw HTML "<img src=x onerror="a" title="<">" in Markdown'
         " (ketamine.notes)"),
        ({"_library/handbooks.yaml": "- id: psychiatry\n  title: Psychiatry\n  description: See"
          " ![x](https://elsewhere.example/t.png)\n  protocols: [ketamine-trd]\n"},
         'protocols/_library/handbooks.yaml:3:20: error P503: image "https://elsewhere.example/t.png" is not a file'
         " under protocols/_assets/ ([0].description)"),
    ],
)
def test_library_markdown_fields(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    assert [line.removeprefix(f"{tmp_path}/") for line in check_lines(write_library(tmp_path, files))] == [expected]


