"""dosecalc.js computeDose against Python's evaluate_spec, digit for digit, in one Node process per batch.

Every case is compared as JSON text (so key order and string types count too) with the Python result,
or with {"error": message} where Python raises DoseError.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from generator.dosing.dose_engine import DoseError, calculator_spec, evaluate_spec
from generator.load.library import load_library

ROOT = Path(__file__).resolve().parents[2]
BATCH_JS = ROOT / "tests" / "js" / "batch.js"
NO_WEIGHT = object()  # a case whose unit argument is left out (the default, kg)

TYPED_TEXTS = ["70.3", " 70 ", "70,3", "abc", "", "1e3", "-5", "70.", ".5", "-.5", "-0", "0", "\t81.25\n", "70 .3",
               "0x10", "NaN", "Infinity", "+70", "70kg", "٧٠", "1,000", "0.049", "0.05", "0.04", "500", "500.04",
               "500.05", "1102.3", "1102.4", "1102.31", "007", "  ", "\u00a070", "1" * 20, "1" * 21, "1" * 5000,
               "0." + "0" * 19 + "1"]


def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail("Node.js is not installed: run `make test` (or `apt-get install nodejs`) for the calculator tests")
    return found


def python_result(spec: dict[str, Any], weight: Any, unit: Any) -> dict[str, Any]:
    try:
        return evaluate_spec(spec, weight) if unit is NO_WEIGHT else evaluate_spec(spec, weight, unit)
    except DoseError as error:
        return {"error": str(error)}


def run_node(specs: list[dict[str, Any]], cases: list[tuple[int, Any, Any]], tmp_path: Path) -> list[str]:
    batch = {"specs": specs, "cases": [{"spec": index, "weight": weight} | ({} if unit is NO_WEIGHT else {"unit": unit})
                                       for index, weight, unit in cases]}
    batch_file = tmp_path / "batch.json"
    batch_file.write_text(json.dumps(batch), encoding="utf-8")
    done = subprocess.run([node(), str(BATCH_JS), str(batch_file)], capture_output=True, text=True, check=False,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.rstrip("\n").split("\n")  # not splitlines: U+2028 and friends may be in a message
    assert len(lines) == len(cases)
    return lines


def differences(specs: list[dict[str, Any]], cases: list[tuple[int, Any, Any]], tmp_path: Path) -> list[str]:
    found = []
    for (index, weight, unit), node_line in zip(cases, run_node(specs, cases, tmp_path), strict=True):
        expected = json.dumps(python_result(specs[index], weight, unit), separators=(",", ":"), ensure_ascii=False)
        if node_line != expected:
            found.append(f"spec {index} weight {weight!r} unit {unit!r}:\n  python {expected}\n  node   {node_line}")
    return found


def sample_specs() -> list[dict[str, Any]]:
    """The calculator spec of every regimen of every version of the sample library."""
    library = load_library(ROOT / "protocols")
    specs = []
    for protocol in library.protocols.values():
        for version_file in protocol.ordered():
            doc = version_file.doc
            tables = {table.regimen: table.weights for table in doc.dose_tables}
            for regimen in doc.regimens:
                specs.append(calculator_spec(doc.id, doc.version, regimen, tables.get(regimen.id)))
    return specs


def boundary_weights(spec: dict[str, Any]) -> list[str]:
    """Table ends and cap boundaries, with the weights 0.05 kg and 0.1 kg either side."""
    points: list[Fraction] = [Fraction(0), Fraction("0.04"), Fraction("0.05"), Fraction(500), Fraction("500.04"),
                              Fraction("500.05")]
    if "table" in spec:
        points += [Fraction(spec["table"]["from"]), Fraction(spec["table"]["to"])]
    if "cap" in spec and "per_kg" in spec:
        for per_kg in [spec["per_kg"], *spec.get("range", {}).values()]:
            points.append(Fraction(spec["cap"]) / Fraction(per_kg))
    weights = set()
    for point in points:
        for offset in ("-0.1", "-0.05", "-0.01", "0", "0.01", "0.05", "0.1"):
            shifted = point + Fraction(offset)
            weights.add(str(Decimal(shifted.numerator) / Decimal(shifted.denominator)).rstrip("0").rstrip(".")
                        if shifted.denominator != 1 else str(shifted.numerator))
            hundredths = round(shifted * 100)
            weights.add(str(Decimal(hundredths) / 100))
    return sorted(weights)


def random_weight(rng: random.Random) -> Any:
    """A weight as a person types it or as a script passes it: text with 0 to 3 decimals, an int or a float."""
    tenths = rng.choice([10, 100, 1000])
    value = Decimal(rng.randint(0, 6000 * tenths)) / tenths
    shape = rng.random()
    if shape < 0.6:
        return str(value)
    if shape < 0.8:
        return float(value)
    return int(value)


def test_sample_library_weights_match_python_digit_for_digit(tmp_path: Path) -> None:
    specs = sample_specs()
    assert {spec["regimen"] for spec in specs} >= {"ketamine-iv", "esketamine-in", "ketamine-infusion"}
    rng = random.Random(20260211)
    cases: list[tuple[int, Any, Any]] = []
    for index, spec in enumerate(specs):
        for _ in range(1200):
            cases.append((index, random_weight(rng), rng.choice(["kg", "kg", "lb", NO_WEIGHT])))
        for weight in boundary_weights(spec) + TYPED_TEXTS:
            for unit in ("kg", "lb", NO_WEIGHT):
                cases.append((index, weight, unit))
        for weight in (70, 70.3, 0.04, 0.05, 500, 500.04, 500.05, 1e-7, 1e21, 1e16, 123456789.5, -5, 0):
            cases.append((index, weight, "kg"))
        for unit in ("g", "KG", "lbs", ""):
            cases.append((index, "70", unit))
    assert len(cases) >= 1000 * len(specs)
    assert differences(specs, cases, tmp_path) == []


def test_known_results_from_node(tmp_path: Path) -> None:
    """The worked examples of §3.2 and §7, read from Node's output (not only compared with Python)."""
    specs = [spec for spec in sample_specs() if spec["regimen"] in ("ketamine-iv", "ketamine-infusion")]
    trd = next(i for i, spec in enumerate(specs) if spec["regimen"] == "ketamine-iv" and spec["version"] == "1.0")
    crps = next(i for i, spec in enumerate(specs) if spec["regimen"] == "ketamine-infusion")
    lines = run_node(specs, [(trd, "70.3", "kg"), (crps, "80", "kg"), (trd, "70,3", "kg"), (trd, "1200", "lb")],
                     tmp_path)
    assert json.loads(lines[0])["dose"] == {"value": "35.2", "unit": "mg"}
    assert json.loads(lines[0])["range"] == {"min": {"value": "7.1", "unit": "mg"},  # 7.03 mg rounded inward
                                             "max": {"value": "52.7", "unit": "mg"}}
    crps_80 = json.loads(lines[1])
    assert crps_80["rate"] == {"value": "25", "unit": "mg/h"}
    assert crps_80["capped"] is True
    assert crps_80["total"] == {"value": "100", "unit": "mg"}
    assert json.loads(lines[2]) == {"error": 'weight "70,3" is not a number: use digits and a decimal point, e.g. 70.3'}
    assert json.loads(lines[3]) == {
        "error": "weight 544.3 kg (1200 lb) is more than 500 kg; check the weight and its unit"}


