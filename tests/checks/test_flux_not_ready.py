from __future__ import annotations

from datetime import timedelta

from homelabctl import kinds

from factories_platform import condition, flux_ready, git_repository, helm_release, kustomization
from helpers import findings, run_one

AUTHENTIK_MESSAGE = (
    "could not resolve Secret chart values reference 'authentik/authentik-secret' with key "
    "'values.yaml': secrets \"authentik-secret\" not found"
)


def test_fires_critical_on_failed_helmrelease_with_reason_and_message() -> None:
    hr = helm_release(
        "authentik",
        "authentik",
        version="2024.4.2",
        repo="authentik",
        ready=condition("Ready", "False", "InitFailed", AUTHENTIK_MESSAGE, age=timedelta(hours=5)),
    )
    found = findings("flux-not-ready", [hr, helm_release("grafana", "monitoring")])
    assert [f.object.name for f in found] == ["authentik"]
    f = found[0]
    assert f.severity.value == "critical"
    assert f.object.kind == "HelmRelease" and f.object.namespace == "authentik"
    assert "InitFailed" in f.message and "authentik-secret" in f.message and "5h" in f.message
    assert any(e.startswith("Ready=False reason=InitFailed") for e in f.evidence)
    assert "flux reconcile helmrelease authentik -n authentik --with-source" in f.hint


def test_dependency_not_ready_is_warning_and_names_the_dependency() -> None:
    infra = kustomization(
        "infra-controllers",
        ready=flux_ready(
            "False",
            "HealthCheckFailed",
            "health check failed after 4m30s: timeout waiting for: "
            "[Deployment/cert-manager/cert-manager status: 'InProgress']",
        ),
    )
    apps = kustomization(
        "apps",
        depends_on=["infra-controllers"],
        ready=flux_ready(
            "False", "DependencyNotReady", "dependency 'flux-system/infra-controllers' is not ready"
        ),
    )
    found = {f.object.name: f for f in findings("flux-not-ready", [infra, apps])}
    assert found["infra-controllers"].severity.value == "critical"
    waiting = found["apps"]
    assert waiting.severity.value == "warning"
    assert "flux-system/infra-controllers" in waiting.message
    assert (
        "dependency: Kustomization flux-system/infra-controllers (Ready=False reason=HealthCheckFailed)"
        in waiting.evidence
    )
    assert any("DependencyNotReady" in e for e in waiting.evidence)


def test_a_source_that_cannot_fetch_is_left_to_flux_source_failed() -> None:
    repo = git_repository(
        ready=condition(
            "Ready",
            "False",
            "GitOperationFailed",
            "failed to checkout and determine revision: unable to clone 'https://github.com/sudoflux/flux-k3s': "
            "authentication required",
        )
    )
    assert findings("flux-not-ready", [repo]) == []
    assert [f.object.kind for f in findings("flux-source-failed", [repo])] == ["GitRepository"]


def test_a_source_failing_for_another_reason_stays_here() -> None:
    repo = git_repository(
        ready=condition(
            "Ready", "False", "StorageOperationFailed", "failed to archive artifact: no space left on device"
        )
    )
    found = findings("flux-not-ready", [repo])
    assert found[0].object.kind == "GitRepository"
    assert "no space left on device" in found[0].message
    assert "flux reconcile source git flux-system -n flux-system" in found[0].hint


def test_reconciling_too_long_is_warning_but_fresh_reconcile_is_silent() -> None:
    slow = helm_release(
        "ollama",
        "ai",
        timeout="15m",
        ready=condition(
            "Ready",
            "Unknown",
            "Progressing",
            "Running 'upgrade' action with timeout of 15m0s",
            age=timedelta(minutes=40),
        ),
    )
    fresh = helm_release(
        "open-webui",
        "ai",
        ready=condition(
            "Ready",
            "Unknown",
            "Progressing",
            "Running 'install' action with timeout of 5m0s",
            age=timedelta(minutes=2),
        ),
    )
    found = findings("flux-not-ready", [slow, fresh])
    assert [f.object.name for f in found] == ["ollama"]
    assert found[0].severity.value == "warning"
    assert "40m" in found[0].message


def test_missing_crd_message_is_left_to_flux_missing_crd() -> None:
    hr = helm_release(
        "intel-gpu-plugin",
        "intel-gpu",
        ready=condition(
            "Ready",
            "False",
            "InstallFailed",
            "Helm install failed for release intel-gpu/intel-gpu-plugin with chart intel-device-plugins-gpu@0.30.0: "
            "unable to build kubernetes objects from release manifest: resource mapping not found for name: "
            '"intel-gpu-plugin" namespace: "" from "": no matches for kind "GpuDevicePlugin" in version '
            '"deviceplugin.intel.com/v1"\nensure CRDs are installed first',
        ),
    )
    assert findings("flux-not-ready", [hr]) == []


def test_silent_on_healthy_objects() -> None:
    objs = [kustomization("apps"), helm_release("grafana", "monitoring"), git_repository()]
    assert findings("flux-not-ready", objs) == []


def test_not_evaluated_without_flux_objects() -> None:
    result = run_one("flux-not-ready", [])
    assert result.status == "not_evaluated"
    assert kinds.HELM_RELEASE in result.reason
