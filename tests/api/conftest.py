"""The API's tests use the web's fixtures: one application serves both (`lanzarote.web.app`)."""

from tests.web.conftest import analyst, client, web_engine

__all__ = ["analyst", "client", "web_engine"]
