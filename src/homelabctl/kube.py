"""Readings of Kubernetes objects shared by checks, renderers and the snapshot server.

Each function reads the same fields the way kubectl or the controllers do, so the tool and `kubectl get`
never disagree about an object's state.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from homelabctl.model import Resource

K3S_KUBELET_DIR = "/var/lib/rancher/k3s/agent/kubelet"
STANDARD_KUBELET_DIR = "/var/lib/kubelet"
NODE_UNREACHABLE_REASON = "NodeLost"


def container_statuses(pod: Resource, *, init: bool = False) -> list[Mapping[str, Any]]:
    key = "initContainerStatuses" if init else "containerStatuses"
    statuses: list[Mapping[str, Any]] = pod.status.get(key) or []
    return statuses


def pod_display_status(pod: Resource) -> str:
    """The STATUS column of ``kubectl get pods`` (printPod in kubectl's printers)."""
    status = pod.status
    reason = str(status.get("reason") or status.get("phase") or "Unknown")
    initializing = False
    init_specs = pod.spec.get("initContainers") or []
    for i, cs in enumerate(container_statuses(pod, init=True)):
        state = cs.get("state") or {}
        terminated = state.get("terminated")
        waiting = state.get("waiting")
        if terminated and terminated.get("exitCode") == 0:
            continue
        if terminated:
            if terminated.get("reason"):
                reason = "Init:" + str(terminated["reason"])
            elif terminated.get("signal"):
                reason = f"Init:Signal:{terminated['signal']}"
            else:
                reason = f"Init:ExitCode:{terminated.get('exitCode')}"
        elif waiting and waiting.get("reason") and waiting.get("reason") != "PodInitializing":
            reason = "Init:" + str(waiting["reason"])
        else:
            reason = f"Init:{i}/{len(init_specs)}"
        initializing = True
        break
    if not initializing:
        has_running = False
        for cs in reversed(container_statuses(pod)):
            state = cs.get("state") or {}
            waiting = state.get("waiting")
            terminated = state.get("terminated")
            if waiting and waiting.get("reason"):
                reason = str(waiting["reason"])
            elif terminated and terminated.get("reason"):
                reason = str(terminated["reason"])
            elif terminated:
                reason = (f"Signal:{terminated['signal']}" if terminated.get("signal")
                          else f"ExitCode:{terminated.get('exitCode')}")
            elif cs.get("ready") and state.get("running"):
                has_running = True
        if reason == "Completed" and has_running:
            reason = "Running" if pod.is_condition_true("Ready") else "NotReady"
    if pod.deletion_timestamp:
        reason = "Unknown" if status.get("reason") == NODE_UNREACHABLE_REASON else "Terminating"
    return reason


def pod_ready_counts(pod: Resource) -> tuple[int, int]:
    statuses = container_statuses(pod)
    total = len(pod.spec.get("containers") or []) or len(statuses)
    ready = sum(1 for cs in statuses if cs.get("ready"))
    return ready, total


def pod_restarts(pod: Resource) -> int:
    return sum(int(cs.get("restartCount") or 0) for cs in container_statuses(pod))


def pod_is_ready(pod: Resource) -> bool:
    return pod.is_condition_true("Ready") is True


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
        value = (resources.get("limits") or {}).get(resource) or (resources.get("requests") or {}).get(resource)
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


def node_display_status(node: Resource) -> str:
    """``Ready``, ``NotReady``, ``Unknown`` plus ``,SchedulingDisabled`` when cordoned (kubectl's column)."""
    ready = node_ready_status(node)
    text = {"True": "Ready", "False": "NotReady"}.get(ready, "Unknown")
    if node.spec.get("unschedulable"):
        text += ",SchedulingDisabled"
    return text


def workload_replicas(workload: Resource) -> tuple[int, int]:
    """(ready, desired) for Deployments, StatefulSets, ReplicaSets and DaemonSets."""
    status = workload.status
    if workload.kind == "DaemonSet":
        return int(status.get("numberReady") or 0), int(status.get("desiredNumberScheduled") or 0)
    desired = workload.spec.get("replicas")
    desired_count = 1 if desired is None else int(desired)
    return int(status.get("readyReplicas") or 0), desired_count


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
