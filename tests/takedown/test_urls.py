"""Reported URLs are normalised so the same location compares equal, and text that is not a URL a notice can name
is refused with the reason."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lanzarote.takedown.urls import BadUrl, normalise


@pytest.mark.parametrize(("given_url", "normal"), [
    ("HTTP://Files.Example.ORG:80/a/./b/../c%7e%2f?x=1#frag", "http://files.example.org/a/c~%2F?x=1"),
    ("files.example.org/gallery", "http://files.example.org/gallery"),
    ("https://files.example.org.:443", "https://files.example.org/"),
    ("https://bücher.example/", "https://xn--bcher-kva.example/"),
    ("http://[2001:DB8::1]:8080/x", "http://[2001:db8::1]:8080/x"),
    ("http://user:secret@host.test/p", "http://host.test/p"),
])
def test_the_same_location_has_one_normal_form(given_url: str, normal: str) -> None:
    assert normalise(given_url).normalised == normal


def test_spellings_of_one_url_share_a_key() -> None:
    assert normalise("HTTP://a.example.org/x/../y").key == normalise("a.example.org/y#top").key
    assert normalise("http://a.example.org/y").key != normalise("http://a.example.org/y?page=2").key


@pytest.mark.parametrize(("bad", "reason"), [
    ("", "empty"), ("javascript:alert(1)", "scheme"), ("mailto:someone@example.org", "scheme"),
    ("http://999.1.1.1/", "neither a host name"), ("http://a..b/", "not a valid"),
    ("http://x.test:99999/", "cannot be read"), ("http://host.test/a b", "space"), ("http://host.test/\x00", "control"),
    ("http://" + "a" * 70 + ".test/", "not a valid"), ("http://host.test/" + "p" * 5000, "more than"),
])
def test_text_that_is_no_url_is_refused_with_the_reason(bad: str, reason: str) -> None:
    with pytest.raises(BadUrl, match=reason):
        normalise(bad)


@given(st.text(max_size=300))
def test_any_text_is_either_normalised_or_refused(text: str) -> None:
    try:
        url = normalise(text)
    except BadUrl:
        return
    assert normalise(url.normalised) == url  # the normal form is a fixed point
