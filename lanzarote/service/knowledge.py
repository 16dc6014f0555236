"""The country knowledge base, for every signed-in user: what each state said about international co-operation,
each fact with its quotation and source, and the warnings a draft request earns before it is sent.

The facts come from public documents (and a unit's own notes): every role may read them, nothing is audited.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from lanzarote import config
from lanzarote.coordination.knowledge import NOT_STATED, Country, KnowledgeBase
from lanzarote.coordination.knowledge.spec import FIELDS, Fact
from lanzarote.coordination.knowledge.warnings import Draft, RequestWarning, warnings_for
from lanzarote.store.access import User

__all__ = ["FIELDS", "Draft", "RequestWarning", "check_draft", "countries", "country", "knowledge_base"]


def knowledge_base() -> KnowledgeBase:
    """The knowledge base of the `knowledge_dir` setting (the one shipped in the package when empty)."""
    return _load(str(config.get("knowledge_dir")))


@lru_cache(maxsize=4)
def _load(directory: str) -> KnowledgeBase:
    return KnowledgeBase.load(Path(directory) if directory else None)


def countries(user: User) -> dict[str, Any]:
    """Every state: code, name, whether it replied, and how many facts each field holds (0: not stated)."""
    kb = knowledge_base()
    rows = [{"code": c.code, "name": c.name, "name_fr": c.name_fr, "replied": c.reply.replied,
             "facts": {name: len(c.facts(name)) for name in FIELDS}}
            for c in sorted(kb.countries.values(), key=lambda c: c.name)]
    return {"version": kb.version, "countries": rows}


def country(user: User, code: str) -> dict[str, Any]:
    """One state's entry: each field `not stated` or its facts, each with quotation, section, source and date."""
    kb = knowledge_base()
    entry = kb.country(code)
    reply_source = kb.sources.get(entry.reply.source) or entry.sources[entry.reply.source]
    out: dict[str, Any] = {
        "code": entry.code, "name": entry.name, "name_fr": entry.name_fr, "version": kb.version,
        "reply": {"replied": entry.reply.replied, "quote": entry.reply.quote, "section": entry.reply.section,
                  "source": reply_source.title, "date": reply_source.date.isoformat()},
    }
    for name in FIELDS:
        facts = entry.facts(name)
        out[name] = [_fact(kb, entry, f) for f in facts] if facts else NOT_STATED
    return out


def _fact(kb: KnowledgeBase, entry: Country, fact: Fact) -> dict[str, Any]:
    source = kb.source_of(entry, fact)
    body = fact.model_dump(mode="json", exclude={"quote", "section", "source", "as_of"})
    return {**body, "summary": _summary(body), "quote": fact.quote, "section": fact.section, "source": source.title,
            "source_id": fact.source, "date": (fact.as_of or source.date).isoformat(), "by": source.by}


def check_draft(user: User, draft: Draft) -> list[RequestWarning]:
    """The warnings `draft` earns from the requested state's entry (before it is sent)."""
    return warnings_for(draft, knowledge_base())


def _summary(fact: dict[str, Any]) -> str:
    """The fact itself in a few words, whatever its kind (what a list shows before the quotation)."""
    if "channel" in fact:
        return str(fact["channel"])
    if "name" in fact:
        return str(fact["name"]) + (f" ({', '.join(fact['instruments'])})" if fact.get("instruments") else "")
    if "months" in fact:
        return f"{fact['months']} months: {fact['what']} ({', '.join(fact['data'])})"
    if "languages" in fact:
        return f"{' or '.join(fact['languages'])} for {', '.join(fact['instruments'])}"
    return str(fact.get("text") or fact.get("figure") or fact.get("value"))
