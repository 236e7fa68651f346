"""The drug index `drugs/index.md` (A to Z) and one page per formulary drug `drugs/<drug-id>/index.md`:
name, class, ceiling, notes, and every regimen of the protocols in use that gives the drug.

"In use" is what each protocol's canonical page shows (the current version, else the next one due;
on the reviewer site possibly a draft, marked), retired protocols left out. Every number goes through
quantity.format_quantity; the regimen figures are the ones the protocol page states.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generator.library import Library
from generator.quantity import format_quantity
from generator.render import paths
from generator.render.fields import dose_range, how_computed
from generator.render.prose import page_prose
from generator.render.publication import STATE_WORDS, Publication
from generator.render.templates import render_template
from generator.schema import Regimen

if TYPE_CHECKING:
    from generator.render.families import SiteContext

DRUG_INDEX = paths.DRUG_INDEX
drug_page = paths.drug_page
NOT_STATED = "not stated"


@dataclass(frozen=True)
class DrugUse:
    """One regimen of a protocol in use that gives a drug."""

    protocol_id: str
    title: str
    version: str
    state: str  # a key of STATE_WORDS
    regimen: Regimen


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
                "link": paths.relative(DRUG_INDEX, drug_page(drug_id)),
                "class": drug.class_ or "",
                "protocol_count": protocol_count,
            }
        )
    letters = [{"letter": letter, "anchor": f"letter-{letter.lower()}", "drugs": groups[letter]} for letter in groups]
    return render_template("drug_index.md.j2", letters=letters)


def _use_row(use: DrugUse, page: str) -> dict[str, str]:
    regimen = use.regimen
    computed = how_computed(regimen)
    canonical = paths.relative(page, paths.canonical(use.protocol_id))
    return {
        "title": use.title,
        "link": canonical,
        "version": use.version,
        "state_words": STATE_WORDS[use.state],
        "regimen_id": regimen.id,
        "route": regimen.route,
        "dose": format_quantity(regimen.dose) + (f" ({computed})" if computed else ""),
        "range": dose_range(regimen.dose_range) if regimen.dose_range is not None else NOT_STATED,
        "cap": format_quantity(regimen.max_dose) if regimen.max_dose is not None else NOT_STATED,
        "dosing_link": canonical + "#dosing",
    }


def render_drug_page(library: Library, publication: Publication, drug_id: str, uses: list[DrugUse]) -> str:
    page = drug_page(drug_id)
    drug = library.drugs[drug_id]
    prose = page_prose(library, publication, None, page)
    notes_md = prose.markdown(drug.notes) if drug.notes else ""
    return render_template(
        "drug.md.j2",
        drug={
            "id": drug_id,
            "name": drug.name,
            "class": drug.class_ or NOT_STATED,
            "ceiling": format_quantity(drug.ceiling) if drug.ceiling is not None else "none in the formulary",
            "notes_md": notes_md,
        },
        uses=[_use_row(use, page) for use in uses],
        references=prose.references(),
        index_link=paths.relative(page, DRUG_INDEX),
    )


def plan_drug_pages(ctx: SiteContext) -> list[str]:
    return [DRUG_INDEX, *(drug_page(drug_id) for drug_id in sorted(ctx.library.drugs))]


def render_drug_pages(ctx: SiteContext) -> dict[str, str]:
    """The drug index and every drug page of the formulary."""
    library, publication = ctx.library, ctx.publication
    uses = drug_uses(publication)
    pages = {DRUG_INDEX: render_drug_index(library, uses)}
    for drug_id in sorted(library.drugs):
        pages[drug_page(drug_id)] = render_drug_page(library, publication, drug_id, uses.get(drug_id, []))
    return pages
