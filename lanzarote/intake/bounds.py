"""Whether the values the CyberTipline reader built already hold every bound of the model.

Building the pydantic records only to write them out again was most of a reader's work. Where the values already
hold every bound (nearly every document), the stored JSON is written straight from them: pydantic would accept
them unchanged and write the same bytes (`tests/intake/test_stored_form.py` holds the two paths to that). Where one
value does not (too long, a year out of range, a list too long, text with spaces around it), the reader builds the
records as before, and their validation says what is wrong, word for word as it always did.

Each check names the model's bound it stands for; `tests/intake/test_stored_form.py` fails when the model gains a
bound that is not checked here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from lanzarote.model.base import EARLIEST_YEAR, LATEST_YEAR, MAX_ITEMS
from lanzarote.model.report import EXACT_HASHES

SHORT_TEXT = 300
TAG = 60
NAME = 100
ACCOUNT_ID = 190
KEY_PART = 200
AGE = 130
PORT = 65535


def key_part(value: str) -> bool:
    """`SourceName`/`SourceId`: 1 to 200 characters, no '/', no control character, nothing to strip."""
    return 0 < len(value) <= KEY_PART and "/" not in value and value.isprintable() and value == value.strip()


def _text(value: str | None, limit: int) -> bool:
    return value is None or len(value) <= limit


def _attribute(value: str | None) -> bool:
    """Attributes keep the spaces around them, which the model strips (`str_strip_whitespace`)."""
    return value is None or value == value.strip()


def _stripped(texts: Any) -> bool:
    return all(t == t.strip() for t in texts)


def _moment(value: date | None) -> bool:
    return value is None or EARLIEST_YEAR <= value.year <= LATEST_YEAR


def _items(*lists: Any) -> bool:
    return all(len(x) <= MAX_ITEMS for x in lists)


def _emails(emails: list[dict[str, Any]]) -> bool:
    return len(emails) <= MAX_ITEMS and all(
        len(e["address"]) <= SHORT_TEXT and _attribute(e["type"]) for e in emails)


def _phones(phones: list[dict[str, Any]]) -> bool:
    return len(phones) <= MAX_ITEMS and all(
        len(p["number"]) <= SHORT_TEXT and _attribute(p["country_calling_code"])
        and _text(p["country_calling_code"], TAG) and _attribute(p["type"]) and _text(p["type"], TAG) for p in phones)


def _addresses(addresses: list[dict[str, Any]]) -> bool:
    return len(addresses) <= MAX_ITEMS and all(_attribute(a["type"]) for a in addresses)


def _ip_event(e: dict[str, Any] | None) -> bool:
    return e is None or (len(e["ip_address"]) <= SHORT_TEXT and _text(e["event"], TAG) and _moment(e["at"])
                         and (e["port"] is None or 0 <= e["port"] <= PORT))


def _ip_events(events: list[dict[str, Any]]) -> bool:
    return len(events) <= MAX_ITEMS and all(_ip_event(e) for e in events)


def _devices(devices: list[dict[str, Any]]) -> bool:
    return len(devices) <= MAX_ITEMS and all(
        len(d["id_type"]) <= TAG and len(d["value"]) <= SHORT_TEXT and _text(d["event"], TAG) and _moment(d["at"])
        for d in devices)


def _party(p: dict[str, Any]) -> bool:
    action, associated = p["account_action"], p["associated_accounts"]
    age = p["age"]
    return (
        _moment(p["date_of_birth"]) and (age is None or 0 <= age <= AGE)
        and _emails(p["emails"]) and _phones(p["phones"]) and _addresses(p["addresses"])
        and _text(p["esp_identifier"], ACCOUNT_ID) and _text(p["esp_service"], NAME)
        and _text(p["screen_name"], ACCOUNT_ID)
        and _items(p["display_names"], p["profile_urls"], p["prior_report_ids"], p["additional_info"], associated)
        and _ip_events(p["ip_capture_events"]) and _devices(p["device_ids"])
        and (action is None or _moment(action["disabled_at"]))
        and all(_text(a["platform"], NAME) and _text(a["esp_identifier"], ACCOUNT_ID)
                and _text(a["screen_name"], ACCOUNT_ID) and _emails(a["emails"]) and _phones(a["phones"])
                for a in associated)
    )


def _internet_detail(d: dict[str, Any]) -> bool:
    return _items(d["urls"], d["emails"]) and _ip_events(d["ip_capture_events"]) and _addresses(d["addresses"])


def report_holds(record: dict[str, Any], received_at: date | None) -> bool:
    """Whether a report's values (as `cybertipline._report` builds them) hold every bound of `Report`."""
    reporter = record["reporter"]
    return (
        key_part(record["source_id"]) and _stripped(record["warnings"])
        and _moment(received_at) and _moment(record["incident_at"])
        and _text(record["platform"], NAME) and _attribute(record["batched_reason"])
        and _items(record["provenance"], record["internet_details"], record["parties"])
        and all(_internet_detail(d) for d in record["internet_details"])
        and (reporter is None or (_text(reporter["name"], NAME) and _emails(reporter["emails"])
                                  and _phones(reporter["phones"])))
        and all(_party(p) for p in record["parties"])
    )


def file_holds(report_id: str, detail: dict[str, Any]) -> bool:
    """Whether a file's values (as `cybertipline._file_details` builds them) hold every bound of `FileDetail`."""
    return (
        key_part(report_id) and 0 < len(detail["file_id"]) <= KEY_PART and _stripped(detail["warnings"])
        and _moment(detail["uploaded_at"]) and _moment(detail["captured_at"])
        and _items(detail["hashes"], detail["additional_info"])
        and all(len(h["type"]) <= TAG and (len(h["value"]) <= 128 or h["type"].lower().replace("-", "")
                                           not in EXACT_HASHES) for h in detail["hashes"])
        and _ip_event(detail["ip_capture_event"]) and _devices(detail["device_ids"])
        and all(_attribute(k) for k in detail["exif"])
    )
