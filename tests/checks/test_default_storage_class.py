from __future__ import annotations

from datetime import timedelta

from factories_infra import pvc, storage_class
from helpers import findings, run_one


def test_fires_on_local_path_and_longhorn_both_default() -> None:
    objs = [
        storage_class("local-path", "rancher.io/local-path", default=True, age=timedelta(days=90)),
        storage_class("longhorn", default=True, age=timedelta(days=1)),
        storage_class("longhorn-nvme"),
        pvc("overseerr-config", "media", None),
    ]
    found = findings("default-storage-class", objs)
    assert [(f.object.kind, f.object.name) for f in found] == [("StorageClass", "longhorn")]
    f = found[0]
    assert f.message == (
        "2 StorageClasses are marked default (local-path, longhorn): claims without a class get "
        "longhorn, the newest"
    )
    assert any(e.startswith("StorageClass local-path: provisioner rancher.io/local-path") for e in f.evidence)
    assert "1 PVC(s) name no storageClassName and get longhorn" in f.evidence
    assert f.hint.startswith("`kubectl patch storageclass local-path") and "--disable local-storage" in f.hint


def test_fires_when_none_is_default_and_proposes_the_most_used() -> None:
    objs = [
        storage_class("local-path", "rancher.io/local-path"),
        storage_class("longhorn"),
        pvc("a", "media", "longhorn"),
        pvc("b", "media", "longhorn"),
        pvc("pending", "media", None, phase="Pending"),
    ]
    found = findings("default-storage-class", objs)
    assert [f.object.name for f in found] == ["longhorn"]
    assert found[0].message == "No StorageClass is marked default: PVCs that name no class stay Pending"
    assert "Pending PVCs without storageClassName: media/pending" in found[0].evidence


def test_silent_with_exactly_one_default() -> None:
    objs = [storage_class("local-path", "rancher.io/local-path"), storage_class("longhorn", default=True)]
    assert findings("default-storage-class", objs) == []


def test_not_evaluated_without_storage_classes() -> None:
    assert run_one("default-storage-class", []).status == "not_evaluated"
