"""The API of an empty store with a hub analyst logged in (tests/web/conftest.py)."""

from tests.web.conftest import analyst  # noqa: F401  (fixture)
