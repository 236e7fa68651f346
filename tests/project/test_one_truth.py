"""Each list the generator decides by is written once: a second literal copy of it is how copies drift apart
(a status added to one list of published statuses and not to another puts a draft on the clinician site)."""

from __future__ import annotations

import ast
import datetime as dt
import functools
import json
import re
from pathlib import Path

import pytest
from python_source import nodes

from generator.model.field_types import PUBLISHED_STATUSES, UNPUBLISHED_STATUSES
from generator.text.inline import ANCHOR_PREFIXES, GENERATED_SECTIONS

GENERATOR = Path(__file__).resolve().parents[2] / "generator"

# name -> (the values, the one module that writes them)
TRUTHS = {
    "published statuses": (frozenset(PUBLISHED_STATUSES), "model/field_types.py"),
    "statuses in preparation": (frozenset(UNPUBLISHED_STATUSES), "model/field_types.py"),
    "generated section ids": (frozenset(GENERATED_SECTIONS), "text/inline.py"),
}



def literal_strings(node: ast.AST) -> frozenset[str] | None:
    """The strings of a tuple, list, set or dict-keys literal made only of strings, else None."""
    elements = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", None)
    if not isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Dict) or not elements:
        return None
    if not all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in elements):
        return None
    return frozenset(e.value for e in elements if isinstance(e, ast.Constant))


def copies_of(values: frozenset[str], source: str) -> list[int]:
    """Lines of `source` holding a string literal collection with the same values."""
    return [line for found, line in literal_collections(source) if found == values]


@functools.lru_cache(maxsize=512)
def literal_collections(source: str) -> tuple[tuple[frozenset[str], int], ...]:
    """(values, line) of each string literal collection of `source`, in `ast.walk`'s order: found once for
    every list `copies_of` looks for."""
    return tuple((found, node.lineno) for node in nodes(source)
                 if (found := literal_strings(node)) is not None and hasattr(node, "lineno"))


@pytest.mark.parametrize("name", sorted(TRUTHS))
def test_each_list_is_written_in_one_module_only(name: str) -> None:
    values, home = TRUTHS[name]
    found = {}
    for path in sorted(GENERATOR.rglob("*.py")):
        relative = path.relative_to(GENERATOR).as_posix()
        lines = copies_of(values, path.read_text(encoding="utf-8"))
        if lines and relative != home:
            found[relative] = lines
    assert found == {}
    assert copies_of(values, (GENERATOR / home).read_text(encoding="utf-8")) != []


def test_every_status_is_published_or_in_preparation() -> None:
    from generator.model.field_types import STATUSES

    assert sorted(PUBLISHED_STATUSES + UNPUBLISHED_STATUSES) == sorted(STATUSES)


def test_the_copy_finder_sees_a_copy_in_any_order_and_shape() -> None:
    source = 'x = {"retired", "approved"}\nif s in ["approved", "retired"]: pass\n'
    assert copies_of(frozenset(PUBLISHED_STATUSES), source) == [1, 2]
    assert copies_of(frozenset(PUBLISHED_STATUSES), 'x = ("approved", "retired", "draft")\n') == []


ANCHOR_PREFIX_TEXT = tuple(ANCHOR_PREFIXES.values())
TEMPLATES = GENERATOR.parent / "site_templates"
_PREFIX_ALTERNATIVES = "|".join(map(re.escape, ANCHOR_PREFIX_TEXT))
# "regimen-" ~ id, or id="ref-{{ id }}", href="#dose-card-{{ id }}", id="{{ prefix }}ref-{{ id }}"
_TEMPLATE_PREFIX = re.compile(
    r'"(?:' + _PREFIX_ALTERNATIVES + r')"\s*~|(?:id="|#|\}\})(?:' + _PREFIX_ALTERNATIVES + r')\{\{'
)
_PY_PREFIX = re.compile(r'["#/ ](?:' + _PREFIX_ALTERNATIVES + r')$')


def spelled_anchor_prefixes(source: str) -> list[int]:
    """Lines of Python `source` that spell a generated anchor's prefix before an id instead of calling
    anchor(): `f"dose-table-{id}"`, `f'id="ref-{id}"'`, `'href="#ref-'`."""
    found = []
    for node in nodes(source):
        if isinstance(node, ast.JoinedStr):
            parts = node.values
            for index, (part, following) in enumerate(zip(parts, parts[1:], strict=False)):
                if isinstance(part, ast.Constant) and isinstance(following, ast.FormattedValue):
                    text = part.value if index else " " + part.value  # the start of the string is a boundary
                    if _PY_PREFIX.search(text):
                        found.append(node.lineno)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if any(f'{mark}{prefix}' in node.value for mark in ('"#', 'id="') for prefix in ANCHOR_PREFIX_TEXT):
                found.append(node.lineno)
    return sorted(set(found))


