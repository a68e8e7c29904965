from __future__ import annotations

from factories_platform import condition, crd, flux_ready, helm_release, kustomization
from helpers import findings, run_one

INTEL_MESSAGE = (
    "Helm install failed for release intel-gpu/intel-gpu-plugin with chart intel-device-plugins-gpu@0.30.0: "
    "unable to build kubernetes objects from release manifest: resource mapping not found for name: "
    '"intel-gpu-plugin" namespace: "" from "": no matches for kind "GpuDevicePlugin" in version '
    '"deviceplugin.intel.com/v1"\nensure CRDs are installed first'
)


def _intel_hr() -> dict[str, object]:
    return helm_release(
        "intel-gpu-plugin",
        "intel-gpu",
        chart="intel-device-plugins-gpu",
        version="0.30.0",
        repo="intel",
        history_status="failed",
        install_failures=1,
        ready=condition("Ready", "False", "InstallFailed", INTEL_MESSAGE),
        extra_conditions=[condition("Released", "False", "InstallFailed", INTEL_MESSAGE)],
    )


def test_fires_on_no_matches_for_kind_seed_intel_gpu_plugin() -> None:
    found = findings("flux-missing-crd", [_intel_hr()])
    assert len(found) == 1
    f = found[0]
    assert f.object.kind == "HelmRelease" and f.object.name == "intel-gpu-plugin"
    assert "GpuDevicePlugin (deviceplugin.intel.com/v1)" in f.message
    assert "missing: kind GpuDevicePlugin apiVersion deviceplugin.intel.com/v1" in f.evidence
    assert "deviceplugin.intel.com" in f.hint and "dependsOn" in f.hint
    assert f.severity.value == "critical"


def test_kustomization_dry_run_message() -> None:
    ks = kustomization(
        "intel-gpu-plugin",
        ready=flux_ready(
            "False",
            "ReconciliationFailed",
            'GpuDevicePlugin/gpudeviceplugin-sample dry-run failed: no matches for kind "GpuDevicePlugin" in version '
            '"deviceplugin.intel.com/v1"',
        ),
    )
    found = findings("flux-missing-crd", [ks])
    assert found[0].object.kind == "Kustomization"
    assert "GpuDevicePlugin" in found[0].message


def test_inventory_entry_whose_crd_is_gone() -> None:
    ks = kustomization(
        "monitoring",
        inventory=[
            ("monitoring_kube-prometheus-stack-grafana_apps_Deployment", "v1"),
            ("monitoring_longhorn-alerts_monitoring.coreos.com_PrometheusRule", "v1"),
            ("longhorn-system_longhorn-ui_gateway.networking.k8s.io_HTTPRoute", "v1"),
            ("_ollama-data_longhorn.io_RecurringJob", "v1beta2"),
        ],
    )
    crds = [
        crd("prometheusrules", "monitoring.coreos.com", "PrometheusRule"),
        crd("httproutes", "gateway.networking.k8s.io", "HTTPRoute"),
    ]
    found = findings("flux-missing-crd", [ks, *crds])
    assert len(found) == 1
    assert "RecurringJob (longhorn.io/v1beta2)" in found[0].message
    assert (
        "inventory entry _ollama-data_longhorn.io_RecurringJob (apiVersion longhorn.io/v1beta2): "
        "no CRD for kind RecurringJob"
    ) in found[0].evidence


def test_message_is_downgraded_once_the_crd_exists() -> None:
    found = findings(
        "flux-missing-crd",
        [_intel_hr(), crd("gpudeviceplugins", "deviceplugin.intel.com", "GpuDevicePlugin")],
    )
    assert found[0].severity.value == "warning"
    assert "installed now" in found[0].message


def test_silent_when_crds_exist_and_ready() -> None:
    ks = kustomization(
        "monitoring",
        inventory=[
            ("monitoring_longhorn-alerts_monitoring.coreos.com_PrometheusRule", "v1"),
            ("monitoring_grafana__Service", "v1"),
        ],
    )
    objs = [
        ks,
        crd("prometheusrules", "monitoring.coreos.com", "PrometheusRule"),
        helm_release("grafana", "monitoring"),
    ]
    assert findings("flux-missing-crd", objs) == []


def test_not_evaluated_without_kustomizations_or_helmreleases() -> None:
    assert (
        run_one(
            "flux-missing-crd", [crd("prometheusrules", "monitoring.coreos.com", "PrometheusRule")]
        ).status
        == "not_evaluated"
    )
