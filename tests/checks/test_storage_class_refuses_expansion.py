"""storage-class-refuses-expansion: a Flux dry-run refused because the claim's StorageClass does not allow
expansion (https://github.com/kubernetes/kubernetes/issues/73778)."""

from __future__ import annotations

from checks.helpers import findings

from factories_platform import grown_claim


def test_fires_on_the_storage_class_without_allow_volume_expansion() -> None:
    [finding] = findings("storage-class-refuses-expansion", grown_claim(allow_expansion=False))
    assert (finding.object.kind, finding.object.name) == ("StorageClass", "longhorn-retain")
    assert finding.severity.value == "critical" and finding.layer.value == "storage"
    assert "home/paperless-media" in finding.message and "apps-home" in finding.message
    assert "allowVolumeExpansion" in finding.hint


def test_fires_on_a_claim_without_a_storage_class() -> None:
    [finding] = findings(
        "storage-class-refuses-expansion", grown_claim(allow_expansion=False, storage_class=None)
    )
    assert (finding.object.kind, finding.object.name) == ("PersistentVolumeClaim", "paperless-media")


def test_silent_when_the_class_allows_expansion() -> None:
    assert findings("storage-class-refuses-expansion", grown_claim(allow_expansion=True)) == []
