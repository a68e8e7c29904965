"""General mechanisms of the diagnosis, each on a small state of its own (names and kinds unlike any scenario's)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homelabctl.analysis import analyze
from homelabctl.diagnose import links
from homelabctl.diagnose.context import RuleContext
from homelabctl.diagnose.correlate import correlate
from homelabctl.diagnose.engine import _order_key, contained
from homelabctl.diagnose.evidence import link_evidence
from homelabctl.diagnose.graph import APPLIES, HOOK, MENTIONS, RESOLVES, DependencyGraph
from homelabctl.diagnose.model import RootCause
from homelabctl.diagnose.rules.flux_source_broken import host_side
from homelabctl.k8s.dns_upstream import upstream_failures
from homelabctl.model import Finding, Layer, ObjectRef, Severity
from homelabctl.report.build import validate_report
from homelabctl.sources.validate import malformed_field

from factories import container_status, deployment, event, meta, node, owner_ref, pod, state, ts


def _causes(objs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    report = analyze(state(objs)).report
    validate_report(report)
    return report["root_causes"], {f["id"]: f for f in report["findings"]}


def _ref(obj: dict[str, Any]) -> tuple[str, str | None, str]:
    return (obj["kind"], obj.get("namespace"), obj["name"])


def _finding(check: str, severity: Severity, ref: ObjectRef, layer: Layer = Layer.WORKLOAD) -> Finding:
    return Finding(check, layer, severity, ref, f"{check} on {ref}")


def _statefulset(name: str, ns: str, labels: dict[str, str], ready: int = 0) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": meta(name, ns, kind="StatefulSet", labels=labels),
        "spec": {
            "replicas": 1,
            "serviceName": name,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": name, "image": f"quay.io/example/{name}:2"}]},
            },
        },
        "status": {"replicas": 1, "readyReplicas": ready, "currentReplicas": 1, "updatedReplicas": 1},
    }


# -- a lookup the DNS server never answered names the cluster DNS Service -------------------------------------
def test_lookup_unanswered_phrases_and_answers_that_are_not() -> None:
    assert links.lookup_unanswered("Error: getaddrinfo EAI_AGAIN redis.cache.svc.cluster.local")
    assert links.lookup_unanswered("socket.gaierror: [Errno -3] Temporary failure in name resolution")
    assert links.lookup_unanswered("dial tcp: lookup minio on 10.96.0.10:53: server misbehaving")
    assert links.lookup_unanswered("dial tcp: lookup minio: i/o timeout")
    # an answer (the name does not exist) is not a DNS failure
    assert links.lookup_unanswered("getaddrinfo ENOTFOUND redis.cache.svc.cluster.local") is None
    assert links.lookup_unanswered("dial tcp: lookup minio on 10.96.0.10:53: no such host") is None
    # through the cluster DNS: not when a resolver is named (linked by its address), not for image pulls
    assert links.lookup_readings("Error: getaddrinfo EAI_AGAIN redis.cache.svc.cluster.local")[0]
    named = links.lookup_readings("lookup quay.io on 192.168.1.1:53: server misbehaving")
    assert named == (None, [("quay.io", "192.168.1.1", "lookup quay.io on 192.168.1.1:53")])
    pull = (
        'Failed to pull image "quay.io/x/y:1": dial tcp: lookup quay.io: Temporary failure in name resolution'
    )
    assert links.lookup_readings(pull) == (None, [])
    # an answer names no resolver that failed
    assert links.lookup_readings("dial tcp: lookup minio on 10.96.0.10:53: no such host") == (None, [])


def test_a_lookup_nobody_answered_links_the_dns_service_found_by_its_label() -> None:
    labels = {"k8s-app": "kube-dns"}
    dns_svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta("dns-default", "dns", kind="Service", labels=labels),
        "spec": {"clusterIP": "10.96.0.10", "selector": labels, "ports": [{"port": 53}]},
    }
    worker = pod(
        "ledger-0",
        "finance",
        containers=[{"name": "ledger", "image": "quay.io/example/ledger:2"}],
        statuses=[
            container_status(
                "ledger",
                "quay.io/example/ledger:2",
                state="waiting",
                reason="CrashLoopBackOff",
                ready=False,
                restarts=4,
                last_terminated={"message": "psycopg.OperationalError: Temporary failure in name resolution"},
            )
        ],
    )
    st = state([node("k3s2"), dns_svc, worker])
    graph = DependencyGraph(st)
    failing = ObjectRef("Pod", "finance", "ledger-0")
    link_evidence(graph, {failing: [_finding("pod-crashloop", Severity.CRITICAL, failing)]})
    dns = ObjectRef("Service", "dns", "dns-default")
    assert failing in graph.direct(dns, MENTIONS)
    assert "Temporary failure in name resolution" in graph.provenance(dns, MENTIONS, failing)


# -- a failure that stays on its own object ranks after one that takes others down ------------------------------
def test_a_contained_critical_ranks_after_a_warning_that_takes_an_app_down() -> None:
    bucket = ObjectRef("Bucket", "flux-system", "archive")
    own = _finding("flux-source-failed", Severity.CRITICAL, bucket, Layer.PLATFORM)
    stale = _finding("flux-source-stale", Severity.WARNING, bucket, Layer.PLATFORM)
    isolated = RootCause(own, "flux-source-broken", "cannot fetch", symptoms=(stale,))
    host = ObjectRef("Node", None, "worker-b")
    pressure = _finding("node-pressure", Severity.WARNING, host, Layer.NODE)
    app = _finding(
        "workload-replicas-unavailable", Severity.CRITICAL, ObjectRef("StatefulSet", "finance", "ledger")
    )
    spreading = RootCause(pressure, "node-pressure", "evicts", symptoms=(app,))
    assert contained(isolated) and not contained(spreading)
    assert sorted([isolated, spreading], key=_order_key) == [spreading, isolated]
    # two causes that both spread keep the severity order
    crash = _finding("pod-crashloop", Severity.CRITICAL, ObjectRef("Deployment", "finance", "api"))
    other = RootCause(crash, "workload-down", "crashes", symptoms=(app,))
    assert sorted([spreading, other], key=_order_key) == [other, spreading]


# -- a source whose host fails for everyone names the host --------------------------------------------------------
def test_host_side_source_failures_name_the_host_credentials_stay_the_clusters() -> None:
    url = "https://charts.example.org/stable/"
    host = ObjectRef("ExternalHost", None, "charts.example.org")
    assert (
        host_side("failed to fetch https://charts.example.org/stable/index.yaml : 403 Forbidden", url, False)
        == host
    )
    assert host_side("unexpected status code 503 Service Unavailable", url, False) == host
    assert host_side("dial tcp 203.0.113.7:443: connect: connection refused", url, True) == host
    # the cluster's credential, or a lookup the cluster DNS did not answer: not the host
    assert host_side("failed to fetch index: 403 Forbidden", url, True) is None
    assert host_side("failed to fetch index: 401 Unauthorized", url, False) is None
    assert host_side("dial tcp: lookup charts.example.org on 10.96.0.10:53: i/o timeout", url, False) is None
    assert host_side("repository not found", url, False) is None


def test_an_oci_source_on_a_failing_registry_is_the_hosts_cause_with_its_consumer() -> None:
    failed = (
        "failed to pull artifact from 'oci://registry.example.net/charts/ledger': "
        "dial tcp 198.51.100.4:443: connect: connection refused"
    )
    source = {
        "apiVersion": "source.toolkit.fluxcd.io/v1beta2",
        "kind": "OCIRepository",
        "metadata": meta("ledger-chart", "flux-system", kind="OCIRepository"),
        "spec": {"url": "oci://registry.example.net/charts/ledger", "interval": "10m"},
        "status": {
            "conditions": [
                {
                    "type": "Ready",
                    "status": "False",
                    "reason": "OCIOperationFailed",
                    "message": failed,
                    "lastTransitionTime": ts(timedelta(hours=2)),
                }
            ]
        },
    }
    release = {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": meta("ledger", "finance", kind="HelmRelease"),
        "spec": {
            "interval": "10m",
            "chartRef": {"kind": "OCIRepository", "name": "ledger-chart", "namespace": "flux-system"},
        },
        "status": {
            "conditions": [
                {
                    "type": "Ready",
                    "status": "False",
                    "reason": "ArtifactFailed",
                    "message": "OCIRepository 'flux-system/ledger-chart' is not ready",
                    "lastTransitionTime": ts(timedelta(hours=2)),
                }
            ]
        },
    }
    causes, by_id = _causes([node("k3s2"), source, release])
    hosts = [c for c in causes if c["object"]["kind"] == "ExternalHost"]
    assert [_ref(c["object"]) for c in hosts] == [("ExternalHost", None, "registry.example.net")]
    held = {_ref(by_id[c["finding"]]["object"]) for c in hosts} | {
        _ref(by_id[s]["object"]) for c in hosts for s in c["symptoms"]
    }
    assert ("OCIRepository", "flux-system", "ledger-chart") in held


# -- a Kustomization that could not create an object is upstream of what needs it ---------------------------------
def test_unapplied_objects_in_kustomize_controller_messages() -> None:
    found = links.unapplied_objects(
        "decryption failed for 'ledger-db': failed to decrypt and format 'finance/ledger-db' Secret data: x"
    )
    assert [(m.kind, m.namespace, m.name) for m in found] == [("Secret", "finance", "ledger-db")]
    found = links.unapplied_objects("ConfigMap/finance/ledger-env dry-run failed (Invalid): data: too long")
    assert [(m.kind, m.namespace, m.name) for m in found] == [("ConfigMap", "finance", "ledger-env")]


def _kustomization(message: str) -> dict[str, Any]:
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": meta("finance", "flux-system", kind="Kustomization"),
        "spec": {
            "interval": "10m",
            "path": "./finance",
            "prune": True,
            "sourceRef": {"kind": "GitRepository", "name": "home"},
        },
        "status": {
            "conditions": [
                {
                    "type": "Ready",
                    "status": "False",
                    "reason": "BuildFailed",
                    "message": message,
                    "lastTransitionTime": ts(timedelta(hours=3)),
                }
            ]
        },
    }


def _ledger(with_configmap: bool) -> list[dict[str, Any]]:
    labels = {"app": "ledger"}
    sts = _statefulset("ledger", "finance", labels)
    p = pod(
        "ledger-0",
        "finance",
        owner=sts,
        labels=labels,
        containers=[
            {
                "name": "ledger",
                "image": "quay.io/example/ledger:2",
                "envFrom": [{"configMapRef": {"name": "ledger-env"}}],
            }
        ],
        statuses=[
            container_status(
                "ledger",
                "quay.io/example/ledger:2",
                state="waiting",
                reason="CreateContainerConfigError",
                message='configmap "ledger-env" not found',
                ready=False,
            )
        ],
    )
    p["metadata"]["ownerReferences"] = [owner_ref(sts)]
    objs = [node("k3s2"), sts, p]
    if with_configmap:
        objs.append(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": meta("ledger-env", "finance", kind="ConfigMap"),
                "data": {"A": "1"},
            }
        )
    return objs


def test_the_kustomization_that_failed_to_apply_a_missing_configmap_is_the_cause() -> None:
    ks = _kustomization(
        "ConfigMap/finance/ledger-env dry-run failed (Invalid): data[LEDGER_URL]: Invalid value"
    )
    causes, by_id = _causes([*_ledger(with_configmap=False), ks])
    assert _ref(causes[0]["object"]) == ("Kustomization", "flux-system", "finance")
    grouped = {_ref(by_id[s]["object"]) for s in causes[0]["symptoms"]}
    assert ("StatefulSet", "finance", "ledger") in grouped
    assert any(link["edge"] == APPLIES for link in causes[0]["chain"])


def test_an_object_that_exists_is_not_the_kustomizations_doing() -> None:
    ks = ObjectRef("Kustomization", "flux-system", "finance")
    message = "ConfigMap/finance/ledger-env dry-run failed (Invalid): data[LEDGER_URL]: Invalid value"
    graph = DependencyGraph(state([*_ledger(with_configmap=True), _kustomization(message)]))
    link_evidence(graph, {ks: [_finding("flux-not-ready", Severity.CRITICAL, ks, Layer.PLATFORM)]})
    assert graph.direct(ks, APPLIES) == set()


# -- timeouts as libraries write them ---------------------------------------------------------------------------
def _timing_out(name: str, node_name: str, message: str) -> dict[str, Any]:
    return pod(
        f"{name}-0",
        "finance",
        node_name=node_name,
        labels={"app": name},
        containers=[{"name": name, "image": f"quay.io/example/{name}:2"}],
        statuses=[
            container_status(
                name,
                f"quay.io/example/{name}:2",
                state="waiting",
                reason="CrashLoopBackOff",
                ready=False,
                restarts=5,
                last_terminated={"message": message},
            )
        ],
    )


def test_libpq_and_node_timeouts_towards_another_node_suspect_the_node() -> None:
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta("mariadb", "data", kind="Service"),
        "spec": {"clusterIP": "10.96.7.7", "selector": {"app": "mariadb"}, "ports": [{"port": 3306}]},
    }
    objs = [
        node("worker-a"),
        node("worker-b"),
        svc,
        pod("mariadb-0", "data", node_name="worker-b", labels={"app": "mariadb"}),
        _timing_out(
            "ledger",
            "worker-a",
            'connection to server at "mariadb.data.svc" (10.96.7.7) failed: timeout expired',
        ),
        _timing_out("invoices", "worker-a", "Error: connect ETIMEDOUT 10.96.7.7:3306"),
    ]
    findings = [
        _finding("pod-crashloop", Severity.CRITICAL, ObjectRef("Pod", "finance", f"{name}-0"))
        for name in ("ledger", "invoices")
    ]
    st = state(objs)
    ctx = RuleContext(st, DependencyGraph(st), findings)
    correlate(ctx)
    assert list(ctx.node_suspects) == [ObjectRef("Node", None, "worker-a")]


# -- a CronJob with a run in progress is loaded (its status.active lists Jobs) -------------------------------------
def test_a_cronjob_with_an_active_run_is_not_malformed() -> None:
    cronjob: dict[str, Any] = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": meta("report", "finance", kind="CronJob"),
        "spec": {
            "schedule": "0 3 * * *",
            "jobTemplate": {"spec": {"template": {"spec": {"containers": []}}}},
        },
        "status": {
            "active": [{"apiVersion": "batch/v1", "kind": "Job", "name": "report-1", "namespace": "finance"}]
        },
    }
    assert malformed_field(cronjob) is None
    cronjob["status"]["active"] = 3
    assert malformed_field(cronjob) == "status.active: expected a list, got 3"


# -- a CSI driver no node registers is one cause, on the StorageClass that names it ------------------------------
def _csinode(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "CSINode",
        "metadata": meta(name, kind="CSINode"),
        "spec": {"drivers": [{"name": "driver.longhorn.io", "nodeID": name}]},
    }


def test_a_driver_registered_on_no_node_makes_its_storageclass_the_cause_of_the_mounts() -> None:
    labels = {"app": "archive"}
    sts = _statefulset("archive", "records", labels)
    p = pod(
        "archive-0",
        "records",
        node_name="worker-b",
        phase="Pending",
        owner=sts,
        labels=labels,
        containers=[{"name": "archive", "image": "quay.io/example/archive:2"}],
        statuses=[
            container_status(
                "archive",
                "quay.io/example/archive:2",
                state="waiting",
                reason="ContainerCreating",
                ready=False,
            )
        ],
        volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "archive-data"}}],
    )
    p["metadata"]["ownerReferences"] = [owner_ref(sts)]
    objs: list[dict[str, Any]] = [
        node("worker-a"),
        node("worker-b"),
        _csinode("worker-a"),
        _csinode("worker-b"),
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": meta("smb-share", kind="StorageClass"),
            "provisioner": "smb.csi.k8s.io",
        },
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": meta("archive-data", "records", kind="PersistentVolumeClaim"),
            "spec": {
                "storageClassName": "smb-share",
                "accessModes": ["ReadWriteMany"],
                "volumeName": "pvc-4e1",
            },
            "status": {"phase": "Bound"},
        },
        sts,
        p,
        event(
            p,
            "FailedMount",
            'MountVolume.MountDevice failed for volume "pvc-4e1" : kubernetes.io/csi: attacher.MountDevice failed '
            "to create newCsiDriverClient: driver name smb.csi.k8s.io not found in the list of registered CSI drivers",
            count=40,
        ),
    ]
    causes, by_id = _causes(objs)
    top = causes[0]
    assert top["rule"] == "csi-unregistered-everywhere"
    assert _ref(top["object"]) == ("StorageClass", None, "smb-share")
    grouped = {_ref(by_id[s]["object"]) for s in top["symptoms"]}
    assert ("StatefulSet", "records", "archive") in grouped
    assert any(
        "no node plugin" in step["text"] or "none in the snapshot" in step["text"]
        for step in top["next_steps"]
    )


# -- a fail-closed webhook explains failed creates only where its selectors make the API server call it ----------
def _namespace(name: str, labels: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta(name, kind="Namespace", labels=labels)}


def _blocked(name: str, ns: str, message: str) -> list[dict[str, Any]]:
    labels = {"app": name}
    dep = deployment(name, ns, ready=0, labels=labels)
    dep["status"]["replicas"] = 0
    rs = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            **meta(f"{name}-5c9d7f", ns, kind="ReplicaSet", labels=labels),
            "ownerReferences": [owner_ref(dep)],
        },
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}},
        },
        "status": {"replicas": 0},
    }
    return [dep, rs, event(rs, "FailedCreate", message, count=25, component="replicaset-controller")]


def test_a_fail_closed_webhook_explains_failed_creates_only_in_the_namespaces_it_selects() -> None:
    timeout = "Error creating: Timeout: request did not complete within requested timeout - context deadline exceeded"
    named = (
        'Error creating: Internal error occurred: failed calling webhook "sidecar.mesh.example.io": failed to '
        'call webhook: Post "https://mesh-injector.mesh.svc:443/inject": no endpoints available for service'
    )
    config = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "MutatingWebhookConfiguration",
        "metadata": meta("mesh-sidecar-injector", kind="MutatingWebhookConfiguration"),
        "webhooks": [
            {
                "name": "sidecar.mesh.example.io",
                "failurePolicy": "Fail",
                "clientConfig": {
                    "service": {"namespace": "mesh", "name": "mesh-injector", "path": "/inject"}
                },
                "namespaceSelector": {
                    "matchExpressions": [{"key": "mesh", "operator": "In", "values": ["on"]}]
                },
                "rules": [
                    {
                        "operations": ["CREATE"],
                        "apiGroups": [""],
                        "apiVersions": ["v1"],
                        "resources": ["pods"],
                    }
                ],
                "sideEffects": "None",
                "admissionReviewVersions": ["v1"],
            }
        ],
    }
    objs = [
        node("worker-a"),
        _namespace("shop", {"mesh": "on"}),
        _namespace("lab", {}),
        _namespace("mesh", {}),
        config,
        *_blocked("cart", "shop", timeout),
        *_blocked("scratch", "lab", timeout),
        *_blocked("notebook", "lab", named),
    ]
    causes, by_id = _causes(objs)
    hook = [c for c in causes if c["object"]["kind"] == "MutatingWebhookConfiguration"]
    assert len(hook) == 1
    held = {_ref(by_id[s]["object"]) for s in hook[0]["symptoms"]}
    assert ("Deployment", "shop", "cart") in held
    assert ("Deployment", "lab", "scratch") not in held
    assert ("Deployment", "lab", "notebook") not in held  # named, but lab is not a namespace it selects
    assert any(link["edge"] == "admits" for link in hook[0]["chain"])


def test_webhook_entries_read_policy_selectors_and_whether_they_intercept_pod_creates() -> None:
    from homelabctl.k8s import admission

    config = {
        "kind": "ValidatingWebhookConfiguration",
        "webhooks": [
            {
                "name": "a.example.io",
                "rules": [{"operations": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
            },
            {
                "name": "b.example.io",
                "failurePolicy": "Ignore",
                "objectSelector": {"matchLabels": {"tier": "web"}},
                "rules": [
                    {"operations": ["CREATE"], "apiGroups": ["networking.k8s.io"], "resources": ["ingresses"]}
                ],
            },
            "not a webhook",
        ],
    }
    a, b = admission.webhooks(config)
    assert (a.fails_closed, a.creates_pods, a.namespace_selector, a.service) == (True, True, None, None)
    assert (b.fails_closed, b.creates_pods) == (False, False)
    assert b.matches({}, {"tier": "web"}) and not b.matches({}, {"tier": "db"})
    assert admission.namespace_labels(None, "lab") == {"kubernetes.io/metadata.name": "lab"}


# -- pulls that fail only on a node whose network is down are that node's symptom --------------------------------
def _pulling(name: str, ns: str, node_name: str) -> list[dict[str, Any]]:
    image = f"quay.io/example/{name}:3.1"
    labels = {"app": name}
    dep = deployment(name, ns, ready=0, labels=labels)
    p = pod(
        f"{name}-6b8f9-x2k4q",
        ns,
        node_name=node_name,
        owner=dep,
        labels=labels,
        containers=[{"name": name, "image": image}],
        statuses=[
            container_status(
                name,
                image,
                state="waiting",
                reason="ImagePullBackOff",
                ready=False,
                message=f'Back-off pulling image "{image}"',
            )
        ],
    )
    failed = (
        f'Failed to pull image "{image}": failed to resolve reference "{image}": failed to do request: Head '
        f'"https://quay.io/v2/example/{name}/manifests/3.1": dial tcp 3.224.34.11:443: i/o timeout'
    )
    return [dep, p, event(p, "Failed", failed, count=12)]


def _pull_causes(elsewhere: bool) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    cut_off = node("edge-1", conditions={"NetworkUnavailable": "True"})
    objs = [
        node("edge-2"),
        cut_off,
        *_pulling("wiki", "docs", "edge-1"),
        *_pulling("search", "docs", "edge-1"),
    ]
    if elsewhere:
        objs += _pulling("feeds", "news", "edge-2")
    return _causes(objs)


def test_registry_failures_only_on_a_cut_off_node_are_the_nodes_symptom() -> None:
    causes, by_id = _pull_causes(elsewhere=False)
    assert not [c for c in causes if c["object"]["kind"] == "ExternalHost"]
    top = causes[0]
    assert _ref(top["object"]) == ("Node", None, "edge-1")
    held = {(by_id[s]["check"], _ref(by_id[s]["object"])) for s in top["symptoms"]}
    assert ("image-registry-failing", ("ExternalHost", None, "quay.io")) in held
    assert any(link["edge"] == "egress" for link in top["chain"])


def test_registry_failures_on_a_healthy_node_too_stay_the_registrys() -> None:
    causes, _ = _pull_causes(elsewhere=True)
    assert [_ref(c["object"]) for c in causes if c["object"]["kind"] == "ExternalHost"] == [
        ("ExternalHost", None, "quay.io")
    ]


def test_cronjob_runs_reader() -> None:
    from homelabctl.k8s import cronjobs

    forbid = {
        "kind": "CronJob",
        "spec": {"concurrencyPolicy": "Forbid", "jobTemplate": {"spec": {"activeDeadlineSeconds": 3600}}},
        "status": {"active": [{"kind": "Job", "name": "sync-29000"}, "junk"]},
    }
    assert cronjobs.runs(forbid) == cronjobs.Runs("Forbid", 3600, ("sync-29000",))
    assert cronjobs.runs({"kind": "CronJob", "spec": {}}) == cronjobs.Runs("Allow", None, ())
    assert (
        cronjobs.job_start_time({"status": {"startTime": "2026-01-02T03:04:05Z"}}) == "2026-01-02T03:04:05Z"
    )


# -- a CronJob whose Forbid policy lets one hung run block every schedule -------------------------------------------
def _cron(policy: str) -> list[dict[str, Any]]:
    cron = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": meta("ledger-export", "finance", kind="CronJob", age=timedelta(days=40)),
        "spec": {
            "schedule": "30 */4 * * *",
            "concurrencyPolicy": policy,
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": {
                            "containers": [{"name": "export", "image": "quay.io/example/export:1"}],
                            "restartPolicy": "Never",
                        }
                    }
                }
            },
        },
        "status": {
            "lastScheduleTime": ts(timedelta(days=2)),
            "lastSuccessfulTime": ts(timedelta(days=2, hours=4)),
            "active": [
                {
                    "apiVersion": "batch/v1",
                    "kind": "Job",
                    "name": "ledger-export-29100",
                    "namespace": "finance",
                }
            ],
        },
    }
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            **meta("ledger-export-29100", "finance", kind="Job", age=timedelta(days=2)),
            "ownerReferences": [owner_ref(cron)],
        },
        "spec": {"backoffLimit": 0, "template": {"spec": {"containers": [{"name": "export", "image": "x"}]}}},
        "status": {"active": 1, "ready": 1, "startTime": ts(timedelta(days=2))},
    }
    return [node("worker-a"), cron, job]


def test_a_forbid_cronjob_behind_a_hung_run_is_the_cause_with_the_run_to_end() -> None:
    causes, _ = _causes(_cron("Forbid"))
    assert [(c["rule"], _ref(c["object"])) for c in causes] == [
        ("cronjob-blocked-by-run", ("CronJob", "finance", "ledger-export"))
    ]
    commands = [step["command"] for step in causes[0]["next_steps"]]
    assert "kubectl -n finance delete job ledger-export-29100" in commands
    assert any("activeDeadlineSeconds" in step["text"] for step in causes[0]["next_steps"])


def test_a_cronjob_that_allows_concurrent_runs_is_not_blocked_by_one() -> None:
    causes, _ = _causes(_cron("Allow"))
    assert causes and all(c["rule"] != "cronjob-blocked-by-run" for c in causes)


# -- a Helm hook Job is part of its release's install/upgrade -------------------------------------------------
def _hook_job(name: str, ns: str, labels: dict[str, str], annotations: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": meta(name, ns, kind="Job", labels=labels, annotations=annotations),
        "spec": {
            "backoffLimit": 2,
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "migrate", "image": "quay.io/example/ledger:3"}],
                }
            },
        },
        "status": {
            "failed": 3,
            "startTime": ts(timedelta(hours=2)),
            "conditions": [
                {
                    "type": "Failed",
                    "status": "True",
                    "reason": "BackoffLimitExceeded",
                    "message": "Job has reached the specified backoff limit",
                    "lastTransitionTime": ts(timedelta(hours=2)),
                }
            ],
        },
    }


def _failed_release(name: str, ns: str, **spec: Any) -> dict[str, Any]:
    message = (
        f"Helm upgrade failed for release {ns}/{name} with chart {name}@2.1.0: "
        "post-upgrade hooks failed: job failed: BackoffLimitExceeded"
    )
    return {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": meta(name, ns, kind="HelmRelease"),
        "spec": {"interval": "30m", "chart": {"spec": {"chart": name, "version": "2.1.0"}}, **spec},
        "status": {
            "conditions": [
                {
                    "type": "Ready",
                    "status": "False",
                    "reason": "UpgradeFailed",
                    "message": "Helm upgrade failed: upgrade retries exhausted",
                    "lastTransitionTime": ts(timedelta(hours=2)),
                },
                {
                    "type": "Released",
                    "status": "False",
                    "reason": "UpgradeFailed",
                    "message": message,
                    "lastTransitionTime": ts(timedelta(hours=2)),
                },
            ]
        },
    }


def test_helm_hook_jobs_belong_to_their_release() -> None:
    flux_labelled = _hook_job(
        "ledger-schema",
        "finance",
        {
            "app.kubernetes.io/managed-by": "Helm",
            "helm.toolkit.fluxcd.io/name": "ledger",
            "helm.toolkit.fluxcd.io/namespace": "finance",
        },
        {"helm.sh/hook": "post-upgrade", "helm.sh/hook-delete-policy": "before-hook-creation"},
    )
    # Helm's own labels only, in a release installed into another namespace under another release name
    helm_labelled = _hook_job(
        "books-init",
        "ledger-db",
        {"app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/instance": "books"},
        {"helm.sh/hook": "pre-install"},
    )
    not_a_hook = _hook_job(
        "ledger-report",
        "finance",
        {"helm.toolkit.fluxcd.io/name": "ledger", "helm.toolkit.fluxcd.io/namespace": "finance"},
        {},
    )
    other = _failed_release("ledger-db", "finance", targetNamespace="ledger-db", releaseName="books")
    objs = [_failed_release("ledger", "finance"), other, flux_labelled, helm_labelled, not_a_hook]
    graph = DependencyGraph(state(objs))
    assert graph.direct(ObjectRef("HelmRelease", "finance", "ledger"), HOOK) == {
        ObjectRef("Job", "finance", "ledger-schema")
    }
    assert graph.direct(ObjectRef("HelmRelease", "finance", "ledger-db"), HOOK) == {
        ObjectRef("Job", "ledger-db", "books-init")
    }

    causes, by_id = _causes([_failed_release("ledger", "finance"), flux_labelled])
    assert [_ref(c["object"]) for c in causes] == [("HelmRelease", "finance", "ledger")]
    grouped = {(by_id[s]["check"], _ref(by_id[s]["object"])) for s in causes[0]["symptoms"]}
    assert ("job-failed", ("Job", "finance", "ledger-schema")) in grouped


# -- a resolver outside the cluster that several names failed through is their shared upstream ---------------
def _fetch_failing(kind: str, name: str, url: str, message: str) -> dict[str, Any]:
    return {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": kind,
        "metadata": meta(name, "flux-system", kind=kind),
        "spec": {"url": url, "interval": "10m"},
        "status": {
            "conditions": [
                {
                    "type": "Ready",
                    "status": "False",
                    "reason": "GitOperationFailed" if kind == "GitRepository" else "Failed",
                    "message": message,
                    "lastTransitionTime": ts(timedelta(hours=2)),
                }
            ]
        },
    }


def _dns_server(ready: bool, forward: str) -> list[dict[str, Any]]:
    labels = {"k8s-app": "kube-dns"}
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta("kube-dns", "kube-system", kind="Service", labels=labels),
        "spec": {"clusterIP": "10.96.0.10", "selector": labels, "ports": [{"port": 53, "protocol": "UDP"}]},
    }
    corefile = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta("coredns", "kube-system", kind="ConfigMap"),
        "data": {
            "Corefile": f".:53 {{\n    errors\n    kubernetes cluster.local\n    {forward}\n    cache 30\n}}\n"
        },
    }
    server = pod(
        "coredns-5d78c9869d-p2xkq",
        "kube-system",
        labels=labels,
        containers=[{"name": "coredns", "image": "registry.k8s.io/coredns/coredns:v1.11.1"}],
        statuses=[
            container_status(
                "coredns",
                "registry.k8s.io/coredns/coredns:v1.11.1",
                state="running" if ready else "waiting",
                reason="" if ready else "CrashLoopBackOff",
                ready=ready,
                restarts=0 if ready else 9,
            )
        ],
    )
    return [svc, corefile, server]


def _resolver_sources(resolver: str) -> list[dict[str, Any]]:
    return [
        _fetch_failing(
            "GitRepository",
            "infra",
            "https://codeberg.org/example/infra.git",
            "failed to checkout and determine revision: unable to clone 'https://codeberg.org/example/infra.git': "
            f"dial tcp: lookup codeberg.org on {resolver}:53: server misbehaving",
        ),
        _fetch_failing(
            "HelmRepository",
            "bitnami",
            "https://charts.bitnami.com/bitnami",
            "failed to fetch Helm repository index: failed to cache index to temporary file: Get "
            f'"https://charts.bitnami.com/bitnami/index.yaml": dial tcp: lookup charts.bitnami.com on {resolver}:53: '
            "read udp 10.42.0.7:40211->10.96.0.10:53: i/o timeout",
        ),
    ]


def test_names_failing_through_a_healthy_cluster_dns_name_the_resolver_it_forwards_to() -> None:
    causes, by_id = _causes(
        [node("k3s2"), *_dns_server(True, "forward . 10.20.0.2 10.20.0.3"), *_resolver_sources("10.96.0.10")]
    )
    assert _ref(causes[0]["object"]) == ("ExternalHost", None, "10.20.0.2")
    assert causes[0]["layer"] == "network"
    held = {_ref(by_id[causes[0]["finding"]]["object"])} | {
        _ref(by_id[s]["object"]) for s in causes[0]["symptoms"]
    }
    assert {("GitRepository", "flux-system", "infra"), ("HelmRepository", "flux-system", "bitnami")} <= held


def test_a_resolver_outside_the_cluster_named_directly_is_the_shared_upstream() -> None:
    objs = [node("k3s2"), *_dns_server(True, "forward . /etc/resolv.conf"), *_resolver_sources("172.16.5.1")]
    graph = DependencyGraph(state(objs))
    git = ObjectRef("GitRepository", "flux-system", "infra")
    helm = ObjectRef("HelmRepository", "flux-system", "bitnami")
    by_object = {
        git: [_finding("flux-source-failed", Severity.CRITICAL, git, Layer.PLATFORM)],
        helm: [_finding("flux-source-failed", Severity.CRITICAL, helm, Layer.PLATFORM)],
    }
    link_evidence(graph, by_object)
    resolver = ObjectRef("ExternalHost", None, "172.16.5.1")
    assert graph.direct(resolver, RESOLVES) == {git, helm}
    assert "lookup codeberg.org on 172.16.5.1:53" in graph.provenance(resolver, RESOLVES, git)
    # one name failing is that name's problem, not the resolver's
    graph = DependencyGraph(state(objs))
    link_evidence(graph, {git: by_object[git]})
    assert not graph.shared_resolvers and not graph.direct(resolver, RESOLVES)


def test_a_failing_cluster_dns_is_not_passed_on_to_its_upstream() -> None:
    objs = [node("k3s2"), *_dns_server(False, "forward . 10.20.0.2"), *_resolver_sources("10.96.0.10")]
    causes, _ = _causes(objs)
    assert all(c["object"]["kind"] != "ExternalHost" for c in causes)
    graph = DependencyGraph(state(objs))
    git = ObjectRef("GitRepository", "flux-system", "infra")
    helm = ObjectRef("HelmRepository", "flux-system", "bitnami")
    dns = ObjectRef("Deployment", "kube-system", "coredns")
    link_evidence(
        graph,
        {
            git: [_finding("flux-source-failed", Severity.CRITICAL, git, Layer.PLATFORM)],
            helm: [_finding("flux-source-failed", Severity.CRITICAL, helm, Layer.PLATFORM)],
            dns: [_finding("cluster-dns-unhealthy", Severity.CRITICAL, dns, Layer.NETWORK)],
        },
    )
    assert not graph.shared_resolvers


def test_one_table_of_waiting_reasons_for_checks_and_diagnosis() -> None:
    from homelabctl.checks.workload import _common as workload_common
    from homelabctl.knowledge import container_states

    assert workload_common.IMAGE_PULL_REASONS is container_states.IMAGE_PULL_REASONS
    assert workload_common.CONFIG_ERROR_REASONS is container_states.CONFIG_ERROR_REASONS
    # what never ran is still being set up, or failed before it could start
    assert container_states.NEVER_STARTED_REASONS - container_states.STARTING_REASONS <= (
        container_states.IMAGE_PULL_REASONS | container_states.CONFIG_ERROR_REASONS
    )


def test_the_resolver_finding_comes_from_conditions_and_never_names_an_in_cluster_server() -> None:
    # Flux sources keep the failed lookups in their conditions after the events expired
    upstream = upstream_failures(state([node("k3s2"), *_resolver_sources("172.16.5.1")]).index)
    assert sorted(upstream["172.16.5.1"].names) == ["charts.bitnami.com", "codeberg.org"]
    # a resolver at a Service address runs in the cluster: it is a workload, not an ExternalHost
    blocky = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta("blocky", "dns", kind="Service"),
        "spec": {"clusterIP": "10.96.40.4", "selector": {"app": "blocky"}, "ports": [{"port": 53}]},
    }
    assert upstream_failures(state([node("k3s2"), blocky, *_resolver_sources("10.96.40.4")]).index) == {}
    causes, _ = _causes([node("k3s2"), blocky, *_resolver_sources("10.96.40.4")])
    assert all(c["object"]["kind"] != "ExternalHost" for c in causes)