# ---- hypothesis: random specs and typed text ---------------------------------------------------------

def decimal_text(digits: int, places: int) -> st.SearchStrategy[str]:
    """Plain decimal strings as calculator_spec writes them: no trailing zeros, no exponent, > 0."""
    return st.integers(min_value=1, max_value=10**digits).map(
        lambda n: format(Decimal(n).scaleb(-places).normalize(), "f"))


STEPS = st.sampled_from(["0.1", "0.05", "0.25", "0.5", "1", "2.5", "0.01", "0.001", "5", "0.2"])
# rounding steps coarse enough to leave weights without a dose, or ranges without a multiple of the step (§3.2)
COARSE_STEPS = st.sampled_from(["7", "1000", "50", "3", "12.5", "0.7", "250"])


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["bolus", "continuous", "fixed"]))
    per_time = kind == "continuous" or (kind == "fixed" and draw(st.booleans()))
    unit = draw(st.sampled_from(["mg/h", "mcg/min", "units/h"] if per_time else ["mg", "mcg", "units", "g"]))
    spec: dict[str, Any] = {"format": 1, "protocol": "p", "version": "1.0", "regimen": "r", "kind": kind,
                            "amount_key": "rate" if per_time else "dose", "unit": unit}
    amount = decimal_text(6, draw(st.integers(0, 4)))
    if kind == "fixed":
        spec["fixed"] = draw(amount)
    else:
        spec["per_kg"] = draw(decimal_text(5, draw(st.integers(0, 4))))
    if draw(st.booleans()):
        ends = sorted([draw(amount if kind == "fixed" else decimal_text(5, 3)) for _ in range(2)], key=Decimal)
        spec["range"] = {"min": ends[0], "max": ends[1]}
    if kind != "fixed":
        if draw(st.booleans()):
            spec["cap"] = draw(decimal_text(7, draw(st.integers(0, 3))))
        spec["step"] = draw(st.one_of(STEPS, COARSE_STEPS))
    derived = []
    if per_time and draw(st.booleans()):
        derived.append({"key": "total", "unit": unit.split("/")[0], "step": "0.1",
                        "multiply": draw(decimal_text(4, 0)), "divide": draw(st.sampled_from(["1", "60"]))})
    if draw(st.booleans()):
        key, derived_unit = ("pump_rate", "mL/h") if per_time else ("volume", "mL")
        derived.append({"key": key, "unit": derived_unit, "step": draw(STEPS),
                        "multiply": draw(st.sampled_from(["1", "60"])), "divide": draw(decimal_text(5, 2))})
    spec["derived"] = derived
    spec["weight"] = {"step": "0.1", "lb_in_kg": "0.45359237", "max_kg": "500"}
    if kind != "fixed" and draw(st.booleans()):
        low = draw(st.integers(1, 2000))
        high = draw(st.integers(low, 5000))
        spec["table"] = {"from": format(Decimal(low).scaleb(-1).normalize(), "f"),
                         "to": format(Decimal(high).scaleb(-1).normalize(), "f")}
    return spec


