"""Hypothesis' two settings profiles, registered by conftest.py, and `examples(n)`, the one way a test
sets its own number of examples.

- `protocols` (loaded by default: `make test`, CI, a plain `pytest`): Hypothesis' own example counts
  (100 a test, or what the test asks for), without the 200 ms deadline: property tests judge results, not
  speed, and a busy 2-core machine fails correct code at random against a deadline (speed lives in
  benchmarks/).
- `fast` (`make test-fast`, by `--hypothesis-profile=fast`): the same tests with a fifth of the examples,
  so the quick loop still runs every property once over varied input; the full counts run in `make test`.

A count written as `settings(max_examples=500)` would override the profile, so a test writes
`settings(max_examples=examples(500))`: 500 under `protocols`, 100 under `fast`
(tests/project/test_hypothesis_profiles.py refuses a bare count).
"""

from __future__ import annotations

from hypothesis import settings

FULL = "protocols"
FAST = "fast"
HYPOTHESIS_DEFAULT_EXAMPLES = 100  # Hypothesis' own max_examples
FAST_SHARE = 5  # `fast` runs one example in FAST_SHARE


def register() -> None:
    """Register both profiles and load the full one; `--hypothesis-profile=fast` loads the other after this."""
    settings.register_profile(FULL, deadline=None)
    settings.register_profile(FAST, deadline=None, max_examples=HYPOTHESIS_DEFAULT_EXAMPLES // FAST_SHARE)
    settings.load_profile(FULL)


def examples(count: int) -> int:
    """`count` examples under the full profile; under another, the same share of `count` as its own
    max_examples is of Hypothesis' 100, at least 1. Called when the test module is imported (collection),
    after pytest_configure has loaded the profile."""
    return max(1, count * settings.default.max_examples // HYPOTHESIS_DEFAULT_EXAMPLES)
