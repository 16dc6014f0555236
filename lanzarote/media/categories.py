"""Category schemes: how to read the categories a hash list gives its entries (a data file analysts edit)."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from lanzarote.errors import ConfigurationError

DEFAULT_PATH = Path(__file__).with_name("data") / "categories.yaml"
AS_WRITTEN = "as-written"


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    non_pertinent: bool = False
    """Matches of entries in this category are suppressed, as if the entry were on an allow list."""


class Scheme(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str
    categories: dict[str, Category]

    def reading(self, code: str | None) -> tuple[str | None, bool]:
        """(the category as shown to analysts, whether it is non-pertinent)."""
        if code is None:
            return None, False
        known = self.categories.get(code.strip())
        if known is None:
            return code, False
        return f"{code} ({known.label})", known.non_pertinent


class Schemes(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    schemes: dict[str, Scheme]

    def get(self, name: str) -> Scheme:
        try:
            return self.schemes[name]
        except KeyError:
            raise ConfigurationError(
                f"unknown category scheme {name!r}; use one of {', '.join(sorted(self.schemes))}") from None


@functools.lru_cache(maxsize=4)
def load(path: Path = DEFAULT_PATH) -> Schemes:
    try:
        schemes = Schemes.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ConfigurationError(f"{path}: not a valid category scheme file: {exc}") from exc
    if AS_WRITTEN not in schemes.schemes:
        raise ConfigurationError(f"{path}: the {AS_WRITTEN!r} scheme is required")
    return schemes
