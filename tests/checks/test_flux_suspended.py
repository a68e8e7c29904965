from __future__ import annotations

from factories_platform import condition, git_repository, helm_release, kustomization
from helpers import findings, run_one


def test_suspended_kustomization_is_warning_with_inventory_count() -> None:
    ks = kustomization(
        "apps",
        suspend=True,
        inventory=[
            ("media_jellyfin_apps_Deployment", "v1"),
            ("media_jellyfin__Service", "v1"),
            ("media_jellyfin_gateway.networking.k8s.io_HTTPRoute", "v1"),
        ],
    )
    found = findings("flux-suspended", [ks, kustomization("infrastructure")])
    assert [f.object.name for f in found] == ["apps"]
    f = found[0]
    assert f.severity.value == "warning"
    assert "suspended" in f.message and "3 applied object(s)" in f.message
    assert "spec.suspend=true" in f.evidence
    assert f.hint.endswith("`flux resume kustomization apps -n flux-system`")


def test_suspended_source_lists_its_consumers() -> None:
    repo = git_repository(suspend=True)
    found = findings("flux-suspended", [repo, kustomization("apps"), kustomization("infrastructure")])
    assert found[0].object.kind == "GitRepository"
    assert "2 consumer(s)" in found[0].message
    assert (
        "consumers: Kustomization flux-system/apps, Kustomization flux-system/infrastructure"
        in found[0].evidence
    )
    assert "flux resume source git flux-system -n flux-system" in found[0].hint


def test_healthy_suspended_helmrelease_is_info_failing_one_warning() -> None:
    pinned = helm_release("plex", "media", suspend=True)
    broken = helm_release(
        "bazarr",
        "media",
        suspend=True,
        ready=condition("Ready", "False", "UpgradeFailed", "Helm upgrade failed: context deadline exceeded"),
    )
    found = {f.object.name: f for f in findings("flux-suspended", [pinned, broken])}
    assert found["plex"].severity.value == "info"
    assert found["bazarr"].severity.value == "warning"
    assert "nothing will retry it" in found["bazarr"].message


def test_silent_when_nothing_is_suspended() -> None:
    assert (
        findings("flux-suspended", [kustomization("apps"), helm_release("plex", "media"), git_repository()])
        == []
    )


def test_not_evaluated_without_flux_objects() -> None:
    assert run_one("flux-suspended", []).status == "not_evaluated"
