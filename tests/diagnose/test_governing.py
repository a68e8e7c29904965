"""Generic mechanisms beyond the owner chain: objects that govern others (quota, default limits, Traefik
middlewares, the cainjector), Flux health checks on workloads, node agent vs node, one-node correlation,
and warnings that are the only failure with user impact. Small snapshots, real checks where they fire."""

from __future__ import annotations

from typing import Any

from homelabctl.analysis import analyze
from homelabctl.diagnose.context import RuleContext
from homelabctl.diagnose.correlate import correlate
from homelabctl.diagnose.engine import diagnose
from homelabctl.diagnose.graph import CONSUMES, GOVERNS, MOUNTS, RECONCILES, WAITS, DependencyGraph
from homelabctl.diagnose.links import object_mentions
from homelabctl.model import Finding, Layer, ObjectRef, Severity

from factories import container_status, deployment, event, meta, node, owner_ref, pod, state
from factories_infra import pvc, storage_class


def _rs(dep: dict[str, Any]) -> dict[str, Any]:
    name, ns = dep["metadata"]["name"], dep["metadata"]["namespace"]
    labels = dep["spec"]["selector"]["matchLabels"]
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            **meta(f"{name}-7d9f8b6c5d", ns, kind="ReplicaSet", labels=labels),
            "ownerReferences": [owner_ref(dep)],
        },
        "spec": {"replicas": 1, "selector": {"matchLabels": labels}},
        "status": {"replicas": 1},
    }


def _oom_pod(rs: dict[str, Any], labels: dict[str, str], *, injected: bool) -> dict[str, Any]:
    ns = rs["metadata"]["namespace"]
    p = pod(
        "n8n-7d9f8b6c5d-x2x9k",
        ns,
        owner=rs,
        labels=labels,
        containers=[
            {
                "name": "n8n",
                "image": "docker.n8n.io/n8nio/n8n:1.97.1",
                "resources": {"limits": {"memory": "512Mi"}, "requests": {"memory": "256Mi"}},
            }
        ],
        statuses=[
            container_status(
                "n8n",
                "docker.n8n.io/n8nio/n8n:1.97.1",
                state="waiting",
                reason="CrashLoopBackOff",
                ready=False,
                restarts=14,
                last_terminated={"reason": "OOMKilled", "exitCode": 137},
            )
        ],
    )
    if injected:
        p["metadata"]["annotations"] = {
            "kubernetes.io/limit-ranger": "LimitRanger plugin set: memory request for container n8n; "
            "memory limit for container n8n"
        }
    return p


def _limit_range(ns: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": meta("default-limits", ns, kind="LimitRange"),
        "spec": {
            "limits": [
                {"type": "Container", "default": {"memory": "512Mi"}, "defaultRequest": {"memory": "256Mi"}}
            ]
        },
    }


def test_limitrange_default_memory_injected_into_the_oomkilled_container_is_named_in_the_fix() -> None:
    labels = {"app.kubernetes.io/name": "n8n"}
    dep = deployment("n8n", "automation", ready=0, labels=labels)
    rs = _rs(dep)
    objs = [node("k3s2"), dep, rs, _oom_pod(rs, labels, injected=True), _limit_range("automation")]
    top = analyze(state(objs)).report["root_causes"][0]
    assert top["object"] == {"kind": "Deployment", "namespace": "automation", "name": "n8n"}
    assert any("kubernetes.io/limit-ranger" in line for line in top["confidence"]["evidence"])
    assert "LimitRange default-limits" in top["next_steps"][0]["text"]


def test_a_limit_the_workload_set_itself_stays_the_workloads() -> None:
    labels = {"app.kubernetes.io/name": "n8n"}
    dep = deployment("n8n", "automation", ready=0, labels=labels)
    rs = _rs(dep)
    objs = [node("k3s2"), dep, rs, _oom_pod(rs, labels, injected=False), _limit_range("automation")]
    top = analyze(state(objs)).report["root_causes"][0]
    assert top["object"] == {"kind": "Deployment", "namespace": "automation", "name": "n8n"}
    assert not any("limit-ranger" in line for line in top["confidence"]["evidence"])


