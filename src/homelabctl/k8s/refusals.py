"""Why a controller cannot create its pods: ``FailedCreate`` events and ``ReplicaFailure`` conditions.

The API server refuses a pod create with a message the controller copies into a Warning event
(``Error creating: pods "x-" is forbidden: ...``) and, for ReplicaSets, into the ``ReplicaFailure``
condition. The parsers here read the two refusals whose cause is an object other than the controller:
the namespace's Pod Security admission level and a missing ServiceAccount.
"""

from __future__ import annotations

from collections.abc import Iterator

import msgspec

from homelabctl import kinds
from homelabctl.k8s import conditions
from homelabctl.k8s._raw import Obj, integer, kind_of, mapping, section, string_map
from homelabctl.k8s.events import event
from homelabctl.k8s.memo import remembered
from homelabctl.lazyre import LazyPattern
from homelabctl.model import Resource
from homelabctl.sources.index import ClusterIndex

CONTROLLER_KINDS = frozenset({"ReplicaSet", "Job", "StatefulSet", "DaemonSet", "ReplicationController"})
"""Kinds whose controller creates pods and reports ``FailedCreate`` on itself."""
ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"
ENFORCE_VERSION_LABEL = "pod-security.kubernetes.io/enforce-version"

_POD_SECURITY = LazyPattern(r'violates PodSecurity "([a-z]+):([A-Za-z0-9.]+)":\s*([^\n]{0,600})')
_SERVICE_ACCOUNT = LazyPattern(
    r"error looking up service account ([a-z0-9][a-z0-9.-]{0,252})/([a-z0-9][a-z0-9.-]{0,252}):"
    r"\s*serviceaccounts? \"([a-z0-9][a-z0-9.-]{0,252})\" not found"
)
_MAX_TEXT = 4096


class PodSecurityRefusal(msgspec.Struct, frozen=True):
    level: str
    """``privileged``, ``baseline`` or ``restricted``."""
    version: str
    """``latest`` or ``v1.30``."""
    violations: str
    """What the message lists, e.g. ``host namespaces (hostNetwork=true), hostPort (...)``."""


def pod_security_refusal(message: str) -> PodSecurityRefusal | None:
    """``violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true)`` → its parts."""
    m = _POD_SECURITY.search(message[:_MAX_TEXT])
    if m is None:
        return None
    return PodSecurityRefusal(m.group(1), m.group(2), m.group(3).strip().rstrip("."))


def missing_service_account(message: str) -> tuple[str, str] | None:
    """``error looking up service account ns/name: serviceaccount "name" not found`` → (ns, name)."""
    m = _SERVICE_ACCOUNT.search(message[:_MAX_TEXT])
    return (m.group(1), m.group(3)) if m else None


def create_failures(controller: Obj, events: tuple[Obj, ...] | list[Obj]) -> list[str]:
    """The refusal messages of a controller: a ``ReplicaFailure=True`` condition and its Warning
    ``FailedCreate`` events (newest first), each once."""
    found: list[str] = []
    cond = conditions.condition(controller, "ReplicaFailure")
    if cond is not None and cond.is_true and cond.message:
        found.append(cond.message)
    warnings = [event(e) for e in events]
    for ev in sorted(warnings, key=lambda e: e.last_seen, reverse=True):
        if ev.type == "Warning" and ev.reason == "FailedCreate" and ev.message and ev.message not in found:
            found.append(ev.message)
    return found


def short_of_pods(controller: Obj) -> bool:
    """Does the controller still lack pods it wants to create? A refusal from a controller that has since
    created its pods (or was scaled down, or whose Job finished) is history."""
    # (asked of every ReplicaSet) a Resource's kind and sections as read when it was made
    kind = kind_of(controller)
    spec, status = section(controller, "spec"), section(controller, "status")
    if kind == "DaemonSet":
        return integer(status.get("currentNumberScheduled")) < integer(status.get("desiredNumberScheduled"))
    if kind == "Job":
        finished = any(
            c.is_true and c.type in ("Complete", "Failed", "SuccessCriteriaMet", "FailureTarget")
            for c in conditions.conditions(controller)
        )
        return not finished and integer(status.get("active")) == 0 and integer(status.get("succeeded")) == 0
    desired, current = spec.get("replicas"), status.get("replicas")
    return (current if type(current) is int else integer(current)) < max(
        desired if type(desired) is int else integer(desired, 1), 0
    )


class PodSecurityLabels(msgspec.Struct, frozen=True):
    enforce: str
    """The enforce level, empty when the namespace has no enforce label (the cluster default applies)."""
    version: str


def pod_security_labels(namespace: Obj) -> PodSecurityLabels:
    labels = string_map(mapping(section(namespace, "metadata")).get("labels"))
    return PodSecurityLabels(labels.get(ENFORCE_LABEL, ""), labels.get(ENFORCE_VERSION_LABEL, ""))


_CONTROLLER_GKS = (kinds.REPLICASET, kinds.JOB, kinds.STATEFULSET, kinds.DAEMONSET)


class Refused(msgspec.Struct, frozen=True):
    controller: Resource
    """The object whose creates fail (a ReplicaSet, a Job, a StatefulSet, a DaemonSet)."""
    top: Resource
    """Its top-level owner: the object an operator changes (the Deployment, the CronJob)."""
    messages: tuple[str, ...]
    """Refusal messages, the ``ReplicaFailure`` condition first, then ``FailedCreate`` events newest first."""


def refused_controllers(index: ClusterIndex, namespace: str | None = None) -> Iterator[Refused]:
    """Every controller (in ``namespace``, or all) that still lacks pods and whose creates were refused.
    Across all namespaces once per index and run (k8s.memo): two checks walk every ReplicaSet for it."""
    if namespace is None:
        yield from remembered("refusals.refused_controllers", index, lambda: tuple(_refused(index, None)))
    else:
        yield from _refused(index, namespace)


def _refused(index: ClusterIndex, namespace: str | None) -> Iterator[Refused]:
    named: set[tuple[str, str | None, str]] = set()
    for ev in index.all(kinds.EVENT):
        info = event(ev)
        if (
            info.reason == "FailedCreate"
            and info.type == "Warning"
            and info.involved[0] in CONTROLLER_KINDS
            and (namespace is None or info.involved[1] == namespace)
        ):
            named.add(info.involved)
    candidates: dict[tuple[str, str | None, str], Resource] = {}
    for gk in _CONTROLLER_GKS:
        for res in index.all(gk):
            key = (res.kind, res.namespace, res.name)
            if (key in named or res.kind == "ReplicaSet") and (
                namespace is None or res.namespace == namespace
            ):
                candidates[key] = res
    # most ReplicaSets have their pods: only those short of them are sorted and read further
    short = {key: res for key, res in candidates.items() if short_of_pods(res)}
    for key in sorted(short, key=lambda k: (k[0], k[1] or "", k[2])):
        res = short[key]
        messages = create_failures(res, list(index.events_for(res)))
        if messages:
            yield Refused(res, index.top_owner(res), tuple(messages))