def test_generated_anchors_are_made_by_the_one_anchor_function() -> None:
    """A page that spells "regimen-" itself drifts from the ids the checks reserve (P105) and from the diff's
    links, which all come from text.inline.anchor()."""
    found: dict[str, list[int]] = {}
    for path in sorted(GENERATOR.rglob("*.py")):
        relative = path.relative_to(GENERATOR).as_posix()
        lines = spelled_anchor_prefixes(path.read_text(encoding="utf-8"))
        if lines and relative != "text/inline.py":
            found[relative] = lines
    for path in sorted(TEMPLATES.glob("*.j2")):
        text = path.read_text(encoding="utf-8")
        lines = [number for number, line in enumerate(text.splitlines(), 1) if _TEMPLATE_PREFIX.search(line)]
        if lines:
            found[f"site_templates/{path.name}"] = lines
    assert found == {}


def test_the_anchor_prefix_finder_sees_every_spelling() -> None:
    source = (
        'a = f"dose-table-{regimen.id}"\n'
        "b = f'<li id=\"ref-{ref}\">'\n"
        "c = html.replace('href=\"#ref-', 'x')\n"
        'd = anchor("phase", phase.id)\n'
        'e = f"{prefix}phase-{x}"\n'  # "phase-" glued to another value is not a generated anchor's spelling
        'f = "the dose-card of a regimen"\n'
    )
    assert spelled_anchor_prefixes(source) == [1, 2, 3]
    for line in ('{{ heading(3, "regimen-" ~ regimen.id, regimen.heading) }}', '<li id="ref-{{ ref.id }}">',
                 '<a href="#dose-card-{{ id }}">', '<li id="{{ prefix }}ref-{{ ref.id }}">'):
        assert _TEMPLATE_PREFIX.search(line), line
    assert not _TEMPLATE_PREFIX.search('{{ heading(3, anchor("regimen", regimen.id), regimen.heading) }}')


def test_range_text_is_the_same_in_placeholders_diffs_and_check_messages(tmp_path: Path) -> None:
    from helpers import VERSION, write_library

    from generator.approvals.diff import format_value
    from generator.checks import CheckContext, run_checks
    from generator.load.library import load_library
    from generator.text.inline import render_placeholder

    text = VERSION.replace("{min: 0.1 mg/kg, max: 0.75 mg/kg}", "{min: 100 mcg/kg, max: 0.75 mg/kg}")
    text = text.replace("dose: 0.5 mg/kg", "dose: 0.9 mg/kg")
    assert text.count("100 mcg/kg") == 1
    library = load_library(write_library(tmp_path, {"ketamine-trd/1.0.yaml": text}))
    doc = library.protocols["ketamine-trd"].versions["1.0"].doc
    shown = "100 mcg/kg to 0.75 mg/kg"
    assert render_placeholder(doc, "ketamine-iv", "dose_range") == shown
    assert format_value(doc.regimens[0].dose_range) == shown
    messages = [d.message for d in run_checks(library, CheckContext(as_of=dt.date(2026, 6, 1)))]
    assert f"dose 0.9 mg/kg lies outside dose_range {shown}" in messages


PAGE_PATHS_HOME = "model/page_paths.py"
_PAGE_FOLDERS = ("protocols/", "handbooks/", "drugs/", "references/", "review/")


def _spells_a_page_path(text: str) -> bool:
    return text.startswith(_PAGE_FOLDERS) or text.endswith("index.md")


def spelled_page_paths(source: str) -> list[int]:
    """Lines of Python `source` that build or spell a page path by hand instead of calling model.page_paths:
    `f"protocols/{id}/index.md"`, `"drugs/" + id`, `folder + "/index.md"`, `page.endswith("/diff/index.md")`.
    A docstring's example and a glob pattern are left alone."""
    docstrings = {id(node.body[0].value) for node in nodes(source)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    found = []
    for node in nodes(source):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                and node.value.endswith("/index.md") and not any(c in node.value for c in "* ")):
            found.append(node.lineno)  # a page path's end, as in page.endswith("/diff-current/index.md")
        elif isinstance(node, ast.JoinedStr) and any(isinstance(v, ast.FormattedValue) for v in node.values):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            if _spells_a_page_path(text) and text.endswith(("/", ".md")):
                found.append(node.lineno)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
            parts = (node.left, node.right)
            if any(isinstance(p, ast.Constant) and isinstance(p.value, str) and _spells_a_page_path(p.value)
                   for p in parts):
                found.append(node.lineno)
    return sorted(set(found))


def test_page_paths_are_written_only_in_page_paths() -> None:
    """A page path spelled in a second module (the cross-reference resolver did) drifts from the pages
    render writes: a link that checks would lead nowhere."""
    found = {}
    for path in sorted(GENERATOR.rglob("*.py")):
        relative = path.relative_to(GENERATOR).as_posix()
        lines = spelled_page_paths(path.read_text(encoding="utf-8"))
        if lines and relative != PAGE_PATHS_HOME:
            found[relative] = lines
    assert found == {}
    assert spelled_page_paths((GENERATOR / PAGE_PATHS_HOME).read_text(encoding="utf-8")) != []


