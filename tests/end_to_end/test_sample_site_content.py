"""The sample library as built for clinicians (issue 16, sample content): the summary page's unconfirmed
midazolam dose appears nowhere, search included, and the premedication entry a search shows starts by
saying it is unconfirmed and not part of the protocol; unconfirmed statements carry a visible mark; the
esketamine page lists the label's contraindications; every kind of version reaches a page."""

from __future__ import annotations

import json
import re
from typing import Any

from pagefind_index import fragments


def search_page(built_sites: dict[str, Any], site: str, url: str) -> dict[str, Any]:
    """The Pagefind fragment of one indexed page: its URL, title, text and headings (anchors)."""
    return fragments(built_sites[site].root)[url]


def page_text(built_sites: dict[str, Any], page: str) -> str:
    html = (built_sites["clinician"].root / page).read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_unconfirmed_midazolam_dose_is_on_no_page_and_in_no_search_entry(built_sites: dict[str, Any]) -> None:
    for site in ("clinician", "reviewer"):
        root = built_sites[site].root
        for path in root.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            assert "0.05" not in text and "midazolam" not in text.lower(), path
        for url, fragment in fragments(root).items():  # the search index, decompressed
            assert "0.05" not in fragment["content"] and "midazolam" not in fragment["content"].lower(), url
        page = search_page(built_sites, site, "/protocols/ketamine-trd/")
        (heading,) = [anchor for anchor in page["anchors"] if anchor["id"] == "premedication"]
        assert heading["text"] == "Premedication (unconfirmed)"
        assert ("Premedication (unconfirmed). Unconfirmed, and not part of this protocol. This protocol gives no "
                "premedication and no premedication dose.") in page["content"]


def test_statements_on_unlisted_sources_show_an_unconfirmed_mark(built_sites: dict[str, Any]) -> None:
    html = (built_sites["clinician"].root / "protocols/ketamine-trd/index.html").read_text(encoding="utf-8")
    for section in ("contraindications", "monitoring"):
        body = html[html.index(f'<h2 id="{section}">'):]
        first_paragraph = body[body.index("<p>"):body.index("</p>")]
        assert first_paragraph.startswith("<p><strong>Unconfirmed.</strong>"), section
    assert "<strong>Long-term safety (unconfirmed).</strong>" in html
    assert "<strong>Oral ketamine (unconfirmed)</strong>" in html


def test_the_esketamine_page_lists_the_labels_contraindications(built_sites: dict[str, Any]) -> None:
    text = page_text(built_sites, "protocols/esketamine-trd/index.html")
    assert "Contraindications" in text and "aneurysmal vascular disease" in text
    assert "a history of intracerebral haemorrhage" in text and "Boxed warning" in text


def test_every_kind_of_version_has_a_page(built_sites: dict[str, Any]) -> None:
    """On the tests' build date (2026-06-01): superseded, current, upcoming, retired, and a published diff
    with a dosing change."""
    audit = json.loads((built_sites["clinician"].root / "protocols.json").read_text(encoding="utf-8"))
    states = {(row["id"], row["version"]): row["state"] for row in audit["protocols"]}
    assert states[("esketamine-trd", "1.0")] == "superseded" and states[("esketamine-trd", "1.1")] == "current"
    assert states[("ketamine-crps", "1.1")] == "upcoming" and states[("ketamine-trd-twice-weekly", "1.2")] == "retired"
    diff = page_text(built_sites, "protocols/esketamine-trd/1.1/diff/index.html")
    assert "phase maintenance-weekly" in diff and "once per week" in diff
    # A dose-amount change, from the source only: twice-weekly 1.1 adds the range the source summary gives
    # for IV ketamine in treatment-resistant depression; its diff and What's new show it first.
    dose_diff = page_text(built_sites, "protocols/ketamine-trd-twice-weekly/1.1/diff/index.html")
    assert dose_diff.index("Dosing changes") < dose_diff.index("Text changes")
    assert "ketamine-iv dose_range (none) \u2192 0.1 to 0.75 mg/kg" in dose_diff
    news = page_text(built_sites, "whats-new/index.html")
    entry = news[news.index("2025-09-01 "):]
    assert entry.index("Dose change: regimen ketamine-iv, dose_range: (none) changed to 0.1 to 0.75 mg/kg") < \
        entry.index("What changed in this version")
