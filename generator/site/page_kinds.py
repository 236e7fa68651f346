"""Which generated pages enter the site navigation and which the search index (by page path).

Material writes the whole navigation into every page, so only a few top-level pages are in it; protocol,
version and diff pages are reached by links only. On the clinician site the other copies of a protocol stay
out of the search index, so a search lands on the canonical page.
"""

from __future__ import annotations

# Pages listed in the site navigation; "*" stands for one path segment. Everything else (protocols,
# versions, diffs, drugs, print views) is reached by links only: Material writes the whole navigation
# into every page, so a long navigation makes the build quadratic.
NAVIGATION_PATTERNS = ("index.md", "*.md", "*/index.md", "handbooks/*/index.md")


# Pages a clinician should not land on from the search box: permanent version pages (the canonical page
# carries the version in use), history, diffs and handbook print views (the handbook itself is indexed).
SEARCH_EXCLUDED_PATTERNS = (
    "protocols/*/*/index.md",
    "protocols/*/*/diff/index.md",
    "protocols/*/*/diff-current/index.md",
    "handbooks/*/print/index.md",
)


def in_navigation(path: str) -> bool:
    """Whether a generated page belongs in the site navigation (see NAVIGATION_PATTERNS)."""
    return _matches_any(NAVIGATION_PATTERNS, path)


def in_search(path: str) -> bool:
    """Whether a page's text goes into the search index (see SEARCH_EXCLUDED_PATTERNS)."""
    return path.endswith(".md") and not _matches_any(SEARCH_EXCLUDED_PATTERNS, path)


def _matches_any(patterns: tuple[str, ...], path: str) -> bool:
    if not path.endswith(".md"):
        return False
    segments = path.split("/")
    return any(_matches(pattern.split("/"), segments) for pattern in patterns)


def _matches(pattern: list[str], segments: list[str]) -> bool:
    return len(pattern) == len(segments) and all(
        part in ("*", segment) for part, segment in zip(pattern, segments, strict=True)
    )
