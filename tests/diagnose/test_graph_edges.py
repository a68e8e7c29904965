"""Every edge kind of the lazy dependency graph, on objects shaped like real captures."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from homelabctl.diagnose.evidence import link_evidence
from homelabctl.diagnose.graph import (
    ADMITS,
    ATTACHES,
    BACKS_UP,
    BINDS,
    CONTAINS,
    CSI_MOUNT,
    DEPENDS,
    EXTERNAL,
    HOLDS,
    ISOLATES,
    MENTIONS,
    MOUNTS,
    OWNS,
    RELEASE,
    REPLICA,
    ROUTES,
    RUNS_ON,
    SELECTS,
    SOURCE,
    VALUES,
    WAITS,
    DependencyGraph,
    external,
)
from homelabctl.model import Finding, Layer, ObjectRef, Severity
from homelabctl.selectors import from_spec

from factories import container_status, deployment, event, meta, node, owner_ref, pod, state
from factories_infra import csi_node, longhorn_csi_plugin, pvc


def service(
    name: str, ns: str, selector: dict[str, str] | None, cluster_ip: str = "10.43.20.5"
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "type": "ClusterIP",
        "clusterIP": cluster_ip,
        "clusterIPs": [cluster_ip],
        "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}],
    }
    if selector is not None:
        spec["selector"] = selector
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta(name, ns, kind="Service"), "spec": spec}


def endpoint_slice(svc: str, ns: str, pods: list[str]) -> dict[str, Any]:
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "addressType": "IPv4",
        "metadata": meta(
            f"{svc}-abcde",
            ns,
            kind="EndpointSlice",
            labels={
                "kubernetes.io/service-name": svc,
                "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
            },
        ),
        "endpoints": [
            {
                "addresses": ["10.42.1.9"],
                "conditions": {"ready": False},
                "targetRef": {"kind": "Pod", "namespace": ns, "name": p},
            }
            for p in pods
        ],
        "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
    }


def flux(kind: str, name: str, ns: str = "flux-system", **spec: Any) -> dict[str, Any]:
    api = {
        "Kustomization": "kustomize.toolkit.fluxcd.io/v1",
        "HelmRelease": "helm.toolkit.fluxcd.io/v2",
        "GitRepository": "source.toolkit.fluxcd.io/v1",
    }[kind]
    return {
        "apiVersion": api,
        "kind": kind,
        "metadata": meta(name, ns, kind=kind),
        "spec": spec,
        "status": {
            "conditions": [{"type": "Ready", "status": "True", "reason": "Succeeded", "message": "ok"}]
        },
    }


def ref(kind: str, ns: str | None, name: str) -> ObjectRef:
    return ObjectRef(kind, ns, name)


def test_pod_edges_owner_service_slice_and_mounts() -> None:
    dep = deployment("web", "apps")
    rs = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            **meta("web-7d9f8b6c5d", "apps", kind="ReplicaSet"),
            "ownerReferences": [owner_ref(dep)],
        },
        "spec": {},
        "status": {},
    }
    web = pod(
        "web-7d9f8b6c5d-x1",
        "apps",
        owner=rs,
        labels={"app": "web"},
        volumes=[
            {"name": "data", "persistentVolumeClaim": {"claimName": "web-data"}},
            {"name": "cfg", "secret": {"secretName": "web-secret"}},
        ],
    )
    pvc = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": meta("web-data", "apps", kind="PVC"),
        "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "longhorn", "volumeName": "pvc-1"},
        "status": {"phase": "Bound"},
    }
    objs = [
        node("k3s2"),
        dep,
        rs,
        web,
        pvc,
        service("web", "apps", {"app": "web"}),
        service("headless", "apps", None),
        endpoint_slice("headless", "apps", ["web-7d9f8b6c5d-x1"]),
    ]
    graph = DependencyGraph(state(objs))
    pod_ref = ref("Pod", "apps", "web-7d9f8b6c5d-x1")
    assert graph.direct(ref("Node", None, "k3s2"), RUNS_ON) == {pod_ref}
    assert graph.direct(pod_ref, OWNS) == {ref("ReplicaSet", "apps", "web-7d9f8b6c5d")}
    assert graph.direct(ref("ReplicaSet", "apps", "web-7d9f8b6c5d"), OWNS) == {
        ref("Deployment", "apps", "web")
    }
    assert graph.direct(pod_ref, SELECTS) == {
        ref("Service", "apps", "web"),
        ref("Service", "apps", "headless"),
    }
    assert graph.direct(pod_ref, HOLDS) == {ref("PersistentVolumeClaim", "apps", "web-data")}
    assert graph.direct(ref("PersistentVolumeClaim", "apps", "web-data"), MOUNTS) == {pod_ref}
    assert graph.direct(ref("Secret", "apps", "web-secret"), MOUNTS) == {pod_ref}  # missing, still a node
    assert graph.direct(ref("StorageClass", None, "longhorn"), BINDS) == {
        ref("PersistentVolumeClaim", "apps", "web-data")
    }
    assert graph.members(ref("Service", "apps", "headless"), SELECTS) == {pod_ref}


def test_storage_edges_nfs_csi_longhorn() -> None:
    nfs_pv = {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": meta("media-nfs", kind="PV"),
        "spec": {
            "nfs": {"server": "nas.lan", "path": "/volume1/media"},
            "claimRef": {"namespace": "media", "name": "media"},
        },
    }
    lh_pv = {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": meta("pvc-1", kind="PV"),
        "spec": {"csi": {"driver": "driver.longhorn.io", "volumeHandle": "pvc-1"}},
    }
    volume = {
        "apiVersion": "longhorn.io/v1beta2",
        "kind": "Volume",
        "metadata": meta("pvc-1", "longhorn-system", kind="Volume"),
        "spec": {},
        "status": {"robustness": "faulted"},
    }
    replica = {
        "apiVersion": "longhorn.io/v1beta2",
        "kind": "Replica",
        "metadata": meta("pvc-1-r-1", "longhorn-system", kind="Replica"),
        "spec": {"volumeName": "pvc-1", "nodeID": "k3s3", "failedAt": "2025-06-16T02:00:00Z"},
        "status": {},
    }
    graph = DependencyGraph(state([nfs_pv, lh_pv, volume, replica, node("k3s3")]))
    assert graph.direct(external("nas.lan"), EXTERNAL) == {ref("PersistentVolume", None, "media-nfs")}
    assert graph.direct(ref("PersistentVolume", None, "media-nfs"), BINDS) == {
        ref("PersistentVolumeClaim", "media", "media")
    }
    assert graph.direct(ref("CSIDriver", None, "driver.longhorn.io"), BINDS) == {
        ref("PersistentVolume", None, "pvc-1")
    }
    assert graph.direct(ref("Volume", "longhorn-system", "pvc-1"), BINDS) == {
        ref("PersistentVolume", None, "pvc-1")
    }
    assert graph.direct(ref("Replica", "longhorn-system", "pvc-1-r-1"), REPLICA) == {
        ref("Volume", "longhorn-system", "pvc-1")
    }
    assert ref("Replica", "longhorn-system", "pvc-1-r-1") in graph.direct(ref("Node", None, "k3s3"), REPLICA)


def test_flux_edges_source_depends_values_healthchecks_inventory_release() -> None:
    repo = flux("GitRepository", "flux-system", url="ssh://git@github.com/fletcherlabs/home-ops")
    apps = flux(
        "Kustomization",
        "apps",
        sourceRef={"kind": "GitRepository", "name": "flux-system"},
        dependsOn=[{"name": "infra"}],
        healthChecks=[
            {
                "apiVersion": "helm.toolkit.fluxcd.io/v2",
                "kind": "HelmRelease",
                "name": "authentik",
                "namespace": "authentik",
            }
        ],
    )
    apps["status"]["inventory"] = {
        "entries": [{"id": "authentik_authentik_helm.toolkit.fluxcd.io_HelmRelease", "v": "v2"}]
    }
    hr = flux(
        "HelmRelease",
        "authentik",
        "authentik",
        valuesFrom=[{"kind": "Secret", "name": "authentik-secret"}],
        chart={
            "spec": {
                "chart": "authentik",
                "sourceRef": {"kind": "HelmRepository", "name": "authentik", "namespace": "flux-system"},
            }
        },
    )
    release_secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "helm.sh/release.v1",
        "metadata": meta(
            "sh.helm.release.v1.authentik.v3",
            "authentik",
            kind="Secret",
            labels={"owner": "helm", "name": "authentik", "status": "pending-upgrade", "version": "3"},
        ),
        "data": {},
    }
    graph = DependencyGraph(state([repo, apps, hr, release_secret]))
    ks = ref("Kustomization", "flux-system", "apps")
    hr_ref = ref("HelmRelease", "authentik", "authentik")
    assert graph.direct(ref("GitRepository", "flux-system", "flux-system"), SOURCE) == {ks}
    assert graph.direct(ref("HelmRepository", "flux-system", "authentik"), SOURCE) == {hr_ref}
    assert graph.direct(ref("Kustomization", "flux-system", "infra"), DEPENDS) == {ks}
    assert graph.direct(ref("Secret", "authentik", "authentik-secret"), VALUES) == {hr_ref}
    assert graph.direct(hr_ref, WAITS) == {ks}
    assert graph.direct(hr_ref, CONTAINS) == {ks}
    assert graph.direct(ref("Secret", "authentik", "sh.helm.release.v1.authentik.v3"), RELEASE) == {hr_ref}
    assert graph.direct(external("github.com"), EXTERNAL) == {
        ref("GitRepository", "flux-system", "flux-system")
    }


def test_routes_gateway_velero_edges() -> None:
    route = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": meta("grafana", "monitoring", kind="HTTPRoute"),
        "spec": {
            "parentRefs": [{"name": "main", "namespace": "networking"}],
            "rules": [{"backendRefs": [{"name": "grafana", "port": 80}]}],
        },
    }
    ingress = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": meta("web", "apps", kind="Ingress"),
        "spec": {
            "rules": [
                {
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {"service": {"name": "web", "port": {"number": 80}}},
                            }
                        ]
                    }
                }
            ]
        },
    }
    bsl = {
        "apiVersion": "velero.io/v1",
        "kind": "BackupStorageLocation",
        "metadata": meta("default", "velero", kind="BSL"),
        "spec": {"provider": "aws", "config": {"s3Url": "http://minio.velero.svc:9000"}},
    }
    schedule = {
        "apiVersion": "velero.io/v1",
        "kind": "Schedule",
        "metadata": meta("hourly", "velero", kind="Schedule"),
        "spec": {"template": {"storageLocation": "default", "snapshotVolumes": False}},
    }
    graph = DependencyGraph(
        state(
            [
                route,
                ingress,
                bsl,
                schedule,
                service("grafana", "monitoring", {"app": "g"}),
                service("web", "apps", {"app": "w"}),
                service("minio", "velero", {"app": "m"}),
            ]
        )
    )
    assert graph.direct(ref("Service", "monitoring", "grafana"), ROUTES) == {
        ref("HTTPRoute", "monitoring", "grafana")
    }
    assert graph.direct(ref("Service", "apps", "web"), ROUTES) == {ref("Ingress", "apps", "web")}
    assert graph.direct(ref("Gateway", "networking", "main"), ATTACHES) == {
        ref("HTTPRoute", "monitoring", "grafana")
    }
    assert graph.direct(ref("Service", "velero", "minio"), BACKS_UP) == {
        ref("BackupStorageLocation", "velero", "default")
    }
    assert graph.direct(ref("BackupStorageLocation", "velero", "default"), BACKS_UP) == {
        ref("Schedule", "velero", "hourly")
    }


def test_networkpolicy_and_webhook_edges() -> None:
    policy = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": meta("default-deny", "apps", kind="NetworkPolicy"),
        "spec": {"podSelector": {}, "policyTypes": ["Ingress"]},
    }
    egress_only = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": meta("egress", "apps", kind="NetworkPolicy"),
        "spec": {"podSelector": {}, "policyTypes": ["Egress"]},
    }
    hook = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": meta("kyverno-resource-validating-webhook-cfg", kind="VWC"),
        "webhooks": [
            {
                "name": "validate.kyverno.svc-fail",
                "failurePolicy": "Fail",
                "clientConfig": {
                    "service": {"name": "kyverno-svc", "namespace": "kyverno", "path": "/validate/fail"}
                },
            }
        ],
    }
    objs: list[dict[str, Any]] = [
        policy,
        egress_only,
        hook,
        pod("web-1", "apps", labels={"app": "web"}),
        service("web", "apps", {"app": "web"}),
        service("kyverno-svc", "kyverno", {"app": "kyverno"}),
    ]
    graph = DependencyGraph(state(objs))
    assert graph.direct(ref("NetworkPolicy", "apps", "default-deny"), ISOLATES) == {
        ref("Service", "apps", "web")
    }
    assert graph.direct(ref("NetworkPolicy", "apps", "egress"), ISOLATES) == set()
    config = ref("ValidatingWebhookConfiguration", None, "kyverno-resource-validating-webhook-cfg")
    assert graph.direct(ref("Service", "kyverno", "kyverno-svc"), ADMITS) == {config}
    assert graph.webhook_by_entry_name("validate.kyverno.svc-fail") == config


def _finding(check: str, obj: ObjectRef, message: str = "failing") -> Finding:
    return Finding(check, Layer.PLATFORM, Severity.CRITICAL, obj, message)


def test_evidence_edges_keep_their_words() -> None:
    repo = flux("GitRepository", "flux-system", url="ssh://git@github.com/fletcherlabs/home-ops")
    repo["status"]["conditions"] = [
        {
            "type": "Ready",
            "status": "False",
            "reason": "GitOperationFailed",
            "message": "failed to checkout and determine revision: unable to clone: dial tcp: "
            "lookup github.com on 10.43.0.10:53: i/o timeout",
        }
    ]
    dns = service("kube-dns", "kube-system", {"k8s-app": "kube-dns"}, cluster_ip="10.43.0.10")
    rs = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": meta("web-5f4", "apps", kind="ReplicaSet"),
        "spec": {},
        "status": {},
    }
    failed_create = event(
        rs,
        "FailedCreate",
        "Error creating: Internal error occurred: failed calling webhook "
        '"validate.kyverno.svc-fail": failed to call webhook: context deadline exceeded',
        component="replicaset-controller",
    )
    hook = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": meta("kyverno", kind="VWC"),
        "webhooks": [
            {
                "name": "validate.kyverno.svc-fail",
                "failurePolicy": "Fail",
                "clientConfig": {"service": {"name": "kyverno-svc", "namespace": "kyverno"}},
            }
        ],
    }
    pvc = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": meta("data", "apps", kind="PVC"),
        "spec": {"storageClassName": "longhorn-fast"},
        "status": {"phase": "Pending"},
    }
    pvc_event = event(
        pvc,
        "ProvisioningFailed",
        'storageclass.storage.k8s.io "longhorn-fast" not found',
        component="persistentvolume-controller",
    )
    st = state([repo, dns, rs, failed_create, hook, pvc, pvc_event, node("k3s2")])
    graph = DependencyGraph(st)
    repo_ref = ref("GitRepository", "flux-system", "flux-system")
    rs_ref = ref("ReplicaSet", "apps", "web-5f4")
    pvc_ref = ref("PersistentVolumeClaim", "apps", "data")
    link_evidence(
        graph,
        {
            repo_ref: [_finding("flux-source-failed", repo_ref)],
            rs_ref: [_finding("workload-replicas-unavailable", rs_ref)],
            pvc_ref: [_finding("pvc-storage-class-missing", pvc_ref)],
            external("github.com"): [_finding("flux-source-failed", external("github.com"))],
        },
    )
    dns_ref = ref("Service", "kube-system", "kube-dns")
    assert repo_ref in graph.direct(dns_ref, MENTIONS)
    assert "10.43.0.10:53" in graph.provenance(dns_ref, MENTIONS, repo_ref)
    assert repo_ref in graph.direct(external("github.com"), MENTIONS)
    hook_ref = ref("ValidatingWebhookConfiguration", None, "kyverno")
    assert rs_ref in graph.direct(hook_ref, MENTIONS)
    assert "failed calling webhook" in graph.provenance(hook_ref, MENTIONS, rs_ref)
    assert "Event FailedCreate" in graph.provenance(hook_ref, MENTIONS, rs_ref)
    sc_ref = ref("StorageClass", None, "longhorn-fast")
    assert pvc_ref in graph.direct(sc_ref, MENTIONS)
    # structural provenance names the field
    assert graph.provenance(ref("Node", None, "k3s2"), RUNS_ON, ref("Pod", "x", "y")) == "spec.nodeName"


def test_evicted_and_unschedulable_pods_link_to_the_node() -> None:
    pressured = node(
        "k3s3",
        conditions={"DiskPressure": "True"},
        taints=[{"key": "node.kubernetes.io/disk-pressure", "effect": "NoSchedule"}],
    )
    evicted = pod("sonarr-1", "media", node_name="k3s3", phase="Failed", status_reason="Evicted")
    evicted["status"]["message"] = "The node was low on resource: ephemeral-storage. Threshold quantity: 4Gi."
    pending = pod("radarr-1", "media", node_name=None, phase="Pending")
    sched = event(
        pending,
        "FailedScheduling",
        "0/3 nodes are available: 1 node(s) had untolerated taint "
        "{node.kubernetes.io/disk-pressure: }, 2 node(s) didn't match Pod's node affinity/selector.",
        component="default-scheduler",
    )
    graph = DependencyGraph(state([pressured, evicted, pending, sched]))
    evicted_ref, pending_ref = ref("Pod", "media", "sonarr-1"), ref("Pod", "media", "radarr-1")
    link_evidence(
        graph,
        {
            evicted_ref: [_finding("pod-evicted", evicted_ref)],
            pending_ref: [_finding("pod-pending", pending_ref)],
        },
    )
    node_ref = ref("Node", None, "k3s3")
    assert evicted_ref in graph.direct(node_ref, RUNS_ON)
    assert "low on resource" in graph.provenance(node_ref, RUNS_ON, evicted_ref)
    assert pending_ref in graph.direct(node_ref, MENTIONS)
    assert "disk-pressure" in graph.provenance(node_ref, MENTIONS, pending_ref)


def test_graph_is_lazy() -> None:
    objs = [node("k3s2")] + [pod(f"p{i}", f"ns{i}", labels={"app": "x"}) for i in range(20)]
    objs += [service("x", f"ns{i}", {"app": "x"}) for i in range(20)]
    graph = DependencyGraph(state(objs))
    graph.direct(ref("Pod", "ns0", "p0"), SELECTS)
    touched = {source for source, _, _ in graph.edges()}
    assert touched == {ref("Pod", "ns0", "p0")}


_LABELS = st.dictionaries(st.sampled_from(["app", "tier", "role"]), st.sampled_from(["a", "b"]), max_size=3)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(_LABELS, min_size=1, max_size=4),
    st.lists(_LABELS, max_size=3),
    st.lists(_LABELS, min_size=1, max_size=4),
)
def test_selects_edges_are_every_matching_selector(
    pod_labels: list[dict[str, str]],
    template_labels: list[dict[str, str]],
    selectors: list[dict[str, str]],
) -> None:
    """Pods and pod templates reach exactly the Services of their namespace whose selector matches them (the
    graph looks Services up by one label pair of theirs; an empty selector selects nothing here)."""
    pods = [pod(f"p{i}", "apps", labels=labels) for i, labels in enumerate(pod_labels)]
    deployments = []
    for i, labels in enumerate(template_labels):
        dep = deployment(f"d{i}", "apps")
        dep["spec"]["template"]["metadata"]["labels"] = labels
        deployments.append(dep)
    services = [service(f"s{i}", "apps", sel) for i, sel in enumerate(selectors)]
    graph = DependencyGraph(state([*pods, *deployments, *services]))

    def expected(labels: dict[str, str]) -> set[ObjectRef]:
        return {
            ref("Service", "apps", f"s{i}")
            for i, spec in enumerate(selectors)
            if (sel := from_spec(spec)) is not None and not sel.empty and sel.matches(labels)
        }

    for i, labels in enumerate(pod_labels):
        assert graph.direct(ref("Pod", "apps", f"p{i}"), SELECTS) == expected(labels)
    for i, labels in enumerate(template_labels):
        wanted = expected(labels) if labels else set()
        assert graph.direct(ref("Deployment", "apps", f"d{i}"), SELECTS) == wanted


def _longhorn_pv(claim: dict[str, Any]) -> dict[str, Any]:
    name = claim["spec"]["volumeName"]
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": meta(name, kind="PV"),
        "spec": {
            "csi": {"driver": "driver.longhorn.io", "volumeHandle": name, "fsType": "ext4"},
            "claimRef": {"namespace": claim["metadata"]["namespace"], "name": claim["metadata"]["name"]},
            "persistentVolumeReclaimPolicy": "Delete",
            "storageClassName": "longhorn",
        },
        "status": {"phase": "Bound"},
    }


def _app_pod(name: str, claim: str, *, started: bool) -> dict[str, Any]:
    image = "ghcr.io/home-operations/radarr:5.27.2"
    if started:
        return pod(
            name,
            "media",
            node_name="k3s2",
            volumes=[{"name": "config", "persistentVolumeClaim": {"claimName": claim}}],
        )
    return pod(
        name,
        "media",
        node_name="k3s2",
        phase="Pending",
        statuses=[container_status("app", image, state="waiting", reason="ContainerCreating")],
        volumes=[{"name": "config", "persistentVolumeClaim": {"claimName": claim}}],
    )


def test_csi_mount_edges_from_the_node_and_its_plugin_to_pods_waiting_for_the_driver() -> None:
    """A node whose CSINode does not list a driver, and that driver's node plugin pod there, reach the pods on
    the node waiting (none of their containers started) to mount a volume of that driver; not a pod that has
    started (its volume is mounted), not a node that lists the driver, not where no CSINode was captured."""

    waiting_claim, running_claim = pvc("radarr-config", "media"), pvc("sonarr-config", "media")
    waiting = _app_pod("radarr-0", "radarr-config", started=False)
    running = _app_pod("sonarr-0", "sonarr-config", started=True)
    plugin_ds = longhorn_csi_plugin()
    plugin = pod(
        "longhorn-csi-plugin-x7k2p",
        "longhorn-system",
        node_name="k3s2",
        owner=plugin_ds,
        containers=plugin_ds["spec"]["template"]["spec"]["containers"],
        volumes=plugin_ds["spec"]["template"]["spec"]["volumes"],
    )
    objs = [
        node("k3s2"),
        waiting_claim,
        running_claim,
        _longhorn_pv(waiting_claim),
        _longhorn_pv(running_claim),
        waiting,
        running,
        plugin_ds,
        plugin,
    ]
    graph = DependencyGraph(state([*objs, csi_node("k3s2", ["nfs.csi.k8s.io"])]))
    blocked = {ref("Pod", "media", "radarr-0")}
    assert graph.direct(ref("Node", None, "k3s2"), CSI_MOUNT) == blocked
    assert graph.direct(ref("Pod", "longhorn-system", "longhorn-csi-plugin-x7k2p"), CSI_MOUNT) == blocked
    why = graph.provenance(ref("Node", None, "k3s2"), CSI_MOUNT, ref("Pod", "media", "radarr-0"))
    assert why.startswith(
        "CSINode k3s2 lists no driver.longhorn.io; pod media/radarr-0 waits there to mount PVC"
    )
    registered = DependencyGraph(state([*objs, csi_node("k3s2", ["driver.longhorn.io"])]))
    assert registered.direct(ref("Node", None, "k3s2"), CSI_MOUNT) == set()
    assert registered.direct(ref("Pod", "longhorn-system", "longhorn-csi-plugin-x7k2p"), CSI_MOUNT) == set()
    unknown = DependencyGraph(state(objs))
    assert unknown.direct(ref("Node", None, "k3s2"), CSI_MOUNT) == set()
