from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.storage._common import event_count, event_time
from homelabctl.checks.workload._common import first_lines, node_state_line
from homelabctl.k8s import events as k8s_events
from homelabctl.kube import pod_display_status, pod_is_finished, pod_is_ready, pod_node
from homelabctl.lazyre import LazyPattern
from homelabctl.model import Finding, Layer, ObjectRef, Resource, Severity
from homelabctl.timeutil import parse_time, short_duration

MOUNT_REASONS = frozenset({"FailedMount", "FailedAttachVolume", "FailedMapVolume"})
_DRIVER_RE = LazyPattern(r"driver name (\S+) not found in the list of registered CSI drivers")
_MISSING_RE = LazyPattern(r'(secret|configmap) "([^"]+)" not found', re.IGNORECASE)
_MAX_EVENTS = 3


def _gist(message: str) -> str:
    """The part of a kubelet mount error that says what is wrong."""
    driver = _DRIVER_RE.search(message)
    if driver:
        return driver.group(0)
    if "Multi-Attach error" in message:
        return "Multi-Attach error: the volume is still attached to another node"
    missing = _MISSING_RE.search(message)
    if missing:
        return missing.group(0)
    return first_lines(message, lines=1, width=160)


def _hint(message: str, pod: ObjectRef, node: str | None) -> str:
    where = node or "the node"
    if _DRIVER_RE.search(message):
        return (
            f"The kubelet on {where} has no such CSI driver registered: check {where}'s network first "
            f"(a node network failure often looks like a CSI driver bug), then its CSI node plugin pod and "
            f"`kubectl get csinode {where} -o yaml`; on K3s the plugin must register under the kubelet's root dir"
        )
    if "Multi-Attach error" in message:
        return (
            "The volume is held by a pod on another node (often a dead one): `kubectl get volumeattachment` "
            "for the PV, and once that node is confirmed down delete the stale pod or VolumeAttachment"
        )
    missing = _MISSING_RE.search(message)
    if missing:
        return (
            f"Create {missing.group(1)} {pod.namespace}/{missing.group(2)} (or fix the name in the pod spec); "
            "with Flux, check the Kustomization that should apply it"
        )
    return f"`kubectl -n {pod.namespace} describe pod {pod.name}` and the kubelet log on {where} (`journalctl -u k3s-agent`)"


@check(
    "failed-mount-events",
    layer=Layer.STORAGE,
    severity=Severity.CRITICAL,
    requires=[kinds.EVENT],
    uses=[kinds.POD, kinds.NODE],
)
def failed_mount_events(ctx: CheckContext) -> Iterator[Finding]:
    """Pod cannot mount or attach its volumes (FailedMount / FailedAttachVolume events).

    Reads Warning events with reason ``FailedMount``, ``FailedAttachVolume`` or ``FailedMapVolume`` on
    pods, grouped per pod, quoting each message with its count. Skips events of pods that are gone from
    the snapshot or have since become Ready (the mount succeeded after a retry).

    Why it matters: the pod stays in ContainerCreating until the volume mounts; the message says which
    layer is broken: "driver name driver.longhorn.io not found in the list of registered CSI drivers"
    (no CSI node plugin registered on that node), "Multi-Attach error" (an RWO volume still held by
    another, often dead, node), a missing Secret/ConfigMap, or a timeout.

    Next step: follow the hint for the message's kind; for CSI errors check the node's network and the
    driver's node plugin before the driver itself.
    """
    by_pod: dict[tuple[str | None, str], list[Resource]] = defaultdict(list)
    for event in ctx.index.all(kinds.EVENT):
        info = k8s_events.event(event)
        kind, namespace, name = info.involved
        if info.reason not in MOUNT_REASONS or info.type != "Warning" or kind != "Pod":
            continue
        by_pod[(namespace or event.namespace, name)].append(event)
    pods_known = ctx.readable(kinds.POD)
    for (namespace, name), events in sorted(by_pod.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])):
        pod = ctx.index.get(kinds.POD, namespace, name)
        if pods_known and pod is None:
            continue
        if pod is not None and (pod_is_ready(pod) or pod_is_finished(pod)):
            continue
        events.sort(key=event_time, reverse=True)
        latest = events[0]
        latest_event = k8s_events.event(latest)
        message = latest_event.message
        total = sum(event_count(e) for e in events)
        ref = pod.ref if pod is not None else ObjectRef("Pod", namespace, name)
        node = pod_node(pod) if pod is not None else (latest_event.source_host or None)
        evidence = []
        for event in events[:_MAX_EVENTS]:
            stamp = parse_time(event_time(event))
            ago = f", last {short_duration(ctx.now - stamp)} ago" if stamp is not None else ""
            evidence.append(
                f"{k8s_events.event(event).reason} (x{event_count(event)}{ago}): "
                f"{first_lines(k8s_events.event(event).message, lines=2, width=300)}"
            )
        if len(events) > _MAX_EVENTS:
            evidence.append(f"… and {len(events) - _MAX_EVENTS} more mount events")
        if pod is not None:
            evidence.append(f"pod status {pod_display_status(pod)} on node {node or '(none)'}")
            node_line = node_state_line(ctx.index, pod, now=ctx.now)
            if node_line:
                evidence.append(node_line)
        yield ctx.finding(
            ref,
            f"Pod {namespace}/{name} cannot mount its volumes: {latest_event.reason} x{total}: {_gist(message)}",
            evidence=evidence,
            hint=_hint(message, ref, str(node) if node else None),
        )
