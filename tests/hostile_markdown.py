"""Hostile Markdown for every Markdown field of every file type: the payloads of issue 12 and a library
that carries one payload in each field (for the check suite and the browser test); and a payload for every
plain-text field a page shows."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml
from helpers import DRUGS, HANDBOOKS, POLICY, REFERENCES, VERSION, write_files

# Each payload would run script, leave the site or load from another host if it reached a page as written;
# the script ones set window.__pwned (the browser test looks for it) or call alert.
PAYLOADS: dict[str, str] = {
    "img onerror, quoted <": '<img src=x onerror="window.__pwned=1" title="<">',
    "svg onload": "<svg viewBox='0 0 1 1' onload='window.__pwned=1'>",
    "details ontoggle": '<details open ontoggle="window.__pwned=1">x</details>',
    "unclosed javascript anchor": '<a href="javascript:window.__pwned=1">click',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=http://elsewhere.example/">',
    "script element": "<script>window.__pwned=1</script>",
    "iframe": '<iframe src="http://elsewhere.example/"></iframe>',
    "raw outside image": "<img src=http://elsewhere.example/raw.png>",
    "tag split over lines": 'A picture <img\nsrc=x\nonerror="window.__pwned=1">',
    "comment": '<!-- <img src=x onerror="window.__pwned=1"> -->',
    "not a tag to CommonMark": "<img src=x onerror=window.__pwned=1>",  # "=" in an unquoted value: text
    "link with destination on the next line": "[here](\njavascript:window.__pwned=1)",
    "reference with URL on the next line": "[here][x]\n\n[x]:\n  javascript:window.__pwned=1",
    "entity-encoded javascript link": "[here](&#x6A;avascript:window.__pwned=1)",
    "data link": "[here](data:text/html,<script>alert(1)</script>)",
    "autolink": "<javascript:window.__pwned=1>",
    "outside image": "![x](http://elsewhere.example/t.png)",
    "scheme-relative image": "![x](//elsewhere.example/t.png)",
    "attribute list": 'Text\n{: onclick="window.__pwned=1" }',
}

# Where each payload is refused: (code, line of the payload in the field text, column in that line).
EXPECTED: dict[str, tuple[str, int, int]] = {
    "img onerror, quoted <": ("P501", 0, 0),
    "svg onload": ("P501", 0, 0),
    "details ontoggle": ("P501", 0, 0),
    "unclosed javascript anchor": ("P501", 0, 0),
    "meta refresh": ("P501", 0, 0),
    "script element": ("P501", 0, 0),
    "iframe": ("P501", 0, 0),
    "raw outside image": ("P501", 0, 0),
    "tag split over lines": ("P501", 0, 10),
    "comment": ("P501", 0, 0),
    "link with destination on the next line": ("P305", 1, 0),
    "reference with URL on the next line": ("P305", 3, 2),
    "entity-encoded javascript link": ("P305", 0, 7),
    "data link": ("P305", 0, 7),
    "autolink": ("P305", 0, 1),
    "outside image": ("P503", 0, 0),
    "scheme-relative image": ("P503", 0, 0),
}

# (file, data path) of every Markdown field, as a fixture library holds them.
VERSION_FIELDS = [("summary",), ("regimens", 0, "notes"), ("phases", 0, "notes"), ("sections", 0, "body"),
                  ("algorithm", 0), ("changes", 0)]
LIBRARY_FIELDS = [("drugs.yaml", ("ketamine", "notes")), ("handbooks.yaml", (0, "description"))]
FIELDS_ALL = [("version", path) for path in VERSION_FIELDS] + LIBRARY_FIELDS
FILE_OF = {"drugs.yaml": "_library/drugs.yaml", "handbooks.yaml": "_library/handbooks.yaml"}

# Plain text is no Markdown: `protocols check` has nothing to refuse in it, and `protocols build` builds it. Each
# page must still show it as text wherever it is written (the article, the page's <title>, the header, the
# navigation, the contents label), escaped once: "&lt;" is what the author typed, not "<".
PLAIN_PAYLOAD = ('</title><script>window.__pwned=1</script><img src=x onerror="window.__pwned=1"> &lt; & <b> '
                 '[x](javascript:window.__pwned=1) ![y](http://elsewhere.example/t.png) *a* `b` {: onclick=x }')
PLAIN_FIELDS = [("version", ("title",)), ("version", ("owner",)), ("version", ("sections", 0, "title")),
                ("version", ("phases", 0, "name")), ("drugs.yaml", ("ketamine", "class")),
                ("handbooks.yaml", (0, "title")), ("references.yaml", ("phillips-2019", "title")),
                ("references.yaml", ("phillips-2019", "journal")), ("references.yaml", ("phillips-2019", "authors", 0))]


def _set(document: Any, path: tuple[Any, ...], value: str) -> None:
    for key in path[:-1]:
        document = document[key]
    if isinstance(document, list) and path[-1] == len(document):
        document.append(value)
    else:
        document[path[-1]] = value


def _dump(document: Any) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=1000, default_style=None)


def _parsed(text: str) -> Any:
    """A fresh copy of the data of one of the minimal library's texts, parsed once (each of some 150 cases
    sets its fields in its own copy)."""
    return copy.deepcopy(_parsed_once(text))


@functools.cache
def _parsed_once(text: str) -> Any:
    return yaml.safe_load(text)


def library_files(fields: dict[tuple[str, tuple[Any, ...]], str]) -> dict[str, str]:
    """The minimal library (tests/helpers.py) with `fields` ((file, data path) -> text) set; file is
    "version" for ketamine-trd/1.0.yaml, else drugs.yaml, handbooks.yaml or references.yaml. Written as block
    scalars."""
    documents = {"version": _parsed(VERSION), "drugs.yaml": _parsed(DRUGS), "handbooks.yaml": _parsed(HANDBOOKS),
                 "references.yaml": _parsed(REFERENCES)}
    for (file, path), text in fields.items():
        _set(documents[file], path, text)
    return {
        "_library/references.yaml": _dump(documents["references.yaml"]),
        "_library/policy.yaml": POLICY,
        "_library/drugs.yaml": _dump(documents["drugs.yaml"]),
        "_library/handbooks.yaml": _dump(documents["handbooks.yaml"]),
        "ketamine-trd/1.0.yaml": _dump(documents["version"]),
    }


def write_hostile_library(root: Path, fields: dict[tuple[str, tuple[Any, ...]], str]) -> Path:
    return write_files(root / "protocols", library_files(fields))
