"""The reviewer register of policy.yaml (§2): who may sign off, in which roles, with which keys.

`build_register(library)` reads the policy's `reviewers` once and reports, located in policy.yaml:
- P105 for an empty name, a name that mixes scripts (Latin with Cyrillic or Greek, e.g. a Cyrillic
  "а" in "Sam Exаmple"), a name that equals another one after normalisation, a reviewer without
  roles, a key that is not an OpenSSH public key of a supported type, and a key listed for a second
  reviewer.
Entries with a refused name are left out of the register, and so is a refused key (a key listed twice
belongs to neither reviewer), so nothing signed with them counts.

Names are matched by `name_key`: Unicode NFKC, case folding, runs of white space collapsed.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from generator.approvals.sshsig import PublicKey, SshsigError, parse_public_key
from generator.diagnostics import Diagnostic, excerpt, format_path
from generator.load.library import Library
from generator.load.yaml_source import SourceFile
from generator.model.schema import Reviewer

POLICY_PARTS = ("_library", "policy.yaml")
# scripts whose letters look alike: a name may use one of them, never two
CONFUSABLE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


@functools.lru_cache(maxsize=4096)  # pure: every sign-off of a library names the same few reviewers and roles
def name_key(name: str) -> str:
    """How two reviewer names are compared: NFKC, case folded, white space runs as one space."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


@functools.lru_cache(maxsize=4096)
def role_key(role: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", role).casefold().split())


def scripts_of(name: str) -> list[str]:
    """The confusable scripts whose letters a name uses, in order of first use."""
    found: list[str] = []
    for char in unicodedata.normalize("NFKC", name):
        if not char.isalpha():
            continue
        script = unicodedata.name(char, "").split(" ")[0]
        if script in CONFUSABLE_SCRIPTS and script not in found:
            found.append(script)
    return found


@dataclass(frozen=True)
class RegisteredReviewer:
    name: str  # as written in the register
    roles: tuple[str, ...]
    keys: tuple[PublicKey, ...]

    def holds(self, role: str) -> str | None:
        """The register's spelling of `role` when this reviewer holds it."""
        wanted = role_key(role)
        return next((held for held in self.roles if role_key(held) == wanted), None)


@dataclass
class Register:
    reviewers: dict[str, RegisteredReviewer] = field(default_factory=dict)  # by name_key
    by_key: dict[bytes, RegisteredReviewer] = field(default_factory=dict)  # by key blob
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def find(self, name: str) -> RegisteredReviewer | None:
        return self.reviewers.get(name_key(name))

    def holder(self, key: PublicKey) -> RegisteredReviewer | None:
        return self.by_key.get(key.blob)

    def who_may(self, role: str) -> list[str]:
        """Names of the reviewers holding a role, in register order."""
        return [reviewer.name for reviewer in self.reviewers.values() if reviewer.holds(role)]


def _name_problem(reviewer: Reviewer, index: int, seen: dict[str, int]) -> tuple[str, str] | None:
    key = name_key(reviewer.name)
    if not key:
        return "reviewer name is empty", "write the reviewer's full name"
    scripts = scripts_of(reviewer.name)
    if len(scripts) > 1:
        mixed = " and ".join(script.title() for script in scripts)
        return (f"reviewer name {excerpt(reviewer.name)} mixes {mixed} letters",
                "write the name in one script: letters that look alike from another script make a second person")
    if key in seen:
        return (f"reviewer name {excerpt(reviewer.name)} is the same name as reviewers[{seen[key]}]",
                "each reviewer is listed once: give one entry all of the person's roles and keys")
    return None


def _entry_keys(
    reviewer: Reviewer, index: int, source: SourceFile, owners: dict[bytes, int], shared: set[bytes]
) -> Iterator[Diagnostic | PublicKey]:
    """The entry's keys that parse, and a diagnostic for each one that does not or that an earlier entry
    lists (added to `shared`: it then counts for neither)."""
    for position, text in enumerate(reviewer.keys):
        path = ("reviewers", index, "keys", position)
        try:
            key = parse_public_key(text)
        except SshsigError as error:
            yield Diagnostic("P105", f"malformed SSH public key: {error}", source.at(path), format_path(path),
                             "paste the whole line of the reviewer's .pub file, e.g. ssh-ed25519 AAAAC3Nza... "
                             "name@example")
            continue
        if key.blob in owners and owners[key.blob] != index:
            shared.add(key.blob)
            yield Diagnostic("P105", f"key {key.fingerprint} is also listed for reviewers[{owners[key.blob]}]",
                             source.at(path), format_path(path),
                             "a key belongs to one reviewer only: remove it from the entry it does not belong to")
            continue
        owners.setdefault(key.blob, index)
        yield key


def build_register(library: Library) -> Register:
    """The register of the library's policy (empty without one), with its P105 diagnostics."""
    register = Register()
    policy, source = library.policy, library.source(*POLICY_PARTS)
    if policy is None or source is None:
        return register
    seen: dict[str, int] = {}
    owners: dict[bytes, int] = {}
    keys_by_index: dict[int, list[PublicKey]] = {}
    shared: set[bytes] = set()
    accepted: list[tuple[int, Reviewer]] = []
    for index, reviewer in enumerate(policy.reviewers):
        problem = _name_problem(reviewer, index, seen)
        if problem is not None:
            path = ("reviewers", index, "name")
            register.diagnostics.append(Diagnostic("P105", problem[0], source.at(path), format_path(path), problem[1]))
        if not reviewer.roles:
            path = ("reviewers", index, "roles")
            register.diagnostics.append(Diagnostic("P105", f"reviewer {excerpt(reviewer.name)} has no roles",
                                                   source.at(path), format_path(path),
                                                   "list the roles this reviewer signs in, e.g. roles: [pharmacist]"))
        for item in _entry_keys(reviewer, index, source, owners, shared):
            if isinstance(item, Diagnostic):
                register.diagnostics.append(item)
            else:
                keys_by_index.setdefault(index, []).append(item)
        if problem is None:
            seen[name_key(reviewer.name)] = index
            accepted.append((index, reviewer))
    for index, reviewer in accepted:
        keys = tuple(key for key in keys_by_index.get(index, []) if key.blob not in shared)
        entry = RegisteredReviewer(reviewer.name, tuple(reviewer.roles), keys)
        register.reviewers[name_key(reviewer.name)] = entry
        for key in keys:
            register.by_key[key.blob] = entry
    return register

