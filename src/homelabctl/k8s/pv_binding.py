"""How a PersistentVolume is bound: its ``claimRef`` and phase, and the binder's refusal messages."""

from __future__ import annotations

import msgspec

from homelabctl.k8s._raw import Obj, mapping, section, text
from homelabctl.lazyre import LazyPattern

_ALREADY_BOUND = LazyPattern(r'volume "([a-z0-9][a-z0-9.-]{0,252})" already bound to a different claim')


class ClaimRef(msgspec.Struct, frozen=True):
    namespace: str
    name: str
    uid: str
    """Empty when the PV is pre-bound by name only (the binder fills it in)."""


def claim_ref(pv: Obj) -> ClaimRef | None:
    """``spec.claimRef`` of a PersistentVolume; None when it is not bound or reserved."""
    ref = mapping(section(pv, "spec").get("claimRef"))
    if not ref or not text(ref.get("name")):
        return None
    return ClaimRef(text(ref.get("namespace")), text(ref.get("name")), text(ref.get("uid")))


def volume_phase(pv: Obj) -> str:
    """``status.phase``: ``Available``, ``Bound``, ``Released``, ``Failed``, ``Pending``."""
    return text(section(pv, "status").get("phase"))


def reclaim_policy(pv: Obj) -> str:
    return text(section(pv, "spec").get("persistentVolumeReclaimPolicy"))


def bound_elsewhere(message: str) -> str:
    """The PV in the binder's ``volume "x" already bound to a different claim``, or empty."""
    m = _ALREADY_BOUND.search(message[:4096])
    return m.group(1) if m else ""
