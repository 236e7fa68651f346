"""The inline syntax of §5: tokenizer offsets, placeholder text, and the Markdown transform of the render layer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers import INDUCTION, KETAMINE_IV, SAFETY, version_yaml, with_fields, write_files

from generator.approvals.site_links import SiteLinks
from generator.load.library import Library, load_library
from generator.render.inline_render import CitationCounter, PageContext, render_cite_list, render_markdown
from generator.render.page_links import localize
from generator.text.inline import (
    Citation,
    CrossReference,
    Placeholder,
    PlaceholderError,
    Verbatim,
    markdown_fields,
    render_placeholder,
    scan_version,
    tokenize,
    word_list,
)

REFERENCES = """\
phillips-2019:
  type: article
  authors: [Phillips JL]
  title: Ketamine infusions
  journal: Am J Psychiatry
  year: 2019
singh-2016:
  type: article
  authors: [Singh JB]
  title: Ketamine dose frequency
  journal: Am J Psychiatry
  year: 2016
"""
DRUGS = "ketamine:\n  name: ketamine\nesketamine:\n  name: esketamine\n"
TRD = version_yaml(
    title="IV ketamine for depression", status="approved", effective="2026-02-11", owner=None,
    summary="Give {{ ketamine-iv.dose }}.", regimens=[with_fields(KETAMINE_IV, cite=None, notes="Regimen notes.")],
    phases=[with_fields(INDUCTION, notes="Phase notes.")], dose_tables=None,
    sections=[with_fields(SAFETY, body="Section body.")], algorithm=["Step one."],
)
FIXED = """\
id: esketamine-trd
version: "1.0"
title: Intranasal esketamine
status: draft
regimens:
  - id: esketamine-in
    drug: esketamine
    route: intranasal
    dose: 56 mg
    dose_range: {min: 56 mg, max: 84 mg}
    options: [56 mg, 84 mg, 112 mg]
    max_dose: 3000 mg
    concentration: 10 mg/mL
    unit_dose: 28 mg
    duration: 1 h
phases:
  - id: maintenance
    name: Maintenance (week 9 onward)
    regimen: esketamine-in
    frequency: every 2 weeks
"""
CRPS = """\
id: ketamine-crps
version: "1.0"
title: IV ketamine for CRPS
status: approved
effective: 2026-04-01
sections:
  - id: evidence
    title: Evidence
    body: Evidence.
