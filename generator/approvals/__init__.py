"""Versions, sign-offs and keys (§4): fingerprints, the register, the ledger, diffs, what a site publishes."""
