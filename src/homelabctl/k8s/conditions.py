"""``status.conditions`` of any object (Ready, Accepted, Programmed, MemoryPressure...)."""

from __future__ import annotations

from dataclasses import dataclass

from homelabctl.k8s._raw import Obj, mappings, opt_integer, section, text


@dataclass(frozen=True, slots=True)
class Condition:
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


def conditions_of(items: object) -> tuple[Condition, ...]:
    """Conditions from any list of them (a Gateway listener's, a route parent's)."""
    return tuple(
        Condition(text(c.get("type")), text(c.get("status")), text(c.get("reason")), text(c.get("message")),
                  text(c.get("lastTransitionTime")), opt_integer(c.get("observedGeneration")))
        for c in mappings(items)
    )


def conditions(obj: Obj) -> tuple[Condition, ...]:
    return conditions_of(section(obj, "status").get("conditions"))


def condition(obj: Obj, type_: str) -> Condition | None:
    for cond in conditions(obj):
        if cond.type == type_:
            return cond
    return None


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