"""


def library(tmp_path: Path) -> Library:
    files = {
        "_library/references.yaml": REFERENCES,
        "_library/drugs.yaml": DRUGS,
        "_library/policy.yaml": "approval:\n  minimum: 1\n",
        "ketamine-trd/1.0.yaml": TRD,
        "esketamine-trd/1.0.yaml": FIXED,
        "ketamine-crps/1.0.yaml": CRPS,
    }
    write_files(tmp_path / "protocols", files)
    loaded = load_library(tmp_path / "protocols", "protocols")
    assert loaded.diagnostics == []
    return loaded


@pytest.mark.parametrize(("items", "conjunction", "text"), [
    ([], "or", ""),
    (["5 mg"], "or", "5 mg"),
    (["5 mg", "10 mg"], "or", "5 mg or 10 mg"),
    (["28 mg", "56 mg", "84 mg"], "or", "28 mg, 56 mg or 84 mg"),
    (["pharmacist", "psychiatrist", "nurse"], "and", "pharmacist, psychiatrist and nurse"),
])
def test_word_list_joins_as_messages_and_pages_say_it(items: list[str], conjunction: str, text: str) -> None:
    assert word_list(items, conjunction) == text


def test_tokens_carry_their_offsets_and_parts() -> None:
    text = 'A {{ r.dose }} [@a; @b-2] [[p@1.0#s|L]] [[#sec]] {{ "5 mg" }} `[@code]` [x](y)'
    tokens = tokenize(text)
    assert tokens == [
        Placeholder(2, 14, "{{ r.dose }}", "r", "dose"),
        Citation(15, 25, "[@a; @b-2]", tokens[1].keys),
        CrossReference(26, 39, "[[p@1.0#s|L]]", "p", "1.0", "s", "L"),
        CrossReference(40, 48, "[[#sec]]", "", "", "sec"),
        Verbatim(49, 61, '{{ "5 mg" }}', "5 mg"),
    ]
    assert [(key.id, key.offset, text[key.offset:key.offset + len(key.id)]) for key in tokens[1].keys] == [
        ("a", 17, "a"), ("b-2", 21, "b-2"),
    ]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("[[Bad Id]]", 'malformed cross-reference "[[Bad Id]]"'),
        ("[[p@1#s]]", 'malformed version "1" in cross-reference "[[p@1#s]]"'),
        ("[[p#Sec]]", 'malformed section id "Sec" in cross-reference "[[p#Sec]]"'),
        ("[[@1.0]]", 'malformed cross-reference "[[@1.0]]": name a protocol id or a #section'),
    ],
)
def test_malformed_cross_references_say_what_is_wrong(text: str, error: str) -> None:
    [token] = tokenize(text)
    assert isinstance(token, CrossReference)
    assert token.error == error


def test_a_malformed_placeholder_and_citation_are_tokens_with_errors() -> None:
    placeholder, citation = tokenize("{{ dose }} [@Phillips 2019]")
    assert placeholder.error == 'malformed placeholder "{{ dose }}": write {{ id.field }} or {{ "verbatim text" }}'
    assert citation.error == 'malformed citation key "@Phillips 2019"'


def test_markdown_fields_in_page_order(tmp_path: Path) -> None:
    doc = library(tmp_path).protocols["ketamine-trd"].versions["1.0"].doc
    assert list(markdown_fields(doc)) == [
        (("summary",), "Give {{ ketamine-iv.dose }}."),
        (("regimens", 0, "notes"), "Regimen notes."),
        (("phases", 0, "notes"), "Phase notes."),
        (("sections", 0, "body"), "Section body."),
        (("algorithm", 0), "Step one."),
    ]


@pytest.mark.parametrize(
    ("target", "field", "text"),
    [
        ("ketamine-iv", "dose", "0.5 mg/kg"),
        ("ketamine-iv", "dose_range", "0.1 to 0.75 mg/kg"),
        ("ketamine-iv", "duration", "40 minutes"),
        ("ketamine-iv", "route", "IV"),
        ("ketamine-iv", "drug", "ketamine"),
        ("induction", "frequency", "3 times per week"),
        ("induction", "length", "2 weeks"),
        ("induction", "doses", "6"),
        ("induction", "name", "Induction"),
    ],
)
def test_placeholders_of_a_weight_based_regimen(tmp_path: Path, target: str, field: str, text: str) -> None:
    lib = library(tmp_path)
    doc = lib.protocols["ketamine-trd"].versions["1.0"].doc
    assert render_placeholder(doc, target, field, lib.drugs) == text


@pytest.mark.parametrize(
    ("target", "field", "text"),
    [
        ("esketamine-in", "options", "56 mg, 84 mg or 112 mg"),
        ("esketamine-in", "dose_range", "56 to 84 mg"),
        ("esketamine-in", "max_dose", "3,000 mg"),
        ("esketamine-in", "concentration", "10 mg/mL"),
        ("esketamine-in", "unit_dose", "28 mg"),
        ("esketamine-in", "duration", "1 hour"),
        ("maintenance", "frequency", "every 2 weeks"),
    ],
)
def test_placeholders_of_a_fixed_dose_regimen(tmp_path: Path, target: str, field: str, text: str) -> None:
    doc = library(tmp_path).protocols["esketamine-trd"].versions["1.0"].doc
    assert render_placeholder(doc, target, field) == text


@pytest.mark.parametrize(
    ("target", "field", "message"),
    [
        ("nope", "dose", 'placeholder {{ nope.dose }}: no regimen or phase "nope" in this version'),
        ("ketamine-iv", "rounding", 'placeholder {{ ketamine-iv.rounding }}: "rounding" is not a regimen field'),
        ("ketamine-iv", "max_dose", "placeholder {{ ketamine-iv.max_dose }}: regimen ketamine-iv has no max_dose"),
        ("induction", "dose", 'placeholder {{ induction.dose }}: "dose" is not a phase field'),
    ],
)
def test_placeholders_that_do_not_resolve(tmp_path: Path, target: str, field: str, message: str) -> None:
    doc = library(tmp_path).protocols["ketamine-trd"].versions["1.0"].doc
    with pytest.raises(PlaceholderError) as raised:
        render_placeholder(doc, target, field)
    assert raised.value.message == message


def page(tmp_path: Path, path: str = "protocols/ketamine-trd/index.md") -> PageContext:
    lib = library(tmp_path)
    links = SiteLinks.for_build(lib, dt.date(2026, 6, 1), reviewer=False)
    return PageContext(path, links, lib.protocols["ketamine-trd"].versions["1.0"].doc)


def test_render_replaces_placeholders_numbers_citations_and_links(tmp_path: Path) -> None:
    context = page(tmp_path)
    text = (
        "Give {{ ketamine-iv.dose }} {{ ketamine-iv.route }} over {{ ketamine-iv.duration }},"
        " {{ induction.frequency }} [@phillips-2019; @singh-2016]. See [[#safety]], [[ketamine-crps]],"
        ' [[ketamine-crps#evidence|the evidence]], [[ketamine-crps@1.0#dosing]]; {{ "22 mg/h*" }} [@singh-2016].'
    )
    assert render_markdown(text, context) == (
        "<p>Give 0.5 mg/kg IV over 40 minutes, 3 times per week"
        ' <sup class="citation"><a href="#ref-phillips-2019">1</a>,<a href="#ref-singh-2016">2</a></sup>.'
        ' See <a href="#safety">Safety</a>, <a href="/protocols/ketamine-crps/index.md">IV ketamine for CRPS</a>,'
        ' <a href="/protocols/ketamine-crps/index.md#evidence">the evidence</a>,'
        ' <a href="/protocols/ketamine-crps/1.0/index.md#dosing">IV ketamine for CRPS (version 1.0): Dosing</a>;'
        ' 22 mg/h* <sup class="citation"><a href="#ref-singh-2016">2</a></sup>.</p>'
    )
    assert context.citations.ordered() == ["phillips-2019", "singh-2016"]


def test_citation_numbers_run_across_the_fields_and_cite_lists_of_a_page(tmp_path: Path) -> None:
    context = page(tmp_path, "protocols/ketamine-trd/1.0/index.md")
    assert render_cite_list(["singh-2016"], context) == '<sup class="citation"><a href="#ref-singh-2016">1</a></sup>'
    assert render_markdown("[@phillips-2019] [@singh-2016]", context) == (
        '<p><sup class="citation"><a href="#ref-phillips-2019">2</a></sup>'
        ' <sup class="citation"><a href="#ref-singh-2016">1</a></sup></p>'
    )
    linked = render_markdown("[[ketamine-trd#safety]]", context)
    assert linked == '<p><a href="/protocols/ketamine-trd/index.md#safety">IV ketamine for depression: Safety</a></p>'
    assert localize(linked, context.path, True) == '<p><a href="../#safety">IV ketamine for depression: Safety</a></p>'
    assert CitationCounter().number("x") == 1


def test_render_shows_raw_html_as_text_and_keeps_only_safe_links(tmp_path: Path) -> None:
    text = (
        'Before <script>alert(1)</script> <!-- note --> [x](javascript:alert(1)) [y](JaVa&#115;cript:z)'
        ' {: onclick="x"} `<b>` <https://example.org> [ok](https://example.org/a_(b)) ![i](http://e.example/t.png)'
    )
    assert render_markdown(text, page(tmp_path)) == (
        "<p>Before &lt;script&gt;alert(1)&lt;/script&gt; &lt;!-- note --&gt; <a>x</a> <a>y</a>"
        ' {: onclick="x"} <code>&lt;b&gt;</code> <a href="https://example.org">https://example.org</a>'
        ' <a href="https://example.org/a_(b)">ok</a> i</p>'
    )


def test_a_raw_html_block_is_shown_as_text(tmp_path: Path) -> None:
    assert render_markdown('<script>alert(1)</script> [x](https://example.org)', page(tmp_path)) == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; [x](https://example.org)</p>"
    )


def test_protocol_text_is_never_a_template(tmp_path: Path) -> None:
    text = "{% for x in y %}{{ x }}{% endfor %} {{ 7*7 }}"
    assert render_markdown(text, page(tmp_path)) == f"<p>{text}</p>"


# Where a citation is not one on the page, the diff and the bibliography must not count it either.
CITATION_TRAPS = [
    ("Use `[@phillips-2019]` or see [@singh-2016](https://x.example).", []),
    ("```\n[@phillips-2019]\n```", []),
    ("    [@phillips-2019] indented code", []),
    ("![chart [@phillips-2019]](x.png) [@singh-2016][label]\n\n[label]: https://x.example", []),
    ("<span>x</span> [@singh-2016; @phillips-2019] and [@phillips-2019]", ["singh-2016", "phillips-2019"]),
    ("\\[@phillips-2019] escaped, then [@singh-2016]", ["singh-2016"]),
    ("[@phillips-2019; bad] malformed, then [see @singh-2016] prose", []),
]


@pytest.mark.parametrize(("text", "rendered"), CITATION_TRAPS)
def test_citations_counted_are_exactly_those_the_page_renders(
    tmp_path: Path, text: str, rendered: list[str]
) -> None:
    context = page(tmp_path)
    assert context.doc is not None
    doc = context.doc.model_copy(
        update={"summary": text, "regimens": [], "phases": [], "sections": [], "algorithm": [], "changes": []}
    )
    render_markdown(text, context)
    assert context.citations.ordered() == rendered
    assert scan_version(doc).cited_references == frozenset(rendered)


@pytest.mark.parametrize("text", [
    ">[[]]\x00", "> see [[a]] \x00 [@b]", "- \x00 [@a]\n- [[b]]", "# \x00 [[a]]", "para \x00\n> quote [@a]",
    "| a | \x00 [@b] |\n|---|---|\n| [[c]] | d |", "1. \x00\n\n   [[a]]",
])
def test_a_nul_moves_no_token(text: str) -> None:
    """markdown-it reads a NUL as U+FFFD: the tokens stay where they are in the field, exactly where they are
    with any other character there (the fuzz test found a quoted [[]] after a NUL placed one column early)."""
    assert [(t.start, t.end, t.raw) for t in tokenize(text)] == [
        (t.start, t.end, t.raw) for t in tokenize(text.replace("\x00", "x"))]
    assert all(text[t.start] in "{[" for t in tokenize(text))
