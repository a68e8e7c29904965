"""A cluster check and a scan rule that cover the same hazard read one table and agree on shared cases.

Before the tables were shared, ``important-data-on-local-path`` called a claim named
``kube-prometheus-stack-grafana`` Prometheus in the scan and nothing in the cluster, ``kafka-data-0`` the
reverse; the scan knew 5 admin UIs and the check 7.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.helpers import findings
from scan.scan_helpers import flux_repo, run_rule

from factories_infra import httproute, pvc, storage_class

LOCAL = "rancher.io/local-path"


def _check_store(claim_name: str) -> str | None:
    objects = [
        storage_class("local-path", LOCAL, default=True),
        pvc(claim_name, "apps", "local-path", provisioner=LOCAL),
    ]
    found = findings("important-data-on-local-path", objects)
    if not found:
        return None
    return found[0].message.split(" keeps ", 1)[1].split(" data ", 1)[0]


def _scan_store(tmp_path: Path, claim_name: str) -> str | None:
    flux_repo(
        tmp_path,
        {
            "cluster/pvc.yaml": f"""
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata:
          name: {claim_name}
          namespace: apps
        spec:
          storageClassName: local-path
          accessModes: [ReadWriteOnce]
          resources: {{requests: {{storage: 8Gi}}}}
        """
        },
    )
    found = run_rule(tmp_path, "important-data-on-local-path")
    if not found:
        return None
    return found[0].message.split(" keeps ", 1)[1].split(" data ", 1)[0]


@pytest.mark.parametrize(
    ("claim", "store"),
    [
        ("kube-prometheus-stack-grafana", None),  # Grafana is a companion of Prometheus, not its data
        ("kafka-data-0", "Kafka"),
        ("postgres-data", "PostgreSQL"),
        ("prometheus-db-prometheus-0", "Prometheus"),
        ("redis-exporter-cache", None),
        ("jellyfin-transcode", None),
        ("nextcloud-data", "Nextcloud"),
    ],
)
def test_important_data_check_and_scan_rule_agree(tmp_path: Path, claim: str, store: str | None) -> None:
    assert _check_store(claim) == store
    assert _scan_store(tmp_path, claim) == store


def _check_ui(service: str, port: int) -> str | None:
    found = findings(
        "admin-ui-exposed-without-auth", [httproute("ui", "apps", "ui.example.net", service, port)]
    )
    return found[0].message.split(" exposes ", 1)[1].split(" at ", 1)[0] if found else None


def _scan_ui(tmp_path: Path, service: str, port: int) -> str | None:
    flux_repo(
        tmp_path,
        {
            "cluster/route.yaml": f"""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata:
          name: ui
          namespace: apps
        spec:
          parentRefs: [{{name: main-gateway, namespace: networking}}]
          hostnames: [ui.example.net]
          rules:
            - backendRefs: [{{name: {service}, port: {port}}}]
        """
        },
    )
    found = run_rule(tmp_path, "admin-ui-without-auth")
    return found[0].message.split(" publishes the ", 1)[1].split(" (Service", 1)[0] if found else None


@pytest.mark.parametrize(
    ("service", "port", "ui"),
    [
        ("kube-prometheus-stack-prometheus", 9090, "Prometheus"),
        ("alertmanager-operated", 9093, "Alertmanager"),
        ("prometheus-pushgateway", 9091, "Prometheus Pushgateway"),  # unknown to the scan before
        ("traefik", 9000, "Traefik dashboard"),  # unknown to the scan before
        ("traefik", 443, None),  # Traefik's web entrypoint is not its dashboard
        ("longhorn-frontend", 80, "Longhorn UI"),
        ("hubble-ui", 80, "Hubble UI"),
        ("oauth2-proxy", 4180, None),
        ("grafana", 80, None),
    ],
)
def test_admin_ui_check_and_scan_rule_agree(tmp_path: Path, service: str, port: int, ui: str | None) -> None:
    assert _check_ui(service, port) == ui
    assert _scan_ui(tmp_path, service, port) == ui


def test_flux_deprecations_come_from_one_table() -> None:
    from homelabctl.knowledge.apis import controller_deprecation

    found = controller_deprecation("helm.toolkit.fluxcd.io/v2beta1", "HelmRelease")
    assert found is not None and found.replacement == "helm.toolkit.fluxcd.io/v2"
    assert controller_deprecation("helm.toolkit.fluxcd.io/v2", "HelmRelease") is None
