"""What a protocol's approvals ledger says (§4): each entry judged against the register and its
signature, withdrawals applied, and what the policy still asks for.

An entry counts only when its reviewer is in the register, holds the role, and (where the policy
requires signatures, or when the entry has one anyway) its SSH signature over the seven-line message
verifies against one of that reviewer's keys. Anything else is P406 and counts towards nothing: it
neither approves nor withdraws.

Per version, reviewer and role only the latest counting entry stands: a later approval replaces an
earlier one (a re-approval after a change), a withdrawal cancels it. A withdrawal cancels whatever
fingerprint the approval carried (withdrawing never needs the content to be unchanged). The reviewer is
the register entry the name matches; the signature must then verify against that entry's keys, so a
name cannot borrow another reviewer's key and a key cannot sign under another reviewer's name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from generator.approvals.register import Register, RegisteredReviewer, build_register, name_key, role_key
from generator.approvals.sshsig import PublicKey, SshsigError, verify
from generator.approvals.versions import version_fingerprint
from generator.diagnostics import excerpt
from generator.load.library import Library, Protocol, VersionFile
from generator.model.schema import Approval, Policy

NAMESPACE = "protocols-approval"


def signed_message(protocol_id: str, version: str, role: str, date: dt.date, fingerprint: str,
                   withdrawn: bool) -> bytes:
    """The seven lines of §4 that a sign-off's signature covers."""
    lines = [NAMESPACE, protocol_id, version, role, date.isoformat(), fingerprint,
             "withdrawn" if withdrawn else "approved"]
    return "".join(line + "\n" for line in lines).encode("utf-8")


def register(library: Library) -> Register:
    """The library's register (policy.yaml's reviewers, judged)."""
    return build_register(library)


@dataclass(frozen=True)
class SignOff:
    index: int  # position in the ledger
    entry: Approval
    reviewer: RegisteredReviewer | None  # the register entry its name matches
    problem: str = ""  # why it counts for nothing (P406); "" when it counts
    hint: str = ""
    field: str = ""  # the entry's key the problem is about
    key: PublicKey | None = None  # the key its signature verified with
    reason: str = ""  # the problem without who and what, for the reviewer site

    @property
    def counts(self) -> bool:
        return not self.problem

    @property
    def who(self) -> str:
        """The reviewer's identity: the normalised register name."""
        return name_key(self.reviewer.name if self.reviewer is not None else self.entry.reviewer)

    @property
    def role(self) -> str:
        held = self.reviewer.holds(self.entry.role) if self.reviewer is not None else None
        return held or self.entry.role

    @property
    def name(self) -> str:
        return self.reviewer.name if self.reviewer is not None else self.entry.reviewer


def _refused(index: int, entry: Approval, reviewer: RegisteredReviewer | None, who: str, reason: str, hint: str,
             field_name: str = "") -> SignOff:
    what = "withdrawal" if entry.withdrawn else "sign-off"
    return SignOff(index, entry, reviewer, f"{what} by {who} counts for nothing: {reason}", hint, field_name,
                   reason=reason)


