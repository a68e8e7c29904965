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


class _Scope:
    """Readings by name, then by the id of the object read; the objects themselves in one list, which keeps
    their ids from being reused while the scope lasts (an entry per reading costs a dict slot, no tuple)."""

    __slots__ = ("held", "readings")

    def __init__(self) -> None:
        self.readings: dict[str, dict[int, Any]] = {}
        self.held: list[object] = []


_active: list[_Scope] = []
_MISSING = object()


@contextmanager
def run_scope() -> Iterator[None]:
    """Keep readings for the duration of the block (nested scopes share the outer one)."""
    if _active:
        yield
        return
    _active.append(_Scope())
    try:
        yield
    finally:
        _active.clear()


def remembered(name: str, source: object, read: Callable[..., T], *args: object) -> T:
    """``read(*args)``, computed once per ``source`` object within the current scope. (A reader asked of
    every object passes its arguments rather than a closure: no function is made at each hit.)"""
    if not _active:
        return read(*args)
    scope = _active[0]
    readings = scope.readings.get(name)
    if readings is None:
        readings = scope.readings[name] = {}
    hit = readings.get(id(source), _MISSING)
    if hit is not _MISSING:
        value: T = hit
        return value
    value = read(*args)
    readings[id(source)] = value
    scope.held.append(source)
    return value
