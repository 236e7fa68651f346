"""MkDocs' build date (sitemap lastmod, sitemap.xml.gz mtime) pinned to the protocols build date."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from mkdocs import utils as mkdocs_utils

GZIP_MTIMES = range(0, 2**32)  # what a gzip header can hold: 1970-01-01 to 2106-02-07 UTC


@contextmanager
def pinned_build_date(as_of: date) -> Iterator[None]:
    """Pin MkDocs' build date (sitemap lastmod, sitemap.xml.gz mtime) to the build date.

    Build dates run from 1900 to 2199 (§1), beyond what a gzip header holds: outside it the
    sitemap.xml.gz mtime is 0, which RFC 1952 defines as "no time stamp"."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    midnight = int(datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC).timestamp())
    os.environ["SOURCE_DATE_EPOCH"] = str(midnight)
    timestamp = mkdocs_utils.get_build_timestamp
    if midnight not in GZIP_MTIMES:
        mkdocs_utils.get_build_timestamp = _no_time_stamp
    try:
        yield
    finally:
        mkdocs_utils.get_build_timestamp = timestamp
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def _no_time_stamp(*, pages: object = None) -> int:
    return 0
