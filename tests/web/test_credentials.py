"""Credentials at rest and over their life, on both engines: the TOTP secret sealed in the database, a password
changed by its owner or reset by an administrator, and every other session and token ended when it is."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from typer.testing import CliRunner

from lanzarote.cli import app as cli
from lanzarote.errors import ConfigurationError
from lanzarote.store import access, audit, factors, logins, sealing
from lanzarote.store.db import migrate, session
from lanzarote.web.app import create_app
from tests.web.conftest import PASSWORD, csrf_of

NEW = "a new and longer passphrase"
BASE32_SECRET = re.compile(r"[A-Z2-7]{32}")
"""What pyotp's secrets look like (32 base32 digits); a sealed value holds no such run but by a 2⁻³² chance."""


@pytest.fixture
def site(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """A French analyst, colleague and administrator, a German analyst and a hub administrator; no role is made to
    enrol a second factor (the tests that need one enrol it)."""
    monkeypatch.setenv("LANZAROTE_SECOND_FACTOR_ROLES", "none")
    now = datetime.now(UTC)
    with session(engine) as s:
        access.add_agency(s, "FR", "French national unit (fictional)", "national_unit", "FR")
        access.add_agency(s, "DE", "German national unit (fictional)", "national_unit", "DE")
        for name, role, agency in (("fr-analyst", "analyst", "FR"), ("fr-colleague", "analyst", "FR"),
                                   ("fr-admin", "administrator", "FR"), ("de-analyst", "analyst", "DE"),
                                   ("hub-admin", "administrator", access.HUB)):
            access.add_user(s, name, PASSWORD, role, agency, now)
    return engine


@pytest.fixture
def web(site: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(site, "test-secret")) as c:
        yield c


def _bearer(web: TestClient, username: str, password: str = PASSWORD, code: str = "") -> dict[str, str]:
    answer = web.post("/api/v1/login", data={"username": username, "password": password, "code": code})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def _entries(engine: Engine, action: str) -> list[dict[str, object]]:
    with session(engine) as s:
        return audit.entries(s, action=action)


def _enrol(web: TestClient, bearer: dict[str, str]) -> pyotp.TOTP:
    begun = web.post("/api/v1/second-factor", headers=bearer).json()
    totp = pyotp.TOTP(begun["secret"])
    assert web.post("/api/v1/second-factor/confirm", json={"code": totp.now()}, headers=bearer).status_code == 200
    return totp


def _stored_secret(engine: Engine) -> str:
    with session(engine) as s:
        return str(s.execute(select(factors.second_factors.c.secret)).scalar_one())


def _next_code_allowed(engine: Engine) -> None:
    with session(engine) as s:  # the enrolment used this step's code: a login in the same step may use it again
        s.execute(update(factors.second_factors).values(last_step=None))


def test_the_totp_secret_is_kept_sealed_and_a_code_still_logs_in(web: TestClient, site: Engine) -> None:
    totp = _enrol(web, _bearer(web, "fr-analyst"))
    stored = _stored_secret(site)
    assert BASE32_SECRET.fullmatch(totp.secret)  # what the clear secret looks like
    assert stored.startswith(sealing.PREFIX) and not BASE32_SECRET.search(stored)
    _next_code_allowed(site)
    assert web.post("/api/v1/login", data={"username": "fr-analyst", "password": PASSWORD}).status_code == 401
    _bearer(web, "fr-analyst", code=totp.now())


def test_a_sealed_secret_opens_in_its_own_row_only(site: Engine) -> None:
    sealed = sealing.seal("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", factors.where(1), "key")
    assert sealing.unseal(sealed, factors.where(1), "key") == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    with pytest.raises(ConfigurationError):
        sealing.unseal(sealed, factors.where(2), "key")


def test_another_secret_key_gives_one_clear_line(web: TestClient, site: Engine,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    totp = _enrol(web, _bearer(web, "fr-analyst"))
    _next_code_allowed(site)
    monkeypatch.setenv("LANZAROTE_SECRET_KEY", "not the key the secrets were sealed under")
    answer = web.post("/api/v1/login", data={"username": "fr-analyst", "password": PASSWORD, "code": totp.now()})
    assert answer.status_code == 400 and answer.json()["title"] == "ConfigurationError"
    detail = answer.json()["detail"]
    assert "\n" not in detail and detail.startswith("a second factor's secret does not open with this secret key")


def test_the_migration_seals_secrets_kept_in_clear_and_its_downgrade_opens_them(web: TestClient, site: Engine,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from alembic import command
    from alembic.config import Config

    from lanzarote.store.db import MIGRATIONS

    totp = _enrol(web, _bearer(web, "fr-analyst"))
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with site.begin() as conn:  # back to 0014: the secret in clear, as that store kept it
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0014_cases_web")
    assert _stored_secret(site) == totp.secret
    migrate(site)
    stored = _stored_secret(site)
    assert stored.startswith(sealing.PREFIX) and totp.secret not in stored
    _next_code_allowed(site)
    _bearer(web, "fr-analyst", code=totp.now())


def test_changing_ones_password_logs_out_everywhere_else(web: TestClient, site: Engine) -> None:
    here, elsewhere = _bearer(web, "fr-analyst"), _bearer(web, "fr-analyst")
    made = web.post("/api/v1/tokens", json={"name": "case system"}, headers=here).json()
    token = {"Authorization": f"Bearer {made['token']}"}
    assert web.post("/api/v1/password", json={"current_password": PASSWORD, "new_password": NEW},
                    headers=token).status_code == 403  # an integration's token changes no password
    changed = web.post("/api/v1/password", json={"current_password": PASSWORD, "new_password": NEW}, headers=here)
    assert changed.status_code == 200, changed.text
    assert changed.json() == {"sessions_ended": 1, "tokens_revoked": 1}
    assert web.get("/api/v1/queue", headers=here).status_code == 200
    assert web.get("/api/v1/queue", headers=elsewhere).status_code == 401
    assert web.get("/api/v1/queue", headers=token).status_code == 401
    assert web.post("/api/v1/login", data={"username": "fr-analyst", "password": PASSWORD}).status_code == 401
    _bearer(web, "fr-analyst", NEW)
    (entry,) = _entries(site, "password_changed")
    assert entry["actor"] == "fr-analyst" and entry["detail"] == (
        "from testclient; 1 other session(s) ended, 1 API token(s) revoked")


def test_a_change_needs_the_current_password_and_a_different_new_one(web: TestClient, site: Engine) -> None:
    here = _bearer(web, "fr-analyst")
    wrong = web.post("/api/v1/password", json={"current_password": "not the password", "new_password": NEW},
                     headers=here)
    assert wrong.status_code == 401 and wrong.json()["detail"] == "the current password is wrong"
    same = web.post("/api/v1/password", json={"current_password": PASSWORD, "new_password": PASSWORD}, headers=here)
    assert same.status_code == 422 and "differ" in same.json()["detail"]
    assert web.post("/api/v1/password", json={"current_password": PASSWORD, "new_password": "short"},
                    headers=here).status_code == 422
    (failed,) = _entries(site, "password_change_failed")
    assert failed["detail"] == "from testclient: wrong current password"
    assert web.get("/api/v1/queue", headers=here).status_code == 200  # nothing changed, nobody logged out
    with session(site) as s:  # the right current password gave the account a fresh start, as a login does
        assert logins.failures(s, "user:fr-analyst") == 0


def test_the_command_line_changes_a_password_under_the_length_rule(web: TestClient, site: Engine) -> None:
    runner = CliRunner()
    short = runner.invoke(cli, ["--as", "fr-analyst", "users", "password"],
                          input=f"{PASSWORD}\nshort\nshort\n")
    assert short.exit_code != 0 and "at least 12 characters" in str(short.exception or short.output)
    system = runner.invoke(cli, ["users", "password"], input=f"{PASSWORD}\n{NEW}\n{NEW}\n")
    assert system.exit_code != 0 and "name the user with --as" in str(system.exception or system.output)
    done = runner.invoke(cli, ["--as", "fr-analyst", "users", "password"], input=f"{PASSWORD}\n{NEW}\n{NEW}\n")
    assert done.exit_code == 0, done.output
    assert "fr-analyst's password changed" in done.output
    _bearer(web, "fr-analyst", NEW)
    assert _entries(site, "password_changed")[0]["detail"].startswith("from -;")  # type: ignore[union-attr]


def test_the_password_page_changes_it(web: TestClient) -> None:
    web.post("/login", data={"username": "fr-analyst", "password": PASSWORD})
    assert 'href="/password"' in web.get("/").text
    csrf = csrf_of(web, "/password")
    differ = web.post("/password", data={"csrf": csrf, "current": PASSWORD, "new": NEW, "repeated": NEW + "!"})
    assert differ.status_code == 422 and "differ" in differ.text
    done = web.post("/password", data={"csrf": csrf, "current": PASSWORD, "new": NEW, "repeated": NEW})
    assert done.status_code == 200 and "Your password is changed" in done.text
    assert web.get("/").status_code == 200  # this session goes on
    forged = web.post("/password", data={"csrf": "0" * 64, "current": NEW, "new": PASSWORD, "repeated": PASSWORD})
    assert forged.status_code == 403


def test_an_administrator_resets_a_password_of_their_agency_which_must_then_be_changed(
        web: TestClient, site: Engine) -> None:
    victim_session = _bearer(web, "fr-analyst")
    admin = _bearer(web, "fr-admin")
    assert web.post("/api/v1/users/de-analyst/reset-password", headers=admin).status_code == 403  # not FR's
    assert web.post("/api/v1/users/hub-admin/reset-password", headers=admin).status_code == 403  # the hub is above
    assert web.post("/api/v1/users/fr-admin/reset-password",
                    headers=_bearer(web, "fr-analyst")).status_code == 403  # an analyst administers nothing
    reset = web.post("/api/v1/users/fr-analyst/reset-password", headers=admin)
    assert reset.status_code == 200, reset.text
    temporary = reset.json()["temporary_password"]
    assert len(temporary) >= 12
    assert web.get("/api/v1/queue", headers=victim_session).status_code == 401  # logged out everywhere
    assert web.post("/api/v1/login", data={"username": "fr-analyst", "password": PASSWORD}).status_code == 401

    forced = _bearer(web, "fr-analyst", temporary)
    held = web.get("/api/v1/queue", headers=forced)
    assert held.status_code == 403 and "your password was reset" in held.json()["detail"]
    assert web.post("/api/v1/password", json={"current_password": temporary, "new_password": NEW},
                    headers=forced).status_code == 200
    assert web.get("/api/v1/queue", headers=forced).status_code == 200
    (entry,) = _entries(site, "password_reset")
    assert (entry["actor"], entry["target"]) == ("fr-admin", "user/fr-analyst")
    assert str(entry["detail"]).startswith("from testclient; 2 session(s) ended")
    hub = _bearer(web, "hub-admin")
    assert web.post("/api/v1/users/de-analyst/reset-password", headers=hub).status_code == 200  # above every agency


def test_a_reset_user_is_led_to_the_password_page_and_the_command_line_resets_too(web: TestClient) -> None:
    result = CliRunner().invoke(cli, ["--as", "fr-admin", "users", "reset-password", "fr-colleague"])
    assert result.exit_code == 0, result.output
    found = re.search(r"temporary password: (\S+)", result.output)
    assert found is not None
    web.post("/login", data={"username": "fr-colleague", "password": found.group(1)})
    assert web.get("/", follow_redirects=False).headers["location"] == "/password"
    page = web.get("/password")
    assert page.status_code == 200 and "An administrator reset your password" in page.text
    refused = CliRunner().invoke(cli, ["--as", "fr-admin", "users", "reset-password", "de-analyst"])
    assert refused.exit_code != 0


def test_a_temporary_password_expires_after_a_day(web: TestClient, site: Engine) -> None:
    temporary = web.post("/api/v1/users/fr-analyst/reset-password", headers=_bearer(web, "fr-admin")
                         ).json()["temporary_password"]
    with session(site) as s:
        s.execute(update(access.users).where(access.users.c.username == "fr-analyst").values(
            password_reset_at=datetime.now(UTC) - timedelta(hours=access.TEMPORARY_PASSWORD_HOURS, minutes=1)))
    expired = web.post("/api/v1/login", data={"username": "fr-analyst", "password": temporary})
    assert expired.status_code == 401 and "temporary password expired" in expired.json()["detail"]
    assert _entries(site, "login_failed")[0]["detail"] == "api from testclient: temporary password expired"


def test_the_administration_page_resets_a_password(web: TestClient, site: Engine) -> None:
    web.post("/login", data={"username": "fr-admin", "password": PASSWORD})
    csrf = csrf_of(web, "/admin")
    assert "/admin/users/fr-analyst/reset-password" in web.get("/admin").text
    page = web.post("/admin/users/fr-analyst/reset-password", data={"csrf": csrf})
    found = re.search(r"temporary password, shown this once: <code>(\S+)</code>", page.text)
    assert page.status_code == 200 and found is not None
    assert web.post("/admin/users/de-analyst/reset-password", data={"csrf": csrf}).status_code == 403
    _bearer(web, "fr-analyst", found.group(1))
