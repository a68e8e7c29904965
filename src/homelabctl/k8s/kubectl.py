"""Readings of Kubernetes objects shared by checks, renderers and the snapshot server (``homelabctl.kube``
re-exports them).

Each function reads the same fields the way kubectl or the controllers do, so the tool and `kubectl get`
never disagree about an object's state.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from homelabctl.k8s.workloads import ready_and_desired as k8s_ready_and_desired
from homelabctl.knowledge.csi import K3S_KUBELET_DIR as K3S_KUBELET_DIR
from homelabctl.knowledge.csi import STANDARD_KUBELET_DIR as STANDARD_KUBELET_DIR
from homelabctl.model import Resource

NODE_UNREACHABLE_REASON = "NodeLost"


def container_statuses(pod: Resource, *, init: bool = False) -> list[Mapping[str, Any]]:
    key = "initContainerStatuses" if init else "containerStatuses"
    statuses = pod.status.get(key)
    return [s for s in statuses if isinstance(s, Mapping)] if isinstance(statuses, list) else []


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError):
        return 0


def _is_restartable_init(container: Mapping[str, Any] | None) -> bool:
    return bool(container) and (container or {}).get("restartPolicy") == "Always"


def _condition_true(status: Mapping[str, Any], type_: str) -> bool:
    return any(c.get("type") == type_ and c.get("status") == "True" for c in status.get("conditions") or [])


@dataclass(frozen=True, slots=True)
class PodSummary:
    """What kubectl's printPod derives: STATUS reason, READY x/y, RESTARTS and when the last one was."""

    reason: str
    ready: int
    total: int
    restarts: int
    last_restart: str


