"""The caches of the check path: each gives exactly what computing afresh gives."""

from __future__ import annotations

from unittest import mock

from generator import inline
from generator.inline import Citation, CitationKey, Placeholder, shared_tokens, tokenize

TEXT = "Give {{ r.dose }} [@a]."
TOKENS = [Placeholder(5, 17, "{{ r.dose }}", "r", "dose"), Citation(18, 22, "[@a]", (CitationKey("a", 20),))]


def test_within_shared_tokens_each_text_is_scanned_once_and_each_caller_gets_its_own_list() -> None:
    with mock.patch.object(inline, "_scan", wraps=inline._scan) as scan, shared_tokens():
        first = tokenize(TEXT)
        first.append(first[0])
        assert tokenize(TEXT) == TOKENS
        assert scan.call_count == 1
        with shared_tokens():
            assert tokenize(TEXT) == TOKENS
        assert scan.call_count == 1


def test_outside_shared_tokens_nothing_is_kept() -> None:
    with mock.patch.object(inline, "_scan", wraps=inline._scan) as scan:
        with shared_tokens():
            assert tokenize(TEXT) == TOKENS
        assert inline._token_cache is None
        assert tokenize(TEXT) == TOKENS
        assert tokenize(TEXT) == TOKENS
        assert scan.call_count == 3
