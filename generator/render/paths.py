"""Page paths of the site layout (ARCHITECTURE.md): keys of the pages dict, never URLs."""

from __future__ import annotations

from generator.render import page_fragments

HOME = "index.md"
AUDIT_FILE = "protocols.json"
DRUG_INDEX = "drugs/index.md"
BIBLIOGRAPHY = "references/index.md"
DASHBOARD = "review/index.md"  # reviewer site only
WHATS_NEW = "whats-new.md"  # a page, not a folder: the navigation takes its title from its heading


def protocol_folder(protocol_id: str) -> str:
    """The folder of a protocol's pages: canonical, versions, history, diffs."""
    return f"protocols/{protocol_id}/"


def canonical(protocol_id: str) -> str:
    return f"protocols/{protocol_id}/index.md"


def version_page(protocol_id: str, version: str) -> str:
    return f"protocols/{protocol_id}/{version}/index.md"


def history(protocol_id: str) -> str:
    return f"protocols/{protocol_id}/history/index.md"


def diff_page(protocol_id: str, version: str) -> str:
    return f"protocols/{protocol_id}/{version}/diff/index.md"


def handbook(handbook_id: str) -> str:
    return f"handbooks/{handbook_id}/index.md"


def handbook_print(handbook_id: str) -> str:
    return f"handbooks/{handbook_id}/print/index.md"


def drug_page(drug_id: str) -> str:
    return f"drugs/{drug_id}/index.md"


def diff_current_page(protocol_id: str, version: str) -> str:
    """Reviewer site: a version awaiting approval against the version in use."""
    return f"protocols/{protocol_id}/{version}/diff-current/index.md"


def relative(from_page: str, to_page: str) -> str:
    """A relative link from one page path to another (both keys of the pages dict)."""
    return page_fragments.relative(from_page, to_page)
