"""Nodes: taints, kubelet version, roles, allocatable."""

from __future__ import annotations

import msgspec

from homelabctl.k8s._raw import Obj, mapping, mappings, section, string_map, text


class Taint(msgspec.Struct, frozen=True):
    key: str
    value: str
    effect: str
    time_added: str = ""
    """Set by the API server on NoExecute taints (and by the node controller)."""

    @property
    def text(self) -> str:
        """``key=value:Effect`` or ``key:Effect``, the way ``kubectl taint`` writes it."""
        return f"{self.key}={self.value}:{self.effect}" if self.value else f"{self.key}:{self.effect}"


def taints(node: Obj) -> tuple[Taint, ...]:
    return tuple(
        Taint(text(t.get("key")), text(t.get("value")), text(t.get("effect")), text(t.get("timeAdded")))
        for t in mappings(section(node, "spec").get("taints"))
    )


UNINITIALIZED_TAINT = "node.cloudprovider.kubernetes.io/uninitialized"
CONDITION_TAINTS = ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")
_SCHEDULING_EFFECTS = ("NoSchedule", "NoExecute")


def kept_taints(node: Obj, ready: bool) -> list[Taint]:
    """The node's scheduling taints that its lifecycle should have removed by now: the cloud provider's
    uninitialized taint always (a kubelet started with ``--cloud-provider=external`` sets it; only a cloud
    controller manager lifts it), the node controller's not-ready and unreachable taints only while the node
    reports Ready (``ready``)."""
    return [
        t
        for t in taints(node)
        if t.effect in _SCHEDULING_EFFECTS
        and (t.key == UNINITIALIZED_TAINT or (ready and t.key in CONDITION_TAINTS))
    ]


def unschedulable(node: Obj) -> bool:
    return section(node, "spec").get("unschedulable") is True


def kubelet_version(node: Obj) -> str:
    return text(mapping(section(node, "status").get("nodeInfo")).get("kubeletVersion"))


def allocatable(node: Obj) -> dict[str, str]:
    return string_map(section(node, "status").get("allocatable"))


def capacity(node: Obj) -> dict[str, str]:
    return string_map(section(node, "status").get("capacity"))


def provider_id(node: Obj) -> str:
    """``spec.providerID``: ``aws:///...``, ``k3s://node``, empty on bare metal without a cloud provider."""
    return text(section(node, "spec").get("providerID"))


def address(node: Obj, type_: str = "InternalIP") -> str | None:
    """The first ``status.addresses`` entry of a type (``InternalIP``, ``ExternalIP``, ``Hostname``)."""
    for entry in mappings(section(node, "status").get("addresses")):
        if text(entry.get("type")) == type_:
            return text(entry.get("address"))
    return None


def os_image(node: Obj) -> str:
    return text(mapping(section(node, "status").get("nodeInfo")).get("osImage"))
