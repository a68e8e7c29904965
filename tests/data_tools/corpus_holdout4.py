"""The fourth holdout set of the scenario corpus: twelve incidents of shapes no earlier scenario has, written while the
diagnosis engine and its checks were still being extended, to measure where that work ends up. Each expectation was
written before the diagnosis was run on its snapshot; the set is run once, on the final engine, and never tuned on.
Same 4-node K3s homelab and builders as ``corpus.py``.

Run from the repository root: ``python tests/data_tools/corpus.py [name ...]`` (these are registered there).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import components as c
import platform_parts as p
from corpus import (
    EV,
    Expected,
    app,
    app_added_before_its_secret,
    apps_automation_waits,
    apps_kustomization,
    cause,
    crashify,
    cronjob,
    dependency_not_ready,
    ev,
    evicted,
    expected,
    external_secret,
    external_secrets_onepassword,
    find,
    flux_base,
    host,
    ingress,
    job_complete,
    kustomization_fails,
    lab,
    node_event,
    paperless_reads_synced_secret,
    pods_of,
    pull_failure,
    ref,
    replica_failure,
    restarted,
    route_down,
    secret_sync_error,
    sym,
    the_pod,
    unready,
    wildcard_certificate,
    workload_down,
)
from homelab import CLUSTER_BORN, DOMAIN, GW_NAME, GW_NS, Lab
from k8sgen import b64, parse, plus

import scenarios as s

NOW = s.NOW


# moved to corpus.py; the old names stay importable from here
_restarted = restarted
_node_event = node_event


def _new_revision(dep: dict[str, Any], at: str, revision: int) -> None:
    """A Deployment whose template changed at ``at`` (an image bump): a new ReplicaSet of that revision."""
    rev = str(revision)
    dep["metadata"]["generation"] = revision
    dep["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = rev
    dep["status"]["observedGeneration"] = revision
    rs = dep["_rs"]
    rs["metadata"]["creationTimestamp"] = at
    rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = rev


def _reschedule(g: Lab, pod: dict[str, Any], node: str, at: str) -> None:
    """The drained pod's replacement: same template, bound to another node and started at ``at``."""
    pod["metadata"]["creationTimestamp"] = at
    pod["spec"]["nodeName"] = node
    st = pod["status"]
    st["hostIP"] = g.node_ip[node]
    st["hostIPs"] = [{"ip": g.node_ip[node]}]
    ip = g.pod_ip(node)
    st["podIP"] = ip
    st["podIPs"] = [{"ip": ip}]
    st["startTime"] = plus(at, seconds=2)
    for cond in st["conditions"]:
        cond["lastTransitionTime"] = plus(
            at, seconds={"PodScheduled": 0, "Initialized": 3}.get(cond["type"], 14)
        )
    for cs in st.get("containerStatuses") or []:
        cs["restartCount"] = 0
        cs["lastState"] = {}
        cs["state"] = {"running": {"startedAt": plus(at, seconds=6)}}


