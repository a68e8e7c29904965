"""The test repositories under tests/repos: the clean one is silent, the others report what they hold."""

from __future__ import annotations

import shutil
from pathlib import Path

import jsonschema
import pytest
from scan_helpers import REPOS, checks, run

from homelabctl.scan.engine import ScanReport
from homelabctl.scan.registry import all_rules
from homelabctl.scan.render import report_schema, to_json

HAS_KUBECTL = shutil.which("kubectl") is not None
_CACHE: dict[str, ScanReport] = {}


def scanned(name: str) -> ScanReport:
    if name not in _CACHE:
        _CACHE[name] = run(REPOS / name, render=HAS_KUBECTL)
    return _CACHE[name]


def located(report: ScanReport) -> set[tuple[str, str | None, int | None]]:
    return {(f.check, f.file, f.line) for f in report.findings}


def test_clean_repo_has_no_finding_and_no_error() -> None:
    report = scanned("clean")
    assert report.findings == [], [f"{f.check} {f.file}:{f.line} {f.message}" for f in report.findings]
    assert report.errors == []
    assert report.ignored == 0


def test_clean_repo_lists_what_the_cluster_would_contain() -> None:
    report = scanned("clean")
    data = to_json(report)
    jsonschema.validate(data, report_schema())
    by_name = {ks["name"]: ks for ks in data["objects"]["kustomizations"]}
    assert set(by_name) == {"flux-system", "infra-crds", "infrastructure", "apps"}
    assert all(ks["reached"] and ks["local"] for ks in by_name.values())
    apps = {(o["kind"], o["namespace"], o["name"]) for o in by_name["apps"]["objects"]}
    assert ("Deployment", "media", "jellyfin") in apps
    assert ("StatefulSet", "ai", "ollama") in apps
    assert ("ResourceQuota", "ai", "gpu") in apps
    infra = {(o["kind"], o["namespace"], o["name"]) for o in by_name["infrastructure"]["objects"]}
    # kustomize `namespace: monitoring` applies to objects written without one.
    assert ("HelmRelease", "monitoring", "oauth2-proxy") in infra
    assert ("ConfigMap", "kube-system", "nvidia-device-plugin-config") in infra
    releases = {hr["name"]: hr for hr in data["objects"]["helmReleases"]}
    assert releases["oauth2-proxy"]["valuesFrom"] == ["Secret/oauth2-proxy-oidc"]
    assert releases["longhorn"]["source"] == "HelmRepository flux-system/longhorn"


@pytest.mark.kubectl
@pytest.mark.skipif(not HAS_KUBECTL, reason="kubectl not installed")
def test_clean_repo_renders_the_generator_tree_with_kubectl() -> None:
    data = to_json(scanned("clean"))
    infra = next(ks for ks in data["objects"]["kustomizations"] if ks["name"] == "infrastructure")
    assert infra["rendered"] == ["infrastructure/k3s-home"]
    rendered = {(o["kind"], o["namespace"], o["name"]) for o in infra["objects"] if o.get("rendered")}
    assert ("ConfigMap", "kube-system", "nvidia-device-plugin-config") in rendered
    assert ("HelmRelease", "monitoring", "oauth2-proxy") in rendered


def test_broken_graph_repo() -> None:
    assert located(scanned("broken-graph")) == {
        ("orphan-yaml", "apps/bazarr.yaml", 1),
        ("kustomize-resource-missing", "apps/kustomization.yaml", 5),
        ("dependency-cycle", "clusters/k3s-home/apps.yaml", 10),
        ("ks-path-missing", "clusters/k3s-home/infrastructure.yaml", 24),
        ("ks-depends-on-missing", "clusters/k3s-home/infrastructure.yaml", 27),
        ("source-ref-missing", "clusters/k3s-home/infrastructure.yaml", 41),
        ("orphan-yaml", "docs/oauth2-templates/longhorn-oauth2.yaml", 1),
        ("helmrelease-depends-on-missing", "infrastructure/k3s-home/authentik.yaml", 17),
        ("flux-suspended-in-git", "infrastructure/k3s-home/minio.yaml", 1),
        ("values-from-missing", "infrastructure/k3s-home/authentik.yaml", 19),
        ("helmrelease-chart-source-missing", "infrastructure/k3s-home/velero.yaml", 12),
    }


def test_broken_graph_messages_name_the_objects() -> None:
    by_check = {f.check: f for f in scanned("broken-graph").findings}
    missing_path = by_check["ks-path-missing"]
    assert missing_path.object.name == "gpu-plugins"
    assert "'./infrastructure/intel-gpu'" in missing_path.message
    assert "similar directories: ./infrastructure/intel-gpu-plugin" in missing_path.evidence
    values = by_check["values-from-missing"]
    assert "Secret authentik/authentik-secret" in values.message
    assert values.severity.value == "critical"
    cycle = by_check["dependency-cycle"]
    assert (
        "dependsOn cycle: flux-system/apps → flux-system/infrastructure → flux-system/apps" in cycle.evidence
    )
    orphans = [f for f in scanned("broken-graph").findings if f.check == "orphan-yaml"]
    docs = next(f for f in orphans if f.object.name == "./docs/oauth2-templates")
    assert docs.message.startswith("2 YAML file(s)")
    assert "files: longhorn-oauth2.yaml, prometheus-oauth2.yaml" in docs.evidence


