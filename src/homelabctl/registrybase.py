"""What every registry (cluster checks, diagnosis rules, scan rules) shares: the docstring is the doc,
ids are kebab-case and unique."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from typing import Any

_PROVENANCE = re.compile(r"(?:^|(?<=[.;:)!?])\s+)Seeds?\b(?: AAR)?[^:]{0,80}:")
_INTERNAL_WORDING = {
    "as in the seed,": "as on a default K3s install,",
    "is in the seed's emergency runbook": "is a common emergency measure",
    "For the charts the seeds use,": "For charts homelabs commonly use,",
}


def public_doc(text: str) -> str:
    """A docstring as users read it (``rules``, docs/rules.md, SARIF help): without the notes that say
    which operations-log entry a rule came from. Those are for the project's developers (they stay in the
    source); in a user's output they are internal wording."""
    paragraphs = []
    for paragraph in text.split("\n\n"):
        match = _PROVENANCE.search(paragraph)
        if match:
            paragraph = paragraph[: match.start()].rstrip()
        for internal, public in _INTERNAL_WORDING.items():
            paragraph = paragraph.replace(internal, public)
        if paragraph.strip():
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


class Documented:
    """Mixin for a registered function whose docstring is its documentation."""

    id: str
    func: Callable[..., Any]

    @property
    def doc(self) -> str:
        return public_doc(inspect.cleandoc(self.func.__doc__ or ""))

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
