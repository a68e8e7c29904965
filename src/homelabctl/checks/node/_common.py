"""Readings shared by the node checks: taints, kubelet versions, conditions."""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from homelabctl.k8s.conditions import Condition
from homelabctl.k8s.nodes import Taint
from homelabctl.k8s.nodes import taints as node_taints
from homelabctl.lazyre import LazyPattern
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


def taints(node: Resource) -> tuple[Taint, ...]:
    return node_taints(node)


def taint_text(taint: Taint) -> str:
    """``key=value:Effect`` or ``key:Effect``, the way ``kubectl taint`` writes it."""
    return taint.text


def taint_added(taint: Taint) -> datetime | None:
    """``timeAdded`` is only set by the API server on NoExecute taints (and by the node controller)."""
    return parse_time(taint.time_added)


def taint_line(taint: Taint, now: datetime) -> str:
    added = taint_added(taint)
    if added is None:
        return f"taint {taint.text}"
    return f"taint {taint.text} timeAdded={taint.time_added} ({short_duration(now - added)} ago)"


def condition_since(cond: Condition, now: datetime) -> timedelta | None:
    since = parse_time(cond.last_transition_time)
    return now - since if since is not None else None


def condition_line(cond: Condition, now: datetime) -> str:
    """``DiskPressure=True reason=KubeletHasDiskPressure since 2h (2025-...): message``."""
    text = f"{cond.type}={cond.status} reason={cond.reason or '?'}"
    age = condition_since(cond, now)
    if age is not None:
        text += f" since {short_duration(age)} ({cond.last_transition_time})"
    message = cond.message.strip()
    return f"{text}: {message}" if message else text


_VERSION_RE = LazyPattern(r"^v?(\d+)\.(\d+)\.(\d+)(.*)$")


class KubeVersion(msgspec.Struct, frozen=True, eq=False):
    """A kubelet or API server version. Ordered and compared by its numbers, then ``build``; ``text`` (the
    version as written) is left out. (A Struct with its comparisons written out, rather than a dataclass:
    building a dataclass at import costs ~1 ms of every start.)"""

    major: int
    minor: int
    patch: int
    build: str
    """Distribution suffix, e.g. ``+k3s1``: ordered after the numbers, so k3s2 sorts after k3s1."""
    text: str

    def _order(self) -> tuple[int, int, int, str]:
        return self.major, self.minor, self.patch, self.build

    def __eq__(self, other: object) -> bool:
        return self._order() == other._order() if isinstance(other, KubeVersion) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._order())

    def __lt__(self, other: KubeVersion) -> bool:
        return self._order() < other._order()

    def __le__(self, other: KubeVersion) -> bool:
        return self._order() <= other._order()

    def __gt__(self, other: KubeVersion) -> bool:
        return self._order() > other._order()

    def __ge__(self, other: KubeVersion) -> bool:
        return self._order() >= other._order()

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
