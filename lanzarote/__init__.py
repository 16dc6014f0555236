"""Lanzarote: take in reports of online child sexual exploitation, match, link, route and rank them."""

__version__ = "0.1.0"
