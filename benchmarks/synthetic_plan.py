"""The plan of a synthetic library: fictional drugs, and per protocol the regimens and phases of each
of its three versions, chosen so that every dose rule of the format holds (see synthetic.py)."""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import synthetic_text as words

REFERENCES_PER_PROTOCOL = 4  # each protocol owns a slice of the bibliography, so every reference is cited


class Flow(dict[str, Any]):
    """A mapping written in flow style: {min: 0.1 mg/kg, max: 0.75 mg/kg}."""


class FlowList(list[Any]):
    """A list written in flow style: [ref-a, ref-b]."""


def number(value: Decimal) -> str:
    """A decimal as the format writes it: no exponent, no trailing zero, leading zero kept."""
    return format(value.normalize(), "f")


def quantity(value: Decimal | str, unit: str) -> str:
    return f"{number(Decimal(value))} {unit}"


@dataclass
class RegimenPlan:
    """One regimen across the three versions: what each version writes and what changed."""

    id: str
    kind: str  # bolus | continuous | fixed
    drug: str
    route: str
    versions: list[dict[str, Any]] = field(default_factory=list)  # the regimen mapping of 1.0, 1.1, 1.2
    weights: tuple[str, str, str] | None = None


@dataclass
class ProtocolPlan:
    id: str
    title: str
    owner: str
    indication: str
    regimens: list[RegimenPlan]
    phases: list[list[dict[str, Any]]]  # the phase mappings of 1.0, 1.1, 1.2
    section_ids: list[str]
    references: list[str]
    draft_status: str  # status of 1.2
    effective: tuple[dt.date, dt.date]  # of 1.0 and 1.1


def make_drugs(rng: random.Random) -> dict[str, dict[str, Any]]:
    """Fictional drugs, each of one dose family, with a ceiling above every dose of that family."""
    families = (
        [("bolus", f) for f in words.BOLUS_FAMILIES]
        + [("continuous", f) for f in words.CONTINUOUS_FAMILIES]
        + [("fixed", f) for f in words.FIXED_FAMILIES]
    )
    names = [p + s for p in words.DRUG_PREFIXES for s in words.DRUG_SUFFIXES]
    rng.shuffle(names)
    drugs: dict[str, dict[str, Any]] = {}
    for index, name in enumerate(names[:64]):
        kind, family = families[index % len(families)]
        drug: dict[str, Any] = {"name": name, "class": f"synthetic {kind} agent", "_kind": kind, "_family": family}
        if index % 4:
            drug["ceiling"] = family[-1]
        drug["notes"] = "Fictional drug of the benchmark library; not a real medicine."
        drugs[name] = drug
    return drugs


def _regimen_versions(rng: random.Random, rid: str, drug: dict[str, Any]) -> RegimenPlan:
    kind, family = drug["_kind"], drug["_family"]
    base: dict[str, Any] = {"id": rid, "drug": drug["name"]}
    if kind == "bolus":
        unit, doses, conc_unit, concs, _ceiling = family
        dose = Decimal(rng.choice(doses))
        route = rng.choice(("IV", "IM"))
        plan = RegimenPlan(rid, kind, drug["name"], route, weights=rng.choice(words.WEIGHT_RANGES))
        v10 = {
            **base,
            "route": route,
            "dose": quantity(dose, unit),
            "dose_range": Flow(min=quantity(dose / 2, unit), max=quantity(dose * 2, unit)),
            "concentration": quantity(rng.choice(concs), conc_unit),
        }
        v11 = {**v10, "dose_range": Flow(min=quantity(dose / 2, unit), max=quantity(dose * 3 / 2, unit))}
        concentration = rng.choice([c for c in concs if quantity(c, conc_unit) != v11["concentration"]])
        v12 = {**v11, "concentration": quantity(concentration, conc_unit)}
    elif kind == "continuous":
        unit, rates, cap_unit, durations, conc_unit, concs, _ceiling = family
        rate = Decimal(rng.choice(rates))
        plan = RegimenPlan(rid, kind, drug["name"], "IV", weights=rng.choice(words.WEIGHT_RANGES))
        lowest = Decimal(plan.weights[0]) * rate  # type: ignore[index]
        factors = rng.sample(words.CAP_FACTORS, 2)
        v10 = {
            **base,
            "route": "IV",
            "dose": quantity(rate, unit),
            "max_dose": quantity(lowest * Decimal(factors[0]), cap_unit),
            "duration": rng.choice(durations),
        }
        if rng.random() < 0.5:
            v10["concentration"] = quantity(rng.choice(concs), conc_unit)
        v11 = {**v10, "max_dose": quantity(lowest * Decimal(factors[1]), cap_unit)}
        v12 = {**v11, "duration": rng.choice([d for d in durations if d != v11["duration"]])}
    else:
        unit, unit_doses, routes, _ceiling = family
        each = Decimal(rng.choice(unit_doses))
        first = rng.choice((1, 2))
        route = rng.choice(routes)
        plan = RegimenPlan(rid, kind, drug["name"], route)
        options = [each * k for k in range(first, first + 2)]
        v10 = {
            **base,
            "route": route,
            "dose": quantity(options[0], unit),
            "dose_range": Flow(min=quantity(options[0], unit), max=quantity(options[-1], unit)),
            "options": FlowList(quantity(o, unit) for o in options),
            "unit_dose": quantity(each, unit),
        }
        wider = [*options, each * (first + 2)]
        v11 = {
            **v10,
            "dose_range": Flow(min=quantity(wider[0], unit), max=quantity(wider[-1], unit)),
            "options": FlowList(quantity(o, unit) for o in wider),
        }
        v12 = {**v11, "dose": quantity(wider[1], unit)}
    plan.versions = [v10, v11, v12]
    return plan


