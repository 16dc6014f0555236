"""Intelligence packages: built from a subject (or a case) for one recipient, minimised, marked, signed, exported
in partners' formats, received on another node, and followed up in the dissemination ledger."""