def test_the_page_path_finder_sees_every_spelling() -> None:
    source = (
        'a = f"protocols/{protocol_id}/{version}/index.md"\n'
        'b = "drugs/" + drug_id\n'
        'c = folder + "/index.md"\n'
        "d = 'handbooks/%s/' % handbook_id\n"
        'e = f"{protocol_folder(x)}print/index.md"\n'
        '"""A docstring names protocols/<id>/index.md."""\n'
        'f = ("protocols/*/*/index.md", "drugs/index.md")\n'
        'g = f"protocols {count}"\n'
        'h = f"protocols/{kind}.schema.json"\n'
        'if page.endswith("/diff-current/index.md"): pass\n'
        'def f():\n    """Shows protocols/x/1.0/index.md."""\n'
        'i = ("protocols/*/*/index.md", "index.md")\n'
    )
    assert spelled_page_paths(source) == [1, 2, 3, 4, 5, 7, 10]  # 7: "drugs/index.md", not the glob


def spelled_word_lists(source: str) -> list[int]:
    """Lines of Python `source` that join "a, b or c" themselves instead of calling text.inline.word_list:
    `", ".join(items[:-1])`, the comma join of all items but the last."""
    found = []
    for node in nodes(source):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join"
                and isinstance(node.func.value, ast.Constant) and node.func.value.value == ", "
                and node.args and isinstance(node.args[0], ast.Subscript)
                and isinstance(node.args[0].slice, ast.Slice) and node.args[0].slice.lower is None
                and ast.unparse(node.args[0].slice) == ":-1"):
            found.append(node.lineno)
    return sorted(found)


def test_a_b_or_c_is_joined_by_the_one_word_list() -> None:
    """Two joiners (one for placeholders and messages, one for pages) drift apart: "5 or 10 mg" in a
    message and "5 mg or 10 mg" on the page."""
    found = {}
    for path in sorted(GENERATOR.rglob("*.py")):
        relative = path.relative_to(GENERATOR).as_posix()
        lines = spelled_word_lists(path.read_text(encoding="utf-8"))
        if lines and relative != "text/inline.py":
            found[relative] = lines
    assert found == {}


def test_the_word_list_finder_sees_a_copy() -> None:
    source = (
        'a = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]\n'
        "b = f\"{', '.join(names[:-1])} and {names[-1]}\"\n"
        'c = ", ".join(items)\n'
        'd = ", ".join(items[1:])\n'
    )
    assert spelled_word_lists(source) == [1, 2]


LOOKUPS = {  # every command that names a protocol and a version, with the version 9.9 that does not exist
    "dose": ("dose", "{id}", "ketamine-iv", "--weight", "70", "--version", "9.9"),
    "diff": ("diff", "{id}", "1.0", "9.9"),
    "approve": ("approve", "{id}", "9.9", "--role", "pharmacist"),
    "withdraw": ("withdraw", "{id}", "9.9", "--role", "pharmacist"),
    "new --from": ("new", "{id}", "--from", "9.9"),
}


@pytest.mark.parametrize("command", sorted(LOOKUPS))
def test_every_command_names_a_missing_protocol_or_version_alike(tmp_path: Path, command: str) -> None:
    from helpers import run, write_library

    root = write_library(tmp_path)
    broken = write_library(tmp_path / "second", {"ketamine-trd/9.9.yaml": "id: [\n"})

    def error(library: Path, protocol_id: str) -> str:
        status, out, err = run(*(part.format(id=protocol_id) for part in LOOKUPS[command]), str(library))
        assert status == 2
        return json.loads(out)["error"] if command == "dose" else err.removeprefix("protocols: error: ").strip()

    assert error(root, "ketamine-trd") == "protocol ketamine-trd has no version 9.9 (versions: 1.0)"
    assert error(broken, "ketamine-trd") == (
        f"version 9.9 of ketamine-trd does not validate: run `protocols check {broken}`"
    )
    if command != "new --from":  # new: an unknown protocol is a new one, copied from nothing
        assert error(root, "nothing") == f'no protocol "nothing" in {root} (protocols: ketamine-trd)'


LOCAL_TIME = ("date.today(", "datetime.today(", "datetime.now()", "localtime(", "mktime(", "fromtimestamp(seconds)")


def test_no_module_reads_the_local_clock() -> None:
    """The build date is §4's (--as-of, SOURCE_DATE_EPOCH, today in UTC: build_date.py); the local clock's
    date differs from it for hours each day, and a version would change status at local midnight."""
    found = {}
    for path in sorted(GENERATOR.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = [number for number, line in enumerate(text.splitlines(), 1) if any(c in line for c in LOCAL_TIME)]
        if lines:
            found[path.relative_to(GENERATOR).as_posix()] = lines
    assert found == {}
    build_date = (GENERATOR / "model" / "build_date.py").read_text(encoding="utf-8")
    assert "dt.datetime.now(dt.UTC)" in build_date and "fromtimestamp(seconds, dt.UTC)" in build_date