def test_leaky_repo() -> None:
    assert located(scanned("leaky")) == {
        ("sops-rule-not-covering", "apps/minio-credentials.sops.yaml", 1),
        ("secret-in-text", "apps/minio.yaml", 24),
        ("ks-decryption-missing", "clusters/k3s-home/monitoring.yaml", 6),
        ("sops-rule-not-covering", "infrastructure/monitoring/grafana-admin.sops.yaml", 1),
        ("sops-rule-not-covering", "infrastructure/monitoring/oauth2-proxy-secret.yaml", 2),
        ("plain-secret", "infrastructure/monitoring/oauth2-proxy-secret.yaml", 8),
        ("oauth2-proxy-cookie-secret-length", "infrastructure/monitoring/oauth2-proxy-secret.yaml", 10),
        ("admin-ui-without-auth", "infrastructure/monitoring/prometheus-route.yaml", 18),
        ("secret-in-text", "scripts/backup-to-b2.sh", 4),
        ("secret-in-text", "scripts/backup-to-b2.sh", 6),
    }


def test_leaky_repo_never_prints_a_secret_value() -> None:
    text = str(to_json(scanned("leaky")))
    for value in (
        "Vel3roBackups2025",
        "ghp_R2d8Kq7Lm3Np9Xz4Vb6Hc1Jf5Gt0Ws2Ye8Ua",
        "AKIAZ7Q3K5N2P8R4T6WX",
        "prom-operator-2025",
        "kq3Vt0fB8wYp2RmZ7xLs",
        "9f2c4e1a7b3d5f60",
    ):
        assert value not in text
    assert "ghp_********" in text and "Vel3********" in text


def test_seed_homelab_repo() -> None:
    report = scanned("seed-homelab")
    expected = {
        ("deprecated-api", "clusters/k3s-home/infrastructure.yaml", 1),
        ("wildcard-cert-http01", "infrastructure/cert-manager.yaml", 28),
        ("unpinned-chart-or-image", "infrastructure/cilium.yaml", 11),
        ("renamed-chart-value", "infrastructure/cilium.yaml", 18),
        ("cilium-gateway-api-flags", "infrastructure/cilium.yaml", 20),
        ("deprecated-api", "infrastructure/cleanup-cronjob.yaml", 1),
        ("gpu-quota-exceeded", "infrastructure/gpu.yaml", 22),
        ("longhorn-kubelet-root-dir", "infrastructure/longhorn.yaml", 19),
        ("unpinned-chart-or-image", "infrastructure/media.yaml", 21),
        ("unpinned-chart-or-image", "infrastructure/media.yaml", 69),
        ("schema-invalid", "infrastructure/media.yaml", 80),
        ("yaml-1.1-trap", "infrastructure/media.yaml", 80),
        ("yaml-1.1-trap", "infrastructure/media.yaml", 82),
        ("yaml-duplicate-key", "infrastructure/media.yaml", 83),
        ("schema-invalid", "infrastructure/media.yaml", 103),
        ("deprecated-api", "infrastructure/monitoring.yaml", 1),
        ("important-data-on-local-path", "infrastructure/monitoring.yaml", 22),
        ("unpinned-chart-or-image", "infrastructure/monitoring.yaml", 35),
        ("renamed-chart-value", "infrastructure/monitoring.yaml", 43),
        ("oauth2-proxy-cookie-secret-length", "infrastructure/monitoring.yaml", 46),
        ("secret-in-text", "infrastructure/monitoring.yaml", 46),
        ("important-data-on-local-path", "infrastructure/monitoring.yaml", 58),
    }
    if HAS_KUBECTL:
        expected.add(("kustomize-build-failed", "infrastructure/kustomization.yaml", 1))
    assert located(report) == expected
    severities = {(f.check, f.line): f.severity.value for f in report.findings}
    assert severities[("deprecated-api", 1)] in ("warning", "critical")
    cron = next(f for f in report.findings if f.file == "infrastructure/cleanup-cronjob.yaml")
    assert cron.severity.value == "critical" and "removed in 1.25" in cron.message


def test_every_rule_fires_somewhere_in_the_test_repos() -> None:
    fired: set[str] = set()
    for name in ("broken-graph", "leaky", "seed-homelab", "hostile"):
        fired |= checks(scanned(name))
    never = (
        {r.id for r in all_rules() if not r.history}
        - fired
        - ({"kustomize-build-failed"} if not HAS_KUBECTL else set())
    )
    assert never == set()


def test_repos_scan_the_same_from_a_copy_without_git(tmp_path: Path) -> None:
    copy = tmp_path / "leaky"
    shutil.copytree(REPOS / "leaky", copy)
    assert located(run(copy)) == located(scanned("leaky"))
