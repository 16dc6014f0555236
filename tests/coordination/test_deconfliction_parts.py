"""The parts of deconfliction on their own: the OPRF, names' encodings, planned actions' conflicts, messages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl.signing import SigningKey

from lanzarote.coordination.deconfliction import actions, clk, messages, oprf
from lanzarote.coordination.packages.signing import NodeKey, Partner
from lanzarote.errors import InputRejected

KEY = oprf.new_key()


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=1, max_size=60), st.sampled_from(oprf.EXCHANGED))
def test_a_blinded_token_is_the_keyed_token_and_the_blinding_hides_it(value: str, kind: str) -> None:
    first, second = oprf.blind(kind, value), oprf.blind(kind, value)
    assert first.point != second.point  # each query is fresh randomness: the hub cannot tell two queries are alike
    tokens = [oprf.unblind(b, e) for b, e in zip((first, second), oprf.evaluate(KEY, [first.point, second.point]),
                                                  strict=True)]
    assert tokens[0] == tokens[1] == oprf.direct(KEY, kind, value)
    assert oprf.direct(oprf.new_key(), kind, value) != tokens[0]  # another hub's key: another token


def test_the_kind_is_part_of_the_token() -> None:
    assert oprf.direct(KEY, "email", "a@example.org") != oprf.direct(KEY, "account", "a@example.org")


@pytest.mark.parametrize("point", [b"\x00" * 32, b"\x01" + b"\x00" * 31, b"\xff" * 32, b"short"])
def test_the_hub_refuses_what_is_not_a_point_of_the_group(point: bytes) -> None:
    with pytest.raises(InputRejected, match="point 0"):
        oprf.evaluate(KEY, [point])


def test_a_unit_refuses_a_garbage_evaluation() -> None:
    with pytest.raises(InputRejected, match="not a point"):
        oprf.unblind(oprf.blind("email", "a@example.org"), b"\x00" * 32)


def test_names_written_differently_match_and_others_do_not() -> None:
    key, other_key = b"k" * 32, b"o" * 32
    a = clk.encode(clk.Person("José María", "García Ejemplo", date(1990, 1, 2)), key)
    assert clk.dice(a, clk.encode(clk.Person("Jose Maria", "Garcia Ejemplo", date(1990, 1, 2)), key)) == 1.0
    assert clk.dice(a, clk.encode(clk.Person("Jose", "Garcia Ejemplo", date(1990, 1, 2)), key)) > 0.8
    assert clk.dice(a, clk.encode(clk.Person("Marta", "López Prueba", date(1985, 3, 4)), key)) < 0.5
    assert clk.dice(a, clk.encode(clk.Person("José María", "García Ejemplo", date(1990, 1, 2)), other_key)) < 0.5
    assert not clk.Person(None, "García", None).usable and clk.Person(None, "García", date(1990, 1, 2)).usable
    assert clk.valid(a) and not clk.valid(b"\x00" * 128) and not clk.valid(b"\x01")


def test_planned_actions_conflict_on_overlapping_times_and_a_shared_subject_or_place() -> None:
    day = datetime(2030, 1, 10, 6, tzinfo=UTC)
    berlin = actions.cells_around(52.5200, 13.4050)
    near, far = actions.cells_around(52.5230, 13.4080), actions.cells_around(48.1351, 11.5820)
    a = actions.Planned("A-1", day, day + timedelta(hours=3), berlin, ["t1"])
    assert actions.conflict(a, actions.Planned("A-2", day + timedelta(hours=1), day + timedelta(hours=2), near, []))
    assert actions.conflict(a, actions.Planned("A-3", day, day + timedelta(hours=1), far, ["t1"])) == (
        "the same subject at overlapping times")
    assert actions.conflict(a, actions.Planned("A-4", day, day + timedelta(hours=1), far, ["t2"])) is None
    assert actions.conflict(a, actions.Planned("A-5", day + timedelta(hours=3), day + timedelta(hours=4), berlin,
                                               ["t1"])) is None
    with pytest.raises(ValueError, match="LAT,LON"):
        actions.parse_place("Berlin")
    with pytest.raises(ValueError, match="LAT,LON"):
        actions.parse_place("91,0")


def _keys() -> tuple[NodeKey, dict[str, Partner]]:
    key = NodeKey("DE", SigningKey.generate())
    return key, {key.key_id: Partner("DE", key.public_key)}


def _tokens() -> messages.Tokens:
    return messages.Tokens(tokens=[messages.TokenEntry(token="ab" * 16, kind="email", reference="R-0001",
                                                       since=datetime.now(UTC))])


def test_a_message_opens_only_signed_unaltered_addressed_recent_and_valid() -> None:
    key, partners = _keys()
    _, body = messages.seal(key, "HUB", "tokens", _tokens())
    assert messages.open_(body, "HUB", partners, ("tokens",)).body.tokens[0].reference == "R-0001"
    with pytest.raises(InputRejected, match="altered"):
        messages.open_(body.replace(b"R-0001", b"R-0002"), "HUB", partners, ("tokens",))
    with pytest.raises(InputRejected, match="addressed to 'HUB', not to this node"):
        messages.open_(body, "ES", partners, ("tokens",))
    with pytest.raises(InputRejected, match="not expected here"):
        messages.open_(body, "HUB", partners, ("hit",))
    with pytest.raises(InputRejected, match="not a partner's key"):
        messages.open_(body, "HUB", {}, ("tokens",))
    _, old = messages.seal(key, "HUB", "tokens", _tokens(), at=datetime.now(UTC) - timedelta(days=8))
    with pytest.raises(InputRejected, match="too old"):
        messages.open_(old, "HUB", partners, ("tokens",))


def test_a_body_that_breaks_its_model_is_refused_with_where() -> None:
    key, partners = _keys()
    from lanzarote.coordination.packages.signing import sign

    payload = {"message_id": "M-1234", "from": "DE", "to": "HUB", "type": "tokens",
               "sent_at": datetime.now(UTC).isoformat(), "body": {"tokens": [{"token": "plain@example.org",
                                                                             "kind": "email", "reference": "R-0001",
                                                                             "since": "2026-11-03T00:00:00Z"}]}}
    with pytest.raises(InputRejected, match=r"not valid at tokens\.0\.token"):
        messages.open_(sign(messages.ENVELOPE_KIND, payload, key), "HUB", partners, ("tokens",))


def test_the_hub_matches_new_tokens_on_its_index_not_by_walking_its_table(tmp_path: Path) -> None:
    from lanzarote.store import deconfliction as store
    from lanzarote.store.db import open_store, session

    engine = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    since = datetime(2026, 11, 3, tzinfo=UTC)
    with session(engine) as s:
        assert store.hold_tokens(s, [store.HubToken(b"a" * 16, "DE", "R-0001", "email", since),
                                     store.HubToken(b"b" * 16, "DE", "R-0002", "phone", since)]) == []
        (match,) = store.hold_tokens(s, [store.HubToken(b"a" * 16, "ES", "R-0003", "email", since),
                                         store.HubToken(b"c" * 16, "ES", "R-0004", "email", since)])
        assert (match[0].reference, match[1].agency, match[1].reference, match[1].since) == (
            "R-0003", "DE", "R-0001", since)
        again = store.hold_tokens(s, [store.HubToken(b"a" * 16, "ES", "R-0003", "email", since)])
        assert [(x.reference, y.reference) for x, y in again] == [("R-0003", "R-0001")]  # the same hit again
        assert s.connection().exec_driver_sql("SELECT count(*) FROM dc_hub_tokens").scalar() == 4
        for same in ("=", "<>"):
            plan = " ".join(str(r[-1]) for r in s.connection().exec_driver_sql(
                f"EXPLAIN QUERY PLAN SELECT token FROM dc_hub_tokens WHERE agency {same} ? AND token IN (?, ?)",
                ("DE", b"a" * 16, b"c" * 16)))
            assert "USING COVERING INDEX ix_dc_hub_tokens_token" in plan, plan
    engine.dispose()
