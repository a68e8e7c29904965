"""Containment per object: a malformed value costs that object's findings, never a check or the report.

When a check raises, the object it was reading is found in the traceback (the innermost frame holding a
:class:`Resource`), the field holding the offending value is looked up in it, and the check runs again
without that object. What the object cost is reported as an error naming the object, the field and the
check. Only when no object can be blamed does the whole check read as failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import TracebackType
from typing import Any

import msgspec

from homelabctl.lazyre import LazyPattern
from homelabctl.model import Resource
from homelabctl.sources.base import ClusterState
from homelabctl.sources.index import ClusterIndex

MAX_QUARANTINED = 5
"""Objects one check may drop before it is reported as failed as a whole (a bug, not bad data)."""
_QUOTED = LazyPattern(r"'((?:[^'\\]|\\.){1,200})'")


def culprit(tb: TracebackType | None) -> Resource | None:
    """The object being read where the exception was raised: the innermost frame with a Resource local."""
    frames = []
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    for frame in reversed(frames):
        for value in frame.f_locals.values():
            if isinstance(value, Resource):
                return value
    return None


def _leaves(value: Any, path: str, depth: int = 0) -> Iterator[tuple[str, Any]]:
    if depth > 40:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}" if path else str(key), depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, f"{path}[{i}]", depth + 1)
    yield path, value


_TYPE_NAMES = {
    "str": str,
    "list": list,
    "dict": dict,
    "int": int,
    "float": float,
    "bool": bool,
    "NoneType": type(None),
}


def blamed_field(res: Resource, exc: BaseException) -> str | None:
    """The field whose value the error message quotes (``'zzz'``), or whose type it names (``'list' object``)."""
    text = str(exc)
    quoted = _QUOTED.findall(text)
    leaves = [
        (p, v) for p, v in _leaves(dict(res.raw), "") if p and not p.startswith("metadata.managedFields")
    ]
    for literal in quoted:
        for path, value in leaves:
            if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value) == literal:
                return path
    for literal in quoted:
        wanted = _TYPE_NAMES.get(literal)
        if wanted is None:
            continue
        for path, value in leaves:
            if type(value) is wanted and path.count(".") >= 1 and path.split(".")[0] in ("spec", "status"):
                return path
    return None


def describe(res: Resource, exc: BaseException, check_id: str) -> str:
    where = f"{res.kind} {res.namespace}/{res.name}" if res.namespace else f"{res.kind} {res.name}"
    field = blamed_field(res, exc)
    detail = str(exc).splitlines()[0][:160] if str(exc) else ""
    what = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    at = f"malformed value at {field} ({what})" if field else f"malformed object ({what})"
    return f"{where}: {at}; check {check_id} skipped this object"


def without(state: ClusterState, dropped: set[int]) -> ClusterState:
    """The same state minus some objects (by identity)."""
    index = ClusterIndex(res for res in state.index if id(res) not in dropped)
    return msgspec.structs.replace(state, index=index)
