"""The `protocols` command (§7): a thin driver over functions a test can call.

Exit status: 0 success, 1 check errors, 2 usage or input errors.
"""

from __future__ import annotations

import argparse
import atexit
import functools
import gc
import json
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import NoReturn, TextIO

# The generator's own modules (pydantic, markdown-it, cryptography: about 0.2 s) are imported by `main`, not
# here: `run` paces the collector first, and at the default pace it walks the importing modules' objects
# again and again (about 10 ms CPU of every `protocols check`).


def cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    from generator.commands import shared
    from generator.model.schema import file_json_schema

    out.write(json.dumps(file_json_schema(args.file), indent=2, ensure_ascii=False) + "\n")
    return shared.EXIT_OK


def _lazy(module: str, name: str) -> Callable[[argparse.Namespace, TextIO], int]:
    """Commands whose modules pull in heavy dependencies (MkDocs; pydantic and markdown-it for check) are
    imported only when run."""

    def run(args: argparse.Namespace, out: TextIO) -> int:
        import importlib

        return int(getattr(importlib.import_module(module), name)(args, out))

    return run


DEFAULT_DIR = "protocols"
DIR_HELP = "the protocols folder (default: protocols)"
AS_OF_HELP = "the date to judge versions on, YYYY-MM-DD (default: SOURCE_DATE_EPOCH, else today)"


def _add_dir(command: argparse.ArgumentParser, deprecated_option: bool = False) -> None:
    """The protocols folder, the same way for every command: an optional last positional.

    `--dir` was the spelling of diff, approve, withdraw and new before the folder was positional; it is kept
    as a hidden alias so existing scripts keep working.
    """
    command.add_argument("dir", nargs="?", default=None, metavar="DIR", help=DIR_HELP)
    if deprecated_option:
        command.add_argument("--dir", dest="dir_option", default=None, metavar="DIR", help=argparse.SUPPRESS)


def _add_format(command: argparse.ArgumentParser, choices: tuple[str, ...] = ("text", "json"),
                default: str = "text") -> None:
    what = " or ".join(choices)
    command.add_argument("--format", choices=choices, default=default,
                         help=f"print the results as {what} (default: {default})")