typed_weights = st.one_of(
    st.decimals(min_value=-10, max_value=1200, places=3, allow_nan=False).map(str),
    st.integers(min_value=-100, max_value=2000),
    st.floats(min_value=-10, max_value=1500, allow_nan=False),
    st.text(alphabet=" \t\n0123456789.,-+eE", max_size=8),
    st.text(max_size=6),
)


def test_random_specs_and_typed_weights_match_python(tmp_path: Path) -> None:
    collected: list[tuple[dict[str, Any], Any, Any]] = []

    @settings(max_examples=examples(1500), database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(specs(), typed_weights, st.sampled_from(["kg", "lb"]))
    def collect(spec: dict[str, Any], weight: Any, unit: str) -> None:
        collected.append((spec, weight, unit))

    collect()
    assert len(collected) >= 1000
    all_specs = [spec for spec, _, _ in collected]
    cases = [(index, weight, unit) for index, (_, weight, unit) in enumerate(collected)]
    assert differences(all_specs, cases, tmp_path) == []
    # the comparison covered doses, refused weights and weights the rounding step leaves without a dose
    # (of 1,500 random cases about 300 to 415 give a dose and 120 to 215 "no dose for": the floors leave room)
    outcomes = [python_result(all_specs[index], weight, unit) for index, weight, unit in cases]
    assert sum("error" not in outcome for outcome in outcomes) > 150
    assert sum(outcome.get("error", "").startswith("no dose for ") for outcome in outcomes) > 20


# ---- coarse rounding steps: inward range ends and weights without a dose (§3.2) ------------------

COARSE_SPECS = [
    # the two cases: 1000 mg on 0.5 mg/kg (a dose of 0), and 7 mg on 0.1 to 0.75 mg/kg (91 mg shown at 120 kg)
    {"per_kg": "0.5", "step": "1000"},
    {"per_kg": "0.5", "range": {"min": "0.1", "max": "0.75"}, "step": "7"},
    {"per_kg": "0.5", "range": {"min": "0.5", "max": "0.75"}, "cap": "60", "step": "7"},
    {"per_kg": "0.5", "range": {"min": "0.45", "max": "0.5"}, "step": "5"},
    {"per_kg": "0.45", "range": {"min": "0.45", "max": "0.6"}, "step": "1"},
    {"per_kg": "10", "cap": "600", "step": "1000"},
    {"per_kg": "0.001", "step": "0.1"},
    {"per_kg": "0.5", "range": {"min": "0.1", "max": "0.75"}, "step": "0.1"},
]


def coarse_spec(fields: dict[str, Any], rate: bool) -> dict[str, Any]:
    unit = "mg/h" if rate else "mg"
    derived = ([{"key": "total", "unit": "mg", "step": "0.1", "multiply": "40", "divide": "60"},
                {"key": "pump_rate", "unit": "mL/h", "step": "0.1", "multiply": "1", "divide": "10"}] if rate
               else [{"key": "volume", "unit": "mL", "step": "0.1", "multiply": "1", "divide": "10"}])
    return {"format": 1, "protocol": "p", "version": "1.0", "regimen": "r",
            "kind": "continuous" if rate else "bolus", "amount_key": "rate" if rate else "dose", "unit": unit,
            **fields, "derived": derived, "weight": {"step": "0.1", "lb_in_kg": "0.45359237", "max_kg": "500"},
            "table": {"from": "40", "to": "120"}}


def test_coarse_steps_inward_ranges_and_no_dose_match_python(tmp_path: Path) -> None:
    specs = [coarse_spec(fields, rate) for fields in COARSE_SPECS for rate in (False, True)]
    weights = [str(Decimal(tenths) / 10) for tenths in range(1, 5001, 7)] + ["120", "130", "119", "29", "23", "70.3"]
    cases = [(index, weight, "kg") for index in range(len(specs)) for weight in weights]
    assert differences(specs, cases, tmp_path) == []
    # specs come in pairs (bolus, rate) in the order of COARSE_SPECS
    lines = run_node(specs, [(0, "70", "kg"), (2, "120", "kg"), (4, "130", "kg"), (6, "13", "kg"), (12, "40", "kg")],
                     tmp_path)
    assert json.loads(lines[0]) == {"error": "no dose for 70 kg: 35 mg rounds to 0 mg at the rounding step of 1000 mg; "
                                             "the step is too coarse for this regimen"}
    at_120 = json.loads(lines[1])
    assert at_120["range"] == {"min": {"value": "14", "unit": "mg"}, "max": {"value": "84", "unit": "mg"}}  # not 91
    assert at_120["dose"] == {"value": "63", "unit": "mg"}
    assert json.loads(lines[2]) == {"error": "no dose for 130 kg: no multiple of the rounding step of 7 mg lies in "
                                             "the range 60 to 60 mg; the step is too coarse for this regimen"}
    assert json.loads(lines[3])["error"].startswith("no dose for 13 kg: no multiple of the rounding step of 5 mg ")
    assert json.loads(lines[4])["error"].startswith("no dose for 40 kg: 0.04 mg rounds to 0 mg ")


def test_a_difference_is_reported(tmp_path: Path) -> None:
    """The comparison itself can fail: a spec that Node reads differently from Python shows up."""
    spec = sample_specs()[0]
    tampered = dict(spec, protocol="other")
    node_line = run_node([tampered], [(0, "70", "kg")], tmp_path)[0]
    expected = json.dumps(python_result(spec, "70", "kg"), separators=(",", ":"), ensure_ascii=False)
    assert node_line != expected
    assert json.loads(node_line)["protocol"] == "other"


def test_the_calculator_stays_within_its_budgets() -> None:
    """benchmarks/bench_dosecalc.py: 10 KB gzipped for dosecalc.js + .css, an input update under 1 ms in Node."""
    import importlib.util

    node()
    module_spec = importlib.util.spec_from_file_location("bench_dosecalc", ROOT / "benchmarks" / "bench_dosecalc.py")
    assert module_spec is not None and module_spec.loader is not None
    bench = importlib.util.module_from_spec(module_spec)
    sys.modules["bench_dosecalc"] = bench  # dataclasses look their module up there
    module_spec.loader.exec_module(bench)
    rows = bench.measure(updates=3000)
    assert [row.what for row in rows if not row.ok] == []
    assert rows[2].value == rows[0].value + rows[1].value > 1000
    assert "| dosecalc.js + .css gzipped |" in bench.format_table(rows)
