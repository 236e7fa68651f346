"""The dose engine: exact decimal doses from a regimen and a weight, and the prepared specs behind tables."""
