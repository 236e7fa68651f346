"""The drug index `drugs/index.md` (A to Z) and one page per formulary drug `drugs/<drug-id>/index.md`:
name, class, ceiling, notes, every regimen of the protocols in use that gives the drug, and the
retired protocols that gave it (named and marked retired, with no dose).

"In use" is what each protocol's canonical page shows (the current version, else the next one due;
on the reviewer site possibly a draft, marked). Every number goes through quantity.format_quantity;
the regimen figures are the ones the protocol page states. The table names no internal id (regimen
ids are for authors), says whether a maximum is a rate or a dose, falls back to the formulary ceiling
when the regimen states no maximum of its own, and joins each number to its unit with a no-break
space so that a unit never starts a line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from generator.approvals.publication import STATE_WORDS, Publication
from generator.load.library import Library
from generator.model import page_paths as paths
from generator.model.quantity import Quantity, format_length, format_quantity
from generator.model.schema import Drug, Regimen
from generator.render.fields import dose_range, how_computed, options
from generator.render.html_page import html_page
from generator.render.page_prose import page_prose
from generator.render.templates import render_template

if TYPE_CHECKING:
    from generator.render.families import SiteContext

DRUG_INDEX = paths.DRUG_INDEX
drug_page = paths.drug_page
NOT_STATED = "not stated"
NBSP = "\u00a0"


@dataclass(frozen=True)
class DrugUse:
    """One regimen of a protocol in use that gives a drug."""

    protocol_id: str
    title: str
    version: str
    state: str  # a key of STATE_WORDS
    regimen: Regimen


@dataclass(frozen=True)
class RetiredUse:
    """A retired protocol whose last version gave a drug: named, never dosed."""

    protocol_id: str
    title: str
    retired_on: str  # YYYY-MM-DD, the retired version's effective date ("" if absent)


def drug_uses(publication: Publication) -> dict[str, list[DrugUse]]:
    """Drug id -> the regimens that give it, by protocol id then regimen order. One pass per build."""
    uses: dict[str, list[DrugUse]] = {}
    for protocol_id, info in publication.protocols.items():
        shown = info.canonical
        if shown is None or info.retired:
            continue
        doc = shown.file.doc
        for regimen in doc.regimens:
            uses.setdefault(regimen.drug, []).append(DrugUse(protocol_id, doc.title, doc.version, shown.state, regimen))
    return uses


def retired_uses(publication: Publication) -> dict[str, list[RetiredUse]]:
    """Drug id -> the retired protocols whose retired version names it, by protocol id."""
    retired: dict[str, list[RetiredUse]] = {}
    for protocol_id, info in publication.protocols.items():
        shown = info.canonical
        if shown is None or not info.retired:
            continue
        doc = shown.file.doc
        effective = doc.effective.isoformat() if doc.effective is not None else ""
        for drug_id in dict.fromkeys(regimen.drug for regimen in doc.regimens):
            retired.setdefault(drug_id, []).append(RetiredUse(protocol_id, doc.title, effective))
    return retired


def _letter(name: str) -> str:
    first = name[:1].upper()
    return first if first.isalpha() and first.isascii() else "0-9"


def _sorted_drugs(library: Library) -> list[tuple[str, Any]]:
    return sorted(library.drugs.items(), key=lambda item: (item[1].name, item[0]))


def render_drug_index(library: Library, uses: dict[str, list[DrugUse]]) -> str:
    groups: dict[str, list[dict[str, Any]]] = {}
    for drug_id, drug in _sorted_drugs(library):
        protocol_count = len({use.protocol_id for use in uses.get(drug_id, [])})
        groups.setdefault(_letter(drug.name), []).append(
            {
                "name": drug.name,
                "link": paths.href(drug_page(drug_id)),
                "class": drug.class_ or "",
                "protocol_count": protocol_count,
            }
        )
    letters = [{"letter": letter, "anchor": f"letter-{letter.lower()}", "drugs": groups[letter]} for letter in groups]
    return html_page("Drugs", render_template("drug_index.html.j2", letters=letters))


_NUMBER_THEN_UNIT = re.compile(r"(?<=\d) (?=(?:mcg|mg|g|units|mL|L|kg|min|minutes?|h|hours?|days?|weeks?|months?)\b)")


def _joined(text: str) -> str:
    """Every number joined to its unit by a no-break space: "25 mg/h" never breaks into "25" and "mg/h"."""
    return _NUMBER_THEN_UNIT.sub(NBSP, text)


def _maximum(regimen: Regimen, drug: Drug | None) -> str:
    """The regimen's own cap, as a rate or per dose; else the formulary ceiling when it limits this dose."""
    cap = regimen.max_dose
    if cap is not None:
        return f"{format_quantity(cap)} " + ("maximum rate" if "/" in cap.unit else "per dose")
    ceiling = drug.ceiling if drug is not None else None
    if ceiling is not None and _same_dimension(ceiling, regimen.dose):
        return f"{format_quantity(ceiling)} per dose (formulary ceiling)"
    return NOT_STATED


