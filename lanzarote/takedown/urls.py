"""Reported URLs as text: checked and normalised, never fetched.

The normal form makes the same location compare equal however a hotline wrote it: the scheme and host in lower
case, the host in IDNA (punycode) without a trailing dot, the default port dropped, `.` and `..` segments resolved,
percent escapes of unreserved characters decoded and the others in upper case, the fragment dropped (a browser
never sends it). The query stays as given: servers read its order.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from typing import NamedTuple
from urllib.parse import urlsplit

from lanzarote.takedown.model import MAX_URL_CHARS

SCHEMES = {"http": 80, "https": 443, "ftp": 21}
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SPACE_OR_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_OTHER_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):(?!\d+(?:[/?#]|$))")
"""`mailto:…`, `javascript:…`: a scheme without `//` (but not `host:port`)."""
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")


class BadUrl(ValueError):
    """The text is not a URL a notice can name; the message says why."""


class Url(NamedTuple):
    normalised: str
    host: str

    @property
    def key(self) -> str:
        """The SHA-256 of the normal form: how a URL coming back after removal is found."""
        return hashlib.sha256(self.normalised.encode()).hexdigest()


def normalise(text: str) -> Url:
    """The normal form of a reported URL, or BadUrl saying what is wrong with it."""
    raw = text.strip()
    if not raw:
        raise BadUrl("the URL is empty")
    if len(raw) > MAX_URL_CHARS:
        raise BadUrl(f"the URL is {len(raw):,} characters, more than {MAX_URL_CHARS:,}")
    if _SPACE_OR_CONTROL.search(raw):
        raise BadUrl("the URL holds a space or a control character")
    if not _SCHEME.match(raw) and (other := _OTHER_SCHEME.match(raw)):
        raise BadUrl(f"the scheme {other.group(1)[:20]!r} is not one a notice can name (http, https or ftp)")
    if not _SCHEME.match(raw):  # hotlines often paste a location without its scheme
        raw = ("http:" if raw.startswith("//") else "http://") + raw
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise BadUrl(f"the URL cannot be read: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise BadUrl(f"the scheme {scheme[:20]!r} is not one a notice can name (http, https or ftp)")
    host = _host(parts.hostname or "")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != SCHEMES[scheme]:
        if port == 0:
            raise BadUrl("port 0 is not a port a server listens on")
        netloc += f":{port}"
    path = _escapes(_without_dot_segments(parts.path or "/"))
    query = f"?{_escapes(parts.query)}" if parts.query else ""
    return Url(f"{scheme}://{netloc}{path}{query}", host)


def _host(hostname: str) -> str:
    name = hostname.rstrip(".")
    if not name:
        raise BadUrl("the URL names no host")
    try:
        return ipaddress.ip_address(name).compressed
    except ValueError:
        pass
    if name.replace(".", "").isdigit():
        raise BadUrl(f"{name[:60]!r} is neither a host name nor an IP address")
    try:
        ascii_name = name.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise BadUrl(f"the host {name[:60]!r} is not a valid international domain name") from None
    labels = ascii_name.split(".")
    if len(ascii_name) > 253 or not all(_LABEL.match(label) for label in labels):
        raise BadUrl(f"the host {ascii_name[:60]!r} is not a valid host name")
    return ascii_name


def _without_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4, on whole segments."""
    out: list[str] = []
    segments = path.split("/")
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == ".":
            if last:
                out.append("")
        elif segment == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(segment)
    joined = "/".join(out)
    return joined if joined.startswith("/") else "/" + joined


def _escapes(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    return _ESCAPE.sub(one, text)
