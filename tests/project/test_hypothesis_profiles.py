"""Hypothesis' profiles (tests/hypothesis_profiles.py): `make test` runs every property test with its full
count of examples, `make test-fast` with a fifth of it, and no test can keep its count out of the profile."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis_profiles import FAST, FAST_SHARE, FULL, examples
from python_source import may_name, nodes

TESTS = Path(__file__).resolve().parents[1]
MAKEFILE = TESTS.parent / "Makefile"


def bare_counts(source: str, name: str) -> list[str]:
    """`name:line:col` of each max_examples keyword given anything but a call of examples()."""
    found = []
    if not may_name(source, ("max_examples",)):
        return found
    for node in nodes(source):
        for keyword in getattr(node, "keywords", ()) if isinstance(node, ast.Call) else ():
            value = keyword.value
            scaled = isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "examples"
            if keyword.arg == "max_examples" and not scaled:
                found.append(f"{name}:{keyword.lineno}:{keyword.col_offset + 1}: "
                             "write max_examples=examples(N) (tests/hypothesis_profiles.py)")
    return sorted(found, key=lambda text: [int(part) for part in text.split(":")[1:3]])


def test_no_test_module_sets_a_count_the_fast_profile_cannot_scale() -> None:
    found = []
    for path in sorted(TESTS.rglob("test_*.py")):
        found += bare_counts(path.read_text(encoding="utf-8"), path.relative_to(TESTS).as_posix())
    assert found == []


def test_a_bare_count_is_found_where_it_is_written() -> None:
    source = ("COUNT = 500\n"
              "@settings(deadline=None, max_examples=COUNT)\n"
              "@settings(max_examples = 3)\n"
              "def test_w(): pass\n"
              "FAST = settings(max_examples=int(examples(500) * 2))\n"
              "def test_x(): settings.register_profile('mine', max_examples=10_000)\n")
    assert bare_counts(source, "t.py") == [
        "t.py:2:26: write max_examples=examples(N) (tests/hypothesis_profiles.py)",
        "t.py:3:11: write max_examples=examples(N) (tests/hypothesis_profiles.py)",
        "t.py:5:17: write max_examples=examples(N) (tests/hypothesis_profiles.py)",
        "t.py:6:49: write max_examples=examples(N) (tests/hypothesis_profiles.py)",
    ]
    scaled = '@settings(max_examples=examples(500), deadline=None)\ndef test_y(): x = "max_examples=5"\n'
    assert bare_counts(scaled, "t.py") == []


def test_a_bare_count_spelled_in_other_letters_python_reads_alike_is_found() -> None:
    """Python reads identifiers NFKC-normalized: the shortcut past sources without "max_examples" must too."""
    assert bare_counts("@settings(\uff4dax_examples=3)\ndef test_z(): pass\n", "t.py") == [
        "t.py:1:11: write max_examples=examples(N) (tests/hypothesis_profiles.py)"]


@pytest.fixture
def restored_profile() -> Iterator[None]:
    current = settings.get_current_profile_name()
    yield
    settings.load_profile(current)


@pytest.mark.usefixtures("restored_profile")
def test_the_full_profile_keeps_every_count_and_has_no_deadline() -> None:
    settings.load_profile(FULL)
    assert [examples(count) for count in (1, 8, 20, 150, 1500)] == [1, 8, 20, 150, 1500]
    assert settings.default.max_examples == 100 and settings.default.deadline is None


@pytest.mark.usefixtures("restored_profile")
def test_the_fast_profile_runs_a_fifth_and_at_least_one_example() -> None:
    settings.load_profile(FAST)
    assert FAST_SHARE == 5
    assert [examples(count) for count in (1, 8, 20, 150, 1500)] == [1, 1, 4, 30, 300]
    assert settings.default.max_examples == 20 and settings.default.deadline is None


def make_recipe(target: str) -> str:
    """The command lines of a Makefile target."""
    recipe = re.search(rf"^{target}:[^\n]*\n((?:\t[^\n]*\n)+)", MAKEFILE.read_text(encoding="utf-8"), re.M)
    assert recipe, f"Makefile has no target {target}"
    return recipe.group(1)


def test_make_test_fast_loads_the_fast_profile_and_make_test_the_full_one() -> None:
    assert f"--hypothesis-profile={FAST}" in make_recipe("test-fast")
    assert "--hypothesis-profile" not in make_recipe("test")