def pod_summary(raw: Mapping[str, Any]) -> PodSummary:
    """kubectl's printPod (pkg/printers/internalversion), including sidecar init containers,
    SchedulingGated, the Initialized condition and Terminating only for pods not yet finished."""
    spec: Mapping[str, Any] = raw.get("spec") or {}
    status: Mapping[str, Any] = raw.get("status") or {}
    meta: Mapping[str, Any] = raw.get("metadata") or {}
    restarts = restartable_restarts = ready = 0
    last_restart = last_restartable_restart = ""
    total = len(spec.get("containers") or [])
    phase = str(status.get("phase") or "")
    reason = str(status.get("reason") or phase)
    for cond in status.get("conditions") or []:
        if cond.get("type") == "PodScheduled" and cond.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"
    init_specs = {str(c.get("name")): c for c in spec.get("initContainers") or []}
    total += sum(1 for c in init_specs.values() if _is_restartable_init(c))

    initializing = False
    for i, cs in enumerate(status.get("initContainerStatuses") or []):
        restarts += _int(cs.get("restartCount"))
        finished = str(((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt") or "")
        last_restart = max(last_restart, finished)
        restartable = _is_restartable_init(init_specs.get(str(cs.get("name"))))
        if restartable:
            restartable_restarts += _int(cs.get("restartCount"))
            last_restartable_restart = max(last_restartable_restart, finished)
        state = cs.get("state") or {}
        terminated, waiting = state.get("terminated"), state.get("waiting")
        if terminated and _int(terminated.get("exitCode")) == 0:
            continue
        if restartable and cs.get("started"):
            if cs.get("ready"):
                ready += 1
            continue
        if terminated:
            if terminated.get("reason"):
                reason = "Init:" + str(terminated["reason"])
            elif terminated.get("signal"):
                reason = f"Init:Signal:{terminated['signal']}"
            else:
                reason = f"Init:ExitCode:{_int(terminated.get('exitCode'))}"
        elif waiting and waiting.get("reason") and waiting.get("reason") != "PodInitializing":
            reason = "Init:" + str(waiting["reason"])
        else:
            reason = f"Init:{i}/{len(init_specs)}"
        initializing = True
        break

    if not initializing or _condition_true(status, "Initialized"):
        restarts = restartable_restarts
        last_restart = last_restartable_restart
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += _int(cs.get("restartCount"))
            finished = str(((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt") or "")
            last_restart = max(last_restart, finished)
            state = cs.get("state") or {}
            waiting, terminated = state.get("waiting"), state.get("terminated")
            if waiting and waiting.get("reason"):
                reason = str(waiting["reason"])
            elif terminated and terminated.get("reason"):
                reason = str(terminated["reason"])
            elif terminated:
                reason = (
                    f"Signal:{terminated['signal']}"
                    if terminated.get("signal")
                    else f"ExitCode:{_int(terminated.get('exitCode'))}"
                )
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            reason = "Running" if _condition_true(status, "Ready") else "NotReady"

    if meta.get("deletionTimestamp") and status.get("reason") == NODE_UNREACHABLE_REASON:
        reason = "Unknown"
    elif meta.get("deletionTimestamp") and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"
    return PodSummary(reason, ready, total, restarts, last_restart)


def pod_display_status(pod: Resource) -> str:
    """The STATUS column of ``kubectl get pods``."""
    return pod_summary(pod.raw).reason


def pod_ready_counts(pod: Resource) -> tuple[int, int]:
    statuses = container_statuses(pod)
    total = len(pod.spec.get("containers") or []) or len(statuses)
    ready = sum(1 for cs in statuses if cs.get("ready"))
    return ready, total


def pod_restarts(pod: Resource) -> int:
    return sum(int(cs.get("restartCount") or 0) for cs in container_statuses(pod))


def pod_is_ready(pod: Resource) -> bool:
    """``Resource.is_condition_true("Ready") is True``, read in place: asked of every pod by several checks."""
    conditions = pod.status.get("conditions")
    for cond in conditions if isinstance(conditions, list) else ():
        if (type(cond) is dict or isinstance(cond, Mapping)) and cond.get("type") == "Ready":
            return cond.get("status") == "True"
    return False


def pod_is_finished(pod: Resource) -> bool:
    return pod.status.get("phase") in ("Succeeded", "Failed")


def pod_node(pod: Resource) -> str | None:
    node = pod.spec.get("nodeName")
    return str(node) if node else None


def pod_containers(pod_spec: Mapping[str, Any], *, init: bool = True) -> Iterator[Mapping[str, Any]]:
    yield from pod_spec.get("containers") or []
    if init:
        yield from pod_spec.get("initContainers") or []


def pod_template_spec(workload: Resource) -> Mapping[str, Any]:
    """The pod spec of a Pod, a workload's template, or a CronJob's job template."""
    if workload.kind == "Pod":
        return workload.spec
    spec = workload.spec
    if workload.kind == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    template_spec: Mapping[str, Any] = (spec.get("template") or {}).get("spec") or {}
    return template_spec


def requested(pod_spec: Mapping[str, Any], resource: str) -> int:
    """Sum of a resource's requests (or limits, for extended resources that only set limits)."""
    total = 0
    for container in pod_spec.get("containers") or []:
        resources = container.get("resources") or {}
        value = (resources.get("limits") or {}).get(resource) or (resources.get("requests") or {}).get(
            resource
        )
        if value is not None:
            try:
                total += int(str(value))
            except ValueError:
                continue
    return total


def node_ready_status(node: Resource) -> str:
    """``True``, ``False`` or ``Unknown`` (kubelet stopped posting status)."""
    cond = node.condition("Ready")
    return str(cond.get("status")) if cond else "Unknown"


def node_is_ready(node: Resource) -> bool:
    return node_ready_status(node) == "True"


def node_roles(node: Resource) -> list[str]:
    roles = sorted(
        key.split("/", 1)[1]
        for key in node.labels
        if key.startswith("node-role.kubernetes.io/") and key.split("/", 1)[1]
    )
    role_label = node.labels.get("kubernetes.io/role")
    if role_label and role_label not in roles:
        roles.append(role_label)
    return roles


def node_is_control_plane(node: Resource) -> bool:
    roles = node_roles(node)
    return "control-plane" in roles or "master" in roles


def node_kubelet_version(node: Resource) -> str:
    return str((node.status.get("nodeInfo") or {}).get("kubeletVersion") or "")


def node_is_k3s(node: Resource) -> bool:
    return "k3s" in node_kubelet_version(node) or any(k.startswith("k3s.io/") for k in node.annotations)


def node_status_text(raw: Mapping[str, Any]) -> str:
    """printNode's STATUS: ``NotReady`` for Ready=False *and* Ready=Unknown; ``Unknown`` only without the
    condition; ``,SchedulingDisabled`` when cordoned."""
    parts: list[str] = []
    for cond in (raw.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            parts = ["Ready" if cond.get("status") == "True" else "NotReady"]
    if not parts:
        parts = ["Unknown"]
    if (raw.get("spec") or {}).get("unschedulable"):
        parts.append("SchedulingDisabled")
    return ",".join(parts)


def node_display_status(node: Resource) -> str:
    """The STATUS column of ``kubectl get nodes``."""
    return node_status_text(node.raw)


def node_roles_text(raw: Mapping[str, Any]) -> str:
    """The ROLES column of ``kubectl get nodes``."""
    roles: set[str] = set()
    for key, value in ((raw.get("metadata") or {}).get("labels") or {}).items():
        if key.startswith("node-role.kubernetes.io/"):
            role = key[len("node-role.kubernetes.io/") :]
            if role:
                roles.add(role)
        elif key == "kubernetes.io/role" and value:
            roles.add(str(value))
    return ",".join(sorted(roles)) if roles else "<none>"


def workload_replicas(workload: Resource) -> tuple[int, int]:
    """(ready, desired) for Deployments, StatefulSets, ReplicaSets and DaemonSets; a value that is not a
    number (``replicas: "zzz"``) reads as the API default instead of failing the run."""
    return k8s_ready_and_desired(workload)


def pods_of(index: Any, workload: Resource) -> list[Resource]:
    """Pods a workload owns, through ReplicaSets for Deployments and Jobs for CronJobs."""
    direct = index.children(workload)
    pods: list[Resource] = []
    for child in direct:
        if child.kind == "Pod":
            pods.append(child)
        elif child.kind in ("ReplicaSet", "Job"):
            pods.extend(c for c in index.children(child) if c.kind == "Pod")
    return pods
