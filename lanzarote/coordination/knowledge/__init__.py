"""The country knowledge base: what each state said about international co-operation, each fact with the words it
rests on (`spec`), loaded and validated from one YAML file per state (`load`), and the warnings a draft request
earns before it is sent (`warnings`)."""

from lanzarote.coordination.knowledge.load import KnowledgeBase
from lanzarote.coordination.knowledge.spec import COMPILATION, NOT_STATED, Country, Fact, Source

__all__ = ["COMPILATION", "NOT_STATED", "Country", "Fact", "KnowledgeBase", "Source"]
