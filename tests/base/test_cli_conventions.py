"""One command line: the protocols folder is the last positional DIR of every command (default `protocols`),
every option and argument has a help text, and `--format` is taken wherever a command prints results."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest
from helpers import VERSION, run, write_library

from generator import cli

FOLDER_COMMANDS = {
    # command -> arguments before DIR, with an option placed after the positionals so that DIR trails it
    "check": ["--strict"],
    "build": ["--as-of", "2026-06-01"],
    "serve": ["--as-of", "2026-06-01"],
    "dose": ["ketamine-trd", "ketamine-iv", "--weight", "70"],
    "diff": ["ketamine-trd", "1.0", "1.1", "--format", "json"],
    "approve": ["ketamine-trd", "1.0", "--role", "pharmacist"],
    "withdraw": ["ketamine-trd", "1.0", "--role", "pharmacist"],
    "new": ["ketamine-trd", "--from", "1.0"],
    "status": ["--format", "json"],
}
FORMAT_COMMANDS = {"check": ("text", "json"), "diff": ("text", "json"), "dose": ("json",), "status": ("text", "json")}


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(actions[0].choices) if actions else {}


def undocumented(parser: argparse.ArgumentParser) -> list[str]:
    """Options and arguments of `parser` (hidden ones aside) whose help text is missing or blank."""
    return [
        "/".join(action.option_strings) or str(action.metavar or action.dest)
        for action in parser._actions
        if action.help != argparse.SUPPRESS and not (action.help or "").strip()
    ]


def test_every_option_and_argument_has_a_help_text() -> None:
    parser = cli.make_parser()
    commands = subcommands(parser)
    assert set(FOLDER_COMMANDS) | {"schema", "rules"} == set(commands)
    missing = {name: undocumented(p) for name, p in {"protocols": parser, **commands}.items() if undocumented(p)}
    assert missing == {}
    assert all((commands[name].description or "").strip() for name in commands)


def test_the_walker_finds_an_undocumented_option() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documented", help="yes")
    parser.add_argument("--bare")
    parser.add_argument("--blank", help="  ")
    parser.add_argument("--hidden", help=argparse.SUPPRESS)
    parser.add_argument("thing")
    assert undocumented(parser) == ["--bare", "--blank", "thing"]


@pytest.mark.parametrize("command", [None, *FOLDER_COMMANDS, "schema", "rules"])
def test_help_prints_and_exits_0(command: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [command, "--help"] if command else ["--help"]
    assert cli.main(argv) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"usage: protocols {command or ''}".rstrip())
    assert "--dir" not in text  # the old spelling works but is not advertised
    if command in FOLDER_COMMANDS:
        assert re.search(r"\n  DIR +the protocols folder \(default: protocols\)\n", text)


@pytest.mark.parametrize("command", FOLDER_COMMANDS)
def test_dir_is_the_last_positional_of_every_folder_command(command: str) -> None:
    positionals = [a for a in subcommands(cli.make_parser())[command]._actions if not a.option_strings]
    assert (positionals[-1].dest, positionals[-1].nargs, positionals[-1].metavar) == ("dir", "?", "DIR")


@pytest.mark.parametrize("command", FOLDER_COMMANDS)
@pytest.mark.parametrize("where", ["last", "before options"])
def test_every_command_reads_dir_the_same_way(tmp_path: Path, command: str, where: str) -> None:
    """A folder that does not exist gives the same usage error from every command, wherever DIR stands after
    the other positionals: proof that DIR was read as the folder and not as something else."""
    missing = tmp_path / "no-such-folder"
    arguments = FOLDER_COMMANDS[command]
    if where == "last":
        argv = [command, *arguments, str(missing)]
    else:
        count = {"dose": 2, "diff": 3, "approve": 2, "withdraw": 2, "new": 1}.get(command, 0)
        argv = [command, *arguments[:count], str(missing), *arguments[count:]]
    status, out, err = run(*argv)
    assert status == 2
    assert err == f"protocols: error: no protocols folder at {missing}: pass the folder holding your protocols\n"
    assert out in ("", json.dumps({"error": err.removeprefix("protocols: error: ").rstrip()}) + "\n")


def test_the_default_folder_is_protocols_in_the_current_folder(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    write_library(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert cli.parse_arguments(cli.make_parser(), ["new", "x"]).dir == "protocols"
    status, out, _ = run("status", "--as-of", "2026-06-01")
    assert (status, out.splitlines()[0]) == (0, "status of protocols on 2026-06-01")
    assert run("diff", "ketamine-trd", "1.0", "1.0")[:2] == (0, "ketamine-trd 1.0 -> 1.0\n\nDosing changes: none\n\n"
                                                               "Text changes: none\n\nReferences added: none\n"
                                                               "References removed: none\n")


def test_the_old_dir_option_still_works_but_not_twice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_library(tmp_path)
    assert run("diff", "ketamine-trd", "1.0", "1.0", "--dir", str(root))[0] == 0
    assert run("diff", "ketamine-trd", "1.0", "1.0", str(root), "--dir", str(root))[0] == 0  # the same folder
    assert run("new", "ketamine-trd", "elsewhere", "--dir", str(root)) == (2, "", "")
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"protocols: error: the protocols folder is given twice (elsewhere and {root}): give DIR once")
    assert not (root / "ketamine-trd" / "1.1.yaml").exists()


def test_a_second_trailing_word_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_library(tmp_path)
    assert run("status", "--as-of", "2026-06-01", str(root), "extra")[:2] == (2, "")
    assert run("dose", "ketamine-trd", "ketamine-iv", "--weight", "70", str(root), "extra")[:2] == (2, "")
    errors = capsys.readouterr().err.splitlines()
    assert [line for line in errors if "error" in line] == ["protocols: error: unrecognized arguments: extra"] * 2


@pytest.mark.parametrize(("command", "choices"), FORMAT_COMMANDS.items())
def test_format_is_offered_where_results_are_printed(command: str, choices: tuple[str, ...]) -> None:
    action = next(a for a in subcommands(cli.make_parser())[command]._actions if "--format" in a.option_strings)
    assert tuple(action.choices) == choices


def test_diff_as_json(tmp_path: Path) -> None:
    later = VERSION.replace('version: "1.0"', 'version: "1.1"').replace("changes: []", "changes: [ketamine-iv dose]")
    later = later.replace("dose: 0.5 mg/kg", "dose: 0.6 mg/kg").replace("Monitor blood", "Check blood")
    root = write_library(tmp_path, {"ketamine-trd/1.1.yaml": later})
    status, out, err = run("diff", "ketamine-trd", "1.0", "1.1", "--format", "json", str(root))
    assert (status, err) == (0, "")
    assert json.loads(out) == {
        "protocol": "ketamine-trd",
        "old_version": "1.0",
        "new_version": "1.1",
        "dose_changes": [{"kind": "regimen", "id": "ketamine-iv", "field": "dose", "change": "changed",
                          "old": "0.5 mg/kg", "new": "0.6 mg/kg"}],
        "text_changes": [{"field": "sections.safety.body", "label": "section safety: body",
                          "ops": [["delete", "Monitor"], ["insert", "Check"], ["equal", " blood pressure."]]}],
        "references_added": [],
        "references_removed": [],
    }


def test_dose_accepts_format_json_and_refuses_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_library(tmp_path)
    plain = run("dose", "ketamine-trd", "ketamine-iv", "--weight", "70", "--version", "1.0", str(root))
    as_json = run("dose", "ketamine-trd", "ketamine-iv", "--weight", "70", "--version", "1.0", "--format", "json",
                  str(root))
    assert as_json == plain
    assert json.loads(plain[1])["dose"] == {"value": "35", "unit": "mg"}
    assert run("dose", "ketamine-trd", "ketamine-iv", "--weight", "70", "--format", "text", str(root))[0] == 2
    assert "invalid choice: 'text' (choose from 'json')" in capsys.readouterr().err


README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_the_readme_command_table_names_every_command_and_every_option() -> None:
    table = README.split("## Commands\n", 1)[1].split("\n## ", 1)[0]
    rows = {line.split("`")[1].split()[1]: line for line in table.splitlines() if line.startswith("| `protocols ")}
    for name, command in subcommands(cli.make_parser()).items():
        if name in ("schema", "rules"):
            continue
        row = rows[name]
        assert row.split("`")[1].endswith("[DIR]"), name
        if name == "serve":  # its options belong to the preview's own section of the README
            continue
        for action in command._actions:
            if action.help == argparse.SUPPRESS or "-h" in action.option_strings:
                continue
            assert (action.option_strings or [str(action.metavar)])[-1] in row, (name, action.dest)


def test_the_readme_status_example_is_what_status_prints() -> None:
    example = README.split("`protocols status` on the sample library:\n\n```\n", 1)[1].split("```", 1)[0]
    out = run("status", "--as-of", "2026-11-30", str(Path(__file__).resolve().parents[2] / "protocols"))[1]
    assert example in out


@pytest.mark.parametrize("command", FOLDER_COMMANDS)
def test_an_empty_dir_is_a_usage_error_not_the_current_folder(command: str, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    write_library(tmp_path)
    monkeypatch.chdir(tmp_path / "protocols")  # a library right here: "" must not quietly mean it
    assert run(command, *FOLDER_COMMANDS[command], "")[:2] == (2, "")
    assert capsys.readouterr().err.splitlines()[-1] == (
        "protocols: error: DIR is empty: name the protocols folder (default: protocols)")


@pytest.mark.parametrize("argv", [
    ["status", "--", "-odd"],
    ["new", "ketamine-trd", "--", "-odd"],
    ["dose", "ketamine-trd", "ketamine-iv", "--weight", "70", "--version", "1.0", "--", "-odd"],
])
def test_a_folder_named_like_an_option_after_double_dash(argv: list[str], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_library(tmp_path)
    (tmp_path / "protocols").rename(tmp_path / "-odd")
    status, out, err = run(*argv)
    assert (status, err) == (0, ""), err
    assert out


def test_a_folder_name_with_a_line_break_is_one_line(tmp_path: Path) -> None:
    assert run("status", "a\nb\u202e") == (
        2, "", "protocols: error: no protocols folder at a\\u000Ab\\u202E: pass the folder holding your protocols\n")