def test_exceeded_quota_in_a_failedcreate_governs_the_controller() -> None:
    labels = {"app.kubernetes.io/name": "radarr"}
    dep = deployment("grafana-agent", "media", ready=0, labels=labels)
    rs = _rs(dep)
    quota = {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": meta("compute", "media", kind="ResourceQuota"),
        "spec": {"hard": {"limits.memory": "4Gi"}},
    }
    failed = event(
        rs,
        "FailedCreate",
        'Error creating: pods "grafana-agent-7d9f8b6c5d-q2" is forbidden: exceeded '
        "quota: compute, requested: limits.memory=1Gi, used: limits.memory=4Gi, limited: limits.memory=4Gi",
    )
    assert [m.kind for m in object_mentions(failed["message"])] == ["ResourceQuota"]
    objs = [node("k3s2"), dep, rs, quota, failed]
    report = analyze(state(objs)).report
    causes = report["root_causes"]
    assert causes[0]["object"] == {"kind": "ResourceQuota", "namespace": "media", "name": "compute"}
    assert any("exceeded quota: compute" in line for line in causes[0]["confidence"]["evidence"])


def _webhook(name: str, inject: bool) -> dict[str, Any]:
    md = meta(name, None, kind="ValidatingWebhookConfiguration")
    if inject:
        md["annotations"] = {"cert-manager.io/inject-ca-from-secret": "cert-manager/cert-manager-webhook-ca"}
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": md,
        "webhooks": [
            {
                "name": f"{name}.example.io",
                "failurePolicy": "Fail",
                "clientConfig": {"service": {"name": name, "namespace": "cert-manager"}},
            }
        ],
    }


def test_cainjector_reconciles_the_webhooks_whose_ca_it_injects_only() -> None:
    injector = deployment("cert-manager-cainjector", "cert-manager")
    injected, plain = _webhook("cert-manager-webhook", True), _webhook("kyverno-resource", False)
    graph = DependencyGraph(state([injector, injected, plain]))
    targets = graph.direct(ObjectRef("Deployment", "cert-manager", "cert-manager-cainjector"), RECONCILES)
    assert ObjectRef("ValidatingWebhookConfiguration", None, "cert-manager-webhook") in targets
    assert ObjectRef("ValidatingWebhookConfiguration", None, "kyverno-resource") not in targets


def test_traefik_middleware_references_from_ingress_annotation_and_ingressroute() -> None:
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": meta("home-auth", None, kind="Namespace")}
    ingress = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            **meta("wiki", "docs", kind="Ingress"),
            "annotations": {
                "traefik.ingress.kubernetes.io/router.middlewares": "home-auth-forward-auth@kubernetescrd, default-headers@file"
            },
        },
        "spec": {"rules": [{"host": "wiki.example.net"}]},
    }
    route = {
        "apiVersion": "traefik.io/v1alpha1",
        "kind": "IngressRoute",
        "metadata": meta("grafana", "docs", kind="IngressRoute"),
        "spec": {"routes": [{"match": "Host(`g.example.net`)", "middlewares": [{"name": "ip-allow"}]}]},
    }
    graph = DependencyGraph(state([ns, ingress, route]))
    missing = ObjectRef("Middleware", "home-auth", "forward-auth")
    assert not graph.exists(missing)
    assert ObjectRef("Ingress", "docs", "wiki") in graph.direct(missing, GOVERNS)
    assert ObjectRef("IngressRoute", "docs", "grafana") in graph.direct(
        ObjectRef("Middleware", "docs", "ip-allow"), GOVERNS
    )
    assert set(graph.middleware_references()) == {missing, ObjectRef("Middleware", "docs", "ip-allow")}


def test_kustomization_waiting_on_a_workload_is_downstream_of_it() -> None:
    ks = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": meta("apps", "flux-system", kind="Kustomization"),
        "spec": {
            "wait": True,
            "path": "./apps",
            "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
        },
        "status": {
            "inventory": {
                "entries": [
                    {"id": "home_mealie_apps_Deployment", "v": "v1"},
                    {"id": "home_mealie__Service", "v": "v1"},
                ]
            }
        },
    }
    checked = {
        **ks,
        "metadata": meta("infra", "flux-system", kind="Kustomization"),
        "spec": {
            "healthChecks": [
                {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "postgres", "namespace": "databases"}
            ],
            "path": "./infra",
        },
        "status": {},
    }
    graph = DependencyGraph(state([ks, checked]))
    assert ObjectRef("Kustomization", "flux-system", "apps") in graph.direct(
        ObjectRef("Deployment", "home", "mealie"), WAITS
    )
    assert graph.direct(ObjectRef("Service", "home", "mealie"), WAITS) == set()
    assert ObjectRef("Kustomization", "flux-system", "infra") in graph.direct(
        ObjectRef("StatefulSet", "databases", "postgres"), WAITS
    )


def _cronjob_and_job() -> list[dict[str, Any]]:
    cron = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": meta("db-dump", "home", kind="CronJob"),
        "spec": {"schedule": "0 3 * * *", "concurrencyPolicy": "Forbid", "jobTemplate": {"spec": {}}},
    }
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {**meta("db-dump-29112345", "home", kind="Job"), "ownerReferences": [owner_ref(cron)]},
        "spec": {},
        "status": {"active": 1},
    }
    return [cron, job]


