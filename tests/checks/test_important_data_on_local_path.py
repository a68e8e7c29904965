from __future__ import annotations

from factories import owner_ref, pod
from factories_infra import claim_volume, local_path_pv, pvc, statefulset, storage_class
from helpers import findings, run_one

LOCAL = "rancher.io/local-path"


def _classes() -> list[dict[str, object]]:
    return [
        storage_class("local-path", LOCAL, default=True, binding_mode="WaitForFirstConsumer"),
        storage_class("longhorn"),
    ]


def test_fires_on_prometheus_statefulset_claim_pinned_to_a_node() -> None:
    labels = {
        "app.kubernetes.io/name": "prometheus",
        "operator.prometheus.io/name": "kube-prometheus-stack-prometheus",
    }
    sts = statefulset(
        "prometheus-kube-prometheus-stack-prometheus",
        "monitoring",
        labels=labels,
        image="quay.io/prometheus/prometheus:v2.53.0",
        claim_templates=["prometheus-db"],
    )
    claim_name = "prometheus-db-prometheus-kube-prometheus-stack-prometheus-0"
    claim = pvc(
        claim_name, "monitoring", "local-path", labels=labels, provisioner=LOCAL, selected_node="k3s3"
    )
    prom = pod(
        "prometheus-kube-prometheus-stack-prometheus-0",
        "monitoring",
        node_name="k3s3",
        labels=labels,
        owner=sts,
        containers=[
            {"name": "prometheus", "image": "quay.io/prometheus/prometheus:v2.53.0"},
            {
                "name": "config-reloader",
                "image": "quay.io/prometheus-operator/prometheus-config-reloader:v0.75.0",
            },
        ],
        volumes=[claim_volume(claim_name, "prometheus-kube-prometheus-stack-prometheus-db")],
    )
    found = findings(
        "important-data-on-local-path", [*_classes(), sts, claim, local_path_pv(claim, "k3s3"), prom]
    )
    assert [(f.object.kind, f.object.name) for f in found] == [("PersistentVolumeClaim", claim_name)]
    f = found[0]
    assert f.message == (
        f"PVC monitoring/{claim_name} keeps Prometheus data on local-path: one node's disk, no replica"
    )
    assert "storageClassName=local-path (provisioner rancher.io/local-path), 10Gi" in f.evidence
    assert (
        "identified as Prometheus by pod prometheus-kube-prometheus-stack-prometheus-0 runs image "
        "quay.io/prometheus/prometheus:v2.53.0"
    ) in f.evidence
    assert "data lives only on node k3s3" in f.evidence
    assert "longhorn" in f.hint and "velero backup create" in f.hint
    assert f.severity.value == "warning"


def test_database_identified_through_default_class_and_claim_name() -> None:
    claim = pvc("data-authentik-postgresql-0", "authentik", None, provisioner=LOCAL)
    found = findings("important-data-on-local-path", [*_classes(), claim])
    assert [f.object.name for f in found] == ["data-authentik-postgresql-0"]
    assert "keeps PostgreSQL data" in found[0].message
    assert found[0].evidence[0].startswith("storageClassName=<unset>, default local-path")


def test_companions_and_caches_are_not_data_stores() -> None:
    grafana_claim = pvc(
        "kube-prometheus-stack-grafana",
        "monitoring",
        "local-path",
        provisioner=LOCAL,
        labels={"app.kubernetes.io/name": "grafana"},
    )
    grafana = pod(
        "kube-prometheus-stack-grafana-5c9d8b7f6-q2w3e",
        "monitoring",
        node_name="k3s2",
        containers=[{"name": "grafana", "image": "docker.io/grafana/grafana:11.1.0"}],
        volumes=[claim_volume("kube-prometheus-stack-grafana", "storage")],
    )
    grafana["metadata"]["ownerReferences"] = [
        owner_ref(
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "metadata": {"name": "kube-prometheus-stack-grafana-5c9d8b7f6", "uid": "rs-uid"},
            }
        )
    ]
    cache = pvc("sabnzbd-incomplete", "media", "local-path", provisioner=LOCAL)
    on_longhorn = pvc("data-postgres-0", "apps", "longhorn")
    assert (
        findings("important-data-on-local-path", [*_classes(), grafana_claim, grafana, cache, on_longhorn])
        == []
    )


def test_not_evaluated_without_claims() -> None:
    assert run_one("important-data-on-local-path", _classes()).status == "not_evaluated"
