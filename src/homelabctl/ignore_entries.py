"""The ``ignore:`` entries of ``.homelabctl.yaml`` as pydantic models (see :mod:`homelabctl.ignorefile`).

Their own module so that pydantic is imported only when an ignore file is actually read."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class IgnoreEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, description="Check or scan rule id.")
    reason: str = Field(min_length=1, description="Why this finding is accepted.")
    object: str | None = Field(default=None, description="Object name, or Kind/name.")
    namespace: str | None = None
    expires: date | None = Field(default=None, description="Last day the entry applies (YYYY-MM-DD).")

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("give a reason: why is this finding accepted?")
        return value

    def expired(self, today: date) -> bool:
        return self.expires is not None and today > self.expires

    def matches(self, check: str, obj: Mapping[str, Any]) -> bool:
        if check != self.id:
            return False
        if self.namespace is not None and obj.get("namespace") != self.namespace:
            return False
        if self.object is not None:
            kind, _, name = self.object.rpartition("/")
            if name != obj.get("name") or (kind and kind.lower() != str(obj.get("kind", "")).lower()):
                return False
        return True

    def label(self) -> str:
        where = "/".join(p for p in (self.namespace, self.object) if p)
        return f"{self.id}{' ' + where if where else ''}"


class IgnoreFile(BaseModel):
    model_config = ConfigDict(extra="allow")

    ignore: list[IgnoreEntry] = Field(default_factory=list)
