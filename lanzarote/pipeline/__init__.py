"""Wiring of the stages: `ingest` (intake → store) and `process` (match → link → route → rank → store).

Stages read and write no database; the pipeline hands them the state they need and persists their results.
"""
