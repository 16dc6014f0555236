"""Logins under attack, on both engines: failures counted in the database (shared by server processes), slowed
rather than locked, addresses from trusted proxies only, Argon2 in bounded slots, a second factor, logout, token
expiry, and CSRF on the API when the session cookie authenticates it."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from starlette.requests import Request
from typer.testing import CliRunner

from lanzarote.api.context import client_address
from lanzarote.cli import app as cli
from lanzarote.errors import InputRejected
from lanzarote.service import logins as service_logins
from lanzarote.store import access, audit, factors, logins
from lanzarote.store.db import session
from lanzarote.web.app import create_app
from tests.web.conftest import PASSWORD, log_in

WRONG = {"username": "fr-analyst", "password": "not the password"}
RIGHT = {"username": "fr-analyst", "password": PASSWORD}


class Clock:
    """The time logins are counted by, standing still unless a test moves it (no test sleeps out a delay)."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(service_logins, "now", c)
    return c


@pytest.fixture
def site(engine: Engine) -> Engine:
    """A store with a French analyst, a French administrator and a German unit with a user."""
    now = datetime.now(UTC)
    with session(engine) as s:
        access.add_agency(s, "FR", "French national unit (fictional)", "national_unit", "FR")
        access.add_agency(s, "DE", "German national unit (fictional)", "national_unit", "DE")
        access.add_user(s, "fr-analyst", PASSWORD, "analyst", "FR", now)
        access.add_user(s, "fr-admin", PASSWORD, "administrator", "FR", now)
        access.add_user(s, "fr-colleague", PASSWORD, "analyst", "FR", now)
    return engine


@pytest.fixture
def web(site: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(site, "test-secret")) as c:
        yield c


def _waited_out(clock: Clock, seconds: float = 61) -> None:
    clock.at += timedelta(seconds=seconds)


def _entries(engine: Engine, action: str) -> list[dict[str, object]]:
    with session(engine) as s:
        return audit.entries(s, action=action)


def test_the_delay_doubles_after_the_free_attempts_up_to_its_ceiling() -> None:
    delay = logins.Delay(free=5, most=60)
    assert [delay.after(n) for n in (1, 4, 5, 6, 7, 10, 40)] == [0, 0, 1, 2, 4, 32, 60]


def test_a_password_shorter_than_twelve_characters_is_refused(site: Engine) -> None:
    with pytest.raises(InputRejected, match="at least 12 characters"), session(site) as s:
        access.add_user(s, "short", "elevenchars", "analyst", "FR", datetime.now(UTC))


def test_two_server_processes_count_the_same_failures(site: Engine) -> None:
    # two applications over one store stand for two worker processes: the count lives in the database
    with TestClient(create_app(site, "k")) as one, TestClient(create_app(site, "k")) as two:
        answers = [(one if n % 2 else two).post("/api/v1/login", data=WRONG).status_code for n in range(5)]
        assert answers == [401] * 5
        assert one.post("/api/v1/login", data=WRONG).status_code == 429
        assert two.post("/api/v1/login", data=RIGHT).status_code == 429


