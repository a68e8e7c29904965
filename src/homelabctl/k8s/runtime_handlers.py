"""Container runtime handlers: a RuntimeClass's handler, and a node's runtime saying it has no such handler."""

from __future__ import annotations

from homelabctl.k8s import node_refusals
from homelabctl.k8s._raw import Obj, mappings, raw_of, section, text
from homelabctl.k8s.node_refusals import Refused
from homelabctl.lazyre import LazyPattern
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


def refused_by_node(index: ClusterIndex) -> dict[tuple[str, str], list[Refused]]:
    """(node, handler) → the pods refused there and still not Ready, from the kubelet's ``FailedCreatePodSandBox``
    events."""
    return node_refusals.refused_by_node(
        index, SANDBOX_FAILED, lambda message: missing_handler(message) or None
    )
