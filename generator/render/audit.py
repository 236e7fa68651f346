"""protocols.json: the audit file, one entry per published version (clinician site: no drafts), with the
sign-offs that approve it: reviewer, role, date and the signing key's fingerprint as ssh-keygen prints it."""

from __future__ import annotations

import json

from generator.approvals.publication import Publication


def render_audit_file(publication: Publication) -> str:
    """Sorted by protocol id, then version (numerically); byte-identical for the same inputs."""
    entries = []
    for protocol_id, info in publication.protocols.items():
        for version in info.versions:
            doc = version.file.doc
            entries.append(
                {
                    "id": protocol_id,
                    "version": version.version,
                    "status": doc.status,
                    "state": version.state,
                    "effective": doc.effective.isoformat() if doc.effective is not None else None,
                    "fingerprint": version.fingerprint,
                    "signoffs": version.audit_signoffs,
                }
            )
    payload = {"as_of": publication.as_of.isoformat(), "reviewer_site": publication.reviewer, "protocols": entries}
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
