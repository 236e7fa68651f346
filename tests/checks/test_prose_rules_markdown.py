"""P501, P305 and P503 decided from the parse, and P208/P209 on the text as a reader sees it (format §5):
each payload of issue 12 at its exact file:line:col, and what must stay clean."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import check_lines, write_files, write_library
from test_prose_rules import FILE, TEXT_COL, TEXT_LINE, VERSION, prose_lines, write

from generator.checks.prose_rules import markdown_findings
from generator.load.library import load_library
from generator.text.markdown import parse
from generator.text.reader_text import reader_runs


def indented(text: str) -> str:
    """A multi-line text for the body of test_prose_rules.VERSION (a block scalar indented 6)."""
    return text.replace("\n", "\n      ")


def at(line: int, col: int) -> str:
    return f"{FILE}:{TEXT_LINE + line}:{(TEXT_COL if line == 0 else 7) + col}"


def codes(tmp_path: Path, text: str) -> list[str]:
    return [line.splitlines()[0] for line in prose_lines(write(tmp_path, indented(text)))]


HTML = 'use Markdown instead (**bold**, *italic*, lists, [links](https://...)); raw HTML is refused'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('Note <img src=x onerror="alert(1)" title="<"> here',
         [(0, 5, 'P501: raw HTML "<img src=x onerror="alert(1)" title="<">" in Markdown')]),
        ("Look <svg viewBox='0 0 1 1' onload=alert(1)>",
         [(0, 5, "P501: raw HTML \"<svg viewBox='0 0 1 1' onload=alert(1)>\" in Markdown")]),
        ("<details open ontoggle=alert(1)>\nx",
         [(0, 0, 'P501: raw HTML "<details open ontoggle=alert(1)>" in Markdown')]),
        ('Click <a href="javascript:alert(1)">here',
         [(0, 6, 'P501: raw HTML "<a href="javascript:alert(1)">" in Markdown')]),
        ('<meta http-equiv="refresh" content="0;url=https://elsewhere.example/">',
         [(0, 0, 'P501: raw HTML "<meta http-equiv="refresh" content="0;url=https://elsewhere...." in Markdown')]),
        ("A tag split\n<img\nsrc=x onerror=alert(1)> over lines",
         [(1, 0, 'P501: raw HTML "<img src=x onerror=alert(1)>" in Markdown')]),
        ('See <img src=http://elsewhere.example/t.png>',
         [(0, 4, 'P501: raw HTML "<img src=http://elsewhere.example/t.png>" in Markdown')]),
        ("A <!-- hidden --> comment", [(0, 2, 'P501: HTML comment "<!-- hidden -->" in Markdown')]),
        ("A <?php echo 1 ?> instruction", [(0, 2, 'P501: raw HTML "<?php echo 1 ?>" in Markdown')]),
    ],
)
def test_p501_raw_html_of_any_kind(tmp_path: Path, text: str, expected: list[tuple[int, int, str]]) -> None:
    assert codes(tmp_path, text) == [
        f"{at(line, col)}: error {message.replace(chr(10), ' ')} (sections[0].body)" for line, col, message in expected
    ]


def test_p501_hint(tmp_path: Path) -> None:
    [line] = prose_lines(write(tmp_path, "<b>x"))
    assert line.splitlines()[1] == f"    {HTML}"


LINK = "is not https, http or mailto (sections[0].body)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[here](\njavascript:alert(1))", [(1, 0, 'link destination "javascript:alert(1)"')]),
        ("[here][x]\n\n[x]:\n  javascript:alert(1)", [(3, 2, 'link destination "javascript:alert(1)"')]),
        # a definition never used is refused too
        ("\n[x]: javascript:alert(1)", [(1, 5, 'link destination "javascript:alert(1)"')]),
        ("[a](JaVaScRiPt:alert(1))", [(0, 4, 'link destination "JaVaScRiPt:alert(1)"')]),
        ("[a](&#x6A;avascript:alert(1))", [(0, 4, 'link destination "javascript:alert(1)"')]),
        ("[a](java%73cript:alert(1))", [(0, 4, 'link destination "java%73cript:alert(1)"')]),
        ("[a](<java\tscript:alert(1)>)", [(0, 5, 'link destination "java\\u0009script:alert(1)"')]),
        ("<file:///etc/passwd>", [(0, 1, 'link destination "file:///etc/passwd"')]),
        ("[a](../other/index.md)", [(0, 4, 'link destination "../other/index.md"')]),
        ("[a](#safety)", [(0, 4, 'link destination "#safety"')]),
        ("[a](data:text/html,x)", [(0, 4, 'link destination "data:text/html,x"')]),
    ],
)
def test_p305_link_destinations(tmp_path: Path, text: str, expected: list[tuple[int, int, str]]) -> None:
    assert codes(tmp_path, text) == [
        f"{at(line, col)}: error P305: {message} {LINK}" for line, col, message in expected
    ]


def test_p305_hint_points_to_the_inline_syntax(tmp_path: Path) -> None:
    [line] = prose_lines(write(tmp_path, "[a](#safety)"))
    assert line.splitlines()[1] == (
        "    link to an https:// (or http://, mailto:) address; a link to another protocol or a section is written"
        " [[protocol-id#section]]"
    )


@pytest.mark.parametrize(
    "text",
    ["[a](https://example.org/x) <https://example.org> [b](HTTP://EXAMPLE.ORG) <someone@example.org>",
     "[a](mailto:pharmacy@example.org) [b][r]\n\n[r]: https://example.org/ref",
     "[[#safety]] and `<b>` and\n\n    <i>code block</i>\n\nHeart rate <100 and a < b"],
)
def test_safe_links_and_code_are_clean(tmp_path: Path, text: str) -> None:
    assert codes(tmp_path, text) == []


IMAGE = "(sections[0].body)"


def test_p503_an_image_from_outside_the_site(tmp_path: Path) -> None:
    lines = prose_lines(write(tmp_path, "See ![x](http://elsewhere.example/t.png)"))
    assert lines == [
        f'{at(0, 4)}: error P503: image "http://elsewhere.example/t.png" is not a file under protocols/_assets/'
        f" {IMAGE}\n    a page loads nothing from outside the site: put the image file (PNG, JPEG, GIF or WebP) in"
        " protocols/_assets/ and write ![what it shows](_assets/file-name.png)"
    ]


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

NO_MATCH = "matches no quantity of this version's data (sections[0].body)"


@pytest.mark.parametrize(
    ("text", "col", "read"),
    [
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
    ],
)
def test_p208_judges_what_the_reader_sees(tmp_path: Path, text: str, col: int, read: str) -> None:
    assert codes(tmp_path, text) == [f'{at(0, col)}: error P208: dose "{read}" {NO_MATCH}']


@pytest.mark.parametrize("control", ["\x0b", "\x7f", "\u2028", "\u200b"])
def test_p305_a_control_character_anywhere_in_a_destination(control: str) -> None:
    text = f"[a](<https://example.org/{control}>)"
    found = [(f.code, f.offset, f.message) for f in markdown_findings(text, None, {})]
    escaped = f"\\u{ord(control):04X}"  # as diagnostics.excerpt quotes it
    assert found == [("P305", 5, f'link destination "https://example.org/{escaped}" is not https, http or mailto')]


@pytest.mark.parametrize(("text", "col"), [('See [the guide](https://example.org "give 50 mg")', 5),
                                           ("See ![give 50 mg](https://example.org/t.png)", 4)])
def test_p208_in_a_link_title_and_an_image_description(tmp_path: Path, text: str, col: int) -> None:
    assert [line for line in codes(tmp_path, text) if " P208: " in line] == [
        f'{at(0, col)}: error P208: dose "50 mg" {NO_MATCH}'
    ]


def test_p208_a_placeholder_is_read_with_its_value(tmp_path: Path) -> None:
    # "1" then the dose 0.5 mg/kg reads "10.5 mg/kg": a dose no data holds
    assert codes(tmp_path, "Give 1{{ ketamine-iv.dose }}") == [
        f'{at(0, 5)}: error P208: dose "10.5 mg/kg" {NO_MATCH}'
    ]


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


@pytest.mark.parametrize(
    ("text", "col", "message"),
    [
        ('{{ "5.0 mg" }}', 4, 'trailing zero in "5.0 mg": write "5 mg"'),
        ('{{ ".5 mg" }}', 4, 'missing leading zero in ".5 mg": write "0.5 mg"'),
        ('{{ "TIW" }}', 4, 'error-prone abbreviation "TIW": write "3 times per week"'),
        ('{{ "2 cc" }}', 6, 'unsafe unit spelling "cc" in "2 cc": write "2 mL"'),
        ('{{ "a study gave 20 mg SQ" }}', 23, 'error-prone abbreviation "SQ": write "SUBCUT"'),
    ],
)
def test_p209_applies_inside_verbatim_text(tmp_path: Path, text: str, col: int, message: str) -> None:
    assert codes(tmp_path, text) == [f"{at(0, col)}: error P209: {message} (sections[0].body)"]


@pytest.mark.parametrize(
    ("text", "col", "message"),
    [
        ("Give 0,5 mg/kg", 5, 'decimal comma in "0,5 mg/kg": write "0.5 mg/kg" if that is the amount meant'),
        ("Up to 1,5000 mg", 6, 'decimal comma in "1,5000 mg": write "1.5000 mg" if that is the amount meant'),
        ('A study gave {{ "2,5 mg" }}', 17, 'decimal comma in "2,5 mg": write "2.5 mg" if that is the amount meant'),
    ],
)
def test_p209_a_decimal_comma(tmp_path: Path, text: str, col: int, message: str) -> None:
    assert codes(tmp_path, text) == [f"{at(0, col)}: error P209: {message} (sections[0].body)"]


def test_thousands_separators_and_lists_are_no_decimal_commas(tmp_path: Path) -> None:
    assert codes(tmp_path, "Never above 3,000 mg; weeks 1,2 and 3; 40, 50 and 60 kg.") == []


def test_verbatim_text_is_exempt_from_p208_only_as_a_whole(tmp_path: Path) -> None:
    assert codes(tmp_path, 'A study gave {{ "20 mg" }}.') == []
    assert codes(tmp_path, 'Give 5{{ "0 mg" }}.') == [f'{at(0, 5)}: error P208: dose "50 mg" {NO_MATCH}']


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


@pytest.mark.parametrize(("route", "message"), [("SC", '"SC": write "SUBCUT"'), ("SQ", '"SQ": write "SUBCUT"'),
                                                ("s.c.", '"s.c.": write "SUBCUT"')])
def test_p209_a_route_written_as_an_error_prone_abbreviation(tmp_path: Path, route: str, message: str) -> None:
    library = write(tmp_path, "Fine.", VERSION.replace("route: IV", f"route: {route}"))
    assert [line.splitlines()[0] for line in prose_lines(library)] == [
        f"{FILE}:8:12: error P209: error-prone abbreviation {message} (regimens[0].route)"
    ]


def test_a_safe_route_is_clean(tmp_path: Path) -> None:
    assert prose_lines(write(tmp_path, "Fine.", VERSION.replace("route: IV", "route: SUBCUT"))) == []