def test_a_refused_login_is_answered_only_after_the_pause(web: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    # a flood that retries as soon as it is answered goes at the pace of the pause (benchmarks/login_flood.py)
    monkeypatch.setenv("LANZAROTE_LOGIN_REFUSAL_PAUSE_SECONDS", "0.3")
    for _ in range(5):
        assert web.post("/api/v1/login", data=WRONG).status_code == 401
    started = time.monotonic()
    assert web.post("/api/v1/login", data=WRONG).status_code == 429
    assert time.monotonic() - started >= 0.3  # at least the pause (a sleep never ends early)


def test_the_owner_gets_in_with_the_right_password_once_the_delay_is_over(web: TestClient, site: Engine,
                                                                            clock: Clock) -> None:
    for _ in range(6):
        web.post("/api/v1/login", data=WRONG)
    refused = web.post("/api/v1/login", data=RIGHT)
    assert refused.status_code == 429 and "try again in" in refused.json()["detail"]
    _waited_out(clock)
    assert web.post("/api/v1/login", data=RIGHT).status_code == 200
    with session(site) as s:  # the account starts again from nothing; the address keeps its failures
        assert logins.failures(s, "user:fr-analyst") == 0 and logins.failures(s, "addr:testclient") == 5


def test_an_attack_on_an_account_does_not_slow_its_owners_own_workstation(site: Engine) -> None:
    with TestClient(create_app(site, "k")) as owner, TestClient(create_app(site, "k")) as attacker:
        assert owner.post("/api/v1/login", data=RIGHT).status_code == 200  # the workstation gets its device cookie
        owner.cookies.delete("lanzarote_session")
        for _ in range(12):
            attacker.post("/api/v1/login", data=WRONG, headers={"X-Forwarded-For": "198.51.100.7"})
        assert attacker.post("/api/v1/login", data=RIGHT).status_code == 429
        with session(site) as s:  # the attacker's address waits too: it is the same test client here
            s.execute(update(logins.login_throttle).where(logins.login_throttle.c.key.startswith("addr:"))
                      .values(next_at=datetime.now(UTC) - timedelta(days=1), failures=0))
        assert owner.post("/api/v1/login", data=RIGHT).status_code == 200
        assert attacker.post("/api/v1/login", data=RIGHT).status_code == 429


def test_one_address_trying_many_accounts_is_slowed(web: TestClient) -> None:
    for n in range(6):
        web.post("/api/v1/login", data={"username": f"guess-{n}", "password": "not the password"})
    answer = web.post("/api/v1/login", data={"username": "fr-colleague", "password": PASSWORD})
    assert answer.status_code == 429 and "your address" in answer.json()["detail"]


def test_an_attempt_refused_for_its_address_is_counted_nowhere(web: TestClient, site: Engine) -> None:
    # the flood's usual answer: one read, no write; the account is not charged for the attacker's address
    for n in range(5):
        web.post("/api/v1/login", data={"username": f"guess-{n}", "password": "not the password"})
    for name in ("fr-colleague", "guess-never-seen"):
        answer = web.post("/api/v1/login", data={"username": name, "password": "not the password"})
        assert answer.status_code == 429 and "your address" in answer.json()["detail"]
    with session(site) as s:
        assert logins.failures(s, "user:fr-colleague") == 0 and logins.failures(s, "addr:testclient") == 5
        keys = set(s.execute(select(logins.login_throttle.c.key)).scalars())
    assert "user:guess-never-seen" not in keys and "user:fr-colleague" not in keys


def _request(peer: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request({"type": "http", "method": "POST", "path": "/api/v1/login", "headers": headers,
                    "client": (peer, 50000), "query_string": b""})


def test_forwarded_for_names_the_client_only_behind_a_trusted_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    assert client_address(_request("127.0.0.1", "203.0.113.9")) == "127.0.0.1"  # loopback is not trusted by itself
    monkeypatch.setenv("LANZAROTE_TRUSTED_PROXIES", "127.0.0.1,192.0.2.0/28")
    assert client_address(_request("127.0.0.1", "203.0.113.9")) == "203.0.113.9"
    # a client's own made-up entries sit left of what the proxies saw: the right-most untrusted one counts
    assert client_address(_request("127.0.0.1", "8.8.8.8, 203.0.113.9, 192.0.2.3")) == "203.0.113.9"
    assert client_address(_request("127.0.0.1", "not-an-address")) == "127.0.0.1"
    assert client_address(_request("198.51.100.4", "203.0.113.9")) == "198.51.100.4"


def test_a_forged_forwarded_for_does_not_escape_the_address_delay(web: TestClient) -> None:
    for n in range(6):
        web.post("/api/v1/login", data={"username": f"guess-{n}", "password": "x" * 12},
                 headers={"X-Forwarded-For": f"203.0.113.{n}"})
    answer = web.post("/api/v1/login", data={"username": "fr-colleague", "password": PASSWORD},
                      headers={"X-Forwarded-For": "203.0.113.200"})
    assert answer.status_code == 429


def test_concurrent_logins_run_argon2_a_bounded_number_at_once(site: Engine, monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    monkeypatch.setenv("LANZAROTE_PASSWORD_HASH_CONCURRENCY", "2")
    monkeypatch.setenv("LANZAROTE_LOGIN_FREE_ATTEMPTS", "1000")
    monkeypatch.setattr(access, "_slots", [])  # made again from the setting
    running, most, guard = [0], [0], threading.Lock()
    argon2 = access._hasher

    class Counted:
        """Argon2 as it is, counting how many checks run at once."""

        def hash(self, password: str) -> str:
            return argon2.hash(password)

        def verify(self, hashed: str, password: str) -> bool:
            with guard:
                running[0] += 1
                most[0] = max(most[0], running[0])
            try:
                time.sleep(0.02)  # long enough for the others to pile up behind the slots
                return argon2.verify(hashed, password)
            finally:
                with guard:
                    running[0] -= 1

    monkeypatch.setattr(access, "_hasher", Counted())
    monkeypatch.setenv("LANZAROTE_TRUSTED_PROXIES", "127.0.0.1")  # twelve clients, each its own address and account

    def attempt(n: int) -> int:
        return web.post("/api/v1/login", data={"username": ("fr-analyst", "fr-colleague", "fr-admin")[n % 3],
                                               "password": f"not the password {n}"},
                        headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code

    with TestClient(create_app(site, "k"), client=("127.0.0.1", 50000)) as web, ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(attempt, range(12)))
    assert answers.count(401) >= 3  # one at a time per account: those of an account being checked may be refused
    assert set(answers) <= {401, 429}
    assert 1 <= most[0] <= 2


def test_an_account_or_address_has_one_password_checked_at_a_time(site: Engine, monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    # a flood's free attempts are checked one after the other, in every process, not all at its first instant
    checking, go = threading.Event(), threading.Event()
    argon2 = access._hasher

    class Held:
        """Argon2 as it is, held until the test lets it go."""

        def hash(self, password: str) -> str:
            return argon2.hash(password)

        def verify(self, hashed: str, password: str) -> bool:
            checking.set()
            go.wait(10)
            return argon2.verify(hashed, password)

    monkeypatch.setattr(access, "_hasher", Held())
    with TestClient(create_app(site, "k")) as one, TestClient(create_app(site, "k")) as two, \
            ThreadPoolExecutor(1) as pool:
        first = pool.submit(one.post, "/api/v1/login", data=WRONG)
        assert checking.wait(10)
        same_account = two.post("/api/v1/login", data=WRONG)
        same_address = two.post("/api/v1/login", data={"username": "fr-colleague", "password": PASSWORD})
        go.set()
        assert first.result().status_code == 401
        assert same_account.status_code == 429 and same_address.status_code == 429
        with session(site) as s:  # the refused ones were not counted
            assert logins.failures(s, "user:fr-analyst") == 1 and logins.failures(s, "user:fr-colleague") == 0
        assert two.post("/api/v1/login", data=WRONG).status_code == 401  # the check over, the next one is let in
        assert two.post("/api/v1/login", data={"username": "fr-colleague", "password": PASSWORD}).status_code == 200


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a nice value per thread is Linux's")
def test_password_checks_yield_the_cpu_to_the_pages(site: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(access, "_slots", [])
    priorities: list[int] = []
    argon2 = access._hasher

    class Observed:
        """Argon2 as it is, noting the CPU priority of the thread it runs in."""

        def hash(self, password: str) -> str:
            priorities.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
            return argon2.hash(password)

        def verify(self, hashed: str, password: str) -> bool:
            priorities.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
            return argon2.verify(hashed, password)

    monkeypatch.setattr(access, "_hasher", Observed())
    with TestClient(create_app(site, "k")) as web:
        assert web.post("/api/v1/login", data=WRONG).status_code == 401
        assert web.post("/api/v1/login", data={"username": "nobody", "password": "x" * 12}).status_code == 401
    assert priorities == [access.ARGON2_NICE, access.ARGON2_NICE]  # a known user's check, and an unknown's


def test_failed_logins_delays_and_refusals_are_audited_with_the_address(client: TestClient, web_engine: Engine,
                                                                         clock: Clock) -> None:
    for _ in range(6):  # the sixth is refused before its password is looked at: no Argon2, no entry
        client.post("/api/v1/login", data={"username": "fr-analyst", "password": "not the password"})
    failed = _entries(web_engine, "login_failed")
    assert len(failed) == 5 and all("api from testclient" in str(e["detail"]) for e in failed)
    assert "now waits 1 s" in str(failed[0]["detail"])  # the newest: the fifth failure, the first delayed
    _waited_out(clock)
    log_in(client, "de-analyst")
    queue = client.get("/api/v1/queue?limit=200").json()["items"]
    client.cookies.clear()
    _waited_out(clock)
    log_in(client, "fr-analyst")
    german = next(f"{i['source']}/{i['report_id']}" for i in queue if i["country"] == "DE")
    assert client.get(f"/api/v1/reports/{german}").status_code == 404
    assert client.post("/api/v1/users", json={"username": "x", "password": "p" * 12, "role": "analyst",
                                              "agency": "FR"}).status_code == 403
    refused = {(e["actor"], str(e["detail"])) for e in _entries(web_engine, "refused")}
    assert ("fr-analyst", "404: held by another agency (from testclient)") in refused
    assert any(who == "fr-analyst" and why.startswith("403: your role (analyst) may not administer")
               and why.endswith("(from testclient)") for who, why in refused)


def _enrol(web: TestClient, engine: Engine) -> tuple[pyotp.TOTP, list[str]]:
    begun = web.post("/api/v1/second-factor").json()
    assert begun["otpauth_uri"].startswith("otpauth://totp/Lanzarote:fr-admin")
    totp = pyotp.TOTP(begun["secret"])
    confirmed = web.post("/api/v1/second-factor/confirm", json={"code": totp.now()})
    assert confirmed.status_code == 200, confirmed.text
    return totp, confirmed.json()["recovery_codes"]


def test_an_administrator_must_enrol_a_second_factor_and_then_log_in_with_it(
        web: TestClient, site: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANZAROTE_SECOND_FACTOR_ROLES", "administrator")
    admin = {"username": "fr-admin", "password": PASSWORD}
    token = web.post("/api/v1/login", data=admin).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    blocked = web.get("/api/v1/users", headers=bearer)
    assert blocked.status_code == 403 and "second factor" in blocked.json()["detail"]
    web.headers.update(bearer)
    totp, recovery = _enrol(web, site)
    assert len(recovery) == 10 and web.get("/api/v1/users").status_code == 200
    with session(site) as s:  # the recovery codes are kept as hashes only
        kept = set(s.execute(select(factors.recovery_codes.c.code_sha256)).scalars())
    assert not kept & set(recovery)
    web.headers.pop("Authorization")
    web.cookies.clear()

    assert web.post("/api/v1/login", data=admin).status_code == 401  # the password alone no longer does
    with session(site) as s:  # the code of the enrolment was used: the next step's
        s.execute(update(factors.second_factors).values(last_step=None))
    code = totp.now()
    assert web.post("/api/v1/login", data={**admin, "code": code}).status_code == 200
    assert web.post("/api/v1/login", data={**admin, "code": code}).status_code == 401  # never twice
    assert web.post("/api/v1/login", data={**admin, "code": recovery[0]}).status_code == 200
    assert web.post("/api/v1/login", data={**admin, "code": recovery[0]}).status_code == 401  # used up
    actions = [e["detail"] for e in _entries(site, "login") if e["actor"] == "fr-admin"]
    assert "api from testclient with a recovery code" in actions


def test_the_web_login_leads_an_administrator_to_enrol_first(web: TestClient, site: Engine,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANZAROTE_SECOND_FACTOR_ROLES", "administrator")
    web.post("/login", data={"username": "fr-admin", "password": PASSWORD})
    assert web.get("/admin", follow_redirects=False).headers["location"] == "/second-factor"
    page = web.get("/second-factor")
    assert page.status_code == 200 and "otpauth://totp/" in page.text


def test_an_analyst_without_a_second_factor_logs_in_with_a_password(web: TestClient,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANZAROTE_SECOND_FACTOR_ROLES", "administrator")
    token = web.post("/api/v1/login", data=RIGHT).json()["token"]
    assert web.get("/api/v1/queue", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_an_administrator_resets_a_lost_second_factor(web: TestClient, site: Engine) -> None:
    web.headers["Authorization"] = f"Bearer {web.post('/api/v1/login', data=RIGHT).json()['token']}"
    begun = web.post("/api/v1/second-factor").json()
    web.post("/api/v1/second-factor/confirm", json={"code": pyotp.TOTP(begun["secret"]).now()})
    with session(site) as s:
        assert factors.enrolled(s, access.active_user(s, "fr-analyst").id)  # type: ignore[union-attr]
    result = CliRunner().invoke(cli, ["--as", "fr-admin", "users", "reset-factor", "fr-analyst"])
    assert result.exit_code == 0, result.output
    web.headers.pop("Authorization")
    assert web.post("/api/v1/login", data=RIGHT).status_code == 200  # a password alone again, until re-enrolled


def test_logout_ends_the_session_and_its_token_is_refused(web: TestClient) -> None:
    bearer = {"Authorization": f"Bearer {web.post('/api/v1/login', data=RIGHT).json()['token']}"}
    assert web.get("/api/v1/queue", headers=bearer).status_code == 200
    assert web.post("/api/v1/logout", headers=bearer).status_code == 204
    assert web.get("/api/v1/queue", headers=bearer).status_code == 401


def test_api_tokens_expire_and_cannot_make_tokens(web: TestClient, site: Engine) -> None:
    session_bearer = {"Authorization": f"Bearer {web.post('/api/v1/login', data=RIGHT).json()['token']}"}
    made = web.post("/api/v1/tokens", json={"name": "case system"}, headers=session_bearer).json()
    assert made["expires_at"].startswith(f"{(datetime.now(UTC) + timedelta(days=90)).date()}")
    token = {"Authorization": f"Bearer {made['token']}"}
    refused = web.post("/api/v1/tokens", json={"name": "another"}, headers=token)
    assert refused.status_code == 403 and "cannot make tokens" in refused.json()["detail"]
    assert web.post("/api/v1/logout", headers=token).status_code == 422  # revoked, not logged out
    assert web.get("/api/v1/queue", headers=token).status_code == 200
    with session(site) as s:
        s.execute(update(access.api_tokens).values(created_at=datetime.now(UTC) - timedelta(days=91)))
    assert web.get("/api/v1/queue", headers=token).status_code == 401
    listed = CliRunner().invoke(cli, ["users", "tokens"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0, listed.output
    assert "expires" in listed.output and f"{(datetime.now(UTC) - timedelta(days=1)).date()}" in listed.output


def test_a_cookie_authenticated_api_change_needs_our_origin_and_the_csrf_token(web: TestClient) -> None:
    log_in(web, "fr-admin")  # the login page's cookie; log_in sends the CSRF token and our origin as pages do
    csrf = web.headers.pop("X-CSRF-Token")
    evil = web.post("/api/v1/users/fr-colleague/disable", headers={"Origin": "https://evil.example",
                                                                    "X-CSRF-Token": csrf})
    assert evil.status_code == 403 and "evil.example" in evil.json()["detail"]
    assert web.post("/api/v1/users/fr-colleague/disable").status_code == 403  # our origin, no token
    web.headers.pop("Origin")
    referred = web.post("/api/v1/users/fr-colleague/disable", headers={"X-CSRF-Token": csrf,
                                                                       "Referer": "https://evil.example/x"})
    assert referred.status_code == 403
    assert web.get("/api/v1/users").status_code == 200  # reads need neither
    assert {u["username"]: u["active"] for u in web.get("/api/v1/users").json()}["fr-colleague"] is True
    ours = web.post("/api/v1/users/fr-colleague/disable", headers={"X-CSRF-Token": csrf,
                                                                   "Origin": "http://testserver"})
    assert ours.status_code == 200


def test_a_token_authenticated_api_change_needs_no_csrf_token(web: TestClient) -> None:
    token = web.post("/api/v1/login", data={"username": "fr-admin", "password": PASSWORD}).json()["token"]
    web.cookies.clear()
    answer = web.post("/api/v1/users/fr-colleague/disable", headers={"Authorization": f"Bearer {token}",
                                                                     "Origin": "https://evil.example"})
    assert answer.status_code == 200
