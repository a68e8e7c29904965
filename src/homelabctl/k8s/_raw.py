"""The primitives every reader is built on: a wrong type where the API has another becomes a safe default.

Hand-written snapshots and GitOps manifests put strings where the API has maps (``parentRefs: ["gw"]``),
text where it has numbers (``replicas: "zzz"``) and nulls anywhere. Nothing here raises on such input.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from homelabctl.model import Resource

EMPTY: Mapping[str, Any] = {}


@runtime_checkable
class HasRaw(Protocol):
    """A loaded object (``model.Resource``): its ``raw`` is the mapping the API returned."""

    @property
    def raw(self) -> Mapping[str, Any]: ...


Obj = HasRaw | Mapping[str, Any]
"""What a reader accepts: a Resource, or the plain mapping of a document or a sub-object."""


def raw_of(obj: object) -> Mapping[str, Any]:
    # ``type(...) is dict`` first: ABC isinstance checks dominated check time on 10k objects
    if type(obj) is dict:
        return obj
    raw = getattr(obj, "raw", None)
    if type(raw) is dict:
        return raw
    if isinstance(obj, Mapping):
        return obj
    return raw if isinstance(raw, Mapping) else EMPTY


def mapping(value: object) -> Mapping[str, Any]:
    if type(value) is dict:
        return value
    if value is None or type(value) is str:  # absent fields and strings: no abstract-class check
        return EMPTY
    return value if isinstance(value, Mapping) else EMPTY


def mappings(value: object) -> list[Mapping[str, Any]]:
    """The mapping items of a list; anything else (a string, a map, a number) is no items."""
    if value is None:
        return []
    if type(value) is list:  # parsed documents hold exact lists: skip the union isinstance
        return [item for item in value if type(item) is dict or isinstance(item, Mapping)]
    if not isinstance(value, list | tuple):
        return []
    return [item for item in value if type(item) is dict or isinstance(item, Mapping)]


def items(value: object) -> list[Any]:
    if value is None:
        return []
    return list(value) if type(value) is list or isinstance(value, list | tuple) else []


def text(value: object, default: str = "") -> str:
    """Scalars as text (YAML may hand over ints or bools); maps, lists and None give ``default``."""
    if type(value) is str:
        return value
    if value is None or isinstance(value, Mapping | list | tuple):
        return default
    return str(value)


def strings(value: object) -> tuple[str, ...]:
    return tuple(text(v) for v in items(value) if text(v))


def integer(value: object, default: int = 0) -> int:
    if type(value) is int:  # the common case first (a bool is not one: its type is bool)
        return value
    if value is None:
        return default
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return default
    return default


def opt_integer(value: object) -> int | None:
    if value is None:
        return None
    sentinel = -(2**63)
    found = integer(value, sentinel)
    return None if found == sentinel else found


def string_map(value: object) -> dict[str, str]:
    """A ``map[string]string`` (labels, selectors, requests): non-scalar values are dropped."""
    # strings, nearly every value, are kept without the abstract-class check
    return {
        k if type(k) is str else str(k): v if type(v) is str else text(v)
        for k, v in mapping(value).items()
        if type(v) is str or not isinstance(v, Mapping | list | tuple)
    }


def kind_of(obj: object) -> str:
    """``text(raw_of(obj).get("kind"))``; a Resource's as read when it was made (the same for any kind a
    caller compares with)."""
    if type(obj) is Resource:
        return obj.kind
    return text(raw_of(obj).get("kind"))


def section(obj: object, name: str) -> Mapping[str, Any]:
    """A top-level section (``spec``, ``status``, ``metadata``, ``data``) as a mapping, never None."""
    if type(obj) is Resource:  # its sections were read when it was made (no getattr: ~40,000 calls a run)
        if name == "spec":
            return obj.spec
        if name == "status":
            return obj.status
        if name == "metadata":
            return obj.metadata
    found = obj.get(name) if type(obj) is dict else raw_of(obj).get(name)
    if type(found) is dict:
        return found
    return found if isinstance(found, Mapping) else EMPTY