def judge(protocol_id: str, index: int, entry: Approval, reg: Register, policy: Policy | None) -> SignOff:
    """One ledger entry against the register and its signature."""
    reviewer = reg.find(entry.reviewer)
    if reviewer is None:
        return _refused(index, entry, None, excerpt(entry.reviewer),
                        "no reviewer of that name is in the register (_library/policy.yaml reviewers)",
                        "only a reviewer in the register may sign off: add the reviewer to the register in a "
                        "reviewed change, then the reviewer signs with `protocols approve`", "reviewer")
    held = reviewer.holds(entry.role)
    name = excerpt(reviewer.name, quoted=False)  # the register's spelling, shown as any value is
    if held is None:
        return _refused(index, entry, reviewer, f"{name} as {excerpt(entry.role)}",
                        f"the register gives {name} the role{'s' if len(reviewer.roles) > 1 else ''} "
                        f"{', '.join(excerpt(role, quoted=False) for role in reviewer.roles)}",
                        "a reviewer signs only in a role the register gives them", "role")
    if entry.signature is None:
        if policy is not None and policy.approval.signatures == "optional":
            return SignOff(index, entry, reviewer)
        return _refused(index, entry, reviewer, f"{name} ({excerpt(held, quoted=False)})",
                        "it is not signed, and the policy requires signatures",
                        "sign-offs are written by `protocols approve`, which signs them with the reviewer's SSH key")
    message = signed_message(protocol_id, entry.version, entry.role, entry.date, entry.fingerprint, entry.withdrawn)
    try:
        key = verify(entry.signature, message, NAMESPACE, list(reviewer.keys))
    except SshsigError as error:
        return _refused(index, entry, reviewer, f"{name} ({excerpt(held, quoted=False)})",
                        f"its signature does not verify: {error}",
                        "a signed entry cannot be edited or copied: the reviewer signs again with `protocols approve`",
                        "signature")
    return SignOff(index, entry, reviewer, key=key)


@dataclass
class Ledger:
    signoffs: list[SignOff] = field(default_factory=list)

    def for_version(self, version: str) -> list[SignOff]:
        return [s for s in self.signoffs if s.entry.version == version]

    def latest(self, version: str) -> list[SignOff]:
        """Per reviewer and role, the latest counting entry (approval or withdrawal), in ledger order."""
        latest: dict[tuple[str, str], SignOff] = {}
        for signoff in self.for_version(version):
            if signoff.counts:
                latest[(signoff.who, role_key(signoff.role))] = signoff
        return sorted(latest.values(), key=lambda s: s.index)

    def standing(self, version: str) -> list[SignOff]:
        """The approvals that stand: counting, and not replaced or withdrawn since."""
        return [s for s in self.latest(version) if not s.entry.withdrawn]

    def withdrawn(self, version: str) -> set[int]:
        """Ledger indexes of counting approvals that a later withdrawal cancelled."""
        cancelled: set[int] = set()
        open_approvals: dict[tuple[str, str], int] = {}
        for signoff in self.for_version(version):
            if not signoff.counts:
                continue
            slot = (signoff.who, role_key(signoff.role))
            if signoff.entry.withdrawn:
                if slot in open_approvals:
                    cancelled.add(open_approvals.pop(slot))
            else:
                open_approvals[slot] = signoff.index
        return cancelled


def ledger(protocol: Protocol, library: Library, reg: Register | None = None) -> Ledger:
    """The protocol's ledger, each entry judged against the register (`reg`, else the library's) and the policy."""
    reg = reg or register(library)
    return Ledger(
        [judge(protocol.id, index, entry, reg, library.policy) for index, entry in enumerate(protocol.approvals)]
    )


class ApprovalFacts:
    """The register, each protocol's judged ledger and each version's fingerprint, each computed once for
    the run (a check, a site's publication) that makes this object and passes it down; forgotten with it."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._register: Register | None = None
        self._ledgers: dict[str, Ledger] = {}
        self._fingerprints: dict[int, tuple[VersionFile, str]] = {}  # by id(), the version kept so ids stay unique

    def register(self) -> Register:
        if self._register is None:
            self._register = register(self.library)
        return self._register

    def ledger(self, protocol: Protocol) -> Ledger:
        if protocol.id not in self._ledgers:
            self._ledgers[protocol.id] = ledger(protocol, self.library, self.register())
        return self._ledgers[protocol.id]

    def fingerprint(self, version: VersionFile) -> str:
        if id(version) not in self._fingerprints:
            self._fingerprints[id(version)] = (version, version_fingerprint(version, self.library))
        return self._fingerprints[id(version)][1]

    def missing(self, protocol: Protocol, version: VersionFile, fingerprint: str | None) -> Missing:
        """`missing_for` with the run's ledger of `protocol`."""
        return missing_for(protocol, version, self.library, fingerprint, self.ledger(protocol))


