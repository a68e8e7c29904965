"""Claims, volumes and StorageClasses."""

from __future__ import annotations

import msgspec

from homelabctl.k8s._raw import Obj, mapping, mappings, raw_of, section, string_map, strings, text
from homelabctl.k8s.memo import remembered


class Claim(msgspec.Struct, frozen=True):
    """A PersistentVolumeClaim's spec (or a volumeClaimTemplate's) and status."""

    name: str
    storage_class: str | None
    """As written: None when unset (the default class applies), ``""`` when explicitly none."""
    volume_name: str
    requested: str
    capacity: str
    phase: str
    access_modes: tuple[str, ...]


def _claim(obj: object) -> Claim:
    raw = mapping(obj)
    spec = section(raw, "spec")
    cls = spec.get("storageClassName")
    return Claim(
        text(section(raw, "metadata").get("name")),
        None if cls is None else text(cls),
        text(spec.get("volumeName")),
        text(mapping(mapping(spec.get("resources")).get("requests")).get("storage")),
        text(mapping(section(raw, "status").get("capacity")).get("storage")),
        text(section(raw, "status").get("phase")),
        strings(spec.get("accessModes")),
    )


def claim(pvc: Obj) -> Claim:
    """Once per claim and run (k8s.memo): half a dozen storage checks and the diagnosis read it."""
    raw = raw_of(pvc)
    return remembered("storage.claim", raw, _claim, raw)


def claim_class_name(pvc: Obj) -> str | None:
    """``claim(pvc).storage_class`` alone (None when unset): what a check asks of every claim before it
    reads the rest of a few."""
    cls = section(raw_of(pvc), "spec").get("storageClassName")
    return None if cls is None else text(cls)


def claim_phase(pvc: Obj) -> str:
    """``status.phase`` alone (``Bound``, ``Pending``, ``Lost``): the cheap first question about a claim."""
    return text(section(pvc, "status").get("phase"))


CLAIM_PROVISIONER_ANNOTATIONS = (
    "volume.kubernetes.io/storage-provisioner",
    "volume.beta.kubernetes.io/storage-provisioner",
)
SELECTED_NODE_ANNOTATION = "volume.kubernetes.io/selected-node"


def claim_provisioner(pvc: Obj) -> str:
    """The provisioner the PersistentVolume controller handed a claim to (its ``storage-provisioner``
    annotation, GA or beta), or ``""`` when it has none (a claim bound by hand, or never provisioned)."""
    annotations = string_map(section(pvc, "metadata").get("annotations"))
    for key in CLAIM_PROVISIONER_ANNOTATIONS:
        if annotations.get(key):
            return annotations[key]
    return ""


def claim_selected_node(pvc: Obj) -> str:
    """The node the scheduler chose for a WaitForFirstConsumer claim's first pod (``selected-node``): from
    then on the claim waits for its provisioner to create the volume there, no longer for a consumer."""
    return string_map(section(pvc, "metadata").get("annotations")).get(SELECTED_NODE_ANNOTATION, "")


def volume_claim_templates(statefulset: Obj) -> tuple[Claim, ...]:
    return tuple(_claim(t) for t in mappings(section(statefulset, "spec").get("volumeClaimTemplates")))


def provisioner(storage_class: Obj) -> str:
    return text(raw_of(storage_class).get("provisioner"))


def pv_pinned_hosts(pv: Obj) -> list[str]:
    """``kubernetes.io/hostname`` values of a PersistentVolume's required node affinity (local volumes)."""
    required = mapping(mapping(section(pv, "spec").get("nodeAffinity")).get("required"))
    hosts: list[str] = []
    for term in mappings(required.get("nodeSelectorTerms")):
        for expr in mappings(term.get("matchExpressions")):
            if text(expr.get("key")) == "kubernetes.io/hostname":
                hosts.extend(strings(expr.get("values")))
    return hosts


def csi_node_drivers(csinode: Obj | None) -> list[str]:
    if csinode is None:
        return []
    return [name for d in mappings(section(csinode, "spec").get("drivers")) if (name := text(d.get("name")))]


def binding_mode(storage_class: Obj) -> str:
    return text(raw_of(storage_class).get("volumeBindingMode")) or "Immediate"


def allowed_topologies(storage_class: Obj) -> list[list[tuple[str, tuple[str, ...]]]]:
    """``allowedTopologies``: terms, each a list of (label key, allowed values); empty means everywhere."""
    return [
        [(text(e.get("key")), strings(e.get("values"))) for e in mappings(term.get("matchLabelExpressions"))]
        for term in mappings(raw_of(storage_class).get("allowedTopologies"))
    ]


def parameters(storage_class: Obj) -> dict[str, str]:
    return string_map(raw_of(storage_class).get("parameters"))


def pv_class(pv: Obj) -> str:
    return text(section(pv, "spec").get("storageClassName"))


def pv_node_affinity_values(pv: Obj, key: str, operator: str = "In") -> list[str]:
    """Values of the required node-affinity expressions on ``key`` with ``operator``."""
    required = mapping(mapping(section(pv, "spec").get("nodeAffinity")).get("required"))
    return [
        value
        for term in mappings(required.get("nodeSelectorTerms"))
        for expr in mappings(term.get("matchExpressions"))
        if text(expr.get("key")) == key and text(expr.get("operator")) == operator
        for value in strings(expr.get("values"))
    ]


class CsiSource(msgspec.Struct, frozen=True):
    driver: str
    volume_handle: str
    attributes: dict[str, str]


def csi_source(pv: Obj) -> CsiSource | None:
    """``spec.csi`` of a PersistentVolume; None for other volume types."""
    csi = mapping(section(pv, "spec").get("csi"))
    if not csi:
        return None
    return CsiSource(
        text(csi.get("driver")), text(csi.get("volumeHandle")), string_map(csi.get("volumeAttributes"))
    )


def volume_attachment_attached(attachment: Obj) -> bool:
    """``status.attached`` of a VolumeAttachment (false when unset)."""
    return section(attachment, "status").get("attached") is True
