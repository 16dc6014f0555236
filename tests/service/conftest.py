"""The web tests' processed synthetic store and its users, on both engines: the use cases are met through the API
and the command line as their users meet them."""

from tests.web.conftest import client, web_engine  # noqa: F401  (fixtures)
