"""The end of the `protocols` process (`cli.run`): a read-only command ends without the interpreter's
teardown, and nothing of what the teardown would have done that matters is lost: the whole output (piped),
the exit status, exit handlers (logging's flush, TemporaryDirectory's finalizer) and threads still running."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import SAMPLE_LIBRARY, VERSION, run, snapshot, write_library
from site_pages import BuiltSite
from test_cli_conventions import subcommands

from generator import cli

MANY_ERRORS = 2000


def protocols(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`protocols ARGV` as a process of its own, through the program's entry point, its output piped."""
    return subprocess.run([sys.executable, "-m", "generator.cli", *argv], cwd=cwd, capture_output=True, text=True,
                          check=False)


def run_entry_point(tmp_path: Path, prelude: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """`cli.run()` with ARGV in a process that first runs `prelude` (which may use the name `folder`)."""
    script = "\n".join([
        "import sys", "from pathlib import Path", f"folder = Path({str(tmp_path)!r})", prelude,
        f"sys.argv = ['protocols', *{list(argv)!r}]", "from generator import cli", "cli.run()",
    ])
    return subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False)


def library_with_errors(root: Path, count: int) -> Path:
    body = "body: |\n      " + " ".join(f"See [@nope-{i}]." for i in range(count))
    return write_library(root, {"ketamine-trd/1.0.yaml": VERSION.replace("body: Monitor blood pressure.", body)})


def test_read_only_commands_write_no_file_and_serve_always_ends_normally() -> None:
    assert cli.READ_ONLY_COMMANDS == {"check", "dose", "diff", "status", "schema", "rules"}
    assert cli.NO_TEARDOWN_COMMANDS == cli.READ_ONLY_COMMANDS | {"build"}
    assert not cli.NO_TEARDOWN_COMMANDS & {"serve", "approve", "withdraw", "new"}
    assert set(subcommands(cli.make_parser())) == cli.NO_TEARDOWN_COMMANDS | {"serve", "approve", "withdraw", "new"}


def test_a_site_built_by_a_process_that_skips_its_teardown_is_byte_identical(
        built_sites: dict[str, BuiltSite], tmp_path: Path) -> None:
    out = tmp_path / "site"  # built_sites are built in-process as of 2026-06-01
    completed = protocols("build", "--as-of", "2026-06-01", "--out", str(out), str(SAMPLE_LIBRARY), cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert snapshot(out) == snapshot(built_sites["clinician"].root)


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_the_whole_output_of_a_failing_check_arrives_through_a_pipe(tmp_path: Path, output_format: str) -> None:
    library = library_with_errors(tmp_path, MANY_ERRORS)
    argv = ("check", "--as-of", "2026-06-01", "--format", output_format, "protocols")
    expected_status, expected_out, expected_err = run(*argv[:-1], str(library))
    completed = protocols(*argv, cwd=tmp_path)
    assert (completed.returncode, completed.stderr) == (expected_status, expected_err) == (1, "")
    assert len(completed.stdout) > 300_000  # several times a pipe's buffer and stdout's own
    assert completed.stdout == expected_out.replace(str(library), "protocols")
    if output_format == "json":
        assert len(json.loads(completed.stdout)["diagnostics"]) == MANY_ERRORS
    else:
        assert completed.stdout.endswith(f"\n{MANY_ERRORS} errors, 0 warnings in 5 files\n")


@pytest.mark.parametrize(("argv", "status"), [
    (("check", "--as-of", "2026-06-01"), 0),
    (("check", "no-such-folder"), 2),
    (("dose", "no-such-protocol", "iv", "--weight", "70"), 2),
    (("dose", "ketamine-trd", "ketamine-iv", "--weight", "70", "--version", "1.0"), 0),
    (("status", "--as-of", "2026-06-01"), 0),
])
def test_each_exit_status_and_its_output_are_those_of_main(tmp_path: Path, argv: tuple[str, ...], status: int) -> None:
    write_library(tmp_path)
    completed = protocols(*argv, cwd=tmp_path)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        assert (completed.returncode, completed.stdout, completed.stderr) == run(*argv)
    assert completed.returncode == status and completed.stdout + completed.stderr


TEARDOWN_WITNESS = """
class Witness:
    def __del__(self):
        sys.stderr.write("torn down\\n")
witness = Witness()
"""


def test_a_read_only_command_skips_the_teardown_and_any_other_command_keeps_it(tmp_path: Path) -> None:
    write_library(tmp_path)
    check = run_entry_point(tmp_path, TEARDOWN_WITNESS, "check", "--as-of", "2026-06-01")
    assert (check.returncode, check.stdout, check.stderr) == (0, "0 errors, 0 warnings in 5 files\n", "")
    usage = run_entry_point(tmp_path, TEARDOWN_WITNESS, "--version")
    assert usage.returncode == 2 and usage.stderr.endswith("torn down\n")


COLLECTOR_SEEN_BY_MAIN = """
import gc
from generator import cli
def main_reporting_the_collector():
    print("collector", gc.isenabled(), gc.get_threshold()[0], file=sys.stderr)
    return main()
main, cli.main = cli.main, main_reporting_the_collector
"""


def test_a_read_only_command_collects_no_cycles_and_any_other_collects_them_less_often(tmp_path: Path) -> None:
    write_library(tmp_path)
    check = run_entry_point(tmp_path, COLLECTOR_SEEN_BY_MAIN, "check", "--as-of", "2026-06-01")
    assert (check.returncode, check.stderr) == (0, "collector False 700\n")
    usage = run_entry_point(tmp_path, COLLECTOR_SEEN_BY_MAIN, "--version")
    assert usage.returncode == 2 and usage.stderr.startswith("collector True 100000\n")


EXIT_HANDLERS = """
import atexit, logging, logging.handlers, tempfile
temporary = tempfile.TemporaryDirectory(dir=folder)
(folder / "temporary.txt").write_text(temporary.name)
atexit.register(lambda: (folder / "atexit.txt").write_text("ran"))
held = logging.handlers.MemoryHandler(capacity=1000, target=logging.FileHandler(folder / "log.txt"))
logging.getLogger("witness").addHandler(held)
logging.getLogger("witness").warning("held until logging shuts down")
"""


def test_exit_handlers_run_before_a_read_only_command_ends(tmp_path: Path) -> None:
    write_library(tmp_path)
    completed = run_entry_point(tmp_path, EXIT_HANDLERS, "check", "--as-of", "2026-06-01")
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "atexit.txt").read_text() == "ran"
    assert (tmp_path / "log.txt").read_text() == "held until logging shuts down\n"
    assert not Path((tmp_path / "temporary.txt").read_text()).exists()  # TemporaryDirectory's finalizer ran


