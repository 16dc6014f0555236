"""One exception hierarchy. The CLI maps it to one clear line, the API to a problem+json answer."""

from __future__ import annotations


class LanzaroteError(Exception):
    """A mistake a user can act on. The message is the whole story: one line, no traceback."""

    http_status = 400


class ConfigurationError(LanzaroteError):
    """A setting or data file is wrong."""


class NotFound(LanzaroteError):
    """The thing asked for does not exist, or the asker may not know that it does."""

    http_status = 404


class InvalidQuery(LanzaroteError):
    """A filter or cursor that cannot be answered (a day past the calendar, a cursor no list gave out)."""

    http_status = 400


class InputRejected(LanzaroteError):
    """A document is unusable; it goes to quarantine with this message as the reason."""

    http_status = 422


class AccessDenied(LanzaroteError):
    http_status = 403


class SecondFactorNeeded(AccessDenied):
    """The user's role needs a second factor they have not enrolled: they may enrol one and nothing else."""


class PasswordChangeNeeded(AccessDenied):
    """An administrator reset the user's password: they may change it (and set up a second factor) and nothing
    else."""


class NotAuthenticated(LanzaroteError):
    http_status = 401


class Conflict(LanzaroteError):
    http_status = 409


class TooManyRequests(LanzaroteError):
    http_status = 429
