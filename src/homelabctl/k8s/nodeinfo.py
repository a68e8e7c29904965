"""``status.nodeInfo`` of a Node: what ``kubectl get nodes -o wide`` prints about its software."""

from __future__ import annotations

import msgspec

from homelabctl.k8s._raw import Obj, mapping, section, text


class NodeInfo(msgspec.Struct, frozen=True):
    kubelet_version: str
    os_image: str
    kernel_version: str
    container_runtime_version: str
    """``containerd://1.7.27-k3s1``."""


def node_info(node: Obj) -> NodeInfo:
    info = mapping(section(node, "status").get("nodeInfo"))
    return NodeInfo(
        text(info.get("kubeletVersion")),
        text(info.get("osImage")),
        text(info.get("kernelVersion")),
        text(info.get("containerRuntimeVersion")),
    )
