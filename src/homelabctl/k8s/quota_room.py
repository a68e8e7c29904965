"""ResourceQuotas that leave a controller no room for the pod it is short of, read from their state.

The API server refuses a pod whose requests and limits would take a quota's ``status.used`` past its
``status.hard``; the controller only says so in an Event (``exceeded quota: <name>``), which lives an hour. A
StatefulSet, DaemonSet or Job has no condition that keeps the refusal. The quota's own state shows it: what
one more pod of the controller's template asks for does not fit in what is left.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from homelabctl import kinds
from homelabctl.k8s import quantity
from homelabctl.k8s._raw import integer, mapping, mappings, section, string_map
from homelabctl.k8s.kubectl import pod_template_spec
from homelabctl.model import Resource
from homelabctl.sources.index import ClusterIndex

_SHORT_OF_PODS = (kinds.STATEFULSET, kinds.REPLICASET, kinds.DAEMONSET)
_COMPUTE = frozenset({"cpu", "memory", "ephemeral-storage"})


class NoRoom(msgspec.Struct, frozen=True):
    """A quota that cannot take one more pod of a controller that is short of pods."""

    quota: Resource
    workload: Resource
    resource: str
    """The first quota resource one more pod does not fit in (``limits.memory``)."""
    used: str
    asked: str
    """What one more pod of the controller asks for of ``resource``."""
    hard: str
    pods: str
    """What the controller has of what it wants: ``0 of 1 pods``, ``2 of 3 pods scheduled``."""


def no_room(index: ClusterIndex) -> list[NoRoom]:
    """Every (quota, controller short of pods) pair where one more pod does not fit. Quotas with scopes (they
    count only some pods) and controllers with a resource the quota counts but no container sets (the API
    server then refuses for another reason, or a LimitRange fills it in) are left alone: not evaluated."""
    quotas: dict[str | None, list[Resource]] = {}
    for quota in index.all(kinds.RESOURCE_QUOTA):
        spec = section(quota, "spec")
        if not spec.get("scopes") and not spec.get("scopeSelector"):
            quotas.setdefault(quota.namespace, []).append(quota)
    if not quotas:
        return []
    found = []
    for gk in _SHORT_OF_PODS:
        for workload in index.all(gk):
            if workload.namespace not in quotas:
                continue
            pods = _short_of_pods(workload)
            if pods is None:
                continue
            demand = pod_demand(pod_template_spec(workload))
            for quota in quotas[workload.namespace]:
                refusal = _refusal(quota, workload, demand, pods)
                if refusal is not None:
                    found.append(refusal)
    return found


def _short_of_pods(workload: Resource) -> str | None:
    """``have of want pods`` when fewer pods exist than the controller wants: the pods it could not create (not
    pods that fail); else None."""
    status = workload.status
    if workload.kind == "DaemonSet":
        have, want = (
            integer(status.get("currentNumberScheduled")),
            integer(status.get("desiredNumberScheduled")),
        )
        return f"{have} of {want} pods scheduled" if have < want else None
    desired = workload.spec.get("replicas")
    have, want = integer(status.get("replicas")), 1 if desired is None else integer(desired)
    return f"{have} of {want} pods" if have < want else None


def pod_demand(pod_spec: Mapping[str, Any]) -> dict[str, int]:
    """What one pod of ``pod_spec`` counts against a quota, by quota resource name: ``pods``, and
    ``requests.<r>``/``limits.<r>`` (``cpu``/``memory`` alone mean requests), the containers' sum or the
    largest init container's, whichever is more, as the API server counts them. A resource no container sets
    is absent."""
    totals: dict[str, int] = {"pods": quantity.NANO, "count/pods": quantity.NANO}
    for kind in ("requests", "limits"):
        running: dict[str, int] = {}
        for container in mappings(pod_spec.get("containers")):
            for name, value in string_map(mapping(mapping(container.get("resources")).get(kind))).items():
                amount = quantity.parse(value)
                if amount is not None:
                    running[name] = running.get(name, 0) + amount
        for container in mappings(pod_spec.get("initContainers")):
            for name, value in string_map(mapping(mapping(container.get("resources")).get(kind))).items():
                amount = quantity.parse(value)
                if amount is not None and amount > running.get(name, 0):
                    running[name] = amount
        for name, amount in running.items():
            totals[f"{kind}.{name}"] = amount
            if kind == "requests" and name in ("cpu", "memory", "ephemeral-storage"):
                totals[name] = amount
    return totals


def _refusal(quota: Resource, workload: Resource, demand: Mapping[str, int], pods: str) -> NoRoom | None:
    status = section(quota, "status")
    hard, used = string_map(status.get("hard")), string_map(status.get("used"))
    for resource in sorted(hard):
        limit = quantity.parse(hard[resource])
        if limit is None or not _counted(resource):
            continue
        asked = demand.get(resource)
        if asked is None:
            if resource.rpartition(".")[2] in _COMPUTE:
                return None  # unset where the quota counts it: refused for that, or filled in by a LimitRange
            continue  # an extended resource (a GPU) the pod does not ask for counts as none
        in_use = quantity.parse(used.get(resource, "0"))
        if in_use is None:
            return None
        if in_use + asked > limit:
            return NoRoom(
                quota,
                workload,
                resource,
                used.get(resource, "0"),
                quantity.format_like(asked, hard[resource]),
                hard[resource],
                pods,
            )
    return None


def _counted(resource: str) -> bool:
    """Quota resources a pod counts against (object counts and storage are another matter)."""
    return resource in ("pods", "count/pods", "cpu", "memory", "ephemeral-storage") or (
        resource.startswith(("requests.", "limits.")) and resource != "requests.storage"
    )
