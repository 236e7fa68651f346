"""The dose panel, the page dates and the What's new page as rendered Markdown (issue 16): what each state
puts in the panel, what the page carries for page-dates.js, what escapes and what a print view does with
it. The browser side is tests/end_to_end/test_dose_panel_browser.py.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import shown_body, table_rows
from panel_library import AS_OF, LIBRARY, panel_library
from test_families import write_library as write_render_library

from generator.load.library import Library, load_library
from generator.render.dose_panel import SPEC_ATTRIBUTE, figure_labels, headline
from generator.render.families import render_site
from generator.render.html_page import HTML_BODY
from generator.render.whats_new import whats_new_entries

ROOT = Path(__file__).resolve().parents[2]
PAGE_DATES_JS = ROOT / "site_templates" / "assets" / "page-dates.js"


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    return panel_library(tmp_path_factory.mktemp("panel"))


@pytest.fixture(scope="module")
def pages(library: Library) -> dict[str, str]:
    return render_site(library, AS_OF, reviewer=False)


def panel_of(page: str) -> str:
    found = re.findall(r'<section class="pc-dose-panel.*?</section>', page, re.S)
    assert len(found) == 1
    return found[0]


def attribute(markup: str, name: str) -> str:
    found = re.search(rf'{name}="([^"]*)"', markup)
    assert found is not None, name
    return html.unescape(found.group(1))


def test_the_panel_comes_right_after_the_title_and_one_status_line(pages: dict[str, str]) -> None:
    page = pages["protocols/alpha-drug/index.md"]
    title, blank, marker, status_open, status, status_close = page.split("\n")[:6]
    assert title == "# Alpha infusion for tests" and blank == "" and marker == HTML_BODY.strip()
    assert status_open.startswith('<div class="pc-status-line" ')
    assert status == ("<p><strong>Version 2.0</strong> · current · effective 2026-03-01 · review due 2028-03-01 · "
                      "Department of Tests</p>")
    assert status_close == "</div>"
    assert page.index("</div>") < page.index('<section class="pc-dose-panel"') < page.index('<h2 id="summary">')
    # the contents name the calculator; the anchor cannot be an author's (ids have no underscore)
    assert ('<h2 id="dose_calculator" data-toc-label="Dose for this patient (calculator)">Dose for this patient'
            in page)


def test_headline_carries_the_cap_and_the_time_frame(library: Library) -> None:
    regimen = library.protocols["alpha-drug"].versions["2.0"].doc.regimens[0]
    assert headline(regimen) == "0.35 mg/kg/h, maximum 25 mg/h, for 4 hours"
    assert figure_labels(regimen)["total"] == "Total over 4 hours"
    panel = panel_of(render_site(library, AS_OF, reviewer=False)["protocols/alpha-drug/index.md"])
    assert '<p class="pc-dose-panel__headline"><strong>alphacaine IV</strong>: 0.35 mg/kg/h, maximum 25 mg/h, ' \
           "for 4 hours</p>" in panel
    assert json.loads(attribute(panel, "data-dose-panel-labels"))["total"] == "Total over 4 hours"


def test_the_panel_spec_is_the_calculator_spec_of_the_table(library: Library, pages: dict[str, str]) -> None:
    from generator.dosing.dose_engine import calculator_spec

    panel = panel_of(pages["protocols/alpha-drug/index.md"])
    spec = json.loads(attribute(panel, SPEC_ATTRIBUTE))
    assert spec["table"] == {"from": "40", "to": "120"} and spec["cap"] == "25"
    assert [figure["key"] for figure in spec["derived"]] == ["total", "pump_rate"]
    doc = library.protocols["alpha-drug"].versions["2.0"].doc
    assert spec == calculator_spec("alpha-drug", "2.0", doc.regimens[0], doc.dose_tables[0].weights)
    # the table below carries no calculator of its own: one weight field per page
    assert "data-dosecalc-spec" not in pages["protocols/alpha-drug/index.md"]


def test_fixed_doses_show_their_devices_and_no_weight_field(pages: dict[str, str]) -> None:
    panel = panel_of(pages["protocols/delta-fixed/index.md"])
    assert "pc_panel_weight" not in panel
    assert ("<ul class=\"pc-dose-panel__figures\"><li>Dose: 56 mg (2 devices of 28 mg)</li>"
            "<li>Allowed doses: 56 mg (2 devices of 28 mg) or 84 mg (3 devices of 28 mg)</li></ul>") in panel
    assert "deltamab intranasal</strong>: 56 mg, the same for every weight" in panel


@pytest.mark.parametrize(("path", "status"), [
    ("protocols/alpha-drug/1.0/index.md",
     '<strong>Superseded.</strong> Version 1.0 is no longer in use: use <a href="../">version 2.0</a>, in use since '
     "2026-03-01."),
    ("protocols/alpha-drug/3.0/index.md",
     '<strong>Upcoming.</strong> Version 3.0 takes effect on 2026-09-01. Until then, <a href="../">version 2.0</a> '
     "is in use."),
    ("protocols/gamma-old/index.md",
     "<strong>Retired.</strong> This protocol has been retired and must not be used for new treatment."),
    ("protocols/gamma-old/1.0/index.md",
     "<strong>Retired.</strong> This protocol has been retired and must not be used for new treatment."),
])
def test_the_status_is_inside_the_panel_and_beside_the_dose_table(pages: dict[str, str], path: str,
                                                                   status: str) -> None:
    page = shown_body(pages, path)
    panel = panel_of(page)
    word = status[len("<strong>"):status.index(".")]
    message = status[status.index("</strong> ") + len("</strong> "):]
    assert f'<div class="pc-dose-panel__status">\n<p>{status}</p>\n</div>' in panel
    table_section = page[page.index('<h2 id="dose-table">'):]
    assert table_section.startswith('<h2 id="dose-table">Dose table<a class="headerlink" href="#dose-table" '
                                    'title="Permanent link">&para;</a></h2>\n<div class="admonition ')
    assert (f'<p class="admonition-title">{word}: not the dose table of the version in use</p>\n'
            f"<p>{message}</p>\n</div>") in table_section
    assert pages["protocols/alpha-drug/index.md"].count("pc-dose-panel__status") == 0


def test_a_retired_page_gives_no_dose_and_is_never_called_current(pages: dict[str, str]) -> None:
    for path in ("protocols/gamma-old/index.md", "protocols/gamma-old/1.0/index.md"):
        page = pages[path]
        panel = panel_of(page)
        assert SPEC_ATTRIBUTE not in panel and "pc_panel_weight" not in panel
        assert re.search(r"[0-9] ?(mg|mcg|mL|units)\b", panel) is None
        assert page.startswith("# Gamma bolus no longer used (retired)\n")  # the search result's title too
        assert "current" not in page.split('<h2 id="summary">')[0]
        assert "No approvals yet" not in page
        assert "No sign-offs are recorded for this version." in page
        assert '<details class="pc-retired-tables">' in page
        assert "data-pc-later" not in page and "data-pc-review-due" not in page
    # 1.0 would be current on the build date if its protocol were not retired
    assert "<p><strong>Version 1.0</strong> · retired · effective 2025-01-01</p>\n" in pages[
        "protocols/gamma-old/1.0/index.md"]


def test_home_and_handbook_list_the_retired_protocol_as_retired(pages: dict[str, str]) -> None:
    home = shown_body(pages, "index.md")
    in_use = home[home.index('<h2 id="protocols">'):home.index('<h2 id="retired">')]
    assert "gamma-old" not in in_use
    retired = home[home.index('<h2 id="retired">'):home.index('<h2 id="handbooks">')]
    assert table_rows(retired) == [['<a href="protocols/gamma-old/">Gamma bolus no longer used</a> (retired)', "2.0",
                                    "retired", "2026-02-01"]]
    assert '<li><a href="protocols/gamma-old/">Gamma bolus no longer used</a> (retired)</li>\n' in home
    handbook = shown_body(pages, "handbooks/testing/index.md")
    assert table_rows(handbook)[1] == ["2", '<a href="../../protocols/gamma-old/">Gamma bolus no longer used</a> '
                                       "(retired: not for new treatment)", "2.0", "retired", "2026-02-01"]


def test_page_dates_carry_the_build_date_later_versions_and_the_review_date(pages: dict[str, str]) -> None:
    canonical = shown_body(pages, "protocols/alpha-drug/index.md")
    line = re.search(r'<div class="pc-status-line"[^>]*>', canonical)
    assert line is not None
    assert attribute(line.group(0), "data-pc-built") == "2026-06-01"
    assert attribute(line.group(0), "data-pc-review-due") == "2028-03-01"
    assert json.loads(attribute(line.group(0), "data-pc-later")) == [
        {"version": "3.0", "effective": "2026-09-01", "href": "3.0/"}]
    # written once, root-relative, and made relative for each page that shows it
    assert '&#34;href&#34;:&#34;/protocols/alpha-drug/3.0/index.md&#34;' in pages["protocols/alpha-drug/index.md"]
    version_page = shown_body(pages, "protocols/alpha-drug/2.0/index.md")
    assert '"href":"../3.0/"' in html.unescape(version_page)
    # without directory URLs the page is protocols/alpha-drug/index.html and links files, not folders
    assert '"href":"3.0/index.html"' in html.unescape(
        shown_body(pages, "protocols/alpha-drug/index.md", directory_urls=False))
    upcoming = pages["protocols/alpha-drug/3.0/index.md"]
    assert 'data-pc-effective="2026-09-01"' in upcoming and "data-pc-later" not in upcoming
    superseded = pages["protocols/alpha-drug/1.0/index.md"]
    assert "data-pc-later" not in superseded and "data-pc-review-due" not in superseded


def test_page_date_links_point_at_real_pages_from_every_page_that_shows_them(pages: dict[str, str]) -> None:
    checked = 0
    for path, text in pages.items():
        if HTML_BODY in text:
            text = shown_body(pages, path)
        for later in re.findall(r'data-pc-later="([^"]*)"', text):
            for entry in json.loads(html.unescape(later)):
                target = _normal(Path(path).parent / entry["href"] / "index.md")
                assert target in pages, (path, entry)
                checked += 1
    assert checked >= 3  # canonical, 2.0's page and the handbook print view


def _normal(path: Path) -> str:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def test_print_view_prefixes_the_panel_ids_so_two_protocols_cannot_clash(pages: dict[str, str]) -> None:
    printed = pages["handbooks/testing/print/index.md"]
    ids = re.findall(r'\bid="([^"]+)"', printed)
    assert len(ids) == len(set(ids))
    assert 'id="alpha-drug_pc_panel_weight"' in printed and 'for="alpha-drug_pc_panel_weight"' in printed
    # Each panel's region is named by its heading and its protocol's: two "Dose for this patient" regions
    # of the same name would be two landmarks a screen reader cannot tell apart (axe landmark-unique).
    assert 'aria-labelledby="alpha-drug_dose_calculator alpha-drug"' in printed
    assert '<h2 class="pc-print-protocol" id="alpha-drug">' in printed


def test_text_from_data_is_escaped_in_the_panel(tmp_path: Path) -> None:
    hostile = LIBRARY["_library/drugs.yaml"].replace("name: alphacaine", 'name: "alpha<b>caine\\" x=\'1\'"')
    files = dict(LIBRARY, **{"_library/drugs.yaml": hostile})
    from helpers import write_files

    root = write_files(tmp_path / "protocols", files)
    page = render_site(load_library(root, "protocols"), AS_OF, reviewer=False)["protocols/alpha-drug/index.md"]
    panel = panel_of(page)
    assert "<strong>alpha&lt;b&gt;caine&#34; x=&#39;1&#39; IV</strong>" in panel
    assert "<b>" not in panel


def test_whats_new_lists_upcoming_first_then_newest_first_with_dose_changes(library: Library,
                                                                            pages: dict[str, str]) -> None:
    from generator.approvals.publication import publication

    groups = whats_new_entries(library, publication(library, AS_OF, reviewer=False))
    assert [(e.title, e.version) for e in groups["upcoming"]] == [("Alpha infusion for tests", "3.0")]
    assert [e.date for e in groups["in_effect"]] == sorted((e.date for e in groups["in_effect"]), reverse=True)
    assert groups["in_preparation"] == []
    page = shown_body(pages, "whats-new.md")
    assert (page.index('<h2 id="upcoming">Coming into effect') < page.index("<strong>2026-09-01</strong>")
            < page.index('<h2 id="in-effect">In effect'))
    assert ('<li><strong>2026-09-01</strong> · <a href="../protocols/alpha-drug/3.0/">Alpha infusion for tests, '
            "version 3.0</a> (upcoming)<ul>\n<li>Dose change: regimen alpha-infusion, dose: 0.35 mg/kg/h changed to "
            '0.4 mg/kg/h</li>\n<li><a href="../protocols/alpha-drug/3.0/#changes">What changed in this version</a> '
            "(1 change listed)</li>\n</ul>\n</li>") in page
    assert "(retired)<ul>\n<li>No dose change.</li>\n" in page
    assert "In preparation" not in page


def test_whats_new_on_the_clinician_site_shows_no_draft(tmp_path: Path) -> None:
    root = write_render_library(tmp_path)  # alpha-drug 2.1 is a draft, beta-draft has only a draft
    library = load_library(root, "protocols")
    clinician = render_site(library, AS_OF, reviewer=False)["whats-new.md"]
    assert "2.1" not in clinician and "draft" not in clinician.lower() and "Beta" not in clinician
    reviewer = render_site(library, AS_OF, reviewer=True)["whats-new.md"]
    assert '<h2 id="in-preparation">In preparation<a' in reviewer
    assert ('<a href="/protocols/beta-draft/1.0/index.md">Beta protocol still in draft, version 1.0</a> (draft, not '
            "approved for use)") in reviewer


def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail("Node.js is not installed: run `make test` (or `apt-get install nodejs`)")
    return found


def page_dates_changes(attributes: dict[str, str], now: str) -> list[dict[str, str]]:
    script = (f"const {{changes}} = require({json.dumps(str(PAGE_DATES_JS))});"
              f"const a = {json.dumps(attributes)};"
              "const line = {getAttribute: (n) => (n in a ? a[n] : null)};"
              f"process.stdout.write(JSON.stringify(changes(line, {json.dumps(now)})));")
    done = subprocess.run([node(), "-e", script], capture_output=True, text=True, check=True, timeout=60)
    return json.loads(done.stdout)


BUILT = {"data-pc-built": "2026-06-01", "data-pc-version": "2.0",
         "data-pc-later": '[{"version":"3.0","effective":"2026-09-01","href":"3.0/"}]',
         "data-pc-review-due": "2028-03-01"}


@pytest.mark.parametrize(("now", "count"), [("2026-05-01", 0), ("2026-06-01", 0), ("2026-08-31", 0),
                                            ("2026-09-01", 1), ("2028-03-01", 1), ("2028-03-02", 2)])
def test_page_dates_compare_the_readers_date_with_the_build(now: str, count: int) -> None:
    assert len(page_dates_changes(BUILT, now)) == count


@pytest.mark.parametrize("attributes", [
    dict(BUILT, **{"data-pc-later": "not json"}),
    dict(BUILT, **{"data-pc-later": '[{"version":"3.0","effective":"2026-9-1"}]'}),
    dict(BUILT, **{"data-pc-later": '{"version":"3.0"}'}),
    dict(BUILT, **{"data-pc-built": "<script>"}),
])
def test_page_dates_ignore_malformed_attributes(attributes: dict[str, str]) -> None:
    found = page_dates_changes(attributes, "2028-03-02")
    if attributes["data-pc-built"] == "<script>":
        assert found == []
    else:
        assert [item["text"][:10] for item in found] == ["The review"]


def test_on_one_date_the_versions_that_change_a_dose_come_first(tmp_path: Path) -> None:
    from helpers import write_files

    from generator.approvals.publication import publication

    same_day = dict(LIBRARY)
    same_day["alpha-drug/2.0.yaml"] = LIBRARY["alpha-drug/2.0.yaml"].replace("2026-03-01", "2026-02-01")
    library = load_library(write_files(tmp_path / "protocols", same_day), "protocols")
    entries = whats_new_entries(library, publication(library, AS_OF, reviewer=False))["in_effect"]
    on_the_day = [(entry.title.split()[0], bool(entry.dose_changes)) for entry in entries if entry.date == "2026-02-01"]
    assert on_the_day == [("Alpha", True), ("Delta", False), ("Epsilon", False), ("Gamma", False)]


def test_list_pages_carry_every_version_upcoming_on_the_build_date(pages: dict[str, str]) -> None:
    for path, href in (("index.md", "protocols/alpha-drug/3.0/"), ("whats-new.md", "../protocols/alpha-drug/3.0/")):
        node = re.search(r'<p class="pc-site-dates"[^>]*>', shown_body(pages, path))
        assert node is not None, path
        assert attribute(node.group(0), "data-pc-built") == "2026-06-01"
        assert json.loads(attribute(node.group(0), "data-pc-upcoming")) == [
            {"title": "Alpha infusion for tests", "version": "3.0", "effective": "2026-09-01", "href": href}]


def site_changes(attributes: dict[str, str], now: str) -> list[dict[str, str]]:
    script = (f"const {{siteChanges}} = require({json.dumps(str(PAGE_DATES_JS))});"
              f"const a = {json.dumps(attributes)};"
              "const node = {getAttribute: (n) => (n in a ? a[n] : null)};"
              f"process.stdout.write(JSON.stringify(siteChanges(node, {json.dumps(now)})));")
    done = subprocess.run([node(), "-e", script], capture_output=True, text=True, check=True, timeout=60)
    return json.loads(done.stdout)


def test_site_dates_name_only_the_versions_in_force_since_the_build() -> None:
    upcoming = json.dumps([
        {"title": "A", "version": "2.0", "effective": "2026-07-01", "href": "protocols/a/2.0/"},
        {"title": "B", "version": "1.1", "effective": "2026-08-01", "href": "javascript:alert(1)"},
        {"title": "C", "version": "3.0", "effective": "2026-8-1", "href": "protocols/c/3.0/"},
        {"version": "9.0", "effective": "2026-07-01"},
    ])
    attributes = {"data-pc-built": "2026-06-01", "data-pc-upcoming": upcoming}
    assert site_changes(attributes, "2026-06-30") == []
    assert [item["linkText"] for item in site_changes(attributes, "2026-07-01")] == ["Open version 2.0"]
    assert [item["text"][:1] for item in site_changes(attributes, "2026-08-01")] == ["A", "B"]
    assert site_changes(dict(attributes, **{"data-pc-upcoming": "{]"}), "2027-01-01") == []


def test_a_protocol_whose_first_version_is_upcoming_is_not_listed_as_in_use(tmp_path: Path) -> None:
    from helpers import write_files

    later = dict(LIBRARY)
    later["delta-fixed/1.0.yaml"] = LIBRARY["delta-fixed/1.0.yaml"].replace("2026-02-01", "2026-07-01")
    library = load_library(write_files(tmp_path / "protocols", later), "protocols")
    pages = render_site(library, AS_OF, reviewer=False)
    home = shown_body(pages, "index.md")
    in_use = home[home.index('<h2 id="protocols">'):home.index('<h2 id="not-yet-in-use">')]
    assert "delta-fixed" not in in_use
    not_yet = home[home.index('<h2 id="not-yet-in-use">Protocols not yet in use<a'):]
    assert table_rows(not_yet)[0] == ['<a href="protocols/delta-fixed/">Delta fixed dose for tests</a>', "1.0",
                                      "upcoming", "2026-07-01"]
    assert ("<strong>Upcoming.</strong> Version 1.0 takes effect on 2026-07-01. Until then, no version is in "
            "use.") in pages["protocols/delta-fixed/index.md"]


def test_a_retired_version_of_a_protocol_still_in_use_points_at_the_version_in_use(tmp_path: Path) -> None:
    from helpers import write_files

    files = dict(LIBRARY)
    files["alpha-drug/1.0.yaml"] = LIBRARY["alpha-drug/1.0.yaml"].replace("status: approved", "status: retired")
    library = load_library(write_files(tmp_path / "protocols", files), "protocols")
    site = render_site(library, AS_OF, reviewer=False)
    page = site["protocols/alpha-drug/1.0/index.md"]
    panel = panel_of(shown_body(site, "protocols/alpha-drug/1.0/index.md"))
    assert ('<p><strong>Retired.</strong> Version 1.0 has been retired and must not be used. Use '
            '<a href="../">version 2.0</a>.</p>\n' in panel)
    assert SPEC_ATTRIBUTE not in panel and "pc_panel_weight" not in panel
    assert page.startswith("# Alpha infusion for tests (retired)\n")
    canonical = render_site(library, AS_OF, reviewer=False)["protocols/alpha-drug/index.md"]
    assert "pc-dose-panel__status" not in canonical and SPEC_ATTRIBUTE in canonical


@pytest.mark.parametrize(("path", "note"), [
    ("protocols/alpha-drug/1.0/index.md", "Superseded: this table is version 1.0&#39;s, not the version in use."),
    ("protocols/alpha-drug/3.0/index.md", "Upcoming: this table is version 3.0&#39;s, not yet in use."),
    ("protocols/gamma-old/1.0/index.md", "Retired: this table is kept for the record and must not be used."),
    ("protocols/alpha-drug/index.md", ""),
])
def test_each_dose_table_of_a_version_not_in_use_says_so_inside_its_box(pages: dict[str, str], path: str,
                                                                       note: str) -> None:
    notes = re.findall(r'<p class="pc-dose-table__status">([^<]*)</p>', pages[path])
    assert notes == ([note] if note else [])


def test_a_hostile_title_stays_data_in_the_page_dates_attributes(tmp_path: Path) -> None:
    from helpers import write_files

    title = 'Alpha "x" </p><script>alert(1)</script> & co'
    files = {path: text.replace("title: Alpha infusion for tests", f"title: '{title}'")
             for path, text in LIBRARY.items()}
    library = load_library(write_files(tmp_path / "protocols", files), "protocols")
    home = render_site(library, AS_OF, reviewer=False)["index.md"]
    node = re.search(r'<p class="pc-site-dates"[^>]*>', home)
    assert node is not None and "<script>" not in node.group(0)
    assert json.loads(attribute(node.group(0), "data-pc-upcoming"))[0]["title"] == title