def _phase(pid: str, name: str, regimen: str, schedule: tuple[str, str | None, int | None]) -> dict[str, Any]:
    frequency, length, doses = schedule
    phase: dict[str, Any] = {"id": pid, "name": name, "regimen": regimen, "frequency": frequency}
    if length is not None:
        phase["length"] = length
        phase["doses"] = doses
    return phase


def plan_protocols(
    rng: random.Random, n: int, drugs: dict[str, dict[str, Any]], ref_ids: list[str]
) -> list[ProtocolPlan]:
    plans: list[ProtocolPlan] = []
    drug_names = sorted(drugs)
    # protocol i's main drug comes from dose family i mod 8, so any 8 consecutive protocols cover every family
    by_family: dict[str, list[str]] = {}
    for name in drug_names:
        by_family.setdefault(drugs[name]["_family"][0], []).append(name)
    families = sorted(by_family.values())
    for index in range(n):
        indication = rng.choice(words.INDICATIONS)
        family = families[index % len(families)]
        main_drug = drugs[family[index // len(families) % len(family)]]
        pid = f"{main_drug['name']}-{re.sub('[^a-z]+', '-', indication)}-{index + 1:04d}"
        regimens: list[RegimenPlan] = []
        for number_ in range(rng.choice((1, 1, 2, 2, 3))):
            drug = main_drug if number_ == 0 else drugs[rng.choice(drug_names)]
            regimens.append(_regimen_versions(rng, f"{drug['name']}-{drug['_kind']}-{number_ + 1}", drug))
        names = rng.sample(words.PHASE_NAMES, rng.choice((1, 2, 3)))
        phase_ids = [re.sub("[^a-z]+", "-", name.lower()).strip("-") for name in names]
        phases10 = [
            _phase(phase_id, name, rng.choice(regimens).id, rng.choice(words.SCHEDULES))
            for phase_id, name in zip(phase_ids, names, strict=True)
        ]
        phases12 = [dict(p) for p in phases10]
        if rng.random() < 0.5:  # the draft reschedules its first phase
            phases12[0] = _phase(phases10[0]["id"], phases10[0]["name"], phases10[0]["regimen"], words.SCHEDULES[0])
            if phases12[0] == phases10[0]:
                phases12[0] = _phase(phases10[0]["id"], phases10[0]["name"], phases10[0]["regimen"], words.SCHEDULES[1])
        own = [ref_ids[(index * REFERENCES_PER_PROTOCOL + k) % len(ref_ids)] for k in range(REFERENCES_PER_PROTOCOL)]
        extra = rng.sample(ref_ids, min(4, len(ref_ids)))
        first_effective = dt.date(2024, 7, 1) + dt.timedelta(days=rng.randrange(180))
        second_effective = dt.date(2025, 3, 1) + dt.timedelta(days=rng.randrange(360))
        plans.append(
            ProtocolPlan(
                id=pid,
                title=f"{regimens[0].route} {main_drug['name']} for {indication}",
                owner=rng.choice(words.OWNERS),
                indication=indication,
                regimens=regimens,
                phases=[phases10, phases10, phases12],
                section_ids=rng.sample(sorted(words.SECTIONS), rng.choice((3, 4, 5))),
                references=list(dict.fromkeys(own + extra)),
                draft_status=rng.choice(("draft", "in-review")),
                effective=(first_effective, second_effective),
            )
        )
    return plans
