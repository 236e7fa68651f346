"""Reference entries in AMA style (AMA Manual of Style, 11th ed.), as plain text, Markdown and HTML (pages
show the sanitized HTML, `reference_page_html`).

    Phillips JL, Norris S, Talbot J, et al. Single, repeated, and maintenance ketamine infusions for
    treatment-resistant depression: a randomized controlled trial. *American Journal of Psychiatry*.
    2019;176(5):401-409. doi:10.1176/appi.ajp.2018.18070834. PMID: 30922101

Authors: all of them up to 6; more than 6 (or a list the author ended with "et al." after 6 names)
gives the first 3 and "et al.". A DOI links to https://doi.org/, a PMID to PubMed, a URL to itself;
an identifier that `protocols check` would refuse (P306) is shown but never linked.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

DOI = re.compile(r"^10\.[0-9]{4,9}/\S+$")  # [0-9]: \d would also take other scripts' digits
PMID = re.compile(r"^[0-9]+$")
URL = re.compile(r"^https://[^\s/?#@<>]+(?:[/?#][^\s<>]*)?$")
MAX_LISTED_AUTHORS = 6
AUTHORS_BEFORE_ET_AL = 3
_ET_AL = re.compile(r"^et\.? al\.?$", re.I)
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]])")


def doi_url(doi: str) -> str:
    return "https://doi.org/" + quote(doi, safe="/.-_~:;")


def pubmed_url(pmid: str) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


def author_list(authors: list[str] | None) -> str:
    """"Phillips JL, Norris S, Talbot J, et al." or "" without authors."""
    if not authors:
        return ""
    names = [name.strip() for name in authors if not _ET_AL.match(name.strip())]
    truncated = len(names) < len(authors)
    if len(names) > MAX_LISTED_AUTHORS or (truncated and len(names) >= MAX_LISTED_AUTHORS):
        names, truncated = names[:AUTHORS_BEFORE_ET_AL], True
    return ", ".join(names + (["et al."] if truncated else []))


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "?", "!")) else text + "."


@dataclass(frozen=True)
class _Part:
    text: str  # plain text
    kind: str = "text"  # "text", "italic", or "link"
    url: str = ""


def _source_parts(ref: Any) -> list[_Part]:
    if ref.journal:
        parts = [_Part(ref.journal.strip(), "italic"), _Part(". ")]
        detail = str(ref.year)
        if ref.volume is not None:
            detail += f";{ref.volume}" + (f"({ref.issue})" if ref.issue is not None else "")
        if ref.pages is not None:
            detail += f"{':' if ref.volume is not None else ';'}{ref.pages}"
        return [*parts, _Part(detail + ".")]
    return [_Part(f"{ref.publisher.strip()}; {ref.year}.")] if ref.publisher else [_Part(f"{ref.year}.")]


def _parts(ref: Any) -> list[_Part]:
    parts: list[_Part] = []
    authors = author_list(ref.authors)
    if authors:
        parts.append(_Part(_sentence(authors) + " "))
    parts.append(_Part(_sentence(ref.title) + " "))
    parts += _source_parts(ref)
    if ref.doi:
        doi = str(ref.doi)
        parts += [_Part(" doi:"), _Part(doi, "link", doi_url(doi)) if DOI.match(doi) else _Part(doi)]
    if ref.pmid is not None:
        pmid = str(ref.pmid)
        label = f"PMID: {pmid}"
        parts += [_Part(". " if ref.doi else " "),
                  _Part(label, "link", pubmed_url(pmid)) if PMID.match(pmid) else _Part(label)]
    if ref.url:
        url = str(ref.url)
        parts += [_Part(" "), _Part(url, "link", url) if URL.match(url) else _Part(url)]
    return parts


def reference_text(ref: Any) -> str:
    """The entry as plain text (print, JSON, search)."""
    return "".join(part.text for part in _parts(ref))


def _md(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIALS.sub(r"\\\1", escaped)


def reference_markdown(ref: Any) -> str:
    """The entry as Markdown: journal in italics, DOI, PMID and URL as links."""
    out = []
    for part in _parts(ref):
        if part.kind == "italic":
            out.append(f"*{_md(part.text)}*")
        elif part.kind == "link":
            out.append(f"[{_md(part.text)}](<{part.url}>)")
        else:
            out.append(_md(part.text))
    return "".join(out)


def reference_html(ref: Any) -> str:
    """The entry as an HTML fragment (escaped): <em> journal, <a href> identifiers."""
    out = []
    for part in _parts(ref):
        text = html.escape(part.text, quote=False)
        if part.kind == "italic":
            out.append(f"<em>{text}</em>")
        elif part.kind == "link":
            out.append(f'<a href="{html.escape(part.url)}">{text}</a>')
        else:
            out.append(text)
    return "".join(out)


def reference_page_html(ref: Any) -> str:
    """The entry as a page shows it: `reference_html`, through the sanitizer like every fragment made from
    author data."""
    from generator.text.sanitize import sanitize

    return sanitize(reference_html(ref))