def test_a_warning_that_is_the_only_user_facing_failure_is_a_cause() -> None:
    objs = _cronjob_and_job()
    st = state(objs)
    warning = Finding(
        "job-failed",
        Layer.WORKLOAD,
        Severity.WARNING,
        ObjectRef("Job", "home", "db-dump-29112345"),
        "Job home/db-dump-29112345 has run for 3d; CronJob home/db-dump skips every run (Forbid)",
    )
    causes = diagnose(st, [warning])
    assert [c.object for c in causes] == [ObjectRef("CronJob", "home", "db-dump")]


def test_a_warning_stays_a_finding_next_to_a_critical_cause_or_in_observability() -> None:
    objs = _cronjob_and_job()
    st = state(objs)
    warning = Finding(
        "job-failed",
        Layer.WORKLOAD,
        Severity.WARNING,
        ObjectRef("Job", "home", "db-dump-29112345"),
        "Job home/db-dump-29112345 has run for 3d",
    )
    other = Finding(
        "pod-crashloop",
        Layer.WORKLOAD,
        Severity.CRITICAL,
        ObjectRef("Pod", "media", "sonarr-0"),
        "Pod media/sonarr-0 is crash-looping",
    )
    assert ObjectRef("CronJob", "home", "db-dump") not in [c.object for c in diagnose(st, [warning, other])]
    exporter = Finding(
        "job-failed",
        Layer.WORKLOAD,
        Severity.WARNING,
        ObjectRef("Job", "monitoring", "x"),
        "Job monitoring/x failed",
    )
    assert diagnose(st, [exporter]) == []


def _cilium() -> dict[str, Any]:
    labels = {"k8s-app": "cilium"}
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": meta("cilium", "kube-system", kind="DaemonSet", labels=labels),
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {}},
        },
    }


def _agent_pods(ds: dict[str, Any], crash_on: str) -> list[dict[str, Any]]:
    pods = []
    for i, name in enumerate(("k3s1", "k3s2", "k3s3")):
        crashing = name == crash_on
        statuses = [
            container_status(
                "cilium-agent",
                "quay.io/cilium/cilium:v1.17.4",
                state="waiting" if crashing else "running",
                reason="CrashLoopBackOff",
                ready=not crashing,
                restarts=40 if crashing else 0,
                last_terminated={"message": 'level=fatal msg="Error while creating daemon"'}
                if crashing
                else None,
            )
        ]
        pods.append(
            pod(
                f"cilium-{i}abcd",
                "kube-system",
                node_name=name,
                owner=ds,
                labels={"k8s-app": "cilium"},
                containers=[{"name": "cilium-agent", "image": "quay.io/cilium/cilium:v1.17.4"}],
                statuses=statuses,
            )
        )
    return pods


def _agent_context(node_ready: str) -> RuleContext:
    ds = _cilium()
    app = pod("paperless-0", "home", node_name="k3s2")
    objs = [node("k3s1"), node("k3s2", ready=node_ready), node("k3s3"), ds, *_agent_pods(ds, "k3s2"), app]
    st = state(objs)
    finding = Finding(
        "cni-agent-not-ready",
        Layer.NETWORK,
        Severity.CRITICAL,
        ObjectRef("Node", None, "k3s2"),
        "the Cilium agent on k3s2 is not ready",
    )
    ctx = RuleContext(st, DependencyGraph(st), [finding])
    correlate(ctx)
    return ctx


def test_agent_failing_on_a_ready_node_is_the_cause_a_notready_node_stays_the_node() -> None:
    ready = _agent_context("True")
    assert list(ready.agent_nodes) == [ObjectRef("Node", None, "k3s2")]
    assert "agent is the cause" in ready.agent_nodes[ObjectRef("Node", None, "k3s2")]
    assert _agent_context("Unknown").agent_nodes == {}


def _timeout_pod(name: str, node_name: str, target_ip: str) -> dict[str, Any]:
    return pod(
        f"{name}-0",
        "home",
        node_name=node_name,
        labels={"app": name},
        containers=[{"name": name, "image": f"ghcr.io/example/{name}:1"}],
        statuses=[
            container_status(
                name,
                f"ghcr.io/example/{name}:1",
                state="waiting",
                reason="CrashLoopBackOff",
                ready=False,
                restarts=9,
                last_terminated={"message": f"dial tcp {target_ip}:5432: i/o timeout"},
            )
        ],
    )


