"""The render layer: pure functions from a checked library to the site's pages, `{relative path: text}`.

`render_site` and the page families live in generator.render.families; they are imported on first use,
so that `protocols check`, which needs only generator.approvals.publication (to resolve cross-references
as a site would), does not load the templates and every page module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from generator.render.families import FAMILIES, Family, SiteContext, render_site

__all__ = ["FAMILIES", "Family", "SiteContext", "render_site"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from generator.render import families

        return getattr(families, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