@functools.lru_cache(maxsize=1)
def make_parser() -> argparse.ArgumentParser:
    """The command line, built once per process (argparse and its gettext cost about 2.7 ms a build, most of
    a small in-process `main`). Nothing mutates it after this: parsing fills a new Namespace each time and
    argparse writes usage and errors to the sys.stdout/sys.stderr of the moment, so it holds no run's state."""
    parser = argparse.ArgumentParser(prog="protocols", description="Check clinical protocols and build their site.",
                                     epilog="Every command that reads protocols takes the folder as its last "
                                            "argument DIR (default: protocols). `protocols COMMAND --help` tells "
                                            "more.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     help="one of the commands below")

    def add(name: str, handler: Callable[[argparse.Namespace, TextIO], int], help_text: str) -> argparse.ArgumentParser:
        command = commands.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(handler=handler)
        return command

    check = add("check", _lazy("generator.commands.check", "cmd_check"), "check every rule over a protocols folder")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    _add_format(check)
    check.add_argument("--as-of", metavar="DATE", help=AS_OF_HELP)
    check.add_argument("--reviewer", action="store_true",
                       help="check as for the reviewer site, drafts and versions in review included")
    _add_dir(check)

    build = add("build", _lazy("generator.commands.build", "cmd_build"), "check, then build the site")
    build.add_argument("--reviewer", action="store_true", help="build the reviewer site (default out: site-review/)")
    build.add_argument("--as-of", metavar="DATE", help=AS_OF_HELP)
    build.add_argument("--out", metavar="DIR", help="output folder (default: site/ or site-review/)")
    build.add_argument("--timings", action="store_true", help="print the time of each stage and peak memory")
    _add_dir(build)

    serve = add("serve", _lazy("generator.commands.serve", "cmd_serve"),
                "live-reloading preview for authors: the reviewer site, drafts included")
    audience = serve.add_mutually_exclusive_group()
    audience.add_argument("--clinician", action="store_true",
                          help="preview exactly the clinician site instead: no drafts, no versions in review")
    audience.add_argument("--reviewer", action="store_true",
                          help="accepted for older scripts; does nothing, the reviewer site is the default")
    serve.add_argument("--as-of", metavar="DATE", help=AS_OF_HELP)
    serve.add_argument("--dev-addr", metavar="IP:PORT", default="127.0.0.1:8000",
                       help="the address to serve on (default: 127.0.0.1:8000)")
    _add_dir(serve)

    dose = add("dose", _lazy("generator.commands.dose", "cmd_dose"), "one dose as JSON")
    dose.add_argument("id", metavar="ID", help="the protocol id, e.g. ketamine-trd")
    dose.add_argument("regimen", metavar="REGIMEN", help="the regimen id within the protocol, e.g. ketamine-iv")
    dose.add_argument("--weight", metavar="W", help="the patient's weight, e.g. 70.5")
    dose.add_argument("--unit", choices=("kg", "lb"), default="kg", help="the unit of --weight (default: kg)")
    dose.add_argument("--version", metavar="V",
                      help="a version of the protocol, drafts included (default: the version in use on --as-of)")
    dose.add_argument("--spec", action="store_true", help="print the regimen's calculator spec instead")
    dose.add_argument("--as-of", metavar="DATE", help=AS_OF_HELP)
    _add_format(dose, choices=("json",), default="json")
    _add_dir(dose)

    diff = add("diff", _lazy("generator.commands.version_lifecycle", "cmd_diff"), "what changed between two versions")
    diff.add_argument("id", metavar="ID", help="the protocol id")
    diff.add_argument("v1", metavar="V1", help='the older version, e.g. "1.0"')
    diff.add_argument("v2", metavar="V2", help='the newer version, e.g. "1.1"')
    _add_format(diff)
    _add_dir(diff, deprecated_option=True)

    approve = add("approve", _lazy("generator.commands.version_lifecycle", "cmd_approve"),
                  "sign off a version with your SSH key and append the sign-off to its approvals.yaml")
    withdraw = add("withdraw", _lazy("generator.commands.version_lifecycle", "cmd_withdraw"),
                   "append a signed withdrawal of your sign-off of a version")
    for command in (approve, withdraw):
        command.add_argument("id", metavar="ID", help="the protocol id")
        command.add_argument("version", metavar="VERSION", help='the version, e.g. "1.1"')
        command.add_argument("--role", required=True, metavar="ROLE",
                             help="the role you sign in: one the register (policy.yaml reviewers) gives you")
        command.add_argument("--key", metavar="FILE",
                             help="your SSH key: a private key file, or a public key file whose private half is "
                                  "in ssh-agent (default: the key of ssh-agent or ~/.ssh/id_*.pub that the register "
                                  "lists)")
        command.add_argument("--date", metavar="DATE", help="the date of the sign-off, YYYY-MM-DD (default: today)")
        _add_dir(command, deprecated_option=True)

    new = add("new", _lazy("generator.commands.version_lifecycle", "cmd_new"),
              "start the next draft version, or a new protocol at 1.0")
    new.add_argument("id", metavar="ID", help="the protocol id (a new id starts a new protocol)")
    new.add_argument("--from", dest="from_version", metavar="VERSION",
                     help="copy this version instead of the latest")
    _add_dir(new, deprecated_option=True)

    status = add("status", _lazy("generator.commands.status", "cmd_status"),
                 "what is waiting: versions in use, drafts and what they need, reviews due, upcoming versions")
    status.add_argument("--as-of", metavar="DATE", help=AS_OF_HELP)
    _add_format(status)
    _add_dir(status)

    schema = add("schema", cmd_schema, "print the JSON Schema of one file type (kept in protocols/_schema/)")
    schema.add_argument("--file", default="version", metavar="TYPE",
                        choices=["version", "references", "drugs", "policy", "handbooks", "approvals"],
                        help="version, references, drugs, policy, handbooks or approvals (default: version)")
    add("rules", _lazy("generator.rule_docs", "cmd_rules"), "print every rule code with an example, as Markdown")
    return parser


def _folder(parser: argparse.ArgumentParser, args: argparse.Namespace, extra: list[str]) -> list[str]:
    """Settle `args.dir` from the positional DIR, a trailing DIR or the hidden `--dir`; the arguments left over.

    argparse fills an optional positional before it sees the options that follow the other positionals, so
    in `protocols dose ID REGIMEN --weight 70 DIR` the DIR comes back among the unrecognized arguments.
    """
    given = [folder for folder in (args.dir, getattr(args, "dir_option", None)) if folder is not None]
    if args.dir is None and len(extra) > 1 and extra[0] == "--":  # `-- DIR`, for a folder named like an option
        extra = extra[1:]
        given.insert(0, extra.pop(0))
    elif args.dir is None and extra and not extra[0].startswith("-"):
        given.insert(0, extra[0])
        extra = extra[1:]
    if "" in given:
        parser.error("DIR is empty: name the protocols folder (default: protocols)")
    if len(set(given)) > 1:
        parser.error(f"the protocols folder is given twice ({given[0]} and {given[1]}): give DIR once")
    args.dir = given[0] if given else DEFAULT_DIR
    return extra


def parse_arguments(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """`parse_args`, except that a trailing DIR after options is read as DIR (see `_folder`)."""
    args, extra = parser.parse_known_args(argv)
    if hasattr(args, "dir"):
        extra = _folder(parser, args, extra)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    from generator.commands import shared
    from generator.load.library import NotInLibrary

    out = out or sys.stdout
    err = err or sys.stderr
    parser = make_parser()
    try:
        args = parse_arguments(parser, argv)
    except SystemExit as exit_:
        return shared.EXIT_USAGE if exit_.code else shared.EXIT_OK
    try:
        return args.handler(args, out)
    except (shared.UsageError, NotInLibrary) as error:
        err.write(f"protocols: error: {shared.one_line(str(error))}\n")
        return shared.EXIT_USAGE
    except KeyboardInterrupt:
        return 130


# The commands that only read files and print: each ends with its process, which collects no reference cycles.
READ_ONLY_COMMANDS = frozenset({"check", "dose", "diff", "status", "schema", "rules"})
# The commands whose process ends without the interpreter's teardown (`_end_without_teardown`): the read-only
# ones, and build, whose every file is written and closed when `main` returns. Never serve, nor the commands
# that sign or write protocol files (approve, withdraw, new), where the teardown is small beside the wait.
NO_TEARDOWN_COMMANDS = READ_ONLY_COMMANDS | {"build"}


def run() -> None:
    """The `protocols` program: `main` in a process of its own (the console script and `python -m`).

    The process-wide choices are made here, at the entry point, never inside the pipeline (tests and other
    programs call `main`, which leaves the process alone):
    - The collector's pace. A library is hundreds of thousands of small long-lived objects with few reference
      cycles, and at the default pace (a young-generation collection every 700 allocations) the collector
      walks them again and again, about 7% of `protocols check` at N = 300; cycles are collected less often.
      A read-only command ends with its process and collects none (about 6,000 objects in cycles at
      N = 300, a few hundred KB; the walks cost 2.5% of check).
    - The end of the process: see `_end_without_teardown`.
    """
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command in READ_ONLY_COMMANDS:
        gc.disable()
    else:
        gc.set_threshold(100_000, 50, 100)
    try:
        status = main()
        if command in NO_TEARDOWN_COMMANDS:
            _end_without_teardown(status)
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        _reader_went_away()
    sys.exit(status)


def _reader_went_away() -> NoReturn:
    """Standard output's reader closed the pipe (`protocols check | head`): what is left to print goes nowhere
    and the process ends with status 1, without a traceback (Python's documentation, "Note on SIGPIPE")."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(1)


def _end_without_teardown(status: int) -> None:
    """End the process at once, as mypy does: the interpreter's teardown frees the library object by object,
    0.2 to 0.25 s CPU at N = 300 (8% of check; 0.24 s of a build at N = 100). What the teardown would do that
    matters runs first: the exit handlers (logging's flush and close, weakref finalizers such as
    TemporaryDirectory's), then the flush of stdout and stderr. A thread still running, or a stream that
    cannot be flushed (a closed pipe), returns instead, to the interpreter's own exit, which waits for the
    thread or reports the stream as always."""
    if threading.active_count() > 1:
        return
    atexit._run_exitfuncs()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None when the process started without it
                stream.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError):
        return
    os._exit(status)


if __name__ == "__main__":
    run()