def _db(node_name: str) -> list[dict[str, Any]]:
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta("postgres", "databases", kind="Service"),
        "spec": {"clusterIP": "10.43.50.5", "selector": {"app": "postgres"}, "ports": [{"port": 5432}]},
    }
    return [svc, pod("postgres-0", "databases", node_name=node_name, labels={"app": "postgres"})]


def _suspects(*placements: tuple[str, str]) -> dict[ObjectRef, Any]:
    objs = [node("k3s1"), node("k3s2"), node("k3s3"), *_db("k3s3")]
    findings = []
    for name, node_name in placements:
        objs.append(_timeout_pod(name, node_name, "10.43.50.5"))
        findings.append(
            Finding(
                "pod-crashloop",
                Layer.WORKLOAD,
                Severity.CRITICAL,
                ObjectRef("Pod", "home", f"{name}-0"),
                f"Pod home/{name}-0 is crash-looping",
            )
        )
    st = state(objs)
    ctx = RuleContext(st, DependencyGraph(st), findings)
    correlate(ctx)
    return ctx.node_suspects


def test_two_workloads_on_one_node_timing_out_towards_another_node_suspect_that_node() -> None:
    suspects = _suspects(("paperless", "k3s1"), ("vikunja", "k3s1"))
    assert list(suspects) == [ObjectRef("Node", None, "k3s1")]
    assert any(
        "10.43.50.5:5432: i/o timeout" in line for line in suspects[ObjectRef("Node", None, "k3s1")][1]
    )


def test_one_workload_or_timeouts_on_several_nodes_suspect_no_node() -> None:
    assert _suspects(("paperless", "k3s1")) == {}
    assert _suspects(("paperless", "k3s1"), ("vikunja", "k3s1"), ("mealie", "k3s2")) == {}
    assert (
        _suspects(("paperless", "k3s3"), ("vikunja", "k3s3")) == {}
    )  # same node as the database: not remote


def _claim_pod(claim: str) -> dict[str, Any]:
    """A pod the scheduler has not placed (its claim not bound yet)."""
    return pod(
        "kuma-6d5f7c9b8-x2x9k",
        "home",
        node_name=None,
        phase="Pending",
        volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": claim}}],
    )


def test_a_provisioner_deployment_reconciles_the_claims_waiting_for_its_provisioner_only() -> None:
    """While local-path-provisioner is down no claim of its classes gets a volume: the unbound ones depend on
    it; a bound one keeps working, and a claim of another provisioner does not depend on it."""
    objs = [
        deployment("local-path-provisioner", "kube-system"),
        deployment("web", "home"),
        storage_class("local-path", "rancher.io/local-path", binding_mode="WaitForFirstConsumer"),
        storage_class("longhorn"),
        pvc(
            "kuma-data",
            "home",
            "local-path",
            phase="Pending",
            provisioner="rancher.io/local-path",
            selected_node="k3s1",
        ),
        pvc("old-data", "home", "local-path", provisioner="rancher.io/local-path"),
        pvc("db-data", "home", "longhorn", phase="Pending"),
    ]
    graph = DependencyGraph(state(objs))
    assert graph.direct(ObjectRef("Deployment", "kube-system", "local-path-provisioner"), RECONCILES) == {
        ObjectRef("PersistentVolumeClaim", "home", "kuma-data")
    }
    assert graph.direct(ObjectRef("Deployment", "home", "web"), RECONCILES) == set()


def test_a_first_consumer_claim_waits_for_its_pod_until_a_node_is_selected_then_for_its_volume() -> None:
    """WaitForFirstConsumer: before the scheduler picks a node, the unscheduled pod explains the unbound
    claim; once it has (``volume.kubernetes.io/selected-node``), the claim waits for its provisioner and
    the pod waits for the claim."""
    local_path = storage_class("local-path", "rancher.io/local-path", binding_mode="WaitForFirstConsumer")
    claim = ObjectRef("PersistentVolumeClaim", "home", "kuma-data")
    for selected in (None, "k3s1"):
        objs = [
            local_path,
            pvc(
                "kuma-data",
                "home",
                "local-path",
                phase="Pending",
                provisioner="rancher.io/local-path",
                selected_node=selected,
            ),
            _claim_pod("kuma-data"),
        ]
        graph = DependencyGraph(state(objs))
        pod_ref = ObjectRef("Pod", "home", "kuma-6d5f7c9b8-x2x9k")
        if selected is None:
            assert graph.direct(pod_ref, CONSUMES) == {claim} and graph.direct(claim, MOUNTS) == set()
        else:
            assert graph.direct(pod_ref, CONSUMES) == set() and graph.direct(claim, MOUNTS) == {pod_ref}
