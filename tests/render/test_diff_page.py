"""Diff pages (protocols/<id>/<version>/diff/): which exist on which site, dosing changes first in the
formatter's notation, text changes word by word with <ins>/<del> and words, author text escaped,
references added and removed, and the links to them from the version, canonical and history pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers import REFERENCES, VERSION, shown_body, write_library

from generator.approvals.diff import TextChange
from generator.load.library import Library, load_library
from generator.render.diff_page import ops_html
from generator.render.families import render_site

AS_OF = dt.date(2026, 3, 10)

SECOND_REFERENCE = """\
sanacora-2017:
  type: article
  authors: [Sanacora G]
  title: A consensus statement on the use of ketamine
  journal: JAMA Psychiatry
  year: 2017
"""

V1_0 = VERSION.replace("status: draft", "status: approved\neffective: 2026-01-01")
V1_1 = (
    V1_0.replace('version: "1.0"', 'version: "1.1"')
    .replace("effective: 2026-01-01", "effective: 2026-02-01")
    .replace("changes: []", "changes: [Raised ketamine-iv and induction; reworded safety.]")
    .replace("dose: 0.5 mg/kg", "dose: 0.6 mg/kg")
    .replace("duration: 40 min", "duration: 45 min")
    .replace("frequency: 3 per week", "frequency: 2 per week")
    .replace("length: 2 weeks\n    doses: 6", "length: 3 weeks\n    doses: 6")
    .replace("cite: [phillips-2019]", "cite: [phillips-2019, sanacora-2017]")
    .replace("body: Monitor blood pressure.", "body: Monitor blood pressure & <b>pulse</b> closely.")
)
V1_2 = (
    V1_1.replace('version: "1.1"', 'version: "1.2"')
    .replace("status: approved\neffective: 2026-02-01\n", "status: draft\n")
    .replace("changes: [Raised ketamine-iv and induction; reworded safety.]", "changes: [Safety wording.]")
    .replace("closely.", "every 15 min.")
)
DIFF_1_1 = "protocols/ketamine-trd/1.1/diff/index.md"
DIFF_1_2 = "protocols/ketamine-trd/1.2/diff/index.md"


@pytest.fixture
def library(tmp_path: Path) -> Library:
    root = write_library(
        tmp_path,
        {
            "_library/references.yaml": REFERENCES + SECOND_REFERENCE,
            "ketamine-trd/1.0.yaml": V1_0,
            "ketamine-trd/1.1.yaml": V1_1,
            "ketamine-trd/1.2.yaml": V1_2,
        },
    )
    return load_library(root, "protocols")


def test_diff_pages_exist_for_versions_with_a_predecessor_on_that_site(library: Library) -> None:
    clinician = render_site(library, AS_OF, reviewer=False)
    assert [path for path in clinician if "/diff" in path] == [DIFF_1_1]
    reviewer = render_site(library, AS_OF, reviewer=True)
    assert [path for path in reviewer if "/diff/" in path] == [DIFF_1_1, DIFF_1_2]


def test_dosing_changes_come_first_as_a_table(library: Library) -> None:
    pages = render_site(library, AS_OF, reviewer=False)
    assert pages[DIFF_1_1].startswith(
        "# IV ketamine for treatment-resistant depression: changes from version 1.0 to version 1.1\n"
    )
    page = shown_body(pages, DIFF_1_1)
    order = [page.index(f'<h2 id="{anchor}">') for anchor in ("dosing-changes", "text-changes", "references-changed")]
    assert order == sorted(order)
    rows = [line for line in page.splitlines() if line.startswith("<tr><th scope=\"row\">")]
    assert rows == [
        '<tr><th scope="row"><a href="../#regimen-ketamine-iv">regimen ketamine-iv</a></th><td>dose</td>'
        "<td><del>0.5 mg/kg</del> → <ins>0.6 mg/kg</ins></td></tr>",
        '<tr><th scope="row"><a href="../#regimen-ketamine-iv">regimen ketamine-iv</a></th><td>duration</td>'
        "<td><del>40 minutes</del> → <ins>45 minutes</ins></td></tr>",
        '<tr><th scope="row"><a href="../#phase-induction">phase induction</a></th><td>frequency</td>'
        "<td><del>3 times per week</del> → <ins>twice per week</ins></td></tr>",
        '<tr><th scope="row"><a href="../#phase-induction">phase induction</a></th><td>length</td>'
        "<td><del>2 weeks</del> → <ins>3 weeks</ins></td></tr>",
    ]
    assert '<th scope="col">Version 1.0 → version 1.1</th>' in page


def test_text_changes_are_marked_in_words_and_escaped(library: Library) -> None:
    page = shown_body(render_site(library, AS_OF, reviewer=False), DIFF_1_1)
    assert '<h3 id="section-safety-body">section safety: body<a class="headerlink"' in page
    assert (
        '<div class="pc-diff-text">Monitor blood <span class="pc-diff-del">[removed: <del>pressure.</del>]</span>'
        '<span class="pc-diff-ins">[added: <ins>pressure &amp; &lt;b&gt;pulse&lt;/b&gt; closely.</ins>]</span></div>'
    ) in page
    assert "<b>" not in page
    assert ">changes<a" not in page  # `changes` is shown on the version page, linked from here
    assert '<a href="../#changes">The authors\' list of changes</a>' in page


def test_references_added_and_removed(library: Library) -> None:
    added = render_site(library, AS_OF, reviewer=False)[DIFF_1_1]
    section = added[added.index('<h2 id="references-changed">') :]
    assert section.split("</h2>\n", 1)[1] == (
        "<p>Added:</p>\n<ul>\n"
        "<li>Sanacora G. A consensus statement on the use of ketamine. <em>JAMA Psychiatry</em>. 2017.</li>\n</ul>\n"
    )
    same = render_site(library, AS_OF, reviewer=True)[DIFF_1_2]
    assert same.endswith("&para;</a></h2>\n<p>The same references are cited.</p>\n")
    assert same.index('<h2 id="references-changed">') < same.index("The same references are cited.")


def test_a_draft_diff_is_marked_on_the_reviewer_site(library: Library) -> None:
    page = shown_body(render_site(library, AS_OF, reviewer=True), DIFF_1_2)
    assert (
        '<div class="admonition danger">\n<p class="admonition-title">Version 1.2: draft, not approved for use</p>\n'
        "<p>Version 1.2 is a draft: it is not approved for clinical use and is shown on the reviewer site only.</p>\n"
        "</div>"
    ) in page
    assert "<p>No dose, route, range, cap, duration, concentration or schedule changed.</p>\n" in page
    versions = ('<a href="../../1.1/">Version 1.1</a> (current) → <a href="../">version 1.2</a> (draft, not '
                "approved for use)")
    assert versions in page


def test_diff_pages_are_linked_from_version_canonical_and_history_pages(library: Library) -> None:
    pages = render_site(library, AS_OF, reviewer=False)
    version_page = shown_body(pages, "protocols/ketamine-trd/1.1/index.md")
    canonical = shown_body(pages, "protocols/ketamine-trd/index.md")
    assert ('(current, effective 2026-02-01): this page · <a href="diff/">changes from the version before</a></li>'
            in version_page)
    assert '(current, effective 2026-02-01) · <a href="1.1/diff/">changes from the version before</a></li>' in canonical
    assert ' · <a href="../1.1/diff/">changes from the version before</a></p>' in shown_body(
        pages, "protocols/ketamine-trd/history/index.md")
    assert "1.2/diff" not in "".join(pages.values())


def test_ops_html_escapes_every_piece_and_keeps_line_breaks() -> None:
    change = TextChange("summary", "summary", [("equal", "a <i>\n"), ("delete", "x & y"), ("insert", '"z"')])
    assert ops_html(change.ops) == (
        "a &lt;i&gt;&#10;"
        '<span class="pc-diff-del">[removed: <del>x &amp; y</del>]</span>'
        '<span class="pc-diff-ins">[added: <ins>&quot;z&quot;</ins>]</span>'
    )
