"""The 404 page's links when the site's address is not known (no site_url)."""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.utils import is_error_template, normalize_url
from mkdocs.utils.templates import TemplateContext


def error_page_context(context: TemplateContext, template_name: str, config: MkDocsConfig) -> TemplateContext:
    """404.html with links relative to the site root instead of root-absolute ones, when site_url is unset.

    MkDocs writes an error page's links from the server root ("/assets/...") unless site_url names the
    site's own path, so under a sub-path (https://intranet.example.org/protocols/) the page lost every
    stylesheet and script. Relative links work where the server shows 404.html as <site>/404.html; for a
    missing URL at any depth, a script at the top of the page (overrides/main.html, `pc_find_site_root`)
    finds the site root, the nearest folder above the URL that holds assets/site.css, and makes it the
    page's base before any link is read. With site_url set, MkDocs' absolute links are kept.
    """
    if not is_error_template(template_name) or config.site_url:
        return context
    context["base_url"] = "."
    context["pc_find_site_root"] = True  # overrides/main.html: links resolve from the site root at any depth
    context["extra_css"] = [normalize_url(str(path), None, ".") for path in config.extra_css]
    context["extra_javascript"] = [normalize_url(str(script), None, ".") for script in config.extra_javascript]
    return context
