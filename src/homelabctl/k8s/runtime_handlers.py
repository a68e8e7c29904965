"""Container runtime handlers: a RuntimeClass's handler, and a node's runtime saying it has no such handler."""

from __future__ import annotations

import msgspec

from homelabctl import kinds
from homelabctl.k8s._raw import Obj, mappings, raw_of, section, text
from homelabctl.k8s.events import event
from homelabctl.k8s.kubectl import pod_is_ready, pod_node
from homelabctl.lazyre import LazyPattern
from homelabctl.model import ObjectRef
from homelabctl.sources.index import ClusterIndex

SANDBOX_FAILED = "FailedCreatePodSandBox"
_MISSING_HANDLER = LazyPattern(
    # containerd (the CRI plugin): failed to get sandbox runtime: no runtime for "nvidia" is configured
    r"no runtime for \"(?P<containerd>[^\"]{1,253})\" is configured|"
    # CRI-O: RuntimeHandler "nvidia" not supported
    r"RuntimeHandler \"(?P<crio>[^\"]{1,253})\" not supported"
)
_MAX_TEXT = 4096


def missing_handler(message: str) -> str:
    """The handler a sandbox error says the node's runtime does not have; empty when it says nothing of it."""
    found = _MISSING_HANDLER.search(message[:_MAX_TEXT])
    return (found.group("containerd") or found.group("crio")) if found else ""


def handler(runtime_class: Obj) -> str:
    """``handler`` of a RuntimeClass (a top-level field): the name the node's runtime configuration uses."""
    return text(raw_of(runtime_class).get("handler"))


def node_handlers(node: Obj) -> tuple[str, ...] | None:
    """``status.runtimeHandlers[].name`` (Kubernetes 1.30+): the handlers the node's runtime reports; None
    when the kubelet does not report them."""
    reported = section(node, "status").get("runtimeHandlers")
    if not isinstance(reported, list):
        return None
    return tuple(text(entry.get("name")) for entry in mappings(reported))  # "" is the default handler


class Refused(msgspec.Struct, frozen=True):
    """A pod whose sandbox a node's runtime refused for want of a handler, with the kubelet's words."""

    pod: ObjectRef
    line: str
    count: int


def refused_by_node(index: ClusterIndex) -> dict[tuple[str, str], list[Refused]]:
    """(node, handler) → the pods refused there and still not Ready, from the kubelet's ``FailedCreatePodSandBox``
    events."""
    found: dict[tuple[str, str], dict[ObjectRef, Refused]] = {}
    for ev in index.all(kinds.EVENT):
        info = event(ev)
        if info.reason != SANDBOX_FAILED or info.involved[0] != "Pod":
            continue
        name = missing_handler(info.message)
        if not name:
            continue
        _, namespace, pod_name = info.involved
        pod = index.get(kinds.POD, namespace, pod_name)
        if pod is not None and pod_is_ready(pod):
            continue  # the event outlived the problem: the pod got its sandbox since
        node = (pod_node(pod) if pod is not None else None) or info.source_host
        if not node:
            continue
        ref = pod.ref if pod is not None else ObjectRef("Pod", namespace, pod_name)
        line = " ".join(info.message.split())[:300]
        found.setdefault((node, name), {}).setdefault(ref, Refused(ref, line, info.count))
    return {
        key: sorted(pods.values(), key=lambda r: (r.pod.namespace or "", r.pod.name))
        for key, pods in found.items()
    }