def _role_assignment(roles: list[str], signoffs: list[SignOff]) -> dict[str, str]:
    """Required role -> reviewer identity, each reviewer filling at most one role (a maximum matching)."""
    signers = {role: [s.who for s in signoffs if role_key(s.role) == role_key(role)] for role in roles}
    assigned: dict[str, str] = {}  # identity -> role

    def place(role: str, visited: set[str]) -> bool:
        for who in signers[role]:
            if who in visited:
                continue
            visited.add(who)
            if who not in assigned or place(assigned[who], visited):
                assigned[who] = role
                return True
        return False

    for role in roles:
        place(role, set())
    return {role: who for who, role in assigned.items()}


@dataclass(frozen=True)
class Missing:
    reviewers: int  # distinct reviewers still needed
    roles: list[str]  # required roles not filled by a reviewer of their own
    shared_roles: list[str]  # of those, roles signed only by reviewers who already fill another role

    @property
    def nothing(self) -> bool:
        return not self.reviewers and not self.roles


def missing(signoffs: list[SignOff], policy: Policy | None) -> Missing:
    """What the policy still asks for, given the standing sign-offs of a version."""
    if policy is None:
        return Missing(0, [], [])
    required = list(policy.approval.required_roles)
    filled = _role_assignment(required, signoffs)
    unfilled = [role for role in required if role not in filled]
    signed_roles = {role_key(s.role) for s in signoffs}
    shared = [role for role in unfilled if role_key(role) in signed_roles]
    reviewers = max(0, policy.approval.minimum - len({s.who for s in signoffs}))
    return Missing(reviewers, unfilled, shared)


def missing_for(protocol: Protocol, version: VersionFile, library: Library, fingerprint: str | None,
                judged: Ledger | None = None) -> Missing:
    """What `version` still needs; with `fingerprint`, only sign-offs carrying it count. `judged`: the
    protocol's ledger when the caller has it already."""
    standing = (judged or ledger(protocol, library)).standing(version.version)
    if fingerprint is not None:
        standing = [s for s in standing if s.entry.fingerprint == fingerprint]
    return missing(standing, library.policy)


@dataclass(frozen=True)
class SignOffView:
    """One ledger entry of a version as the reviewer site shows it."""

    reviewer: str
    role: str
    date: dt.date
    withdrawal: bool
    state: str  # "verified", "not signed", "not verifiable", "withdrawn", "for earlier content"
    detail: str  # why, or the signing key's fingerprint
    key_fingerprint: str  # SHA256:... as ssh-keygen prints it; "" when not verified


def views(judged: Ledger, version: str, fingerprint: str) -> list[SignOffView]:
    """Every ledger entry of `version`, in ledger order, with its verification state."""
    cancelled = judged.withdrawn(version)
    shown = []
    for signoff in judged.for_version(version):
        entry, key = signoff.entry, signoff.key
        key_text = key.fingerprint if key is not None else ""
        if not signoff.counts:
            state, detail = "not verifiable", signoff.reason
        elif signoff.index in cancelled:
            state, detail = "withdrawn", "cancelled by a later withdrawal"
        elif not entry.withdrawn and entry.fingerprint != fingerprint:
            state, detail = "for earlier content", f"signed fingerprint {entry.fingerprint[:15]}..."
        elif key is None:
            state, detail = "not signed", "the policy allows unsigned sign-offs"
        else:
            state, detail = "verified", f"key {key_text}"
        shown.append(SignOffView(signoff.name, signoff.role, entry.date, entry.withdrawn, state, detail, key_text))
    return shown


def audit_entries(judged: Ledger, version: str, fingerprint: str) -> list[dict[str, str | None]]:
    """The sign-offs that approve a version, for protocols.json: standing and carrying its fingerprint."""
    return [
        {"reviewer": s.name, "role": s.role, "date": s.entry.date.isoformat(),
         "key": s.key.fingerprint if s.key is not None else None}
        for s in judged.standing(version) if s.entry.fingerprint == fingerprint
    ]
