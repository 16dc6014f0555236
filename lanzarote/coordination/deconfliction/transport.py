"""The one way bytes travel between nodes: an HTTP POST of a signed envelope, answered by one.

Everything a node sends another goes through `post`; tests replace `SEND` to capture every byte. Peers are reached
only at the URLs an administrator installed (`lanzarote node add-peer`); no redirect is followed.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

MAX_ANSWER = 20_000_000
CONTENT_TYPE = "application/vnd.lanzarote.signed+json"


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


class Unreachable(Exception):
    """The peer did not answer (down, refused, timed out): the message stays queued."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect, urllib.request.ProxyHandler({}))


def http_post(url: str, body: bytes, timeout: float) -> Answer:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": CONTENT_TYPE})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return Answer(response.status, response.read(MAX_ANSWER + 1)[:MAX_ANSWER + 1])
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.read(MAX_ANSWER + 1))
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise Unreachable(str(getattr(exc, "reason", exc))) from None


SEND: Callable[[str, bytes, float], Answer] = http_post


def post(url: str, body: bytes, timeout: float) -> Answer:
    """POST `body` to a peer's URL and return its answer (whatever it is: the caller verifies it)."""
    return SEND(url, body, timeout)
