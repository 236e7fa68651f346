#!/usr/bin/env python3
"""Re-sign every approval of the SAMPLE library from its current content (`make sample-approvals`).

For each protocol with an approvals.yaml, the ledger is rebuilt: its comment header is kept, and each
entry (version, reviewer, role, date, withdrawn) is signed again, in the same order, with
`protocols approve` or `protocols withdraw` and the reviewer's SAMPLE-ONLY key of tests/sample_keys/,
so the fingerprints and signatures match the content as it is now. Only for the sample library: a
real ledger is append-only and never rewritten.

If a command refuses (a version with check errors, a reviewer without a sample key), the ledger is
restored as it was and the script stops with exit 1.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.approvals.register import name_key  # noqa: E402
from generator.cli import main as protocols  # noqa: E402

KEYS = ROOT / "tests" / "sample_keys"


def key_name(reviewer: str) -> str:
    """ "Dr Aoife Sample" -> "SAMPLE-ONLY-aoife-sample"."""
    words = [word for word in name_key(reviewer).split() if word not in ("dr", "dr.")]
    return "SAMPLE-ONLY-" + "-".join(words)


def private_keys(folder: Path) -> dict[str, Path]:
    """Copies of the sample private keys with mode 0600 (ssh-keygen refuses readable ones)."""
    copies = {}
    for key in sorted(KEYS.glob("SAMPLE-ONLY-*")):
        if key.suffix:
            continue
        copy = folder / key.name
        shutil.copyfile(key, copy)
        copy.chmod(0o600)
        copies[key.name] = copy
    return copies


def header(text: str) -> str:
    """The ledger's leading comment lines."""
    lines = []
    for line in text.splitlines(keepends=True):
        if not line.startswith("#"):
            break
        lines.append(line)
    return "".join(lines)


def resign(ledger: Path, protocols_dir: Path, keys: dict[str, Path]) -> None:
    text = ledger.read_text(encoding="utf-8")
    entries = yaml.safe_load(text) or []
    ledger.write_text(header(text), encoding="utf-8")
    for entry in entries:
        key = keys.get(key_name(entry["reviewer"]))
        if key is None:
            raise SystemExit(f"{ledger}: no sample key {key_name(entry['reviewer'])} for {entry['reviewer']}")
        command = "withdraw" if entry.get("withdrawn") else "approve"
        date = entry["date"].isoformat() if hasattr(entry["date"], "isoformat") else str(entry["date"])
        out, err = io.StringIO(), io.StringIO()
        status = protocols([command, ledger.parent.name, str(entry["version"]), "--role", entry["role"],
                            "--key", str(key), "--date", date, "--dir", str(protocols_dir)], out, err)
        if status != 0:
            raise RuntimeError(f"{ledger}: `protocols {command}` refused {entry['reviewer']} "
                               f"({entry['role']}, {entry['version']}): {err.getvalue().strip()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", nargs="?", default=str(ROOT / "protocols"), help="the sample protocols folder")
    args = parser.parse_args()
    protocols_dir = Path(args.dir)
    with tempfile.TemporaryDirectory(prefix="sample-keys-") as folder:
        keys = private_keys(Path(folder))
        for ledger in sorted(protocols_dir.glob("*/approvals.yaml")):
            saved = ledger.read_bytes()
            try:
                resign(ledger, protocols_dir, keys)
            except (RuntimeError, SystemExit) as error:
                ledger.write_bytes(saved)
                print(f"sign_sample_approvals: {error}; {ledger} restored", file=sys.stderr)
                return 1
            print(f"re-signed {ledger.relative_to(protocols_dir.parent) if protocols_dir.is_absolute() else ledger}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
