"""Pick the one or two next-step commands worth showing first.

The diagnosis rules name the exact object in every command they give (the crash-looping pod on the broken
node, the group of the missing CRD, the HelmRelease that renders a DaemonSet), so nothing is rewritten
here: the steps are only ranked. Safe before dangerous, steps with a command before text alone, exact
before inexact (a placeholder left, or ``logs``/``exec`` on a controller, which lands on an arbitrary pod:
both can still come from a report written by an older version), the rule's order otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import msgspec

_CONTROLLER_REF = re.compile(r"\b(?:ds|daemonsets?|deploy|deployments?|sts|statefulsets?)/[a-z0-9.-]+")
_PLACEHOLDER = re.compile(r"<[A-Za-z][A-Za-z0-9 _-]*>")


class Step(msgspec.Struct, frozen=True):
    text: str
    command: str | None
    dangerous: bool = False
    exact: bool = True
    """No placeholder left, no controller where a pod is meant."""


def is_exact(command: str | None) -> bool:
    if command is None:
        return False
    words = set(command.split())
    return not _PLACEHOLDER.search(command) and not (
        _CONTROLLER_REF.search(command) and {"logs", "exec"} & words
    )


def exact_steps(rc: Mapping[str, Any], by_id: Mapping[str, Mapping[str, Any]] | None = None) -> list[Step]:
    """Every next step of a root cause, best first. ``by_id`` is accepted for callers that pass the findings."""
    steps = []
    for raw in rc.get("next_steps") or []:
        command = raw.get("command")
        command = str(command) if command else None
        steps.append(Step(str(raw.get("text") or ""), command, bool(raw.get("dangerous")), is_exact(command)))
    order = {id(s): n for n, s in enumerate(steps)}
    return sorted(steps, key=lambda s: (s.dangerous, s.command is None, not s.exact, order[id(s)]))


def first_commands(
    rc: Mapping[str, Any], by_id: Mapping[str, Mapping[str, Any]] | None = None, limit: int = 2
) -> list[Step]:
    """The commands for the first screen: at most ``limit``, never a dangerous one."""
    return [s for s in exact_steps(rc, by_id) if s.command and not s.dangerous][:limit]
