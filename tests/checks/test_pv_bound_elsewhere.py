"""pv-bound-elsewhere: a Released PV whose claimRef still carries an earlier claim's uid.

Binder message as the persistentvolume-controller writes it
(https://github.com/kubernetes-csi/csi-driver-smb/issues/821).
"""

from __future__ import annotations

from typing import Any

from checks.helpers import findings

from factories import event, uid
from factories_diag import nfs_pv
from factories_infra import pvc

KINDS = ["PersistentVolume", "PersistentVolumeClaim", "Event"]


def _objects(*, stale: bool) -> list[dict[str, Any]]:
    pv = nfs_pv("jellyfin-media", "192.168.10.100", "/mnt/rust/media", claim=("media", "jellyfin-media"))
    claim = pvc("jellyfin-media", "media", "", phase="Pending")
    claim["spec"]["volumeName"] = "jellyfin-media"
    if stale:
        pv["spec"]["claimRef"]["uid"] = uid("the claim deleted with the namespace")
        pv["status"]["phase"] = "Released"
    message = 'volume "jellyfin-media" already bound to a different claim.'
    return [
        pv,
        claim,
        event(claim, "FailedBinding", message, count=1046, component="persistentvolume-controller"),
    ]


def test_fires_on_the_pv_with_the_exact_patch() -> None:
    [finding] = findings("pv-bound-elsewhere", _objects(stale=True), captured=KINDS)
    assert (finding.object.kind, finding.object.name) == ("PersistentVolume", "jellyfin-media")
    assert any("now has uid" in e for e in finding.evidence)
    assert any("phase=Released" in e for e in finding.evidence)
    assert """kubectl patch pv jellyfin-media -p '{"spec":{"claimRef":null}}'""" in finding.hint


def test_silent_when_the_claim_ref_is_this_claim() -> None:
    assert findings("pv-bound-elsewhere", _objects(stale=False), captured=KINDS) == []
