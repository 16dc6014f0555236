"""Deconfliction between agencies (issue 20): do we hold the same person, learnt without disclosing anything else.

- `oprf`: strong identifiers become tokens through an oblivious PRF held by the hub (Ed25519 group): the agency
  blinds, the hub multiplies by its secret key, the agency unblinds and hashes; no plaintext identifier and no
  unkeyed hash ever leaves a node, and no key is shared by all agencies.
- `clk`: names and dates of birth as keyed Bloom-filter encodings (Schnell's cryptographic long-term keys) with
  per-exchange keys; a match is a suggestion, never a hit.
- `actions`: planned searches, arrests and undercover contacts checked against each other's by time, place (grid
  cells through the OPRF) and subject (its tokens).
- `messages`: what nodes say to each other, each one a signed envelope (`coordination.packages.signing`).
- `transport`: the one function every byte between nodes goes through (tests wrap it).

Nothing here imports the store or the faces (`tests/test_architecture.py`).
"""