RUNNING_THREAD = """
import threading, time
from generator import cli
returned = threading.Event()
def finish():
    returned.wait()
    time.sleep(0.2)
    (folder / "thread.txt").write_text("finished")
def main_then_signal():
    status = main()
    returned.set()
    return status
main, cli.main = cli.main, main_then_signal
threading.Thread(target=finish).start()
"""


def test_a_thread_still_running_after_main_is_waited_for(tmp_path: Path) -> None:
    write_library(tmp_path)
    completed = run_entry_point(tmp_path, RUNNING_THREAD, "check", "--as-of", "2026-06-01")
    assert (completed.returncode, completed.stderr) == (0, "")
    assert (tmp_path / "thread.txt").read_text() == "finished"


def test_an_output_that_cannot_be_flushed_is_reported_as_the_interpreter_always_did(tmp_path: Path) -> None:
    library_with_errors(tmp_path, 10)
    closed_stdout = run_entry_point(tmp_path, "sys.stdout = open(folder / 'out.txt', 'w', buffering=1 << 20)\n"
                                    "import os; os.close(sys.stdout.fileno())", "check", "--as-of", "2026-06-01")
    assert closed_stdout.returncode == 120  # Python's own status when stdout cannot be flushed at exit
    assert "Exception ignored" in closed_stdout.stderr and "Bad file descriptor" in closed_stdout.stderr


def test_a_process_started_without_stdout_still_reports_its_usage_error(tmp_path: Path) -> None:
    write_library(tmp_path)
    completed = run_entry_point(tmp_path, "sys.stdout = None", "check", "no-such-folder")
    assert completed.returncode == 2
    assert completed.stderr == ("protocols: error: no protocols folder at no-such-folder: pass the folder holding "
                                "your protocols\n")


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_a_reader_that_closes_the_pipe_early_gets_no_traceback(tmp_path: Path, output_format: str) -> None:
    """`protocols check | head`: the reader takes the first bytes of about 390 KB and goes; the program ends
    quietly, with status 1, and says nothing on stderr."""
    library_with_errors(tmp_path, MANY_ERRORS)
    process = subprocess.Popen([sys.executable, "-m", "generator.cli", "check", "--as-of", "2026-06-01",
                                "--format", output_format, "protocols"], cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.read(64)
    process.stdout.close()
    error = process.stderr.read().decode()
    assert (len(first), process.wait(timeout=120), error) == (64, 1, "")
