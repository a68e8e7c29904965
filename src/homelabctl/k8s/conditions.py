"""``status.conditions`` of any object (Ready, Accepted, Programmed, MemoryPressure...)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from homelabctl.k8s._raw import Obj, mappings, opt_integer, section, text


class Condition(msgspec.Struct, frozen=True):
    type: str
    status: str
    """``True``, ``False`` or ``Unknown`` (empty when the object did not say)."""
    reason: str = ""
    message: str = ""
    last_transition_time: str = ""
    observed_generation: int | None = None

    @property
    def is_true(self) -> bool:
        return self.status == "True"

    @property
    def is_false(self) -> bool:
        return self.status == "False"


def _condition(c: Mapping[str, Any]) -> Condition:
    return Condition(
        text(c.get("type")),
        text(c.get("status")),
        text(c.get("reason")),
        text(c.get("message")),
        text(c.get("lastTransitionTime")),
        opt_integer(c.get("observedGeneration")),
    )


def conditions_of(items: object) -> tuple[Condition, ...]:
    """Conditions from any list of them (a Gateway listener's, a route parent's)."""
    return tuple(_condition(c) for c in mappings(items))


def conditions(obj: Obj) -> tuple[Condition, ...]:
    return conditions_of(section(obj, "status").get("conditions"))


def _written(obj: Obj) -> list[Any]:
    """``status.conditions`` to walk: the list itself when it is one (its items are type-tested by the
    caller, as :func:`mappings` would), else what ``mappings`` makes of the value. Asked of every object by
    several checks: no copy of the list for them."""
    found = section(obj, "status").get("conditions")
    return found if type(found) is list else mappings(found)


def condition(obj: Obj, type_: str) -> Condition | None:
    """The condition of one type; only that one is read (checks ask for one condition of many objects)."""
    for c in _written(obj):
        if (type(c) is dict or isinstance(c, Mapping)) and c.get("type") == type_:
            return _condition(c)
    return None


def condition_status(obj: Obj, type_: str) -> str | None:
    """``condition(obj, type_).status`` without building the condition (None when there is none): the
    first question a check asks of every object, answered for most by ``True``."""
    for c in _written(obj):
        if (type(c) is dict or isinstance(c, Mapping)) and c.get("type") == type_:
            status = c.get("status")
            return status if type(status) is str else text(status)
    return None


def with_message(obj: Obj, words: str) -> tuple[Condition, ...]:
    """The conditions whose message contains ``words``; only those are read (a check looking for one
    controller message among every object's conditions)."""
    found = []
    for c in _written(obj):
        if type(c) is dict or isinstance(c, Mapping):
            message = c.get("message")
            if words in (message if type(message) is str else text(message)):
                found.append(_condition(c))
    return tuple(found)


def false_conditions(items: object, types: tuple[str, ...]) -> list[Condition | None]:
    """For each of ``types``, that condition when its status is False, else None (absent, True, Unknown); the
    first condition of a type decides. One pass over the conditions for all of them (a check asks two
    questions of every route's parents; most are answered True, and nothing is built for those)."""
    found: list[Condition | None] = [None] * len(types)
    seen: set[str] = set()
    # a list walked in place (as mappings() would keep it) and string fields read without a call: asked of
    # every parent of every route
    for c in items if type(items) is list else mappings(items):
        if type(c) is not dict and not isinstance(c, Mapping):
            continue
        kind = c.get("type")
        if type(kind) is not str:
            kind = text(kind)
        if kind in seen or kind not in types:
            continue
        seen.add(kind)
        status = c.get("status")
        if (status if type(status) is str else text(status)) == "False":
            found[types.index(kind)] = _condition(c)
        if len(seen) == len(types):
            break
    return found


def false_conditions_of(obj: Obj, types: tuple[str, ...]) -> list[Condition | None]:
    """:func:`false_conditions` of the object's own ``status.conditions``."""
    return false_conditions(section(obj, "status").get("conditions"), types)


def find(conds: tuple[Condition, ...], type_: str) -> Condition | None:
    for cond in conds:
        if cond.type == type_:
            return cond
    return None


def is_true(obj: Obj, type_: str) -> bool | None:
    """True/False when the condition is reported, None when it is absent or Unknown."""
    cond = condition(obj, type_)
    if cond is None or cond.status not in ("True", "False"):
        return None
    return cond.is_true
