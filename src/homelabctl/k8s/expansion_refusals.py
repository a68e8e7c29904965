"""Claims the API server refuses to grow. Its PersistentVolumeClaimResize admission plugin forbids raising a bound
claim's ``spec.resources.requests.storage`` unless the claim's StorageClass sets ``allowVolumeExpansion: true``:
``persistentvolumeclaims "NAME" is forbidden: only dynamically provisioned pvc can be resized and the storageclass
that provisions the pvc must support resize``. A GitOps controller that applies the larger size quotes it in its
Ready condition (Flux's kustomize-controller: ``PersistentVolumeClaim/NS/NAME dry-run failed (Forbidden): ...``;
helm-controller: ``cannot patch "NAME" with kind PersistentVolumeClaim: ...``) and applies nothing more."""

from __future__ import annotations

import msgspec

from homelabctl import kinds
from homelabctl.k8s import conditions, storage
from homelabctl.k8s._raw import section, text
from homelabctl.lazyre import LazyPattern
from homelabctl.model import ObjectRef
from homelabctl.sources.index import ClusterIndex

REFUSED = "only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize"
_CLAIM = LazyPattern(r'persistentvolumeclaims "([^"]+)" is forbidden: only dynamically provisioned pvc')
_QUALIFIED = LazyPattern(r"PersistentVolumeClaim/([a-z0-9.-]+)/([a-z0-9.-]+) dry-run failed")
_MAX_TEXT = 4096


class Refusal(msgspec.Struct, frozen=True):
    """A claim whose growth was refused, who reported it, and the StorageClass (empty: the claim has none)."""

    reporter: ObjectRef
    claim: ObjectRef
    storage_class: str
    class_exists: bool
    line: str


def _class_allows(index: ClusterIndex, name: str) -> tuple[bool, bool]:
    """(exists, allows expansion) of the StorageClass ``name``."""
    sc = index.get(kinds.STORAGE_CLASS, None, name) if name else None
    return sc is not None, sc is not None and sc.raw.get("allowVolumeExpansion") is True


def expansion_refusals(index: ClusterIndex) -> list[Refusal]:
    """Flux Kustomizations and HelmReleases whose Ready=False message quotes the refusal, with the claim it names
    (looked up in the namespace the message gives, else the object's target namespace) when that claim's
    StorageClass indeed does not allow expansion, or the claim has no class."""
    found: list[Refusal] = []
    for gk in (kinds.FLUX_KUSTOMIZATION, kinds.HELM_RELEASE):
        for obj in index.all(gk):
            if conditions.condition_status(obj, "Ready") != "False":
                continue
            cond = conditions.condition(obj, "Ready")
            message = cond.message[:_MAX_TEXT] if cond is not None else ""
            if REFUSED not in message:
                continue
            claim = _CLAIM.search(message)
            if claim is None:
                continue
            qualified = _QUALIFIED.search(message)
            default_ns = text(section(obj, "spec").get("targetNamespace")) or obj.namespace
            namespace = (
                qualified.group(1) if qualified and qualified.group(2) == claim.group(1) else default_ns
            )
            pvc = index.get(kinds.PVC, namespace, claim.group(1))
            if pvc is None:
                continue
            cls = storage.claim_class_name(pvc) or ""
            exists, allows = _class_allows(index, cls)
            if allows:
                continue
            line = " ".join(message.split())[:300]
            found.append(Refusal(obj.ref, pvc.ref, cls, exists, line))
    return found
