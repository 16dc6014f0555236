"""The use cases: every operation a person (or a named system actor) can do, with need-to-know and the audit entry
applied here, once.

The faces — the command line, the HTTP API and the web pages — call this package and nothing below it (a test
fails when a face imports `lanzarote.store`). Each use case takes a session, the acting `User` and what was asked,
and returns a result; it refuses what the actor may not do with the one exception hierarchy, answers a report the
actor may not see exactly like one that does not exist, and writes the audit entry of every read and disclosure.
"""

from lanzarote.store.access import AGENCY_KINDS, HUB, ROLES, User
from lanzarote.store.db import database_url, open_store, session

__all__ = ["AGENCY_KINDS", "HUB", "ROLES", "User", "database_url", "open_store", "session"]
