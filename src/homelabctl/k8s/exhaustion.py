"""A kernel or node resource running out, as the pods on that node report it.

Programs that cannot get a file descriptor, an inotify instance, disk space or a pod IP say so in their
last words (container termination messages) or in the kubelet's events (``FailedCreatePodSandBox``). The
same words from several unrelated workloads on one node, and from no pod elsewhere, point at the node's
limit rather than at any of the programs. The patterns are the messages of the kernel (``EMFILE``,
``ENOSPC``), of the .NET/Go/Node runtimes that wrap them, and of the CNI IPAM plugins (host-local,
Cilium, Calico).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import msgspec

from homelabctl.k8s.events import event
from homelabctl.k8s.kubectl import pod_is_finished, pod_is_ready, pod_node
from homelabctl.k8s.memo import remembered
from homelabctl.k8s.pods import all_container_statuses
from homelabctl.lazyre import LazyPattern
from homelabctl.model import Resource
from homelabctl.sources.index import ClusterIndex

OPEN_FILES = "open files / inotify"
DISK = "disk space"
POD_IPS = "pod IP addresses"

_PATTERNS: tuple[tuple[str, tuple[str, ...], LazyPattern], ...] = (
    (
        OPEN_FILES,
        ("too many open f", "fy", "watcher"),
        LazyPattern(
            r"too many open files|inotify[^\n]{0,80}(?:limit|reached|instances|watches)|"
            r"(?:limit|number) of inotify|failed to create (?:fs|file ?system) watcher|"
            r"inotify_add_watch[^\n]{0,80}no space left on device|ENOSPC: System limit for number of file watchers",
            re.IGNORECASE,
        ),
    ),
    (
        POD_IPS,
        ("p addre", "range", "no more ", "pam"),
        LazyPattern(
            r"no IP addresses available in range set|failed to allocate for range \d+|\brange is full\b|"
            r"no more IPs? (?:available|left)|ipam[^\n]{0,60}exhausted",
            re.IGNORECASE,
        ),
    ),
    (DISK, ("left on dev",), LazyPattern(r"no space left on device", re.IGNORECASE)),
)
"""Each resource with words every text its pattern matches holds once lower-cased (free of the letters a
case-insensitive pattern also matches as long s or dotless i), then the pattern: most pods' last words ("Back-off
restarting failed container") hold none of them, and are not searched (nor the patterns compiled) for them."""
_MAX_TEXT = 4096
_BEFORE = 140
_AFTER = 60


def classify(message: str) -> tuple[str, str] | None:
    """(resource, the line that says so) for a message reporting a node-local resource running out."""
    clipped = message[:_MAX_TEXT]
    lowered = clipped.lower()
    for resource, words, pattern in _PATTERNS:
        if not any(word in lowered for word in words):
            continue
        m = pattern.search(clipped)
        if m is not None:
            # the line that says it, cut around the words (a sandbox error puts them after 200 characters)
            start = max(clipped.rfind("\n", 0, m.start()) + 1, m.start() - _BEFORE)
            end = clipped.find("\n", m.end())
            end = min(end if end >= 0 else len(clipped), m.end() + _AFTER)
            line = " ".join(clipped[start:end].split())
            lead = "…" if start > 0 and clipped[start - 1] != "\n" else ""
            return resource, lead + line
    return None


def _texts(index: ClusterIndex, pod: Resource) -> Iterator[str]:
    for cs in all_container_statuses(pod):
        for state in (cs.state, cs.last_state):
            if state.message:
                yield state.message
    for ev in index.events_for(pod):
        info = event(ev)
        if info.type == "Warning" and info.message:
            yield info.message


class Exhausted(msgspec.Struct, frozen=True):
    pod: Resource
    workload: Resource
    """The pod's top-level owner (the pod itself when it has none)."""
    node: str
    resource: str
    line: str


def failing_pods(index: ClusterIndex, pods: Sequence[Resource]) -> Iterator[Exhausted]:
    """Pods that are not Ready whose own words say a node resource ran out."""
    for pod in pods:
        if pod_is_ready(pod):  # most pods: nothing else is read
            continue
        node = pod_node(pod)
        if not node or pod_is_finished(pod):
            continue
        for message in _texts(index, pod):
            found = classify(message)
            if found is not None:
                yield Exhausted(pod, index.top_owner(pod), node, found[0], found[1])
                break


def node_local(index: ClusterIndex, pods: Sequence[Resource]) -> dict[tuple[str, str], list[Exhausted]]:
    """(node, resource) → the failing pods, where two or more workloads on that node report it and no pod
    on another node reports the same resource."""
    by_key: dict[tuple[str, str], list[Exhausted]] = {}
    for item in failing_pods(index, pods):
        by_key.setdefault((item.node, item.resource), []).append(item)
    found = {}
    for (node, resource), items in by_key.items():
        elsewhere = any(n != node and r == resource for n, r in by_key)
        workloads = {(i.workload.kind, i.workload.namespace, i.workload.name) for i in items}
        if not elsewhere and len(workloads) >= 2:
            found[(node, resource)] = sorted(
                items, key=lambda i: (i.workload.namespace or "", i.workload.name)
            )
    return found


def node_local_pods(index: ClusterIndex) -> dict[tuple[str, str], list[Exhausted]]:
    """:func:`node_local` over every pod of the index, once per index and run (k8s.memo): the open-files/disk
    check and the pod-IP check each ask."""
    return remembered("exhaustion.node_local_pods", index, lambda: node_local(index, index.all("Pod")))


def described(items: Sequence[Exhausted], limit: int) -> tuple[list[str], list[str]]:
    """(``Kind ns/name`` of each workload, sorted; one evidence line per pod, the first ``limit``) of the
    pods one node found short of one resource."""
    workloads = sorted({f"{i.workload.kind} {i.workload.namespace}/{i.workload.name}" for i in items})
    lines = [
        f"pod {i.pod.namespace}/{i.pod.name} ({i.workload.kind} {i.workload.name}): {i.line}"
        for i in items[:limit]
    ]
    return workloads, lines
