"""`protocols check` (§7): every rule over a protocols folder, reported as text or JSON.

Exit status 1 when there are errors (or warnings, with --strict); usage errors are raised for the CLI.
"""

from __future__ import annotations

import argparse
from typing import TextIO

from generator.commands.shared import EXIT_ERRORS, EXIT_OK, build_date, check_library, failed, open_library, report


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    library = open_library(args.dir)
    diagnostics = check_library(library, build_date(args.as_of), args.reviewer)
    report(diagnostics, library.file_count, args.format, out)
    return EXIT_ERRORS if failed(diagnostics, args.strict) else EXIT_OK