def _same_dimension(a: Quantity, b: Quantity) -> bool:
    return a.dimension == b.dimension


def _range_or_options(regimen: Regimen) -> str:
    if regimen.options:
        return options(regimen)
    return dose_range(regimen.dose_range) if regimen.dose_range is not None else NOT_STATED


def _use_row(use: DrugUse, drug: Drug | None) -> dict[str, str]:
    regimen = use.regimen
    computed = how_computed(regimen)
    return {
        "title": use.title,
        "link": paths.href(paths.canonical(use.protocol_id), "dosing"),
        "version": use.version,
        "state_words": STATE_WORDS[use.state],
        "route": regimen.route,
        "dose": _joined(format_quantity(regimen.dose) + (f" ({computed})" if computed else "")),
        "range": _joined(_range_or_options(regimen)),
        "maximum": _joined(_maximum(regimen, drug)),
        "duration": _joined(format_length(regimen.duration)) if regimen.duration is not None else NOT_STATED,
    }


def _retired_row(use: RetiredUse) -> dict[str, str]:
    return {"title": use.title, "link": paths.href(paths.canonical(use.protocol_id)), "retired_on": use.retired_on}


def render_drug_page(library: Library, publication: Publication, drug_id: str, uses: list[DrugUse],
                     retired: Sequence[RetiredUse] = ()) -> str:
    page = drug_page(drug_id)
    drug = library.drugs[drug_id]
    prose = page_prose(library, publication, None, page)
    notes_html = Markup(prose.markdown(drug.notes)) if drug.notes else ""
    body = render_template(
        "drug.html.j2",
        drug={
            "id": drug_id,
            "name": drug.name,
            "class": drug.class_ or NOT_STATED,
            "ceiling": _joined(format_quantity(drug.ceiling)) if drug.ceiling is not None else "none in the formulary",
            "notes_html": notes_html,
        },
        uses=[_use_row(use, drug) for use in uses],
        retired=[_retired_row(use) for use in retired],
        references=[{"id": ref.id, "text_html": Markup(ref.text_md)} for ref in prose.references()],
        index_link=paths.href(DRUG_INDEX),
    )
    return html_page(drug.name, body)


def plan_drug_pages(ctx: SiteContext) -> list[str]:
    return [DRUG_INDEX, *(drug_page(drug_id) for drug_id in sorted(ctx.library.drugs))]


def render_drug_pages(ctx: SiteContext) -> dict[str, str]:
    """The drug index and every drug page of the formulary."""
    library, publication = ctx.library, ctx.publication
    uses = drug_uses(publication)
    retired = retired_uses(publication)
    pages = {DRUG_INDEX: render_drug_index(library, uses)}
    for drug_id in sorted(library.drugs):
        pages[drug_page(drug_id)] = render_drug_page(library, publication, drug_id, uses.get(drug_id, []),
                                                     retired.get(drug_id, []))
    return pages
