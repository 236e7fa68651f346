"""Random Markdown-shaped text: the parse, the rules and the renderer never raise, every finding points
inside the field, and the rendered HTML carries no handler, unsafe URL or active element."""

from __future__ import annotations

import datetime as dt

import pytest
from browser import REPO_ROOT
from html_scan import scan
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from generator.approvals.site_links import SiteLinks
from generator.checks.prose_rules import markdown_findings
from generator.load.library import load_library
from generator.render.inline_render import PageContext, render_markdown
from generator.text.inline import tokenize

PIECES = [*"<>[](){}!*_`~#|\\&;:=\"'/ \n\t\r-.5mgkL@", "javascript:", "<img src=x onerror=alert(1)>", "{{ ",
          " }}", "[[", "]]", "[@", "ketamine-iv.dose", '"5.0 mg"', "&#48;", "&nbsp;", "\u200b", "\uff15",
          "\u0665", "**", "    ", "```", "<!--", "-->", "<?", "?>", "http://e.example/", "_assets/a.png",
          "| a |\n|---|\n", "> ", "1. ", "- ", "\x00", "<a href=", "onload=", "data:"]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@pytest.fixture(scope="module")
def context() -> PageContext:
    library = load_library(REPO_ROOT / "protocols")
    links = SiteLinks.for_build(library, dt.date(2026, 6, 1), reviewer=True)
    return PageContext("protocols/ketamine-trd/1.0/index.md", links,
                       library.protocols["ketamine-trd"].versions["1.0"].doc)


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS)
def test_random_markdown(context: PageContext, text: str) -> None:
    for finding in markdown_findings(text, context.doc, context.links.library.drugs):
        assert 0 <= finding.offset <= len(text), finding
    for token in tokenize(text):
        assert 0 <= token.start < token.end <= len(text) and text[token.start] in "{[", (token, text)
    html = render_markdown(text, PageContext(context.path, context.links, context.doc))
    assert scan(html) == []
    assert "<script" not in html.lower() and "<img src=\"http" not in html and "<iframe" not in html


def test_many_unclosed_placeholders_parse_in_linear_time() -> None:
    import time

    from generator.text.markdown import parse

    started = time.process_time()
    parsed = parse("{{" * 200_000)
    assert time.process_time() - started < 5  # was minutes: each "{{" searched the rest of the text for "}}"
    assert parsed.syntax() == ()
