"""Reading a built site's Pagefind index in tests: each indexed page's fragment (URL, title, text).

Pagefind writes one gzip-compressed fragment per indexed page, ``pagefind_dcd`` followed by JSON."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

FRAGMENT_SIGNATURE = b"pagefind_dcd"


def fragments(site: Path) -> dict[str, dict[str, Any]]:
    """{page URL as Pagefind records it ("/protocols/x/"): its fragment} for every indexed page."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((site / "pagefind" / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(FRAGMENT_SIGNATURE), path
        fragment = json.loads(data[len(FRAGMENT_SIGNATURE):])
        found[fragment["url"]] = fragment
    return found


def indexed_urls(site: Path) -> list[str]:
    return sorted(fragments(site))
