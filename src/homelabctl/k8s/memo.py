"""Readings of one object kept for the length of one run, so that a dozen checks parsing the same pod spec
pay for it once.

Outside a :func:`run_scope` nothing is kept (a reader called from a test, the server or a long-running
watch parses every time). Inside one, results are keyed by the identity of the mapping they were read
from; the mapping itself is held too, so its id cannot be reused while the scope lasts. That is sound
because loaded objects are never mutated (see ``model.Resource``), and a check run only reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

_active: list[dict[tuple[str, int], tuple[object, Any]]] = []


@contextmanager
def run_scope() -> Iterator[None]:
    """Keep readings for the duration of the block (nested scopes share the outer one)."""
    if _active:
        yield
        return
    _active.append({})
    try:
        yield
    finally:
        _active.clear()


def remembered(name: str, source: object, read: Callable[[], T]) -> T:
    """``read()``, computed once per ``source`` object within the current scope."""
    if not _active:
        return read()
    cache = _active[0]
    key = (name, id(source))
    hit = cache.get(key)
    if hit is not None and hit[0] is source:
        value: T = hit[1]
        return value
    value = read()
    cache[key] = (source, value)
    return value
