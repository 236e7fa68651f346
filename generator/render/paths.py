"""Page paths of the site layout (ARCHITECTURE.md): keys of the pages dict, never URLs."""

from __future__ import annotations

HOME = "index.md"
AUDIT_FILE = "protocols.json"


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
