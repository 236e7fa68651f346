"""`cli.make_parser` is built once per process (an lru_cache on a pure function): one run's arguments, outputs
and errors never reach the next run, and the parser holds no reference to a run's `out` or `err`."""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import types

from generator import cli


def reaches(start: object, target: object) -> bool:
    """Whether `target` is among the objects `start` refers to, directly or through containers, actions and
    parsers (not through functions, modules or classes, which lead to every global of the process)."""
    seen: set[int] = set()
    todo = [start]
    while todo:
        item = todo.pop()
        if item is target:
            return True
        if id(item) in seen or isinstance(item, (types.FunctionType, types.ModuleType, type)):
            continue
        seen.add(id(item))
        todo.extend(gc.get_referents(item))
    return False


def test_the_parser_is_built_once_per_process() -> None:
    assert cli.make_parser() is cli.make_parser()


def test_the_arguments_of_one_run_do_not_reach_the_next() -> None:
    parser = cli.make_parser()
    first = cli.parse_arguments(parser, ["check", "--strict", "--format", "json", "--as-of", "2026-06-01", "lib"])
    second = cli.parse_arguments(parser, ["check"])
    assert (first.strict, first.format, first.as_of, first.dir) == (True, "json", "2026-06-01", "lib")
    assert (second.strict, second.format, second.as_of, second.dir) == (False, "text", None, "protocols")
    assert first is not second and vars(first)["strict"] is True  # the first run's Namespace is untouched


def test_two_mains_write_each_to_its_own_outputs() -> None:
    drugs, version = io.StringIO(), io.StringIO()
    assert cli.main(["schema", "--file", "drugs"], out=drugs) == 0
    drugs_text = drugs.getvalue()
    assert cli.main(["schema"], out=version) == 0
    assert drugs.getvalue() == drugs_text  # the second run wrote nothing to the first run's output
    assert json.loads(drugs_text) != json.loads(version.getvalue())
    assert json.loads(version.getvalue()) == json.loads(_fresh_main(["schema"]))


def test_usage_errors_and_help_go_to_the_streams_of_their_own_run() -> None:
    first_err, second_err, help_out = io.StringIO(), io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(first_err):
        assert cli.main(["check", "--no-such-option"]) == 2
    with contextlib.redirect_stderr(second_err):
        assert cli.main(["dose"]) == 2
    with contextlib.redirect_stdout(help_out):
        assert cli.main(["check", "--help"]) == 0
    assert "unrecognized arguments: --no-such-option" in first_err.getvalue()
    assert "unrecognized" not in second_err.getvalue()
    assert "the following arguments are required: ID, REGIMEN" in second_err.getvalue()
    assert help_out.getvalue().startswith("usage: protocols check ")
    assert "--no-such-option" not in help_out.getvalue()


def test_the_parser_keeps_no_reference_to_a_runs_out_or_err() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["schema", "--file", "policy"], out=out, err=err) == 0
    assert cli.main(["dose", "no-such-protocol", "x", "--weight", "70", "/nonexistent-folder"], out=out, err=err) == 2
    assert err.getvalue().startswith("protocols: error: ")  # both streams were used by the runs
    assert not reaches(cli.make_parser(), out)
    assert not reaches(cli.make_parser(), err)
    # the walk does reach into the subcommands' actions
    commands = next(a for a in cli.make_parser()._actions if isinstance(a, argparse._SubParsersAction))
    strict = next(a for a in commands.choices["check"]._actions if a.dest == "strict")
    assert reaches(cli.make_parser(), strict)


def _fresh_main(argv: list[str]) -> str:
    """What `main` prints with a parser built for this run alone (the cache bypassed)."""
    out = io.StringIO()
    args = cli.parse_arguments(cli.make_parser.__wrapped__(), argv)
    assert isinstance(args, argparse.Namespace)
    assert args.handler(args, out) == 0
    return out.getvalue()
