"""Readings shared by the node checks: taints, kubelet versions, conditions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from homelabctl.model import Resource
from homelabctl.timeutil import parse_time, short_duration

NOT_READY_TAINT = "node.kubernetes.io/not-ready"
UNREACHABLE_TAINT = "node.kubernetes.io/unreachable"
UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"
CONDITION_TAINTS = frozenset({NOT_READY_TAINT, UNREACHABLE_TAINT})
PRESSURE_TAINTS = {
    "MemoryPressure": "node.kubernetes.io/memory-pressure",
    "DiskPressure": "node.kubernetes.io/disk-pressure",
    "PIDPressure": "node.kubernetes.io/pid-pressure",
}
ETCD_ROLE_LABEL = "node-role.kubernetes.io/etcd"


def taints(node: Resource) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = node.spec.get("taints") or []
    return found


def taint_text(taint: Mapping[str, Any]) -> str:
    """``key=value:Effect`` or ``key:Effect``, the way ``kubectl taint`` writes it."""
    key = str(taint.get("key", ""))
    value = taint.get("value")
    effect = taint.get("effect", "")
    return f"{key}={value}:{effect}" if value else f"{key}:{effect}"


def taint_added(taint: Mapping[str, Any]) -> datetime | None:
    """``timeAdded`` is only set by the API server on NoExecute taints (and by the node controller)."""
    return parse_time(taint.get("timeAdded"))


def taint_line(taint: Mapping[str, Any], now: datetime) -> str:
    added = taint_added(taint)
    if added is None:
        return f"taint {taint_text(taint)}"
    return f"taint {taint_text(taint)} timeAdded={taint.get('timeAdded')} ({short_duration(now - added)} ago)"


def condition_since(cond: Mapping[str, Any], now: datetime) -> timedelta | None:
    since = parse_time(cond.get("lastTransitionTime"))
    return now - since if since is not None else None


def condition_line(cond: Mapping[str, Any], now: datetime) -> str:
    """``DiskPressure=True reason=KubeletHasDiskPressure since 2h (2025-...): message``."""
    text = f"{cond.get('type')}={cond.get('status')} reason={cond.get('reason') or '?'}"
    age = condition_since(cond, now)
    if age is not None:
        text += f" since {short_duration(age)} ({cond.get('lastTransitionTime')})"
    message = str(cond.get("message") or "").strip()
    return f"{text}: {message}" if message else text


_VERSION_RE = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(.*)$")


@dataclass(frozen=True, order=True)
class KubeVersion:
    major: int
    minor: int
    patch: int
    build: str
    """Distribution suffix, e.g. ``+k3s1``: ordered after the numbers, so k3s2 sorts after k3s1."""
    text: str = field(compare=False)

    @classmethod
    def parse(cls, text: str) -> KubeVersion | None:
        match = _VERSION_RE.match(text.strip())
        if not match:
            return None
        major, minor, patch, build = match.groups()
        return cls(int(major), int(minor), int(patch), build, text.strip())

    @property
    def numbers(self) -> tuple[int, int, int]:
        return self.major, self.minor, self.patch
