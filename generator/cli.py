"""The `protocols` command (§7): a thin driver over functions a test can call.

Exit status: 0 success, 1 check errors, 2 usage or input errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from generator import build_date as dates
from generator.checks import CheckContext, run_checks
from generator.diagnostics import Diagnostic, excerpt, summary_line
from generator.library import Library, LibraryNotFound, load_library

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad input from the command line: printed as one line, exit 2."""


def one_line(text: str) -> str:
    """A usage error as one visible line: line breaks and other invisible characters (from a typed weight or
    path) written as escapes, as diagnostics.excerpt writes them."""
    return excerpt(text, limit=len(text), quoted=False)


def build_date(as_of: str | None, environ: Mapping[str, str] | None = None) -> dt.date:
    """--as-of, else SOURCE_DATE_EPOCH, else today in UTC (§4; generator/build_date.py); UsageError if unusable."""
    try:
        return dates.build_date(as_of, environ)
    except dates.BuildDateError as error:
        raise UsageError(str(error)) from None


def open_library(directory: str) -> Library:
    try:
        return load_library(Path(directory), directory.rstrip("/") or directory)
    except LibraryNotFound:
        raise UsageError(f"no protocols folder at {directory}: pass the folder holding your protocols") from None


def check_library(library: Library, as_of: dt.date, reviewer: bool = False) -> list[Diagnostic]:
    return run_checks(library, CheckContext(as_of=as_of, reviewer=reviewer))


def report(diagnostics: list[Diagnostic], file_count: int, fmt: str, out: TextIO) -> None:
    if fmt == "json":
        errors = sum(1 for d in diagnostics if d.is_error)
        payload = {
            "diagnostics": [d.to_json() for d in diagnostics],
            "summary": {"errors": errors, "warnings": len(diagnostics) - errors, "files": file_count},
        }
        out.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return
    for diagnostic in diagnostics:
        out.write(diagnostic.format_text() + "\n")
    out.write(summary_line(diagnostics, file_count) + "\n")


def failed(diagnostics: list[Diagnostic], strict: bool) -> bool:
    return any(d.is_error or strict for d in diagnostics)


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    library = open_library(args.dir)
    diagnostics = check_library(library, build_date(args.as_of), args.reviewer)
    report(diagnostics, library.file_count, args.format, out)
    return EXIT_ERRORS if failed(diagnostics, args.strict) else EXIT_OK


def cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    from generator.schema import version_json_schema

    out.write(json.dumps(version_json_schema(), indent=2, ensure_ascii=False) + "\n")
    return EXIT_OK


def _lazy(module: str, name: str) -> Callable[[argparse.Namespace, TextIO], int]:
    """Commands whose modules pull in heavy dependencies (MkDocs) are imported only when run."""

    def run(args: argparse.Namespace, out: TextIO) -> int:
        import importlib

        return int(getattr(importlib.import_module(module), name)(args, out))

    return run


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="protocols", description="Check clinical protocols and build their site.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Callable[[argparse.Namespace, TextIO], int], help_text: str) -> argparse.ArgumentParser:
        command = commands.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(handler=handler)
        return command

    def add_dir(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "dir", nargs="?", default="protocols", metavar="DIR", help="the protocols folder (default: protocols)"
        )

    check = add("check", cmd_check, "check every rule over a protocols folder")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--as-of", metavar="DATE", help="the build date, YYYY-MM-DD")
    check.add_argument("--reviewer", action="store_true", help="check for the reviewer site")
    add_dir(check)

    build = add("build", _lazy("generator.commands.build", "cmd_build"), "check, then build the site")
    build.add_argument("--reviewer", action="store_true", help="build the reviewer site (default out: site-review/)")
    build.add_argument("--as-of", metavar="DATE", help="the build date, YYYY-MM-DD")
    build.add_argument("--out", metavar="DIR", help="output folder (default: site/ or site-review/)")
    build.add_argument("--timings", action="store_true", help="print the time of each stage and peak memory")
    add_dir(build)

    serve = add("serve", _lazy("generator.commands.serve", "cmd_serve"),
                "live-reloading preview for authors: the reviewer site, drafts included")
    audience = serve.add_mutually_exclusive_group()
    audience.add_argument("--clinician", action="store_true",
                          help="preview exactly the clinician site instead: no drafts, no versions in review")
    audience.add_argument("--reviewer", action="store_true",
                          help="accepted for older scripts; does nothing, the reviewer site is the default")
    serve.add_argument("--as-of", metavar="DATE", help="the build date, YYYY-MM-DD (default: today)")
    serve.add_argument("--dev-addr", metavar="IP:PORT", default="127.0.0.1:8000",
                       help="the address to serve on (default: 127.0.0.1:8000)")
    add_dir(serve)

    dose = add("dose", _lazy("generator.commands.dose", "cmd_dose"), "one dose as JSON")
    dose.add_argument("id", metavar="ID")
    dose.add_argument("regimen", metavar="REGIMEN")
    dose.add_argument("--weight", metavar="W")
    dose.add_argument("--unit", choices=("kg", "lb"), default="kg")
    dose.add_argument("--version", metavar="V")
    dose.add_argument("--spec", action="store_true", help="print the regimen's calculator spec instead")
    dose.add_argument("--as-of", metavar="DATE")
    add_dir(dose)

    diff = add("diff", _lazy("generator.commands.versions", "cmd_diff"), "what changed between two versions")
    diff.add_argument("id", metavar="ID")
    diff.add_argument("v1", metavar="V1")
    diff.add_argument("v2", metavar="V2")
    diff.add_argument("--dir", default="protocols", metavar="DIR")

    approve = add("approve", _lazy("generator.commands.versions", "cmd_approve"),
                  "sign off a version with your SSH key and append the sign-off to its approvals.yaml")
    withdraw = add("withdraw", _lazy("generator.commands.versions", "cmd_withdraw"),
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
        command.add_argument("--dir", default="protocols", metavar="DIR",
                             help="the protocols folder (default: protocols)")

    new = add("new", _lazy("generator.commands.versions", "cmd_new"),
              "start the next draft version, or a new protocol at 1.0")
    new.add_argument("id", metavar="ID", help="the protocol id (a new id starts a new protocol)")
    new.add_argument("--from", dest="from_version", metavar="VERSION",
                     help="copy this version instead of the latest")
    new.add_argument("--dir", default="protocols", metavar="DIR", help="the protocols folder (default: protocols)")

    add("schema", cmd_schema, "print the JSON Schema of a version file")
    add("rules", _lazy("generator.rule_docs", "cmd_rules"), "print every rule code with an example, as Markdown")
    return parser


def parse_arguments(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """`parse_args`, except that a trailing DIR after options is read as DIR.

    argparse fills an optional positional before it sees the options that follow the other
    positionals, so `protocols dose ID REGIMEN --weight 70 DIR` would leave DIR unrecognized.
    """
    args, extra = parser.parse_known_args(argv)
    trailing_dir = args.command == "dose" and args.dir == "protocols"
    if trailing_dir and len(extra) == 1 and not extra[0].startswith("-"):
        args.dir = extra[0]
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = make_parser()
    try:
        args = parse_arguments(parser, argv)
    except SystemExit as exit_:
        return EXIT_USAGE if exit_.code else EXIT_OK
    try:
        return args.handler(args, out)
    except UsageError as error:
        err.write(f"protocols: error: {one_line(str(error))}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
