"""The bibliography: citations resolve (P301), every reference is cited somewhere (P302), and DOIs,
PMIDs and URLs are well formed (P306).

A reference counts as cited when any version of any protocol cites it, drafts and versions in review
included (a reference being brought in by a draft is in use), or when drug notes or a handbook
description cite it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from generator.checks import CheckContext
from generator.diagnostics import DataPath, Diagnostic, excerpt, format_path
from generator.load.library import Library
from generator.load.yaml_source import SourceFile
from generator.text.citations import DOI, PMID, URL
from generator.text.inline import Citation, library_markdown_fields, markdown_fields, tokenize


def _unknown(library: Library, reference_id: str, source: SourceFile, path: DataPath, offset: int | None) -> Diagnostic:
    close = difflib.get_close_matches(reference_id, list(library.references), n=1)
    hint = f'did you mean "{close[0]}"? ' if close else ""
    hint += "cite an id of _library/references.yaml, or add the reference there"
    location = source.text_at(path, offset) if offset is not None else source.at(path)
    message = f"citation of unknown reference {excerpt(reference_id)}"
    return Diagnostic("P301", message, location, format_path(path), hint)


def _citations(
    library: Library, source: SourceFile, path: DataPath, text: str, cited: set[str]
) -> Iterator[Diagnostic]:
    for token in tokenize(text):
        if not isinstance(token, Citation):
            continue
        if token.error:
            yield Diagnostic("P301", f"{token.error} in {token.raw}", source.text_at(path, token.start),
                             format_path(path), "write [@reference-id] or [@first-id; @second-id]")
        for key in token.keys:
            cited.add(key.id)
            if key.id not in library.references and key.id not in library.invalid.get("references", ()):
                yield _unknown(library, key.id, source, path, key.offset)


def _cite_lists(library: Library, source: SourceFile, doc: object, cited: set[str]) -> Iterator[Diagnostic]:
    for kind in ("regimens", "phases"):
        for index, item in enumerate(getattr(doc, kind)):
            for position, reference_id in enumerate(item.cite):
                cited.add(reference_id)
                if reference_id not in library.references and reference_id not in library.invalid.get("references", ()):
                    yield _unknown(library, reference_id, source, (kind, index, "cite", position), None)


def _malformed_identifiers(library: Library) -> Iterator[Diagnostic]:
    source = library.source("_library", "references.yaml")
    if source is None:
        return
    for reference_id, reference in library.references.items():
        checks = [
            ("doi", reference.doi, DOI, "DOI", "write the bare DOI, e.g. 10.1176/appi.ajp.2018.18070834 "
             "(no https://doi.org/ prefix: the site adds the link)"),
            ("pmid", reference.pmid, PMID, "PMID", "write the PubMed id as digits only, e.g. 30922101"),
            ("url", reference.url, URL, "URL", "write a full https:// address; plain http:// and other schemes are "
             "refused"),
        ]
        for key, value, pattern, what, hint in checks:
            if value is not None and not pattern.fullmatch(str(value)):  # fullmatch: no trailing line break
                message = f"malformed {what} {excerpt(value)} in reference {excerpt(reference_id, quoted=False)}"
                path = (reference_id, key)
                yield Diagnostic("P306", message, source.at(path), format_path(path), hint)


def _uncited(library: Library, cited: set[str]) -> Iterator[Diagnostic]:
    source = library.source("_library", "references.yaml")
    if source is None:
        return
    for reference_id in library.references:
        if reference_id not in cited:
            yield Diagnostic("P302", f"reference {excerpt(reference_id)} is not cited by any protocol",
                             source.key_at((reference_id,)), "",
                             "cite it with [@id] or a cite: list, or remove it from references.yaml"
                             if len(reference_id) > 60 else
                             f"cite it with [@{reference_id}] or a cite: list, or remove it from references.yaml")


def check(library: Library, context: CheckContext) -> Iterator[Diagnostic]:
    cited: set[str] = set()
    for protocol in library.protocols.values():
        for version in protocol.ordered():
            for path, text in markdown_fields(version.doc):
                yield from _citations(library, version.source, path, text, cited)
            yield from _cite_lists(library, version.source, version.doc, cited)
    for file_name, path, text in library_markdown_fields(library):
        source = library.source("_library", file_name)
        if source is not None:
            yield from _citations(library, source, path, text, cited)
    yield from _malformed_identifiers(library)
    if not any(protocol.invalid_versions for protocol in library.protocols.values()):
        yield from _uncited(library, cited)
