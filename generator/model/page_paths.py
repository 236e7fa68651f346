"""Page paths of the site layout (ARCHITECTURE.md): keys of the pages dict, never URLs. Written only here
(tests/project/test_one_truth.py); in the model stage so that cross-reference targets (approvals) and the
pages (render) name a page alike."""

from __future__ import annotations

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
    return protocol_folder(protocol_id) + "index.md"


def version_page(protocol_id: str, version: str) -> str:
    return f"{protocol_folder(protocol_id)}{version}/index.md"


def history(protocol_id: str) -> str:
    return protocol_folder(protocol_id) + "history/index.md"


def diff_page(protocol_id: str, version: str) -> str:
    return f"{protocol_folder(protocol_id)}{version}/diff/index.md"


def diff_current_page(protocol_id: str, version: str) -> str:
    """Reviewer site: a version awaiting approval against the version in use."""
    return f"{protocol_folder(protocol_id)}{version}/diff-current/index.md"


def handbook_folder(handbook_id: str) -> str:
    return f"handbooks/{handbook_id}/"


def handbook(handbook_id: str) -> str:
    return handbook_folder(handbook_id) + "index.md"


def handbook_print(handbook_id: str) -> str:
    return handbook_folder(handbook_id) + "print/index.md"


def drug_page(drug_id: str) -> str:
    return f"drugs/{drug_id}/index.md"


def href(target: str, anchor: str = "") -> str:
    """The link to a site path (a page of the pages dict or a copied file) as the render layer writes it in
    HTML: root-relative, "/protocols/x/index.md#dosing". Author text never yields an href or src that
    starts with "/" (only http, https and mailto links pass), so the site adapter makes exactly these
    relative for each page (generator.render.page_links.localize)."""
    return f"/{target}#{anchor}" if anchor else f"/{target}"
