"""P404's "an entry of changes names the item": a whole-word match found with str.find, held to the regex it
replaced (`(?<![A-Za-z0-9-])<id>(?![A-Za-z0-9-])`) on every shape of neighbour."""

from __future__ import annotations

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from generator.checks.approval_rules import _named

# neighbours that continue an id, that do not, and the ones a careless test would get wrong: non-ASCII letters
# and digits (a regex `\w` would take them), "_", "-", line breaks
PIECES = ["a", "Z", "0", "-", "_", " ", ".", ":", "é", "٣", "\n", "`", "induction", "induction-x", "x-induction"]


def by_regex(item_id: str, changes: list[str]) -> bool:
    pattern = re.compile(rf"(?<![A-Za-z0-9-]){re.escape(item_id)}(?![A-Za-z0-9-])")
    return any(pattern.search(entry) for entry in changes)


def test_named_as_a_whole_word_only() -> None:
    assert _named("induction", ["Schedule of `induction` shortened."])
    assert _named("induction", ["induction"])
    assert _named("ketamine-iv", ["x", "ketamine-iv: dose raised."])
    assert not _named("induction", ["induction-x replaced", "x-induction", "inductions", "reinduction", "induction2"])
    assert not _named("induction", [])
    # the second occurrence counts when the first is inside a longer id
    assert _named("induction", ["induction-x and induction"])
    # overlapping occurrences: "aa" in "aaa-" has none standing alone, in "a aa" one
    assert not _named("aa", ["aaa"])
    assert _named("aa", ["a aa"])


def test_every_neighbour_pair_as_the_regex() -> None:
    for before, after in itertools.product(PIECES, repeat=2):
        for item_id in ("induction", "a", "ketamine-iv"):
            entry = before + item_id + after
            assert _named(item_id, [entry]) == by_regex(item_id, [entry]), (item_id, entry)


@settings(max_examples=examples(500), deadline=None)
@given(
    item_id=st.text(alphabet="ab-9.", min_size=0, max_size=4),
    changes=st.lists(st.lists(st.sampled_from(["a", "b", "-", "9", " ", "é", "_", ".", "ab", "a-b"]), max_size=8)
                     .map("".join), max_size=3),
)
def test_generated_ids_and_entries_as_the_regex(item_id: str, changes: list[str]) -> None:
    assert _named(item_id, changes) == by_regex(item_id, changes)
