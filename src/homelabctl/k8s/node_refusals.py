"""Pods a node refuses for want of something only the host can provide (a runtime handler, a mount helper),
read from the kubelet's events about them."""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from homelabctl import kinds
from homelabctl.k8s.events import event
from homelabctl.k8s.kubectl import pod_is_ready, pod_node
from homelabctl.model import ObjectRef
from homelabctl.sources.index import ClusterIndex


class Refused(msgspec.Struct, frozen=True):
    """A pod a node refused (a sandbox for want of a runtime handler, a mount for want of a helper), with the
    kubelet's words."""

    pod: ObjectRef
    line: str
    count: int


def refused_by_node(
    index: ClusterIndex,
    reason: str,
    missing: Callable[[str], str | None],
    gist: Callable[[str], str] = lambda message: message,
) -> dict[tuple[str, str], list[Refused]]:
    """(node, what is missing) → the pods refused there and still not Ready, from the kubelet's events of
    ``reason`` whose message ``missing`` reads (None: the message is about something else). ``gist``: the part
    of the message worth quoting."""
    found: dict[tuple[str, str], dict[ObjectRef, Refused]] = {}
    for ev in index.all(kinds.EVENT):
        info = event(ev)
        if info.reason != reason or info.involved[0] != "Pod":
            continue
        what = missing(info.message)
        if what is None:
            continue
        _, namespace, pod_name = info.involved
        pod = index.get(kinds.POD, namespace, pod_name)
        if pod is not None and pod_is_ready(pod):
            continue  # the event outlived the problem: the pod got past it since
        node = (pod_node(pod) if pod is not None else None) or info.source_host
        if not node:
            continue
        ref = pod.ref if pod is not None else ObjectRef("Pod", namespace, pod_name)
        line = " ".join(gist(info.message).split())[:300]
        found.setdefault((node, what), {}).setdefault(ref, Refused(ref, line, info.count))
    return {
        key: sorted(pods.values(), key=lambda r: (r.pod.namespace or "", r.pod.name))
        for key, pods in found.items()
    }
