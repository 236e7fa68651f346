"""generator.text.reader_text: each character of the reader's text keeps the field offset it came from, worked out
only when asked for (`Origins`), and exactly the offset a character-by-character placement gives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from generator.text.inline import Placeholder
from generator.text.markdown import parse
from generator.text.reader_text import DATA, SLOT, TEXT, plain_run, read_char, reader_runs

# characters that read as themselves, as nothing (format controls), as a space, as an ASCII digit, or as several
# characters (NFKC: "½" reads "1⁄2", "ﬁ" reads "fi")
PIECES = [*"ab5 .-", "\t", "\n", "\u200b", "\u00ad", "\u00a0", "\u0665", "\uff15", "\u00bd", "\ufb01", "\u00b5",
          "mg", "é"]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)
ONE_LINE = st.lists(st.sampled_from([piece for piece in PIECES if piece not in "\t\n"]), max_size=20).map("".join)


def placed_one_by_one(text: str) -> tuple[str, list[int]]:
    """The reader's text of a title and each character's offset, character by character."""
    read, origins = [], []
    for index, char in enumerate(text):
        shown = read_char(char)
        read.append(shown)
        origins += [index] * len(shown)
    return "".join(read), origins


@settings(max_examples=examples(500), deadline=None)
@given(text=TEXTS)
def test_every_character_keeps_the_offset_it_came_from(text: str) -> None:
    run = plain_run(text)
    expected_text, expected_origins = placed_one_by_one(text)
    assert run.text == expected_text
    assert len(run.origins) == len(expected_origins)
    assert list(run.origins) == expected_origins
    assert [run.origins[index] for index in range(-len(expected_origins), 0)] == expected_origins
    assert run.origins[1:4] == expected_origins[1:4]


@settings(max_examples=examples(200), deadline=None)
@given(before=ONE_LINE, value=TEXTS, after=ONE_LINE)
def test_a_filled_slot_takes_the_placeholders_offset_and_the_rest_keep_theirs(before: str, value: str,
                                                                             after: str) -> None:
    text = f"a{before}{{{{ r.dose }}}}{after}"  # one paragraph
    [run] = reader_runs(parse(text))
    [token] = run.placeholders
    assert isinstance(token, Placeholder)
    filled = run.filled_with([value])
    slot = run.kinds.index(SLOT)
    shown = "".join(read_char(char) for char in value)
    assert filled.text == run.text[:slot] + shown + run.text[slot + 1 :]
    assert filled.kinds == run.kinds[:slot] + DATA * len(shown) + run.kinds[slot + 1 :]
    assert list(filled.origins) == (list(run.origins)[:slot] + [token.start] * len(shown)
                                    + list(run.origins)[slot + 1 :])


def test_markdown_characters_point_into_the_source_across_lines_entities_and_code() -> None:
    text = "Give **5**&#48; mg\nthen `2\u00bd mg`\n\n```\nx\u200by\n```"
    runs = reader_runs(parse(text))
    assert [run.text for run in runs] == ["Give 50 mg then 21\u20442 mg", "xy "]
    first = [text[offset] for offset in runs[0].origins]
    assert "".join(first) == "Give 5& mg\nthen 2\u00bd\u00bd\u00bd mg"
    assert list(runs[1].origins) == [text.index("x"), text.index("y"), text.index("y") + 1]
    assert set(runs[0].kinds) == {TEXT}


def test_an_index_outside_the_run_is_an_index_error() -> None:
    run = plain_run("5 mg")
    with pytest.raises(IndexError):
        run.origins[4]
    with pytest.raises(IndexError):
        run.origins[-5]
    assert list(plain_run("").origins) == []


@settings(max_examples=examples(300), deadline=None)
@given(lines=st.lists(ONE_LINE, min_size=1, max_size=5), indent=st.sampled_from(["", " ", "  ", "    "]))
def test_a_code_blocks_characters_are_each_placed_where_they_stand(lines: list[str], indent: str) -> None:
    text = f"{indent}```\n" + "".join(f"{indent}{line}\n" for line in lines) + f"{indent}```"
    parsed = parse(text)
    [block] = [token for token in parsed.tokens if token.type in ("fence", "code_block")]  # 4 spaces: indented
    expected = [parsed.offset(block, index) for index, char in enumerate(block.content)
                for _ in read_char(char)]
    [run] = reader_runs(parsed)
    assert list(run.origins) == expected
