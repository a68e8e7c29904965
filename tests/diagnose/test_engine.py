"""The diagnosis engine on small, hand-built clusters: grouping, bottom-up preference, no swallowing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homelabctl.analysis import analyze
from homelabctl.diagnose.graph import _inventory_ref, in_cluster_service
from homelabctl.model import ObjectRef
from homelabctl.report.build import validate_report

from factories import container_status, deployment, node, owner_ref, pod, state, ts


def _kustomization(
    name: str,
    *,
    ready: str = "True",
    reason: str = "ReconciliationSucceeded",
    message: str = "",
    depends_on: list[str] | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "interval": "10m",
        "path": f"./clusters/k3s-home/{name}",
        "prune": True,
        "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
    }
    if depends_on:
        spec["dependsOn"] = [{"name": d} for d in depends_on]
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {
            "name": name,
            "namespace": "flux-system",
            "uid": f"ks-{name}",
            "generation": 1,
            "creationTimestamp": ts(timedelta(days=30)),
        },
        "spec": spec,
        "status": {
            "observedGeneration": 1,
            "lastAttemptedRevision": "main@sha1:4f2a",
            "conditions": [
                {
                    "type": "Ready",
                    "status": ready,
                    "reason": reason,
                    "message": message or "Applied revision: main@sha1:4f2a",
                    "lastTransitionTime": ts(timedelta(hours=3)),
                    "observedGeneration": 1,
                }
            ],
        },
    }


def _crashing_pod(name: str, node_name: str, owner: dict[str, Any] | None = None) -> dict[str, Any]:
    return pod(
        name,
        "longhorn-system",
        node_name=node_name,
        owner=owner,
        statuses=[
            container_status(
                "longhorn-manager",
                "longhornio/longhorn-manager:v1.6.2",
                state="waiting",
                reason="CrashLoopBackOff",
                ready=False,
                restarts=42,
                message="back-off 5m0s restarting failed container",
                last_terminated={"message": "failed to list nodes: context deadline exceeded"},
            )
        ],
    )


def _cluster(*, node_broken: bool, flux_broken: bool) -> list[dict[str, Any]]:
    objs: list[dict[str, Any]] = [
        node("k3s-master1", control_plane=True),
        node("k3s2"),
        node("k3s3"),
        node("k3s1", ready="Unknown" if node_broken else "True", since=timedelta(days=3)),
    ]
    app = deployment("web", "apps", replicas=2, ready=1 if node_broken else 2)
    objs.append(app)
    objs.append(pod("web-1", "apps", node_name="k3s2", owner=app))
    if node_broken:
        objs.append(_crashing_pod("longhorn-manager-x1", "k3s1"))
        objs.append(pod("web-2", "apps", node_name="k3s1", owner=app, deletion=timedelta(days=2)))
    else:
        objs.append(pod("web-2", "apps", node_name="k3s1", owner=app))
    objs += [
        pod(
            "prometheus-kube-prometheus-stack-prometheus-0",
            "monitoring",
            node_name="k3s3",
            labels={"app.kubernetes.io/name": "prometheus"},
        ),
        pod(
            "alertmanager-kube-prometheus-stack-alertmanager-0",
            "monitoring",
            node_name="k3s3",
            labels={"app.kubernetes.io/name": "alertmanager"},
        ),
    ]
    objs += [_kustomization("flux-system"), _kustomization("infrastructure")]
    if flux_broken:
        objs.append(
            _kustomization(
                "intel-gpu-plugin",
                ready="False",
                reason="ReconciliationFailed",
                message="GpuDevicePlugin/gpu-plugin dry-run failed: no matches for kind "
                '"GpuDevicePlugin" in version "deviceplugin.intel.com/v1"',
            )
        )
        objs.append(
            _kustomization(
                "apps-ai",
                ready="False",
                reason="DependencyNotReady",
                message="dependency 'flux-system/intel-gpu-plugin' is not ready",
                depends_on=["intel-gpu-plugin"],
            )
        )
    return objs


def _causes(objs: list[dict[str, Any]]) -> dict[str, Any]:
    report = analyze(state(objs)).report
    validate_report(report)
    return report


def test_node_failure_groups_pods_on_that_node_only() -> None:
    report = _causes(_cluster(node_broken=True, flux_broken=False))
    assert report["root_causes"], report["findings"]
    top = report["root_causes"][0]
    assert top["object"] == {"kind": "Node", "namespace": None, "name": "k3s1"}
    by_id = {f["id"]: f for f in report["findings"]}
    symptom_objects = {by_id[s]["object"]["name"] for s in top["symptoms"]}
    assert "longhorn-manager-x1" in symptom_objects
    assert "web-2" in symptom_objects
    assert all(by_id[s]["object"]["name"] != "web-1" for s in top["symptoms"])
    assert any(
        step["dangerous"] and "--grace-period=0 --force" in (step["command"] or "")
        for step in top["next_steps"]
    )
    for sid in top["symptoms"]:
        assert by_id[sid]["root_cause"] == top["finding"]


def test_two_unrelated_incidents_keep_their_own_symptoms() -> None:
    report = _causes(_cluster(node_broken=True, flux_broken=True))
    objects = [rc["object"]["name"] for rc in report["root_causes"]]
    assert "k3s1" in objects and "intel-gpu-plugin" in objects
    by_id = {f["id"]: f for f in report["findings"]}
    for rc in report["root_causes"]:
        names = {by_id[s]["object"]["name"] for s in rc["symptoms"]}
        if rc["object"]["name"] == "k3s1":
            assert "apps-ai" not in names
        if rc["object"]["name"] == "intel-gpu-plugin":
            assert names <= {"intel-gpu-plugin", "apps-ai"} and "apps-ai" in names
    all_symptoms = [s for rc in report["root_causes"] for s in rc["symptoms"]]
    assert len(all_symptoms) == len(set(all_symptoms)), "a symptom listed under two causes"


def test_healthy_cluster_has_no_root_cause() -> None:
    report = _causes(_cluster(node_broken=False, flux_broken=False))
    assert report["root_causes"] == []
    assert not [f for f in report["findings"] if f["severity"] == "critical"]


def test_graph_helpers() -> None:
    assert in_cluster_service("http://minio.velero.svc:9000", "velero") == ObjectRef(
        "Service", "velero", "minio"
    )
    assert in_cluster_service("http://minio.velero.svc.cluster.local:9000", None) == ObjectRef(
        "Service", "velero", "minio"
    )
    assert in_cluster_service("http://minio:9000", "velero") == ObjectRef("Service", "velero", "minio")
    assert in_cluster_service("https://s3.us-west-002.backblazeb2.com", "velero") is None
    assert _inventory_ref("authentik_authentik_helm.toolkit.fluxcd.io_HelmRelease") == ObjectRef(
        "HelmRelease", "authentik", "authentik"
    )
    assert _inventory_ref("_cluster-admin_rbac.authorization.k8s.io_ClusterRole") == ObjectRef(
        "ClusterRole", None, "cluster-admin"
    )


def test_pod_owner_ref_helper_shape() -> None:
    dep = deployment("x")
    assert owner_ref(dep)["uid"] == dep["metadata"]["uid"]


def test_longhorn_volume_degraded_by_a_dead_node_is_grouped_under_it() -> None:
    from homelabctl.analysis import analyze as run_analysis
    from homelabctl.sources.snapshot import demo_source

    report = run_analysis(demo_source().load()).report
    by_id = {f["id"]: f for f in report["findings"]}
    k3s1 = next(rc for rc in report["root_causes"] if rc["object"]["name"] == "k3s1")
    degraded = [by_id[s] for s in k3s1["symptoms"] if by_id[s]["check"] == "longhorn-volume-degraded"]
    assert degraded and "sonarr-config" in degraded[0]["message"]
    # the faulted bazarr volume names no node in its conditions: it stays a cause of its own
    assert any(rc["object"]["kind"] == "Volume" for rc in report["root_causes"])
