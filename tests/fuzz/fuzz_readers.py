"""Coverage-guided fuzzing of the two readers with atheris (libFuzzer), outside the default suite: pytest does not
collect this file. What a document holds must never make a reader raise, and every document must end as records
or as quarantine entries with a reason, as `tests/intake/test_fuzz_readers.py` asks of hypothesis's examples.

    .venv/bin/pip install -e '.[fuzz]'
    .venv/bin/python -m tests.fuzz.fuzz_readers /tmp/fuzz-corpus -max_total_time=180

The corpus folder is seeded, when empty, with a valid native report, a valid CyberTipline report and a file
details document (synthetic, from `tests.samples`); libFuzzer adds what reaches new code. The first input byte
picks how the rest is read: as native JSON, as CyberTipline XML, or spliced into the valid CyberTipline report.
A crash is written by libFuzzer as `crash-<sha1>` in the working folder.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["lanzarote"]):
    from lanzarote.intake.documents import ClearingHouseDocument, Document, FileDetailsDocument
    from lanzarote.intake.read import read_document
    from lanzarote.model.quarantine import QuarantineEntry
    from lanzarote.model.report import IncidentType, Report, Reporter

from tests.samples import report_xml

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
WHOLE_XML = report_xml()
NATIVE = Report(source="citizen", source_id="fuzz-1", reporter=Reporter(name="ExampleChat"),
                incident_type=IncidentType.ONLINE_ENTICEMENT).model_dump_json().encode()


def accounted_for(location: str, content: bytes) -> None:
    results = read_document(Document(location, content), NOW)
    if not results:
        raise AssertionError(f"{location}: a document that gives nothing was silently dropped")
    for result in results:
        if not isinstance(result, Report | FileDetailsDocument | ClearingHouseDocument | QuarantineEntry):
            raise AssertionError(f"{location}: an unknown result {type(result).__name__}")
        if isinstance(result, QuarantineEntry) and not result.reason.strip():
            raise AssertionError(f"{location}: quarantined without a reason")


def one_input(data: bytes) -> None:
    if not data:
        return
    how, rest = data[0] % 3, data[1:]
    if how == 0:
        accounted_for("fuzz.json", rest)
    elif how == 1:
        accounted_for("90001234.xml", rest)
    else:  # spliced into a valid report: the XML parser and the schema get past the first bytes
        cut = int.from_bytes(rest[:2] or b"\0", "big") % (len(WHOLE_XML) + 1)
        accounted_for("90001234.xml", WHOLE_XML[:cut] + rest[2:] + WHOLE_XML[cut:])


def seed(corpus: Path) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    if any(corpus.iterdir()):
        return
    (corpus / "native").write_bytes(b"\0" + NATIVE)
    (corpus / "cybertipline").write_bytes(b"\1" + WHOLE_XML)
    (corpus / "spliced").write_bytes(b"\2" + (len(WHOLE_XML) // 2).to_bytes(2, "big") + b"<x>&amp;</x>")
    (corpus / "jsonl").write_bytes(b"\0" + b"\n".join([NATIVE, json.dumps({"clearing_house_for": {}}).encode()]))


def main() -> None:
    folders = [a for a in sys.argv[1:] if not a.startswith("-")]
    for folder in folders:
        seed(Path(folder))
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
