"""Readings shared by the network checks (and the storage checks' pod evidence): Cilium's objects, pods."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from homelabctl import kinds
from homelabctl.checks.workload._common import describe_termination, first_lines
from homelabctl.k8s import conditions, pods
from homelabctl.k8s import selectors as k8s_selectors
from homelabctl.kube import container_statuses, pod_display_status, pod_ready_counts, pod_restarts
from homelabctl.model import Resource
from homelabctl.selectors import Selector, from_spec
from homelabctl.sources.index import ClusterIndex
from homelabctl.timeutil import parse_time

CILIUM_AGENT_LABEL = ("k8s-app", "cilium")
CILIUM_NAMESPACES = ("kube-system", "cilium", "cilium-system")
CILIUM_CONFIG = "cilium-config"
CILIUM_GATEWAY_CONTROLLER = "io.cilium/gateway-controller"
NOT_READY_GRACE = timedelta(minutes=2)
"""A pod that turned unready this recently may just be restarting during a rollout."""


def cilium_agent_selector() -> Selector:
    selector = from_spec({CILIUM_AGENT_LABEL[0]: CILIUM_AGENT_LABEL[1]})
    assert selector is not None
    return selector


def cilium_agent_pods(index: ClusterIndex) -> list[Resource]:
    return index.select(kinds.POD, None, cilium_agent_selector())


def cilium_daemonset(index: ClusterIndex) -> Resource | None:
    """The agent DaemonSet: ``cilium`` in kube-system by default, else whichever carries ``k8s-app=cilium``."""
    for namespace in CILIUM_NAMESPACES:
        found = index.get(kinds.DAEMONSET, namespace, "cilium")
        if found is not None:
            return found
    labelled = index.select(kinds.DAEMONSET, None, cilium_agent_selector())
    return labelled[0] if labelled else None


def cilium_config(index: ClusterIndex) -> Resource | None:
    """``cilium-config`` in the namespace Cilium runs in."""
    namespaces = list(CILIUM_NAMESPACES)
    ds = cilium_daemonset(index)
    if ds is not None and ds.namespace and ds.namespace not in namespaces:
        namespaces.insert(0, ds.namespace)
    for namespace in namespaces:
        found = index.get(kinds.CONFIGMAP, namespace, CILIUM_CONFIG)
        if found is not None:
            return found
    return None


def cilium_in_use(index: ClusterIndex) -> bool:
    return bool(cilium_daemonset(index) or cilium_config(index) or cilium_agent_pods(index))


def config_value(config: Resource, key: str) -> str | None:
    value = config.data.get(key)
    return None if value is None else str(value)


def config_line(config: Resource, key: str) -> str:
    value = config_value(config, key)
    shown = "<absent>" if value is None else f'"{value}"'
    return f"{config.namespace}/{config.name} {key}: {shown}"


def selector_text(spec: Mapping[str, Any] | None) -> str:
    """A LabelSelector as ``kubectl`` would print it: ``a=b,c in (d,e)``; ``<all>`` when empty."""
    return k8s_selectors.selector_text(spec)


def daemon_pod_target(pod: Resource) -> str | None:
    """The node a DaemonSet pod is meant for: its nodeName, else the ``metadata.name`` affinity field."""
    node = pods.node_name(pod)
    if node:
        return node
    targets = pods.required_node_fields(pods.pod_spec(pod), "metadata.name")
    return targets[0] if targets else None


def unready_for(pod: Resource, now: datetime) -> timedelta | None:
    cond = pod.condition("Ready") or {}
    since = parse_time(cond.get("lastTransitionTime"))
    return now - since if since is not None else None


def pod_problem_lines(pod: Resource, limit: int = 4) -> list[str]:
    """Why a pod is not Ready: its status column, counts, then each unready container's state."""
    ready, total = pod_ready_counts(pod)
    lines = [
        f"pod {pod.namespace}/{pod.name}: {pod_display_status(pod)}, {ready}/{total} ready, "
        f"{pod_restarts(pod)} restarts"
    ]
    for init in (True, False):
        for cs in container_statuses(pod, init=init):
            if cs.get("ready") or (
                init and ((cs.get("state") or {}).get("terminated") or {}).get("exitCode") == 0
            ):
                continue
            label = f"{'init container' if init else 'container'} {cs.get('name')}"
            state = cs.get("state") or {}
            waiting = state.get("waiting") or {}
            terminated = state.get("terminated") or {}
            if waiting:
                text = f"{label} waiting: {waiting.get('reason') or '?'}"
                message = first_lines(waiting.get("message"), lines=1)
                lines.append(f"{text}: {message}" if message else text)
            elif terminated:
                lines.append(f"{label} terminated: {describe_termination(terminated)}")
            else:
                lines.append(f"{label} running but not ready (readiness probe failing)")
            last = (cs.get("lastState") or {}).get("terminated") or {}
            if last:
                lines.append(f"{label} last termination: {describe_termination(last)}")
    cond = conditions.condition(pod, "Ready")
    if cond is not None and not cond.is_true and cond.message:
        lines.append(f"Ready={cond.status or None} reason={cond.reason or '?'}: {cond.message}")
    return lines[: limit + 1]


def first_failing_container(pod: Resource) -> str:
    for init in (True, False):
        for cs in container_statuses(pod, init=init):
            if not cs.get("ready") and not (
                init and ((cs.get("state") or {}).get("terminated") or {}).get("exitCode") == 0
            ):
                return str(cs.get("name") or "")
    return ""
