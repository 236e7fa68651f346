"""Paper that controls itself: Chromium's PDF of printed pages, read back with `pdftotext -layout`.

Every printed page carries, in its top margin, the protocol, version, status, effective date and the
fingerprint of the protocol printed on it (checked against the audit file protocols.json), and in its
bottom margin "Uncontrolled when printed: check the intranet for the version in use", the print date on
the reader's own clock, the site's disclaimer and "Page X of Y". No heading is the last line of a page's
body, and a web link whose text is its address prints that address once.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

# Paper heights in PostScript points (pdftotext's default 72 dpi), and print.css's margins: 20 mm top,
# 24 mm bottom. print.css sets no paper size: the reader's printer decides.
PAGE_HEIGHTS = {"A4": 842, "Letter": 792}
TOP_MARGIN = 56
BOTTOM_MARGIN = 68
READER_CLOCK = "2027-03-09T10:00:00"  # the reader's date, not the build's: the print date must follow it
UNCONTROLLED = "Uncontrolled when printed: check the intranet for the version in use. Printed 2027-03-09."
DISCLAIMER_START = "This content is for healthcare professionals."

# The headings' texts, less any text that also stands alone in a cell, paragraph or list item (a table's
# "References" row label is no heading): pdftotext gives lines, not elements.
HEADINGS = """() => {
  const text = el => { const copy = el.cloneNode(true);
    copy.querySelectorAll(".headerlink, sup").forEach(node => node.remove());
    return copy.textContent.replace(/\\s+/g, " ").trim(); };
  const others = new Set([...document.querySelectorAll("article :is(th, td, p, li, dt, dd, caption, figcaption)")]
    .map(text));
  return [...document.querySelectorAll("article :is(h1, h2, h3, h4)")].map(text).filter(h => !others.has(h));
}"""


def pdftotext() -> str:
    executable = shutil.which("pdftotext")
    if executable is None:
        pytest.fail("pdftotext is missing: run `make test` (scripts/ensure-test-tools.sh installs Debian's "
                    "poppler-utils), or `apt-get install poppler-utils`")
    return executable


def pdf_pages(pdf: Path, top: int, height: int) -> list[str]:
    """The text of each page inside a horizontal band (y from `top`, `height` high), layout kept."""
    text = subprocess.run([pdftotext(), "-layout", "-x", "0", "-y", str(top), "-W", "600", "-H", str(height),
                           str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def printed(served: Any, browser: Any, page_path: str, folder: Path, paper: str = "A4") -> tuple[Path, list[str]]:
    """The page printed to PDF by Chromium, and its headings (as the reader sees them)."""
    page = browser.new_page()
    try:
        page.clock.set_fixed_time(READER_CLOCK)
        page.goto(served.url(page_path), wait_until="load")
        page.emulate_media(media="print")
        headings = page.evaluate(HEADINGS)
        pdf = folder / (page_path.replace("/", "_") + f"-{paper}.pdf")
        pdf.write_bytes(page.pdf(format=paper))
    finally:
        page.close()
    return pdf, headings


def audit_heads(site_root: Path) -> dict[str, str]:
    """protocol id -> the header print.css writes for its canonical version, from the audit file."""
    audit = json.loads((site_root / "protocols.json").read_text(encoding="utf-8"))
    rows = audit["protocols"] if isinstance(audit, dict) and "protocols" in audit else audit
    heads = {}
    for row in rows:
        heads.setdefault(row["id"], {})[row["version"]] = row
    return heads


def header_of(title: str, version: str, state: str, effective: str, fingerprint: str) -> str:
    return f"{title} Version {version} ({state}) · effective {effective} · Fingerprint {fingerprint[:15]}"


def check_pages(pdf: Path, headings: list[str], expected_heads: list[str], first_page_head: str | None,
                paper: str = "A4") -> None:
    height = PAGE_HEIGHTS[paper]
    headers = [squeeze(text) for text in pdf_pages(pdf, 0, TOP_MARGIN)]
    bodies = pdf_pages(pdf, TOP_MARGIN, height - TOP_MARGIN - BOTTOM_MARGIN)
    footers = [squeeze(text) for text in pdf_pages(pdf, height - BOTTOM_MARGIN, BOTTOM_MARGIN)]
    count = len(headers)
    assert count >= 2 and len(bodies) == len(footers) == count
    for number, (header, footer) in enumerate(zip(headers, footers, strict=True), start=1):
        assert footer.startswith(UNCONTROLLED), (number, footer)
        assert DISCLAIMER_START in footer, (number, footer)
        assert footer.endswith(f"Page {number} of {count}") or f"Page {number} of {count}" in footer, (number, footer)
        if number == 1 and first_page_head is not None:
            assert header == first_page_head
        else:
            assert header in expected_heads, (number, header)
    # The header follows the protocol printed on the page: once a protocol's header appears, the
    # earlier protocols' never come back, and every protocol has its pages.
    order = [expected_heads.index(h) for h in headers if h in expected_heads]
    assert order == sorted(order) and sorted(set(order)) == list(range(len(expected_heads)))
    heading_texts = {squeeze(h) for h in headings}
    assert len(heading_texts) > 5
    for number, body in enumerate(bodies, start=1):
        lines = [squeeze(line) for line in body.splitlines() if line.strip()]
        assert lines, f"page {number} is empty"
        assert lines[-1] not in heading_texts, f"page {number} ends with the heading {lines[-1]!r}"


def test_a_printed_handbook_names_its_protocol_on_every_page(served_sites: dict[str, Any], chromium_browser: Any,
                                                             tmp_path: Path) -> None:
    served = served_sites["clinician"]
    heads = audit_heads(served.site.root)
    pdf, headings = printed(served, chromium_browser, "handbooks/psychiatry-trd/print/index.html", tmp_path)
    expected = [
        header_of("IV ketamine for treatment-resistant depression", "1.0", "current",
                  "2026-02-11", heads["ketamine-trd"]["1.0"]["fingerprint"]),
        header_of("Intranasal esketamine for treatment-resistant depression", "1.1", "current",
                  "2026-05-04", heads["esketamine-trd"]["1.1"]["fingerprint"]),
    ]
    check_pages(pdf, headings, expected, "Psychiatry: treatment-resistant depression")


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize(("page_path", "protocol", "title", "version", "state", "effective"), [
    ("protocols/ketamine-crps/index.html", "ketamine-crps", "IV ketamine infusion for complex regional pain syndrome",
     "1.0", "current", "2026-04-01"),
    ("protocols/esketamine-trd/1.0/index.html", "esketamine-trd",
     "Intranasal esketamine for treatment-resistant depression", "1.0", "superseded", "2026-03-02"),
])
def test_a_printed_protocol_page_carries_its_version_on_every_page(
        served_sites: dict[str, Any], chromium_browser: Any, tmp_path: Path,
        page_path: str, protocol: str, title: str, version: str, state: str, effective: str, paper: str) -> None:
    served = served_sites["clinician"]
    row = audit_heads(served.site.root)[protocol][version]
    assert (row["state"], row["effective"]) == (state, effective)
    pdf, headings = printed(served, chromium_browser, page_path, tmp_path, paper)
    check_pages(pdf, headings, [header_of(title, version, state, effective, row["fingerprint"])], None, paper)
    text = squeeze(" ".join(pdf_pages(pdf, 0, PAGE_HEIGHTS[paper])))
    # the page's links to other pages stay on screen: "Referenced by", "Versions" and the version switcher
    assert "Referenced by" not in text and "Protocols on this site that link to this one" not in text
    assert "History of this protocol" not in text and "Versions:" not in text


def test_a_link_whose_text_is_its_address_prints_it_once(served_sites: dict[str, Any], chromium_browser: Any,
                                                         tmp_path: Path) -> None:
    served = served_sites["clinician"]
    pdf, _ = printed(served, chromium_browser, "protocols/esketamine-trd/index.html", tmp_path)
    text = squeeze(" ".join(pdf_pages(pdf, 0, PAGE_HEIGHTS["A4"])))
    assert text.count("https://www.spravatohcp.com/") == 1  # the label's only entry, a link with its address


HOSTILE_TITLE = 'Odd "quoted" \\ title } @page { margin: 0 } /*'


def test_a_title_with_css_syntax_prints_as_written(chromium_browser: Any, tmp_path: Path) -> None:
    """print.js writes each protocol's title into a CSS string of a named page: quotes, backslashes and braces
    stay text (nothing of the title can end the string or add a rule)."""
    from html import escape

    from browser import REPO_ROOT

    meta = ('<p class="pc-print-meta" hidden data-title="{}" data-version="{}" data-state="current" '
            'data-effective="2026-02-11" data-fingerprint="sha256:0123abcd"></p>')
    # a status line between a protocol's title and its meta (as a page may add) keeps the title on its sheet
    body = "".join(f'<h2 class="pc-print-protocol">{escape(title)}</h2><p>Status line of {version}.</p>'
                   f"{meta.format(escape(title), version)}<p>text {version}</p>"
                   for title, version in ((HOSTILE_TITLE, "1.0"), ("Second protocol", "2.0")))
    page = chromium_browser.new_page()
    try:
        page.set_content(f'<!doctype html><html lang="en"><head><title>t</title></head><body><article><h1>Handbook</h1>'
                         f'{body}</article><aside class="pc-disclaimer"><p>Disclaimer.</p></aside></body></html>')
        page.add_style_tag(path=str(REPO_ROOT / "site_templates/assets/print.css"))
        page.add_script_tag(path=str(REPO_ROOT / "site_templates/assets/print.js"))
        pdf = tmp_path / "hostile.pdf"
        pdf.write_bytes(page.pdf(format="A4"))
    finally:
        page.close()
    headers = [squeeze(text) for text in pdf_pages(pdf, 0, TOP_MARGIN)]
    bodies = [squeeze(text) for text in pdf_pages(pdf, TOP_MARGIN, PAGE_HEIGHTS["A4"] - TOP_MARGIN - BOTTOM_MARGIN)]
    assert bodies == ["Handbook", f"{HOSTILE_TITLE} Status line of 1.0. text 1.0",
                      "Second protocol Status line of 2.0. text 2.0 Disclaimer."]
    assert headers[:2] == [
        "Handbook",
        f"{HOSTILE_TITLE} Version 1.0 (current) · effective 2026-02-11 · Fingerprint sha256:0123abcd",
    ]
    assert headers[-1] == "Second protocol Version 2.0 (current) · effective 2026-02-11 · Fingerprint sha256:0123abcd"


def test_the_print_date_is_taken_again_just_before_printing(served_sites: dict[str, Any],
                                                            chromium_browser: Any) -> None:
    """A page opened one day and printed the next carries the day it was printed."""
    served = served_sites["clinician"]
    page = chromium_browser.new_page()
    try:
        page.clock.install(time="2027-03-09T23:59:00")
        page.goto(served.url("protocols/ketamine-crps/index.html"), wait_until="load")
        date_of = "getComputedStyle(document.documentElement).getPropertyValue('--pc-print-date')"
        assert page.evaluate(date_of) == '"Printed 2027-03-09."'
        page.clock.run_for("02:00")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        assert page.evaluate(date_of) == '"Printed 2027-03-10."'
    finally:
        page.close()
