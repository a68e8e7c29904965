"""What every registry (cluster checks, diagnosis rules, scan rules) shares: the docstring is the doc,
ids are kebab-case and unique."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any


class Documented:
    """Mixin for a registered function whose docstring is its documentation."""

    __slots__ = ()  # the registries' specs are msgspec Structs: no __dict__ per instance

    id: str
    func: Callable[..., Any]

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.func.__doc__ or "")

    @property
    def title(self) -> str:
        return self.doc.splitlines()[0].strip() if self.doc else self.id

    @property
    def description(self) -> str:
        """Everything after the title."""
        return "\n".join(self.doc.splitlines()[1:]).strip()


def check_registration(what: str, id: str, func: Callable[..., Any], registry: Mapping[str, Any]) -> None:
    """Refuse duplicates, undocumented functions and ids users could not type in an ignore list."""
    if id in registry:
        raise ValueError(f"duplicate {what} id {id!r}")
    if not func.__doc__:
        raise ValueError(f"{what} {id!r} has no docstring")
    if id != id.lower() or " " in id or "_" in id:
        raise ValueError(f"{what} id {id!r} is not kebab-case")