# ------------------------------------------------------------------------------------------ network
def ingress_class_not_served() -> tuple[Lab, Expected]:
    g = lab("ingress-class-not-served", traefik=True)
    g.cr(
        "kube-system.yaml",
        "networking.k8s.io/v1",
        "IngressClass",
        "traefik",
        None,
        created=plus(CLUSTER_BORN, seconds=72),
        annotations={
            "ingressclass.kubernetes.io/is-default-class": "true",
            "meta.helm.sh/release-name": "traefik",
            "meta.helm.sh/release-namespace": "kube-system",
        },
        labels={
            "app.kubernetes.io/instance": "traefik-kube-system",
            "app.kubernetes.io/managed-by": "Helm",
            "app.kubernetes.io/name": "traefik",
            "helm.sh/chart": "traefik-34.2.1_up34.2.0",
        },
        spec={"controller": "traefik.io/ingress-controller"},
    )
    created = g.ago(days=2, hours=3, minutes=12)
    app(g, "mealie", "ghcr.io/mealie-recipes/mealie:v2.8.0", 9000, ns="home", node="k3s2", route=False)

    ing = ingress(
        g,
        "home",
        "mealie",
        "mealie.home.arpa",
        9000,
        created=created,
        ks="apps-home",
        annotations={
            "nginx.ingress.kubernetes.io/proxy-body-size": "0",
            "nginx.ingress.kubernetes.io/ssl-redirect": "false",
        },
        cls="nginx",
        lb=False,
        typed=True,
    )
    app(
        g,
        "nextcloud",
        "docker.io/library/nextcloud:31.0.6-apache",
        80,
        ns="cloud",
        node="k3s1",
        route=False,
        probe_path="/status.php",
    )
    ingress(
        g,
        "cloud",
        "nextcloud",
        "cloud.home.arpa",
        80,
        created=plus(CLUSTER_BORN, days=4),
        ks="apps-cloud",
        annotations={"traefik.ingress.kubernetes.io/router.entrypoints": "web,websecure"},
        typed=True,
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "Mealie was moved from docker-compose with an Ingress copied from a guide written for ingress-nginx "
        "(ingressClassName: nginx, nginx.ingress.kubernetes.io annotations). This K3s cluster runs only its packaged "
        "Traefik, whose IngressClass is 'traefik'; no controller serves the class 'nginx', so nothing ever picks the "
        "Ingress up: it has no address after two days and mealie.home.arpa answers Traefik's 404, although the pod, "
        "the Service and its endpoints are fine (the Nextcloud Ingress on class traefik works). The Ingress naming a "
        "class nobody serves is the object to change.",
        ["https://github.com/traefik/traefik/issues/10447", "https://github.com/k3s-io/k3s/issues/1201"],
        [cause(ing, "network")],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ node
def containerd_disk_full_one_node() -> tuple[Lab, Expected]:
    g = lab("containerd-disk-full-one-node")
    since = g.ago(hours=1, minutes=52)
    gc_msg = (
        "Failed to garbage collect required amount of images. Attempted to free 2769348608 bytes, but only found 0 "
        "bytes eligible to free."
    )
    for reason in ("FreeDiskSpaceFailed", "ImageGCFailed"):
        node_event(
            g, "k3s3", reason, gc_msg, first=g.ago(hours=6, minutes=40), last=g.ago(minutes=3), count=81
        )
    root = "/var/lib/rancher/k3s/agent/containerd"
    details = {
        "paperless-ngx": (
            "home",
            "ghcr.io/paperless-ngx/paperless-ngx:2.16.3",
            8000,
            'failed to pull and unpack image "ghcr.io/paperless-ngx/paperless-ngx:2.16.3": failed to extract layer '
            f"sha256:{g.hexs(64)}: write {root}/io.containerd.snapshotter.v1.overlayfs/snapshots/2841/fs/usr/src/"
            "paperless/static/frontend/en-US/main.js: no space left on device: unknown",
        ),
        "jellyfin": (
            "media",
            "docker.io/jellyfin/jellyfin:10.10.7",
            8096,
            'failed to pull and unpack image "docker.io/jellyfin/jellyfin:10.10.7": failed to copy: write '
            f"{root}/io.containerd.content.v1.content/ingest/{g.hexs(64)}/data: no space left on device",
        ),
    }
    pods: list[dict[str, Any]] = []
    deps: list[dict[str, Any]] = []
    for i, (name, (ns, image, port, detail)) in enumerate(details.items()):
        deps.append(
            app(
                g,
                name,
                image,
                port,
                ns=ns,
                node="k3s3",
                strategy={"type": "Recreate"},
                pods=[{"node": "k3s3", "mode": "creating", "created": plus(since, minutes=i * 9)}],
            )
        )
        pod = the_pod(g, ns, f"{name}-")
        _new_revision(deps[-1], plus(pod["metadata"]["creationTimestamp"], seconds=-1), 5 + i)
        pull_failure(g, pod, image, detail, plus(pod["metadata"]["creationTimestamp"], seconds=2), count=66)
        pods.append(pod)
    sonarr = s.media_app(g, "sonarr", "k3s2", 8989, pods=[{"node": "k3s2", "created": g.ago(minutes=41)}])
    spod = the_pod(g, "media", "sonarr-")
    ev(
        g,
        spod,
        "Pulled",
        'Successfully pulled image "lscr.io/linuxserver/sonarr:4.0.14" in 14.212s (14.212s including waiting). '
        "Image size: 118836442 bytes.",
        first=plus(spod["metadata"]["creationTimestamp"], seconds=16),
        type_="Normal",
        container="sonarr",
    )
    del sonarr
    # the kubelet's list of k3s3's images: large ones, every one of them used by a pod still on the node
    g.nodes["k3s3"]["status"]["images"] = [
        {"names": [f"{ref_}@sha256:{g.hexs(64)}", ref_], "sizeBytes": size}
        for ref_, size in (
            ("docker.io/ollama/ollama:0.9.0", 3_491_847_211),
            ("ghcr.io/open-webui/open-webui:v0.6.14-cuda", 5_873_104_482),
            ("ghcr.io/immich-app/immich-machine-learning:v1.135.3-cuda", 4_125_772_090),
            ("nvcr.io/nvidia/k8s/dcgm-exporter:3.3.7-3.5.0-ubuntu22.04", 1_602_488_115),
            ("docker.io/jellyfin/jellyfin:10.10.6", 1_371_992_406),
            ("ghcr.io/paperless-ngx/paperless-ngx:2.15.3", 1_118_437_201),
            ("quay.io/cilium/cilium:v1.17.4", 228_117_492),
            ("docker.io/longhornio/longhorn-instance-manager:v1.8.1", 381_004_227),
        )
    ]
    return g, expected(
        "k3s3's root disk, which also holds containerd's image store under /var/lib/rancher/k3s/agent/containerd, is "
        "91% full: the kubelet's image GC cannot free anything (every image on it is in use: 'Attempted to free "
        "2769348608 bytes, but only found 0 bytes eligible to free') while the 95% eviction threshold is not reached, "
        "so the node reports no DiskPressure. Renovate bumped Paperless-ngx (ghcr.io) and Jellyfin (docker.io), both "
        "pinned to k3s3: their new images fail to unpack with 'no space left on device' and the Recreate strategy "
        "left both apps without a pod. Two registries, one node: the node's disk is the cause.",
        [
            "https://github.com/kubernetes/kubernetes/issues/71869",
            "https://github.com/rancher/k3os/issues/765",
            "https://github.com/k3s-io/k3s/issues/5813",
        ],
        [
            cause(
                ref("Node", None, "k3s3"),
                "node",
                *(sym(pod, "pod-image-pull") for pod in pods),
                *(sym(d, "workload-replicas-unavailable") for d in deps),
                route_down("home", "paperless-ngx"),
                route_down("media", "jellyfin"),
            )
        ],
        holdout=True,
    )


def k3s_datastore_slow() -> tuple[Lab, Expected]:
    g = lab("k3s-datastore-slow-leader-election")
    flux_base(g)
    p.cert_manager(g, http01_only=False)
    master = g.nodes["k3s-master1"]
    master["metadata"]["labels"]["node-role.kubernetes.io/etcd"] = "true"
    master["metadata"]["annotations"]["etcd.k3s.cattle.io/node-name"] = "k3s-master1-5b1c9e2f"
    since = g.ago(hours=5, minutes=20)
    api = "https://10.43.0.1:443/apis/coordination.k8s.io/v1/namespaces"
    # the API server's own Service and the endpoint it reconciles: the one server's address
    svc = g.service(
        "default.yaml",
        "default",
        "kubernetes",
        selector=None,
        created=plus(CLUSTER_BORN, seconds=12),
        labels={"component": "apiserver", "provider": "kubernetes"},
        ports=[{"name": "https", "port": 443, "targetPort": 6443}],
    )
    svc["spec"]["clusterIP"] = "10.43.0.1"
    svc["spec"]["clusterIPs"] = ["10.43.0.1"]
    g.add(
        "default.yaml",
        {
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": g.meta(
                "kubernetes",
                "default",
                created=plus(CLUSTER_BORN, seconds=12),
                labels={"endpointslice.kubernetes.io/skip-mirror": "true"},
            ),
            "subsets": [
                {
                    "addresses": [{"ip": "192.168.10.30"}],
                    "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}],
                }
            ],
        },
    )
    g.add(
        "default.yaml",
        {
            "addressType": "IPv4",
            "apiVersion": "discovery.k8s.io/v1",
            "endpoints": [{"addresses": ["192.168.10.30"], "conditions": {"ready": True}}],
            "kind": "EndpointSlice",
            "metadata": g.meta(
                "kubernetes",
                "default",
                created=plus(CLUSTER_BORN, seconds=12),
                labels={"kubernetes.io/service-name": "kubernetes"},
            ),
            "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}],
        },
    )
    # kube-controller-manager and kube-scheduler run inside the k3s server process: their leases flap
    for comp, transitions in (("kube-controller-manager", 214), ("kube-scheduler", 187)):
        lease = g.cr(
            "kube-system.yaml",
            "coordination.k8s.io/v1",
            "Lease",
            comp,
            "kube-system",
            created=plus(CLUSTER_BORN, seconds=20),
            generation=None,
            spec={
                "acquireTime": g.ago(minutes=6, seconds=12),
                "holderIdentity": f"k3s-master1_{g.uid()}",
                "leaseDurationSeconds": 15,
                "leaseTransitions": transitions,
                "renewTime": g.ago(seconds=3).replace("Z", ".871204Z"),
            },
        )
        ev(
            g,
            lease,
            "LeaderElection",
            f"k3s-master1_{g.uid()} became leader",
            first=since,
            last=g.ago(minutes=6, seconds=12),
            count=transitions // 5,
            component=comp,
            host="",
            type_="Normal",
        )
    # nodes whose lease renewals time out are marked NotReady for a few seconds, then Ready again
    for node, n in (("k3s1", 7), ("k3s3", 5), ("k3s2", 4)):
        g.event(
            EV,
            g.nodes[node],
            reason="NodeNotReady",
            message=f"Node {node} status is now: NodeNotReady",
            type_="Normal",
            first=plus(since, minutes=11),
            last=g.ago(minutes=9 + n),
            count=n,
            component="node-controller",
        )
        node_event(
            g,
            node,
            "NodeReady",
            f"Node {node} status is now: NodeReady",
            first=plus(since, minutes=11, seconds=40),
            last=g.ago(minutes=8 + n),
            count=n,
            type_="Normal",
        )
    # cert-manager's controller exits every time it loses its lease; right now it is in back-off
    cm = find(g, "Deployment", "cert-manager", "cert-manager")
    cm_pod = next(
        x
        for x in pods_of(g, "cert-manager", "cert-manager-")
        if x["metadata"]["labels"].get("app.kubernetes.io/component") == "controller"
    )
    ctr = cm_pod["spec"]["containers"][0]["name"]
    cm_msg = (
        f'E0616 02:57:49.301772       1 leaderelection.go:436] error retrieving resource lock kube-system/cert-manager-controller: Get "{api}/kube-system/leases/cert-manager-controller": context deadline exceeded\n'
        f'E0616 02:57:59.303118       1 leaderelection.go:429] Failed to update lock optimitically: Put "{api}/kube-system/leases/cert-manager-controller": etcdserver: request timed out, falling back to slow path\n'
        "I0616 02:58:01.118094       1 leaderelection.go:297] failed to renew lease kube-system/cert-manager-controller: timed out waiting for the condition\n"
        'E0616 02:58:01.118301       1 main.go:43] "error executing command" err="error starting controller: leader election lost" logger="cert-manager"'
    )
    crashify(g, cm_pod, ctr, cm_msg, 47, g.ago(minutes=14))
    workload_down(cm, g.ago(minutes=14))
    lpp = the_pod(g, "kube-system", "local-path-provisioner-")
    restarted(
        g,
        lpp,
        "E0616 02:31:05.662431       1 leaderelection.go:340] Failed to update lock: etcdserver: request timed out\n"
        "I0616 02:31:07.551002       1 leaderelection.go:285] failed to renew lease kube-system/rancher.io-local-path: timed out waiting for the condition\n"
        "F0616 02:31:07.551032       1 controller.go:888] leaderelection lost",
        31,
        g.ago(minutes=28, seconds=53),
        exit_code=255,
    )
    flux_pods = []
    for comp, restarts, ago in (("helm-controller", 18, 22), ("kustomize-controller", 23, 41)):
        fp = the_pod(g, "flux-system", f"{comp}-")
        restarted(
            g,
            fp,
            f'{{"level":"error","ts":"2025-06-16T02:{59 - ago:02d}:12.932Z","logger":"runtime","msg":"Failed to update lock optimitically: etcdserver: request timed out, falling back to slow path"}}\n'
            f'{{"level":"info","ts":"2025-06-16T02:{59 - ago:02d}:14.214Z","logger":"runtime","msg":"failed to renew lease flux-system/{comp}-leader-election: timed out waiting for the condition"}}\n'
            f'{{"level":"error","ts":"2025-06-16T02:{59 - ago:02d}:14.214Z","logger":"setup","msg":"problem running manager","error":"leader election lost"}}',
            restarts,
            g.ago(minutes=ago, seconds=45),
        )
        flux_pods.append(fp)
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "The single K3s server k3s-master1 keeps its embedded etcd on a consumer SSD that has started to stall on "
        "fsync (K3s logs 'apply request took too long' and 'slow fdatasync'). Every write through the API server "
        "now takes seconds, so leases cannot be renewed in time: controllers on every node lose leader election and "
        "exit - cert-manager is in CrashLoopBackOff right now, local-path-provisioner and the Flux controllers have "
        "restarted dozens of times, all with 'etcdserver: request timed out' from 10.43.0.1 - kube-controller-manager "
        "changed leader 214 times and the nodes flap NotReady for seconds. No workload is at fault: the control-plane "
        "node's datastore disk is.",
        [
            "https://github.com/k3s-io/k3s/issues/2853",
            "https://github.com/k3s-io/k3s/issues/2243",
            "https://github.com/k3s-io/k3s/issues/8956",
        ],
        [
            cause(
                ref("Node", None, "k3s-master1"),
                "node",
                sym(cm_pod, "pod-crashloop"),
                sym(cm, "workload-replicas-unavailable"),
                sym(lpp, "pod-restarts"),
                *(sym(fp, "pod-restarts") for fp in flux_pods),
            )
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ storage / monitoring
def prometheus_wal_disk_full() -> tuple[Lab, Expected]:
    g = lab("prometheus-wal-disk-full")
    prom_cr = p.monitoring(g, prom_sc="longhorn", prom_node="k3s3")
    since = g.ago(hours=9, minutes=14)
    sts = find(g, "StatefulSet", "prometheus-kube-prometheus-stack-prometheus", "monitoring")
    pod = the_pod(g, "monitoring", "prometheus-kube-prometheus-stack-prometheus-")
    msg = (
        'ts=2025-06-16T02:57:39.118Z caller=main.go:1153 level=info msg="Starting TSDB ..."\n'
        'ts=2025-06-16T02:57:39.121Z caller=repair.go:56 level=info component=tsdb msg="Found healthy block" '
        "mint=1749448800000 maxt=1749513600000 ulid=01JXGM3R8QK2N7V5T0Y6D4WZ1C\n"
        'ts=2025-06-16T02:57:39.402Z caller=head.go:626 level=info component=tsdb msg="Replaying WAL, this may take a while"\n'
        'ts=2025-06-16T02:57:39.530Z caller=main.go:1174 level=error err="opening storage failed: open '
        '/prometheus/wal/00001847: no space left on device"'
    )
    crashify(g, pod, "prometheus", msg, 112, since)
    workload_down(sts, since)
    prom_cr["status"]["availableReplicas"] = 0
    prom_cr["status"]["unavailableReplicas"] = 1
    prom_cr["status"]["conditions"][0] = g.cond(
        "Available",
        "False",
        "NoPodReady",
        f"shard 0: pod {pod['metadata']['name']}: containers with unready status: [prometheus]",
        since,
    )
    claim = find(
        g,
        "PersistentVolumeClaim",
        "prometheus-kube-prometheus-stack-prometheus-db-prometheus-kube-prometheus-stack-prometheus-0",
        "monitoring",
    )
    for n in ("k3s1", "k3s2", "k3s3"):
        c.lh_node(g, n, created=plus(CLUSTER_BORN, days=27, hours=-2, minutes=2))
    lhv = c.lh_volume(
        g,
        created=claim["metadata"]["creationTimestamp"],
        name=claim["spec"]["volumeName"],
        pvc=("monitoring", claim["metadata"]["name"]),
        size="50Gi",
        replicas=2,
        node="k3s3",
        pods=[pod["metadata"]["name"]],
    )
    lhv["status"]["actualSize"] = 53_579_223_040
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "Prometheus' 50Gi Longhorn volume filled up overnight: 30 days of retention no longer fit after a new "
        "exporter multiplied the series count, and compaction needs headroom. Prometheus now exits at start "
        "('opening storage failed: open /prometheus/wal/00001847: no space left on device') and crash-loops; Grafana "
        "shows no data and no alert rule is evaluated, while every app keeps running. The pod restarting is a "
        "symptom: the full claim is what has to change (expand the PVC, or lower retention and free the WAL).",
        [
            "https://github.com/prometheus/prometheus/issues/8128",
            "https://github.com/prometheus/prometheus/issues/7627",
        ],
        [
            cause(
                claim,
                "storage",
                sym(pod, "pod-crashloop"),
                sym(sts, "workload-replicas-unavailable"),
                sym(
                    ref("Service", "monitoring", "kube-prometheus-stack-prometheus"),
                    "service-no-ready-endpoints",
                ),
            )
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ platform
def kustomization_substitutes_from_itself() -> tuple[Lab, Expected]:
    g = lab("kustomization-substitutes-from-itself")
    flux_base(g)
    g.configmap(
        "flux.yaml",
        "flux-system",
        "cluster-settings",
        {"CLUSTER_DOMAIN": DOMAIN, "GATEWAY_IP": "192.168.10.224", "TIMEZONE": "Europe/London"},
        created=plus(CLUSTER_BORN, minutes=41),
        ks="flux-system",
    )
    media = apps_kustomization(g, "media", created=plus(CLUSTER_BORN, minutes=44), applied=g.ago(minutes=7))
    media["spec"]["postBuild"] = {"substituteFrom": [{"kind": "ConfigMap", "name": "cluster-settings"}]}
    at = g.ago(hours=6, minutes=3)
    why = (
        "var substitution failed for 'home': substitute from 'ConfigMap/home-settings' error: configmaps "
        '"home-settings" not found'
    )
    ks = kustomization_fails(
        g,
        "apps-home",
        "./clusters/k3s-home/apps/home",
        "BuildFailed",
        why,
        created=plus(CLUSTER_BORN, minutes=45),
        at=at,
        last=g.ago(minutes=3),
        count=37,
    )
    # the ConfigMap it reads is one of the manifests under its own path: the build fails before it can apply it
    ks["spec"]["postBuild"] = {
        "substituteFrom": [
            {"kind": "ConfigMap", "name": "cluster-settings"},
            {"kind": "ConfigMap", "name": "home-settings"},
        ]
    }
    ks2 = apps_automation_waits(
        g, at, created=plus(CLUSTER_BORN, minutes=47), last=g.ago(seconds=30), count=360
    )
    app(g, "mealie", "ghcr.io/mealie-recipes/mealie:v2.8.0", 9000, ns="home", node="k3s2")
    app(g, "miniflux", "ghcr.io/miniflux/miniflux:2.2.9", 8080, ns="home", node="k3s3")
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "To give the home apps their own variables, a commit added postBuild.substituteFrom ConfigMap/home-settings to "
        "the apps-home Kustomization and put that ConfigMap under apps-home's own path. kustomize-controller reads the "
        "substitution sources before it builds and applies anything, so the ConfigMap can never be created by the "
        "Kustomization that needs it: apps-home fails every build ('configmaps \"home-settings\" not found') and has "
        "applied nothing for six hours, and apps-automation, which dependsOn it, waits. The running apps keep the old "
        "revision. The Kustomization holding the reference is the object to change (mark the source optional or move "
        "the ConfigMap to a Kustomization it depends on).",
        [
            "https://github.com/fluxcd/kustomize-controller/issues/565",
            "https://github.com/fluxcd/kustomize-controller/pull/570",
        ],
        [cause(ks, "platform", sym(ks, "flux-not-ready"), sym(ks2, "flux-not-ready"))],
        holdout=True,
    )


def externalsecret_store_unauthorized() -> tuple[Lab, Expected]:
    g = lab("externalsecret-store-unauthorized")
    broke = g.ago(hours=7, minutes=31)
    store = external_secrets_onepassword(
        g, seeds=(41, 42), broken=("ValidationFailed", "unable to validate store", broke)
    )
    err = "status 401: Invalid bearer token"
    ev(
        g,
        store,
        "ValidationFailed",
        f"validation failed: {err}",
        first=broke,
        last=g.ago(minutes=2),
        count=90,
        component="external-secrets",
        host="",
    )

    def failing_external_secret(ns_: str, name: str, at: str, synced: str | None) -> dict[str, Any]:
        st: dict[str, Any] = {
            "binding": {"name": name},
            "conditions": [secret_sync_error(max(at, broke))],
            "refreshTime": synced,
            "syncedResourceVersion": f"1-{g.hexs(32)}" if synced else None,
        }
        es: dict[str, Any] = external_secret(g, ns_, name, at, {k: v for k, v in st.items() if v is not None})
        ev(
            g,
            es,
            "UpdateFailed",
            f"error processing spec.dataFrom[0].extract, err: {err}",
            first=max(at, broke),
            last=g.ago(minutes=9),
            count=8,
            component="external-secrets",
            host="",
        )
        return es

    old = plus(CLUSTER_BORN, days=9)
    failing_external_secret("home", "paperless-secret", old, g.ago(hours=8, minutes=2))
    paperless_reads_synced_secret(
        g,
        {"PAPERLESS_SECRET_KEY": p.secret_text(43, 50), "PAPERLESS_DBPASS": p.secret_text(44, 40)},
        created=old,
    )
    new = g.ago(hours=2, minutes=16)
    failing_external_secret("home", "immich-secret", new, None)
    dep, pod = app_added_before_its_secret(
        g,
        "immich-server",
        "ghcr.io/immich-app/immich-server:v1.135.3",
        2283,
        "immich-secret",
        [
            {
                "name": "DB_PASSWORD",
                "valueFrom": {"secretKeyRef": {"name": "immich-secret", "key": "DB_PASSWORD"}},
            }
        ],
        added=new,
        last=g.ago(minutes=1),
        count=598,
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "The 1Password Connect token the onepassword ClusterSecretStore authenticates with was revoked during a "
        "1Password clean-up this morning; the Connect server itself runs, but answers every request with 401 ('Invalid "
        "bearer token'). The store is not Ready and no ExternalSecret can sync: existing Secrets keep their last values "
        "(Paperless runs), but Immich, added two hours ago, waits on a Secret that was never created ('secret "
        '"immich-secret" not found\'). The credential the cluster holds is wrong, so the store that holds it is the '
        "object to fix, not the Connect server and not Immich.",
        [
            "https://github.com/external-secrets/external-secrets/issues/3412",
            "https://github.com/khuedoan/homelab/issues/115",
        ],
        [
            cause(
                store,
                "platform",
                sym(pod, "pod-config-error"),
                sym(dep, "workload-replicas-unavailable"),
                route_down("home", "immich-server"),
            )
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ gpu
def gpu_runtime_handler_missing() -> tuple[Lab, Expected]:
    g = lab("gpu-runtime-handler-missing")
    upgraded = g.ago(hours=1, minutes=4)
    node = g.nodes["k3s3"]
    info = node["status"]["nodeInfo"]
    info["kubeletVersion"] = info["kubeProxyVersion"] = "v1.32.6+k3s1"
    info["containerRuntimeVersion"] = "containerd://2.0.5-k3s1.32"
    node["metadata"]["labels"]["plan.upgrade.cattle.io/agent-plan"] = g.hexs(56)
    node_event(
        g, "k3s3", "Starting", "Starting kubelet.", first=upgraded, last=upgraded, count=1, type_="Normal"
    )
    g.cr(
        "gpu.yaml",
        "node.k8s.io/v1",
        "RuntimeClass",
        "nvidia",
        None,
        created=plus(CLUSTER_BORN, days=7),
        ks="infrastructure",
        generation=None,
        extra={"handler": "nvidia"},
    )
    p.nvidia_device_plugin(g, "k3s3")
    sandbox = 'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for "nvidia" is configured'
    pods: list[dict[str, Any]] = []
    deps: list[dict[str, Any]] = []
    for i, (name, image, port) in enumerate(
        (
            ("ollama", "docker.io/ollama/ollama:0.9.2", 11434),
            ("faster-whisper", "lscr.io/linuxserver/faster-whisper:2.4.0-gpu", 10300),
        )
    ):
        deps.append(
            app(
                g,
                name,
                image,
                port,
                ns="ai",
                node="k3s3",
                gpu=1,
                days=9,
                route=name == "ollama",
                probe_path=None,
                pods=[{"node": "k3s3", "mode": "creating", "created": plus(upgraded, minutes=6 + i * 3)}],
            )
        )
        pod = the_pod(g, "ai", f"{name}-")
        _new_revision(deps[-1], plus(pod["metadata"]["creationTimestamp"], seconds=-1), 3 + i)
        ev(
            g,
            pod,
            "FailedCreatePodSandBox",
            sandbox,
            first=plus(pod["metadata"]["creationTimestamp"], seconds=1),
            last=g.ago(seconds=22),
            count=254 - i * 14,
        )
        pods.append(pod)
    # a pod without the nvidia runtime class, recreated on k3s3 after the upgrade: its sandbox works
    app(
        g,
        "jellyfin",
        "docker.io/jellyfin/jellyfin:10.10.7",
        8096,
        node="k3s3",
        strategy={"type": "Recreate"},
        pods=[{"node": "k3s3", "created": plus(upgraded, minutes=5)}],
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "The system-upgrade-controller moved the GPU node k3s3 to K3s v1.32.6 an hour ago. K3s only adds the 'nvidia' "
        "runtime to containerd's generated config when it finds nvidia-container-runtime at start, and the toolkit "
        "had been removed by an apt autoremove after the last driver update; the new containerd config has no nvidia "
        "handler. Pods already running (the device plugin) keep their sandboxes, but every new pod with "
        'runtimeClassName: nvidia on k3s3 fails (\'failed to get sandbox runtime: no runtime for "nvidia" is '
        "configured'): Ollama and faster-whisper, updated after the upgrade, stay in ContainerCreating, while Jellyfin, "
        "recreated on the same node without the runtime class, starts. The RuntimeClass exists; the node's container "
        "runtime is what has to change.",
        [
            "https://github.com/NVIDIA/gpu-operator/issues/730",
            "https://github.com/NVIDIA/k8s-device-plugin/issues/479",
        ],
        [
            cause(
                ref("Node", None, "k3s3"),
                "node",
                *(sym(pod, "pod-pending") for pod in pods),
                *(sym(d, "workload-replicas-unavailable") for d in deps),
                route_down("ai", "ollama"),
            )
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ backup
def velero_node_agent_missing_one_node() -> tuple[Lab, Expected]:
    g = lab("velero-node-agent-missing-one-node")
    k3s3 = g.nodes["k3s3"]
    k3s3["spec"]["taints"] = [{"effect": "NoSchedule", "key": "nvidia.com/gpu", "value": "present"}]
    hourly = [f"2025-06-15T{h:02d}:00:12Z" for h in range(18, 24)] + [
        f"2025-06-16T0{h}:00:12Z" for h in range(3)
    ]
    # the media namespace is the same every hour: the same items, kept the schedule's 72 hours
    same = {"progress": {"itemsBackedUp": 214, "totalItems": 214}}
    backups = [
        (
            "hourly-longhorn",
            t,
            "PartiallyFailed" if t >= "2025-06-15T23" else "Completed",
            {**same, "expiration": plus(t, hours=72)}
            | ({"errors": 1, "warnings": 0} if t >= "2025-06-15T23" else {}),
        )
        for t in hourly
    ]
    backups += [("daily-critical", f"2025-06-{d}T02:00:31Z", "Completed", {}) for d in (14, 15, 16)]
    p.velero(g, minio_ok=True, vsl_conflict=False, vsl=False, schedules=s.VELERO_SCHEDULES, backups=backups)
    rolled = g.ago(days=1, hours=4)
    nsel = {"name": "node-agent"}
    ds = g.daemonset(
        "velero.yaml",
        "velero",
        "node-agent",
        created=plus(CLUSTER_BORN, days=8),
        nodes=["k3s-master1", "k3s1", "k3s2"],
        selector=nsel,
        tpl_labels={**nsel, "role": "node-agent"},
        labels={
            "app.kubernetes.io/instance": "velero",
            "app.kubernetes.io/name": "velero",
            "name": "node-agent",
        },
        helm=("velero", "velero"),
        sa="velero-server",
        pods_created=plus(rolled, seconds=40),
        spec={
            "containers": [
                {
                    "name": "node-agent",
                    "image": "velero/velero:v1.14.0",
                    "command": ["/velero"],
                    "args": ["node-agent", "server"],
                    "env": [
                        {"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
                        {"name": "AWS_SHARED_CREDENTIALS_FILE", "value": "/credentials/cloud"},
                    ],
                    "ports": [{"containerPort": 8085, "name": "http-monitoring"}],
                    "securityContext": {"privileged": True},
                    "volumeMounts": [
                        {
                            "mountPath": "/host_pods",
                            "mountPropagation": "HostToContainer",
                            "name": "host-pods",
                        },
                        {"mountPath": "/credentials", "name": "cloud-credentials"},
                    ],
                }
            ],
            "volumes": [
                {
                    "hostPath": {"path": "/var/lib/rancher/k3s/agent/kubelet/pods", "type": ""},
                    "name": "host-pods",
                },
                {
                    "name": "cloud-credentials",
                    "secret": {"defaultMode": 420, "secretName": "velero-credentials"},
                },
            ],
        },
    )
    ds["metadata"]["annotations"]["deprecated.daemonset.template.generation"] = "4"
    ds["metadata"]["generation"] = 4
    ds["status"]["observedGeneration"] = 4
    gpu_tol = [{"effect": "NoSchedule", "key": "nvidia.com/gpu", "operator": "Exists"}]
    app(
        g,
        "jellyfin",
        "docker.io/jellyfin/jellyfin:10.10.7",
        8096,
        node="k3s3",
        pvc=("jellyfin-config", "20Gi", "longhorn"),
        tolerations=gpu_tol,
        node_selector={"nvidia.com/gpu.present": "true"},
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    s.media_app(g, "radarr", "k3s1", 7878)
    return g, expected(
        "k3s3 was tainted nvidia.com/gpu=present:NoSchedule three days ago to keep ordinary pods off the GPU node; "
        "Jellyfin, which transcodes on it, tolerates the taint. Yesterday's Velero chart upgrade rolled the node-agent "
        "DaemonSet, which has no toleration for it: the replacement pod for k3s3 was never scheduled, so the DaemonSet "
        "now wants 3 pods and has 3 (nothing looks unhealthy). Every hourly backup of the media namespace since then "
        "ends PartiallyFailed - Velero cannot file-system back up Jellyfin's volume ('daemonset pod not found in "
        "running state in node k3s3'). The node-agent DaemonSet (its tolerations, set in the velero HelmRelease "
        "values) is the object to change.",
        [
            "https://github.com/velero-io/velero/issues/6763",
            "https://github.com/velero-io/velero/issues/4752",
        ],
        [
            cause(
                ds,
                "backup",
                sym(ref("Schedule", "velero", "hourly-longhorn"), "velero-backup-failed-or-stale"),
            )
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ security
def kyverno_policy_blocks_pods() -> tuple[Lab, Expected]:
    g = lab("kyverno-policy-blocks-pods")
    f, ns = "kyverno.yaml", "kyverno"
    created = plus(CLUSTER_BORN, days=15)
    helm = ("kyverno", ns)
    for comp in ("admission-controller", "background-controller", "cleanup-controller", "reports-controller"):
        sel = {
            "app.kubernetes.io/component": comp,
            "app.kubernetes.io/instance": "kyverno",
            "app.kubernetes.io/part-of": "kyverno",
        }
        g.deployment(
            f,
            ns,
            f"kyverno-{comp}",
            created=created,
            selector=sel,
            helm=helm,
            sa=f"kyverno-{comp}",
            spec={
                "containers": [
                    {
                        "name": "kyverno" if comp == "admission-controller" else "controller",
                        "image": f"reg.kyverno.io/kyverno/{'kyverno' if comp == 'admission-controller' else comp}:v1.14.2",
                        "ports": [{"containerPort": 9443, "name": "https"}]
                        if comp == "admission-controller"
                        else [],
                    }
                ]
            },
            pods=[
                {
                    "node": "k3s1" if comp == "admission-controller" else "k3s2",
                    "created": plus(created, days=12),
                }
            ],
            rs_created=plus(created, days=12),
            revision=2,
        )
    g.service(
        f,
        ns,
        "kyverno-svc",
        selector={
            "app.kubernetes.io/component": "admission-controller",
            "app.kubernetes.io/instance": "kyverno",
            "app.kubernetes.io/part-of": "kyverno",
        },
        created=created,
        helm=helm,
        ports=[{"name": "https", "port": 443, "targetPort": "https"}],
    )
    rules = [
        {
            "apiGroups": [""],
            "apiVersions": ["v1"],
            "operations": ["CREATE", "UPDATE"],
            "resources": ["pods", "pods/ephemeralcontainers"],
            "scope": "*",
        }
    ]
    exclude = {
        "matchExpressions": [
            {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kube-system", "kyverno"]}
        ]
    }
    g.cr(
        f,
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
        "kyverno-resource-validating-webhook-cfg",
        None,
        created=plus(created, days=12, minutes=1),
        labels={"webhook.kyverno.io/managed-by": "kyverno"},
        generation=14,
        extra={
            "webhooks": [
                {
                    "admissionReviewVersions": ["v1"],
                    "clientConfig": {
                        "caBundle": b64(
                            "-----BEGIN CERTIFICATE-----\nMIIC" + "K" * 40 + "\n-----END CERTIFICATE-----\n"
                        ),
                        "service": {
                            "name": "kyverno-svc",
                            "namespace": ns,
                            "path": f"/validate/{pol}",
                            "port": 443,
                        },
                    },
                    "failurePolicy": "Fail" if pol == "fail" else "Ignore",
                    "matchPolicy": "Equivalent",
                    "name": f"validate.kyverno.svc-{pol}",
                    "namespaceSelector": exclude,
                    "objectSelector": {},
                    "rules": rules,
                    "sideEffects": "NoneOnDryRun",
                    "timeoutSeconds": 10,
                }
                for pol in ("fail", "ignore")
            ]
        },
    )
    enforced = g.ago(hours=3, minutes=10)
    policy = g.cr(
        f,
        "kyverno.io/v1",
        "ClusterPolicy",
        "require-requests-limits",
        None,
        created=enforced,
        ks="infrastructure",
        annotations={
            "pod-policies.kyverno.io/autogen-controllers": "none",
            "policies.kyverno.io/category": "Best Practices",
            "policies.kyverno.io/severity": "medium",
            "policies.kyverno.io/subject": "Pod",
            "policies.kyverno.io/title": "Require Limits and Requests",
        },
        spec={
            "admission": True,
            "background": True,
            "rules": [
                {
                    "exclude": {
                        "any": [
                            {"resources": {"namespaces": ["kube-system", "longhorn-system", "flux-system"]}}
                        ]
                    },
                    "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
                    "name": "validate-resources",
                    "validate": {
                        "message": "CPU and memory resource requests and limits are required.",
                        "pattern": {
                            "spec": {
                                "containers": [
                                    {
                                        "resources": {
                                            "limits": {"cpu": "?*", "memory": "?*"},
                                            "requests": {"cpu": "?*", "memory": "?*"},
                                        }
                                    }
                                ]
                            }
                        },
                    },
                }
            ],
            "validationFailureAction": "Enforce",
        },
        status={
            "conditions": [
                g.cond("Ready", "True", "Succeeded", "Ready", plus(enforced, seconds=3), gen=None)
            ],
            "rulecount": {"generate": 0, "mutate": 0, "validate": 1, "verifyimages": 0},
            "validatepolicy": {"message": "", "ready": True},
        },
    )
    updated = g.ago(hours=2, minutes=38)
    deps: list[dict[str, Any]] = []
    for ns_, name, image, port, node in (
        ("media", "bazarr", "lscr.io/linuxserver/bazarr:1.5.3", 6767, "k3s2"),
        ("home", "mealie", "ghcr.io/mealie-recipes/mealie:v2.8.1", 9000, "k3s1"),
    ):
        dep = g.app(
            ns_,
            name,
            image,
            port,
            node=node,
            created=plus(CLUSTER_BORN, days=3),
            ks=f"apps-{ns_}",
            pvc=(f"{name}-config", "5Gi", "longhorn"),
            pods=[],
            replicas=1,
        )
        dep["metadata"]["generation"] = 4
        dep["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = "4"
        rs = dep["_rs"]
        rs["metadata"]["creationTimestamp"] = updated
        rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = "4"
        denied = (
            f'admission webhook "validate.kyverno.svc-fail" denied the request: \n\nresource Pod/{ns_}/ was blocked due '
            "to the following policies \n\nrequire-requests-limits:\n  validate-resources: 'validation error: CPU and "
            "memory resource requests and limits are required. rule validate-resources failed at path "
            "/spec/containers/0/resources/limits/cpu/'\n"
        )
        replica_failure(
            g, dep, f"Error creating: {denied}", plus(updated, seconds=1), 37, last=g.ago(minutes=4)
        )
        dep["status"]["observedGeneration"] = 4
        deps.append(dep)
    s.media_app(g, "sonarr", "k3s2", 8989)
    # the background scan reports the pods that were already running without CPU limits (they are not evicted)
    sonarr = the_pod(g, "media", "sonarr-")
    violation = (
        "policy require-requests-limits/validate-resources fail: validation error: CPU and memory resource requests "
        "and limits are required. rule validate-resources failed at path /spec/containers/0/resources/limits/cpu/"
    )
    ev(
        g,
        sonarr,
        "PolicyViolation",
        violation,
        first=plus(enforced, minutes=1),
        last=g.ago(minutes=11),
        count=3,
        component="kyverno-scan",
        host="",
    )
    g.cr(
        "apps-media.yaml",
        "wgpolicyk8s.io/v1alpha2",
        "PolicyReport",
        sonarr["metadata"]["uid"],
        "media",
        created=plus(enforced, minutes=1),
        labels={"app.kubernetes.io/managed-by": "kyverno"},
        owner=sonarr,
        extra={
            "results": [
                {
                    "category": "Best Practices",
                    "message": violation.split(" fail: ", 1)[1],
                    "policy": "require-requests-limits",
                    "result": "fail",
                    "rule": "validate-resources",
                    "scored": True,
                    "severity": "medium",
                    "source": "kyverno",
                    "timestamp": {"nanos": 0, "seconds": 1750032000},
                }
            ],
            "scope": {
                "apiVersion": "v1",
                "kind": "Pod",
                "name": sonarr["metadata"]["name"],
                "namespace": "media",
            },
            "summary": {"error": 0, "fail": 1, "pass": 0, "skip": 0, "warn": 0},
        },
    )
    return g, expected(
        "A hardening commit added Kyverno's require-requests-limits ClusterPolicy in Enforce mode, with autogen for "
        "Pod controllers turned off, without running it in Audit first. Pods already running were not touched, but "
        "when Renovate bumped Bazarr and Mealie half an hour later (both Recreate, for their volumes), the old pods "
        "went away and the ReplicaSets cannot create new ones: the admission webhook denies every pod whose containers "
        "have no CPU limit. Kyverno itself is healthy and answers; nothing crashes. The policy enforced on workloads "
        "that never set CPU limits is the object to change (Audit first, or add the limits before enforcing).",
        ["https://github.com/kyverno/kyverno/pull/1862", "https://github.com/kyverno/policies/issues/795"],
        [
            cause(
                policy,
                "security",
                *(sym(d, "workload-replicas-unavailable") for d in deps),
                route_down("media", "bazarr"),
                route_down("home", "mealie"),
            )
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ double incidents
def double_readiness_port_and_values_schema() -> tuple[Lab, Expected]:
    g = lab("double-readiness-port-and-values-schema")
    flux_base(g, {"bjw-s": "https://bjw-s-labs.github.io/helm-charts"})
    # incident 1: Paperless moved to port 8000, its readiness probe still asks 8080
    changed = g.ago(hours=3, minutes=5)
    dep = app(
        g,
        "paperless-ngx",
        "ghcr.io/paperless-ngx/paperless-ngx:2.16.3",
        8000,
        ns="home",
        node="k3s1",
        env=[{"name": "PAPERLESS_PORT", "value": "8000"}],
        pvc=("paperless-data", "10Gi", "longhorn"),
        pods=[{"node": "k3s1", "mode": "notready", "created": plus(changed, seconds=40)}],
    )
    probe = {"httpGet": {"path": "/", "port": 8080}, "initialDelaySeconds": 10, "periodSeconds": 10}
    dep["spec"]["template"]["spec"]["containers"][0]["readinessProbe"] = probe
    dep["_rs"]["spec"]["template"]["spec"]["containers"][0]["readinessProbe"] = copy.deepcopy(probe)
    dep["metadata"]["generation"] = 6
    dep["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = "6"
    dep["_rs"]["metadata"]["creationTimestamp"] = changed
    dep["_rs"]["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = "6"
    pod = the_pod(g, "home", "paperless-ngx-")
    pod["spec"]["containers"][0]["readinessProbe"] = copy.deepcopy(probe)
    unready(pod, ["paperless-ngx"], plus(changed, seconds=40))
    ip = pod["status"]["podIP"]
    ev(
        g,
        pod,
        "Unhealthy",
        f'Readiness probe failed: Get "http://{ip}:8080/": dial tcp {ip}:8080: connect: connection refused',
        first=plus(changed, seconds=52),
        last=g.ago(seconds=8),
        count=1083,
        container="paperless-ngx",
    )
    workload_down(dep, plus(changed, seconds=40))
    dep["status"]["observedGeneration"] = 6
    # incident 2: a new HelmRelease whose values fail the chart's JSON schema (a two-part tag read as a number)
    at = g.ago(hours=1, minutes=18)
    why = (
        "Helm install failed for release home/mosquitto with chart app-template@4.1.2: values don't meet the "
        "specifications of the schema(s) in the following chart(s):\napp-template:\n- "
        "controllers.mosquitto.containers.app.image.tag: Invalid type. Expected: string, given: number"
    )
    hr = g.helm_release(
        "mosquitto",
        "home",
        "app-template",
        "4.1.2",
        "bjw-s",
        created=at,
        ks="apps-home",
        at=plus(at, minutes=1),
        values={
            "controllers": {
                "mosquitto": {
                    "containers": {
                        "app": {"image": {"repository": "docker.io/library/eclipse-mosquitto", "tag": 2.0}}
                    }
                }
            },
            "service": {"app": {"controller": "mosquitto", "ports": {"mqtt": {"port": 1883}}}},
        },
        ready=("False", "InstallFailed", why),
    )
    hr["status"]["conditions"] += [
        Lab.cond("Released", "False", "InstallFailed", why, plus(at, minutes=1)),
        Lab.cond(
            "Stalled", "True", "RetriesExceeded", "Failed to install after 1 attempt(s)", plus(at, minutes=1)
        ),
    ]
    hr["status"]["installFailures"] = 1
    ev(g, hr, "InstallFailed", why, first=plus(at, minutes=1), component="helm-controller", host="")
    wait = "dependency 'home/mosquitto' is not ready"
    hr2 = g.helm_release(
        "zigbee2mqtt",
        "home",
        "app-template",
        "4.1.2",
        "bjw-s",
        created=plus(at, seconds=2),
        ks="apps-home",
        at=plus(at, minutes=1),
        ready=("False", "DependencyNotReady", wait),
    )
    hr2["spec"]["dependsOn"] = [{"name": "mosquitto"}]
    dependency_not_ready(g, hr2, wait, first=plus(at, minutes=1), last=g.ago(seconds=40), count=140)
    apps_kustomization(g, "home", created=plus(CLUSTER_BORN, minutes=45), applied=g.ago(minutes=12))
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "Two unrelated incidents. Paperless-ngx was moved to port 8000 (PAPERLESS_PORT and the container port), but its "
        "readiness probe still asks port 8080: the pod runs and serves, yet is never Ready ('dial tcp ...:8080: "
        "connect: connection refused'), so the Service has no ready endpoint and paperless-ngx.fletcherlabs.net is down for "
        "three hours: the Deployment with the wrong probe is the first cause. Separately, a new Mosquitto HelmRelease "
        "sets the image tag 2.0 unquoted; YAML reads it as a number and the app-template chart's values schema "
        "rejects the install ('image.tag: Invalid type. Expected: string, given: number'), and zigbee2mqtt, which "
        "dependsOn it, waits: the HelmRelease is the second cause, ranked after the outage of a running service.",
        [
            "https://github.com/apache/apisix-helm-chart/issues/741",
            "https://github.com/bitnami/charts/pull/7375",
            "https://github.com/SQLJames/factorio-server-charts/issues/75",
        ],
        [
            cause(
                dep,
                "workload",
                sym(dep, "workload-replicas-unavailable"),
                sym(dep["_svc"], "service-no-ready-endpoints"),
                route_down("home", "paperless-ngx"),
            ),
            cause(hr, "platform", sym(hr, "flux-not-ready"), sym(hr2, "flux-not-ready")),
        ],
        holdout=True,
    )


def double_acme_rate_limit_and_ephemeral_eviction() -> tuple[Lab, Expected]:
    g = lab("double-acme-rate-limit-and-ephemeral-eviction")
    p.cert_manager(g, http01_only=False)
    wildcard_certificate(g, not_after=g.ago(days=-58))
    vhost = f"vault.{DOMAIN}"
    gw = p.gateway(
        g, https_ok=True, routes=2, extra_listeners=[("https-vault", vhost, "vault-fletcherlabs-tls")]
    )
    for lis in gw["status"]["listeners"]:
        if lis["name"] == "https-vault":
            at = lis["conditions"][0]["lastTransitionTime"]
            lis["conditions"] = [
                Lab.cond("Programmed", "False", "Invalid", "Invalid CertificateRef", at),
                Lab.cond("Accepted", "True", "Accepted", "Listener Accepted", at),
                Lab.cond("ResolvedRefs", "False", "InvalidCertificateRef", "Invalid CertificateRef", at),
            ]
    # incident 1: the vault listener's own certificate hit Let's Encrypt's duplicate-certificate limit
    retry = "2025-06-18T21:14:03Z"
    limit = (
        'Failed to wait for order resource "vault-fletcherlabs-6-2917463310" to become ready: order is in "errored" '
        "state: Failed to create Order: 429 urn:ietf:params:acme:error:rateLimited: too many certificates (5) already "
        f"issued for this exact set of identifiers in the last 168h0m0s, retry after {retry}: see "
        "https://letsencrypt.org/docs/rate-limits/#new-certificates-per-exact-set-of-identifiers"
    )
    created = g.ago(hours=4, minutes=26)
    cert = p.certificate(
        g,
        "networking",
        "vault-fletcherlabs",
        [vhost],
        created=created,
        secret="vault-fletcherlabs-tls",
        state="failed",
        failure=f"The certificate request has failed to complete and will be retried: {limit}",
    )
    cert["status"]["failedIssuanceAttempts"] = 3
    cr = p.certificate_request(
        g,
        cert,
        6,
        "vault-fletcherlabs-p8q2d",
        created=g.ago(minutes=38, seconds=20),
        ready=("Failed", limit, g.ago(minutes=38)),
        csr_fill="R",
        gen=None,
        failed=True,
    )
    ev(
        g,
        cert,
        "Failed",
        f"The certificate request has failed to complete and will be retried: {limit}",
        first=plus(created, minutes=2),
        last=g.ago(minutes=38),
        count=3,
        component="cert-manager-certificates-issuing",
        host="",
    )
    app(
        g,
        "vaultwarden",
        "ghcr.io/dani-garcia/vaultwarden:1.34.1",
        80,
        ns="security",
        node="k3s1",
        route=False,
    )
    g.http_route(
        "security",
        "vaultwarden",
        vhost,
        "vaultwarden",
        80,
        created=plus(CLUSTER_BORN, days=12),
        ks="apps-security",
        section="https-vault",
    )
    # incident 2: Open WebUI downloads its embedding model into the container's writable layer, over its 2Gi limit
    msg = "Pod ephemeral local storage usage exceeds the total limit of containers 2Gi."
    first = g.ago(hours=6, minutes=10)
    plans: list[dict[str, Any]] = []
    for i in range(5):
        start = plus(first, minutes=i * 71)
        plans.append(
            {
                "node": ("k3s1", "k3s2")[i % 2],
                "mode": "failed",
                "created": start,
                "finished": plus(start, minutes=23),
            }
        )
    current = g.ago(minutes=4, seconds=10)
    plans.append({"node": "k3s2", "mode": "notready", "created": current})
    res = {
        "limits": {"ephemeral-storage": "2Gi", "memory": "2Gi"},
        "requests": {"cpu": "100m", "ephemeral-storage": "512Mi", "memory": "1Gi"},
    }
    dep = app(
        g,
        "open-webui",
        "ghcr.io/open-webui/open-webui:v0.6.15",
        8080,
        ns="ai",
        node="k3s2",
        resources=res,
        probe_path="/health",
        pods=plans,
        replicas=1,
    )
    webui = sorted(pods_of(g, "ai", "open-webui-"), key=lambda x: x["metadata"]["creationTimestamp"])
    for pod in webui[:-1]:
        at = pod["status"]["containerStatuses"][0]["state"]["terminated"]["finishedAt"]
        evicted(pod, msg, at)
        ev(g, pod, "Evicted", msg, first=at)
        ev(
            g,
            pod,
            "Killing",
            "Stopping container open-webui",
            first=at,
            type_="Normal",
            container="open-webui",
        )
    live = webui[-1]
    ip = live["status"]["podIP"]
    ev(
        g,
        live,
        "Unhealthy",
        f'Readiness probe failed: Get "http://{ip}:8080/health": dial tcp {ip}:8080: connect: connection refused',
        first=plus(current, seconds=20),
        last=g.ago(seconds=6),
        count=23,
        container="open-webui",
    )
    workload_down(dep, current)
    # the controllers count only the live replica, not the evicted (Failed) pods
    dep["status"].update({"replicas": 1, "unavailableReplicas": 1, "updatedReplicas": 1})
    dep["_rs"]["status"] = {"fullyLabeledReplicas": 1, "observedGeneration": 1, "replicas": 1}
    s.media_app(g, "sonarr", "k3s2", 8989)
    g.cr(
        "cert-manager.yaml",
        "acme.cert-manager.io/v1",
        "Order",
        "vault-fletcherlabs-6-2917463310",
        "networking",
        created=g.ago(minutes=38, seconds=19),
        owner=cr,
        spec={
            "dnsNames": [vhost],
            "issuerRef": {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": "letsencrypt-prod"},
            "request": cr["spec"]["request"],
        },
        status={
            "failureTime": g.ago(minutes=38),
            "reason": limit.split("state: ", 1)[1],
            "state": "errored",
        },
    )
    return g, expected(
        "Two unrelated incidents. While debugging a new Gateway listener for vault.fletcherlabs.net this week, its "
        "Certificate and Secret were deleted and recreated five times; each time Let's Encrypt issued a certificate, so "
        "the sixth order is refused ('429 urn:ietf:params:acme:error:rateLimited: too many certificates (5) already "
        "issued for this exact set of identifiers', retry after three days). The Certificate cannot be issued, the "
        "https-vault listener has no certificate and Vaultwarden is unreachable: Let's Encrypt's ACME endpoint refusing "
        "the order is the first cause (nothing in the cluster can be changed to get this certificate before the retry "
        "date). Separately, Open WebUI downloads its embedding model into the container's writable layer; its 2Gi "
        "ephemeral-storage limit is exceeded about twenty minutes after every start and the kubelet evicts the pod "
        "('Pod ephemeral local storage usage exceeds the total limit of containers 2Gi'), five times since this "
        "morning, on two different nodes with plenty of disk: the Deployment's limit (or a volume for its cache) is "
        "the second cause.",
        [
            "https://github.com/argoproj/argo-cd/pull/10697",
            "https://github.com/kubernetes/kubernetes/issues/122160",
            "https://github.com/substratusai/runbooks/issues/246",
        ],
        [
            cause(
                host("acme-v02.api.letsencrypt.org"),
                "platform",
                sym(cert, "certificate-not-ready"),
                sym(ref("Gateway", GW_NS, GW_NAME), "gateway-not-accepted"),
            ),
            cause(dep, "workload", sym(dep, "workload-replicas-unavailable"), route_down("ai", "open-webui")),
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ healthy
def healthy_maintenance_noisy() -> tuple[Lab, Expected]:
    g = lab("healthy-maintenance-noisy")
    flux_base(g, {"bjw-s": "https://bjw-s-labs.github.io/helm-charts"})
    p.cert_manager(g, http01_only=False)
    wildcard_certificate(g, not_after=g.ago(days=-71))
    p.gateway(g, https_ok=True, routes=3)
    # k3s2 cordoned and drained for a BIOS update twenty minutes ago
    drained = g.ago(minutes=21)
    k3s2 = g.nodes["k3s2"]
    k3s2["spec"]["unschedulable"] = True
    k3s2["spec"].setdefault("taints", []).append(
        {"effect": "NoSchedule", "key": "node.kubernetes.io/unschedulable", "timeAdded": drained}
    )
    node_event(
        g,
        "k3s2",
        "NodeNotSchedulable",
        "Node k3s2 status is now: NodeNotSchedulable",
        first=drained,
        last=drained,
        count=1,
        type_="Normal",
    )
    moved = plus(drained, seconds=35)
    for name, node, port in (("sonarr", "k3s1", 8989), ("radarr", "k3s3", 7878)):
        s.media_app(
            g,
            name,
            node,
            port,
            pods=[{"node": node, "created": moved, "ready_at": plus(moved, minutes=2, seconds=5)}],
        )
        pod = the_pod(g, "media", f"{name}-")
        ev(
            g,
            pod,
            "FailedAttachVolume",
            f'AttachVolume.Attach failed for volume "pvc-{g.uid()}" : rpc error: code = Aborted desc = volume is not '
            "ready for workloads",
            first=plus(moved, seconds=3),
            last=plus(moved, seconds=48),
            count=3,
            component="attachdetach-controller",
            host="",
        )
        ev(
            g,
            pod,
            "Unhealthy",
            f'Readiness probe failed: Get "http://{pod["status"]["podIP"]}:{port}/ping": dial tcp '
            f"{pod['status']['podIP']}:{port}: connect: connection refused",
            first=plus(moved, minutes=1, seconds=20),
            last=plus(moved, minutes=1, seconds=50),
            count=4,
            container=name,
        )
    # a HelmRelease pinned on purpose while its chart's next major is tested
    hr = g.helm_release(
        "homepage",
        "home",
        "app-template",
        "3.7.3",
        "bjw-s",
        created=plus(CLUSTER_BORN, days=6),
        ks="apps-home",
        revision=4,
        at=g.ago(days=5),
    )
    hr["spec"]["suspend"] = True
    app(
        g,
        "homepage",
        "ghcr.io/gethomepage/homepage:v1.3.2",
        3000,
        ns="home",
        node="k3s1",
        helm=("homepage", "home"),
        days=6,
    )
    # a nightly backup that failed once (the NAS was rebooting) and succeeded the next night
    cj, job = cronjob(
        g,
        "home",
        "paperless-backup",
        "docker.io/restic/restic:0.18.0",
        schedule="0 2 * * *",
        failed_msg="Fatal: unable to open repository at sftp:nas.home.arpa:/backups/paperless: ssh: connect to host "
        "nas.home.arpa port 22: Connection refused",
        node="k3s1",
        created=plus(CLUSTER_BORN, days=5),
        last_run="2025-06-15T02:00:00Z",
        ks="apps-home",
    )
    assert job is not None
    ok_job = copy.deepcopy(job)
    ok_name = f"paperless-backup-{int(parse('2025-06-16T02:00:00Z').timestamp()) // 60}"
    ok_job["metadata"].update(
        {
            "name": ok_name,
            "uid": g.uid(),
            "resourceVersion": g.rv(),
            "creationTimestamp": "2025-06-16T02:00:00Z",
            "labels": {
                **job["metadata"]["labels"],
                "batch.kubernetes.io/job-name": ok_name,
                "job-name": ok_name,
            },
        }
    )
    ok_job["status"] = job_complete("2025-06-16T02:00:00Z", "2025-06-16T02:01:47Z")
    g.add("apps-home.yaml", ok_job)
    cj["status"]["lastScheduleTime"] = "2025-06-16T02:00:00Z"
    cj["status"]["lastSuccessfulTime"] = "2025-06-16T02:01:47Z"
    # Velero: one partially failed nightly backup nine days ago, every run since complete
    daily = [
        (
            "daily-critical",
            f"2025-06-{d:02d}T02:00:31Z",
            "PartiallyFailed" if d == 7 else "Completed",
            {"errors": 2, "warnings": 1} if d == 7 else {},
        )
        for d in range(6, 17)
    ]
    hourly: list[tuple[str, str, str, dict[str, Any]]] = [
        ("hourly-longhorn", f"2025-06-16T0{h}:00:12Z", "Completed", {}) for h in range(3)
    ]
    p.velero(
        g, minio_ok=True, vsl_conflict=False, vsl=False, schedules=s.VELERO_SCHEDULES, backups=daily + hourly
    )
    # a Service for the NAS outside the cluster: no selector, no endpoints, by design
    g.add(
        "apps-media.yaml",
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": g.meta(
                "nas", "media", created=plus(CLUSTER_BORN, days=3), ks="apps-media", kind="Service"
            ),
            "spec": {"externalName": "truenas.home.arpa", "sessionAffinity": "None", "type": "ExternalName"},
            "status": {"loadBalancer": {}},
        },
    )
    # everything but the DaemonSets' pods left k3s2 with the drain
    drained_pods = [
        x
        for x in g.all_objects()
        if x["kind"] == "Pod"
        and x["spec"].get("nodeName") == "k3s2"
        and (x["metadata"].get("ownerReferences") or [{}])[0].get("kind") != "DaemonSet"
    ]
    for i, o in enumerate(drained_pods):
        _reschedule(g, o, ("k3s1", "k3s3")[i % 2], plus(moved, seconds=i * 4))
    return g, expected(
        "A healthy cluster in the middle of planned maintenance: k3s2 is cordoned and drained for a BIOS update (its "
        "DaemonSet pods stay, Sonarr and Radarr moved to k3s1 and k3s3 and needed three attach retries and a few "
        "failed readiness probes before they became Ready), the homepage HelmRelease is suspended on purpose, the "
        "paperless backup CronJob failed the night before last while the NAS rebooted and succeeded last night, "
        "Velero has one PartiallyFailed backup nine days old followed by nine complete ones, and an ExternalName "
        "Service points at the NAS. No critical root cause and no critical finding are expected.",
        [
            "https://github.com/velero-io/velero/issues/6182",
            "https://github.com/kubernetes/kubernetes/issues/61223",
        ],
        [],
        holdout=True,
    )


SCENARIOS: dict[str, Callable[[], tuple[Lab, Expected]]] = {
    "ingress-class-not-served": ingress_class_not_served,
    "containerd-disk-full-one-node": containerd_disk_full_one_node,
    "k3s-datastore-slow-leader-election": k3s_datastore_slow,
    "prometheus-wal-disk-full": prometheus_wal_disk_full,
    "kustomization-substitutes-from-itself": kustomization_substitutes_from_itself,
    "externalsecret-store-unauthorized": externalsecret_store_unauthorized,
    "gpu-runtime-handler-missing": gpu_runtime_handler_missing,
    "velero-node-agent-missing-one-node": velero_node_agent_missing_one_node,
    "kyverno-policy-blocks-pods": kyverno_policy_blocks_pods,
    "double-readiness-port-and-values-schema": double_readiness_port_and_values_schema,
    "double-acme-rate-limit-and-ephemeral-eviction": double_acme_rate_limit_and_ephemeral_eviction,
    "healthy-maintenance-noisy": healthy_maintenance_noisy,
}
