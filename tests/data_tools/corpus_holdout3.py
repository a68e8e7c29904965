"""The third holdout set of the scenario corpus: twelve incidents of shapes no earlier scenario has, written after the
engine was tuned on the first two holdout sets. Each expectation was written before the diagnosis was run on its
snapshot; the set is run once and never tuned on. Same 4-node K3s homelab and builders as ``corpus.py``.

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
    apps_automation_waits,
    apps_kustomization,
    backoff_event,
    cause,
    crash,
    cronjob_object,
    cronjob_run,
    dep_ref,
    drop,
    ev,
    expected,
    find,
    flux_base,
    host,
    job_conditions,
    job_pod,
    job_spec,
    kustomization_fails,
    lab,
    pods_of,
    pull_failure,
    ref,
    replica_failure,
    restic_backup_template,
    route_down,
    route_refused,
    source_fails,
    sym,
    the_pod,
    unready,
    velero_b2_unavailable,
    wildcard_certificate,
    workload_down,
)
from homelab import CLUSTER_BORN, DOMAIN, Lab
from k8sgen import b64, parse, plus

import scenarios as s

NOW = s.NOW


def _sandbox_failure(g: Lab, pod: dict[str, Any], detail: str, first: str, count: int) -> None:
    ev(
        g,
        pod,
        "FailedCreatePodSandBox",
        f'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "{g.hexs(64)}": '
        + detail,
        first=first,
        last=g.ago(seconds=37),
        count=count,
    )


# ------------------------------------------------------------------------------------------ network
def cilium_ipam_exhausted_one_node() -> tuple[Lab, Expected]:
    g = lab("cilium-ipam-exhausted-one-node")
    since = g.ago(hours=1, minutes=12)
    detail = (
        'plugin type="cilium-cni" failed (add): unable to allocate IP via local cilium agent: [POST /ipam][502] '
        "postIpamFailure  range is full"
    )
    pods: list[dict[str, Any]] = []
    for name, port in (("sonarr", 8989), ("radarr", 7878)):
        s.media_app(
            g,
            name,
            "k3s2",
            port,
            pods=[{"node": "k3s2", "mode": "creating", "created": plus(since, minutes=len(pods) * 3)}],
        )
        pod = the_pod(g, "media", f"{name}-")
        _sandbox_failure(g, pod, detail, plus(pod["metadata"]["creationTimestamp"], seconds=2), 96)
        pods.append(pod)
    s.media_app(g, "prowlarr", "k3s3", 9696)
    s.media_app(g, "sabnzbd", "k3s2", 8080)  # started before the pool filled up: still running on k3s2
    return g, expected(
        "k3s2's pod CIDR (10.42.2.0/24) is exhausted: after weeks of crash-looping jobs the Cilium agent there leaked "
        "endpoint IPs it never released, so every new pod scheduled on k3s2 fails sandbox creation with 'unable to "
        "allocate IP via local cilium agent ... range is full'. The agent itself is Ready and pods already running on "
        "k3s2 keep working; Sonarr and Radarr, rescheduled there, stay in ContainerCreating. The node's pod network "
        "(its IPAM pool) is the cause, not the two apps.",
        ["https://github.com/cilium/cilium/issues/10627", "https://github.com/cilium/cilium/issues/18331"],
        [
            cause(
                ref("Node", None, "k3s2"),
                "network",
                [x for pod in pods for x in sym(pod, "pod-pending")],
                [
                    x
                    for n in ("sonarr", "radarr")
                    for x in sym(dep_ref("media", n), "workload-replicas-unavailable")
                ],
                route_down("media", "sonarr", "radarr"),
            )
        ],
        holdout=True,
    )


def upstream_dns_resolver_down() -> tuple[Lab, Expected]:
    g = lab("upstream-dns-resolver-down")
    flux_base(g, {"jetstack": "https://charts.jetstack.io"})
    since = g.ago(hours=2, minutes=41)
    resolver = "192.168.10.53"
    cm = find(g, "ConfigMap", "coredns", "kube-system")
    cm["data"]["Corefile"] = cm["data"]["Corefile"].replace(
        "forward . /etc/resolv.conf", f"forward . {resolver}"
    )
    git = find(g, "GitRepository", "flux-system")
    msg = (
        f"failed to checkout and determine revision: unable to clone '{p.REPO_URL}': dial tcp: lookup github.com "
        "on 10.43.0.10:53: server misbehaving"
    )
    source_fails(g, git, "GitOperationFailed", msg, plus(since, minutes=3), last=g.ago(minutes=1), count=161)
    repo = find(g, "HelmRepository", "jetstack")
    rmsg = (
        "failed to fetch Helm repository index: failed to cache index to temporary file: Get "
        '"https://charts.jetstack.io/index.yaml": dial tcp: lookup charts.jetstack.io on 10.43.0.10:53: server '
        "misbehaving"
    )
    source_fails(g, repo, "Failed", rmsg, plus(since, minutes=20), last=g.ago(minutes=8), count=3)
    image = "ghcr.io/home-operations/radarr:5.27.2.10142"
    app(
        g,
        "radarr",
        image,
        7878,
        node="k3s1",
        strategy={"type": "Recreate"},
        pods=[{"node": "k3s1", "mode": "creating", "created": plus(since, minutes=35)}],
    )
    pod = the_pod(g, "media", "radarr-")
    pull_failure(
        g,
        pod,
        image,
        f'failed to pull and unpack image "{image}": failed to resolve reference "{image}": failed to do request: '
        'Head "https://ghcr.io/v2/home-operations/radarr/manifests/5.27.2.10142": dial tcp: lookup ghcr.io on '
        f"{resolver}:53: read udp 192.168.10.31:41877->{resolver}:53: i/o timeout",
        plus(pod["metadata"]["creationTimestamp"], seconds=3),
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "The Pi-hole VM at 192.168.10.53, which CoreDNS forwards to (forward . 192.168.10.53 in the coredns ConfigMap) "
        "and which the nodes use as their resolver, stopped answering after a Proxmox host reboot. CoreDNS itself is "
        "Ready and still answers cluster names, but every external name fails: Flux cannot clone from github.com or "
        "fetch the jetstack index ('server misbehaving' from 10.43.0.10), and the node k3s1 cannot resolve ghcr.io to "
        "pull Radarr's new image. One external host is the cause of all three.",
        [
            "https://github.com/fluxcd/flux2/issues/4411",
            "https://github.com/kubernetes/kubernetes/issues/105152",
        ],
        [
            cause(
                host(resolver),
                "network",
                sym(git, "flux-source-failed"),
                sym(repo, "flux-source-failed"),
                sym(pod, "pod-image-pull"),
                sym(host("ghcr.io"), "image-registry-failing"),
                sym(dep_ref("media", "radarr"), "workload-replicas-unavailable"),
                route_down("media", "radarr"),
            )
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ node
def inotify_limit_one_node() -> tuple[Lab, Expected]:
    g = lab("inotify-limit-one-node")
    since = g.ago(hours=3, minutes=27)
    promtail_msg = (
        'level=error ts=2025-06-16T02:59:02.481Z caller=main.go:170 msg="error creating promtail" '
        'error="failed to make file target manager: too many open files"'
    )
    g.daemonset(
        "monitoring.yaml",
        "monitoring",
        "promtail",
        created=plus(CLUSTER_BORN, days=11),
        nodes=["k3s-master1", "k3s1", "k3s2", "k3s3"],
        per_node={
            "k3s3": {
                "mode": "crash",
                "crash_since": since,
                "created": plus(since, minutes=-4),
                "crash": {"promtail": crash(g, promtail_msg, 41, ran=1)},
            }
        },
        helm=("promtail", "monitoring"),
        selector={"app.kubernetes.io/instance": "promtail", "app.kubernetes.io/name": "promtail"},
        sa="promtail",
        spec={
            "containers": [
                {
                    "name": "promtail",
                    "image": "docker.io/grafana/promtail:3.5.1",
                    "args": ["-config.file=/etc/promtail/promtail.yaml"],
                    "env": [
                        {
                            "name": "HOSTNAME",
                            "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}},
                        }
                    ],
                    "ports": [{"containerPort": 3101, "name": "http-metrics"}],
                    "terminationMessagePolicy": "FallbackToLogsOnError",
                    "volumeMounts": [
                        {"mountPath": "/var/log/pods", "name": "pods", "readOnly": True},
                        {"mountPath": "/run/promtail", "name": "run"},
                    ],
                }
            ],
            "volumes": [
                {"hostPath": {"path": "/var/log/pods", "type": ""}, "name": "pods"},
                {"hostPath": {"path": "/run/promtail", "type": ""}, "name": "run"},
            ],
        },
    )
    ptail = next(x for x in pods_of(g, "monitoring", "promtail-") if x["spec"]["nodeName"] == "k3s3")
    backoff_event(g, ptail, "promtail", 880, since)
    jf_msg = (
        "[02:58:51] [FTL] [1] Main: Error while starting server\nSystem.IO.IOException: The configured user limit "
        "(128) on the number of inotify instances has been reached, or the per-process limit on the number of open "
        "file descriptors has been reached.\n   at System.IO.FileSystemWatcher.StartRaisingEvents()"
    )
    dep = app(
        g,
        "jellyfin",
        "ghcr.io/jellyfin/jellyfin:10.10.7",
        8096,
        node="k3s3",
        pods=[
            {
                "node": "k3s3",
                "mode": "crash",
                "crash_since": plus(since, minutes=6),
                "created": plus(since, minutes=2),
                "crash": {"jellyfin": crash(g, jf_msg, 38, exit_code=134, ran=9)},
            }
        ],
        strategy={"type": "Recreate"},
    )
    jf = the_pod(g, "media", "jellyfin-")
    backoff_event(g, jf, "jellyfin", 790, plus(since, minutes=6))
    dp_msg = "2025/06/16 02:58:40 Starting FS watcher.\n2025/06/16 02:58:40 Error: failed to create FS watcher: too many open files"
    p.nvidia_device_plugin(
        g,
        "k3s3",
        {
            "mode": "crash",
            "crash_since": plus(since, minutes=1),
            "created": plus(since, minutes=-3),
            "crash": {"nvidia-device-plugin-ctr": crash(g, dp_msg, 40, ran=1)},
        },
    )
    dp = next(x for x in pods_of(g, "kube-system", "nvidia-device-plugin") if x["spec"]["nodeName"] == "k3s3")
    backoff_event(g, dp, "nvidia-device-plugin-ctr", 850, plus(since, minutes=1))
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "k3s3 (the big node that runs most pods) hit the kernel's default fs.inotify.max_user_instances of 128 after "
        "more workloads moved there: three unrelated programs on k3s3 die at start because they cannot create an "
        "inotify watcher - promtail ('too many open files'), Jellyfin (.NET 'user limit (128) on the number of inotify "
        "instances has been reached') and the NVIDIA device plugin ('failed to create FS watcher') - while the same "
        "promtail runs fine on the three other nodes. The node's sysctl is the cause, not the three workloads.",
        [
            "https://github.com/kubernetes/kops/pull/2913",
            "https://github.com/NVIDIA/gpu-operator/issues/441",
            "https://github.com/kairos-io/kairos/issues/2071",
        ],
        [
            cause(
                ref("Node", None, "k3s3"),
                "node",
                sym(ptail, "pod-crashloop"),
                sym(jf, "pod-crashloop"),
                sym(dp, "pod-crashloop"),
                sym(dep, "workload-replicas-unavailable"),
                route_down("media", "jellyfin"),
            )
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ storage
def longhorn_node_scheduling_disabled() -> tuple[Lab, Expected]:
    g = lab("longhorn-node-scheduling-disabled")
    lh_created = plus(CLUSTER_BORN, days=27, hours=-2, minutes=2)
    g.storageclass(
        "longhorn-nvme",
        "driver.longhorn.io",
        {
            "dataLocality": "best-effort",
            "diskSelector": "nvme",
            "fsType": "ext4",
            "nodeSelector": "storage",
            "numberOfReplicas": "1",
            "staleReplicaTimeout": "30",
        },
        created=plus(CLUSTER_BORN, days=27, minutes=10),
        ks="infrastructure",
    )
    for n in ("k3s1", "k3s2"):
        c.lh_node(g, n, created=lh_created)
    lhn = c.lh_node(
        g,
        "k3s3",
        created=lh_created,
        disks={
            "default-disk-9e41": ("/var/lib/longhorn/", 480_000_000_000),
            "nvme-disk-2c7a": ("/mnt/nvme/longhorn/", 1_920_000_000_000),
        },
        allow=False,
    )
    c.lh_node(g, "k3s-master1", created=lh_created)
    created = g.ago(hours=1, minutes=50)
    dep = g.app(
        "home",
        "frigate",
        "ghcr.io/blakeblackshear/frigate:0.15.1",
        5000,
        node="k3s3",
        created=created,
        ks="apps-home",
        pvc=("frigate-media", "200Gi", "longhorn-nvme"),
        pods=[{"node": "k3s3", "mode": "creating", "created": plus(created, seconds=40)}],
    )
    pvc = dep["_pvc"]
    vol = pvc["spec"]["volumeName"]
    pod = the_pod(g, "home", "frigate-")
    msg = "precheck new replica failed: nodes are unavailable"
    lhv = c.lh_volume(
        g,
        created=plus(created, seconds=2),
        name=vol,
        pvc=("home", "frigate-media"),
        size="200Gi",
        robustness="unknown",
        state="detached",
        replicas=1,
        node=None,
        sched_msg=msg,
        disk_selector=["nvme"],
    )
    lhv["spec"]["nodeSelector"] = ["storage"]
    lhv["status"]["currentNodeID"] = ""
    # longhorn-manager lists the pods that use the claim, attached or not
    lhv["status"]["kubernetesStatus"]["workloadsStatus"] = [
        {
            "podName": pod["metadata"]["name"],
            "podStatus": "Pending",
            "workloadName": dep["_rs"]["metadata"]["name"],
            "workloadType": "ReplicaSet",
        }
    ]
    g.cr(
        "longhorn.yaml",
        "longhorn.io/v1beta2",
        "Replica",
        f"{vol}-r-{g.hexs(8)}",
        "longhorn-system",
        created=plus(created, seconds=3),
        finalizers=["longhorn.io"],
        labels={"longhornvolume": vol},
        owner=lhv,
        spec={
            "active": True,
            "dataEngine": "v1",
            "desireState": "stopped",
            "diskID": "",
            "diskPath": "",
            "engineImage": "longhornio/longhorn-engine:v1.6.2",
            "engineName": f"{vol}-e-0",
            "failedAt": "",
            "hardNodeAffinity": "",
            "nodeID": "",
            "volumeName": vol,
            "volumeSize": lhv["spec"]["size"],
        },
        status={"currentState": "stopped", "ownerID": "", "started": False},
    )
    ev(
        g,
        lhv,
        "FailedScheduling",
        f"Failed to schedule replica {vol}: {msg}",
        first=plus(created, seconds=3),
        last=g.ago(minutes=2),
        count=212,
        component="longhorn-volume-controller",
        host="k3s2",
    )
    ev(
        g,
        pod,
        "FailedAttachVolume",
        f'AttachVolume.Attach failed for volume "{vol}" : rpc error: code = Aborted desc = volume {vol} is not ready '
        "for workloads",
        first=plus(created, minutes=1),
        last=g.ago(minutes=1),
        count=57,
        component="attachdetach-controller",
        host="",
    )
    ev(
        g,
        pod,
        "FailedMount",
        "Unable to attach or mount volumes: unmounted volumes=[config], unattached volumes=[config "
        f"kube-api-access-{g.sfx(5)}]: timed out waiting for the condition",
        first=plus(created, minutes=3),
        last=g.ago(minutes=3),
        count=49,
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "Scheduling was disabled on the Longhorn node k3s3 (Longhorn UI, 'Node scheduling: disable') to swap a disk last "
        "week and never re-enabled. k3s3 is the only node tagged 'storage' with an 'nvme' disk, so the new Frigate "
        "claim on StorageClass longhorn-nvme gets a volume whose single replica cannot be placed anywhere ('precheck "
        "new replica failed: nodes are unavailable'): the volume stays detached and the pod waits in ContainerCreating "
        "on 'not ready for workloads'. The Longhorn node's scheduling flag is the object to change.",
        [
            "https://github.com/longhorn/longhorn/issues/1360",
            "https://github.com/longhorn/longhorn/issues/1632",
        ],
        [
            cause(
                lhn,
                "storage",
                sym(lhn, "longhorn-node-unschedulable"),
                sym(lhv, "longhorn-volume-degraded"),
                sym(pod, "failed-mount-events", "pod-pending"),
                sym(dep, "workload-replicas-unavailable"),
                route_down("home", "frigate"),
            )
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ platform
def kustomization_immutable_selector() -> tuple[Lab, Expected]:
    g = lab("kustomization-immutable-selector")
    flux_base(g)
    at = g.ago(hours=5, minutes=2)
    sel = {
        "app.kubernetes.io/component": "server",
        "app.kubernetes.io/instance": "mealie",
        "app.kubernetes.io/name": "mealie",
    }
    why = (
        'Deployment/home/mealie dry-run failed (Invalid): Deployment.apps "mealie" is invalid: spec.selector: Invalid '
        "value: v1.LabelSelector{MatchLabels:map[string]string{"
        + ", ".join(f'"{k}":"{v}"' for k, v in sel.items())
        + "}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"
    )
    ks = kustomization_fails(
        g,
        "apps-home",
        "./clusters/k3s-home/apps/home",
        "ReconciliationFailed",
        why,
        created=plus(CLUSTER_BORN, minutes=44),
        at=at,
        last=g.ago(minutes=4),
        count=31,
    )
    ks2 = apps_automation_waits(
        g, at, created=plus(CLUSTER_BORN, minutes=46), last=g.ago(minutes=1), count=300
    )
    app(g, "mealie", "ghcr.io/mealie-recipes/mealie:v2.8.0", 9000, ns="home", node="k3s2")
    app(g, "miniflux", "ghcr.io/miniflux/miniflux:2.2.9", 8080, ns="home", node="k3s3")
    return g, expected(
        "A refactor of the mealie manifests added an app.kubernetes.io/component label to the Deployment's selector. "
        "A Deployment's selector is immutable, so the apps-home Kustomization fails its server-side dry-run ('spec."
        "selector ... field is immutable') and applies nothing for five hours; apps-automation, which dependsOn it, "
        "waits. Mealie keeps running the old revision. The failed Kustomization is the cause (revert the selector or "
        "recreate the Deployment).",
        [
            "https://github.com/fluxcd/flagger/issues/683",
            "https://github.com/prometheus-operator/prometheus-operator/issues/2919",
        ],
        [cause(ks, "platform", sym(ks, "flux-not-ready"), sym(ks2, "flux-not-ready"))],
        holdout=True,
    )


def clusterissuer_dns01_secret_missing() -> tuple[Lab, Expected]:
    g = lab("clusterissuer-dns01-secret-missing")
    flux_base(g, {"jetstack": "https://charts.jetstack.io"})
    p.cert_manager(g, http01_only=False)
    moved = g.ago(days=31, hours=4)
    gone = ("Secret", "cert-manager", "cloudflare-api-token")
    drop(g, lambda o: (o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]) == gone)
    g.secret(
        "cert-manager.yaml",
        "networking",
        "cloudflare-api-token",
        {"api-token": p.secret_text(21, 40)},
        created=moved,
        ks="infrastructure",
    )
    not_after = g.ago(days=-2, hours=-7)
    cert = wildcard_certificate(g, state="expiring", not_after=not_after)
    cert["status"]["failedIssuanceAttempts"] = 11
    f, ns = "cert-manager.yaml", "networking"
    reason = 'error getting cloudflare service account: secret "cloudflare-api-token" not found'
    started = g.ago(hours=3, minutes=8)
    cr = p.certificate_request(
        g,
        cert,
        12,
        "wildcard-fletcherlabs-x7k2p",
        created=started,
        ready=(
            "Pending",
            'Waiting on certificate issuance from order networking/wildcard-fletcherlabs-12-1902384467: "pending"',
            started,
        ),
        csr_fill="Q",
    )
    order = g.cr(
        f,
        "acme.cert-manager.io/v1",
        "Order",
        "wildcard-fletcherlabs-12-1902384467",
        ns,
        created=plus(started, seconds=1),
        owner=cr,
        spec={
            "dnsNames": [f"*.{DOMAIN}", DOMAIN],
            "issuerRef": {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": "letsencrypt-prod"},
            "request": cr["spec"]["request"],
        },
        status={
            "authorizations": [
                {
                    "challenges": [
                        {
                            "token": g.hexs(43),
                            "type": "dns-01",
                            "url": "https://acme-v02.api.letsencrypt.org/acme/chall/2184471406/51928374/aB3",
                        }
                    ],
                    "identifier": DOMAIN,
                    "initialState": "pending",
                    "url": "https://acme-v02.api.letsencrypt.org/acme/authz/2184471406/51928374",
                    "wildcard": True,
                }
            ],
            "finalizeURL": "https://acme-v02.api.letsencrypt.org/acme/finalize/2184471406/391827364",
            "state": "pending",
            "url": "https://acme-v02.api.letsencrypt.org/acme/order/2184471406/391827364",
        },
    )
    chal = g.cr(
        f,
        "acme.cert-manager.io/v1",
        "Challenge",
        "wildcard-fletcherlabs-12-1902384467-3377812964",
        ns,
        created=plus(started, seconds=3),
        owner=order,
        finalizers=["finalizer.acme.cert-manager.io"],
        spec={
            "authorizationURL": "https://acme-v02.api.letsencrypt.org/acme/authz/2184471406/51928374",
            "dnsName": DOMAIN,
            "issuerRef": {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": "letsencrypt-prod"},
            "key": g.hexs(43),
            "solver": {
                "dns01": {
                    "cloudflare": {"apiTokenSecretRef": {"key": "api-token", "name": "cloudflare-api-token"}}
                },
                "selector": {"dnsZones": [DOMAIN]},
            },
            "token": g.hexs(43),
            "type": "DNS-01",
            "url": "https://acme-v02.api.letsencrypt.org/acme/chall/2184471406/51928374/aB3",
            "wildcard": True,
        },
        status={"presented": False, "processing": True, "reason": reason, "state": "pending"},
    )
    ev(
        g,
        chal,
        "PresentError",
        f"Error presenting challenge: {reason}",
        first=plus(started, seconds=4),
        last=g.ago(minutes=6),
        count=44,
        component="cert-manager-challenges",
        host="",
    )
    p.gateway(g, https_ok=True, routes=2)
    s.media_app(g, "sonarr", "k3s2", 8989)
    issuer = ref("ClusterIssuer", None, "letsencrypt-prod")
    return g, expected(
        "A month ago a refactor moved the Cloudflare API token Secret from the cert-manager namespace to networking, next "
        "to the Gateway. The letsencrypt-prod ClusterIssuer's DNS-01 solver reads its apiTokenSecretRef from the "
        "cluster resource namespace (cert-manager), so every renewal of the wildcard certificate fails at 'error "
        'getting cloudflare service account: secret "cloudflare-api-token" not found\'. The issuer still says Ready '
        "(its ACME account is fine) and the certificate still serves, but it expires in two days. The ClusterIssuer, "
        "which holds the dangling reference, is the object to fix.",
        [
            "https://github.com/cert-manager/cert-manager/issues/263",
            "https://github.com/cert-manager/cert-manager/pull/1974",
        ],
        [cause(issuer, "platform", sym(cert, "certificate-expiring"))],
        holdout=True,
    )


def helmrelease_hook_job_failed() -> tuple[Lab, Expected]:
    g = lab("helmrelease-hook-job-failed")
    flux_base(g, {"mastodon": "https://charts.mastodon.social"})
    ns = "social"
    at = g.ago(hours=7, minutes=15)
    why = (
        f"Helm upgrade failed for release {ns}/mastodon with chart mastodon@6.5.1: pre-upgrade hooks failed: job "
        "failed: BackoffLimitExceeded"
    )
    hr = g.helm_release(
        "mastodon",
        ns,
        "mastodon",
        "6.5.1",
        "mastodon",
        created=plus(CLUSTER_BORN, days=9),
        ks="apps-social",
        at=at,
        revision=8,
        ready=("False", "UpgradeFailed", "Helm upgrade failed: upgrade retries exhausted"),
    )
    hr["status"]["conditions"].append(Lab.cond("Released", "False", "UpgradeFailed", why, at))
    ev(
        g,
        hr,
        "UpgradeFailed",
        why,
        first=plus(at, minutes=-16),
        last=at,
        count=4,
        component="helm-controller",
        host="",
    )
    image = "ghcr.io/mastodon/mastodon:v4.4.1"
    for comp, port in (("web", 3000), ("sidekiq", 0)):
        app(
            g,
            f"mastodon-{comp}",
            "ghcr.io/mastodon/mastodon:v4.3.8",
            port or 8080,
            ns=ns,
            node="k3s1" if comp == "web" else "k3s2",
            helm=("mastodon", ns),
            days=9,
            route=comp == "web",
            probe_path="/health" if comp == "web" else None,
        )
    jname = "mastodon-db-migrate"
    migrate = (
        "rake aborted!\nStandardError: An error has occurred, all later migrations canceled:\n\nPG::DuplicateColumn: "
        'ERROR:  column "indexable" of relation "accounts" already exists\n'
        "/opt/mastodon/db/migrate/20231009072346_add_indexable_to_accounts.rb:5:in `change'"
    )
    tpl = {
        "spec": {
            "containers": [
                {
                    "name": jname,
                    "image": image,
                    "command": ["bundle", "exec", "rake", "db:migrate"],
                    "envFrom": [{"secretRef": {"name": "mastodon-env"}}],
                }
            ],
            "restartPolicy": "Never",
        }
    }
    started = plus(at, minutes=-17)
    job = g.add(
        f"apps-{ns}.yaml",
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": g.meta(
                jname,
                ns,
                created=started,
                helm=("mastodon", ns),
                annotations={
                    "helm.sh/hook": "pre-upgrade",
                    "helm.sh/hook-delete-policy": "before-hook-creation",
                    "helm.sh/hook-weight": "-2",
                },
                labels={"batch.kubernetes.io/job-name": jname, "job-name": jname},
            ),
            "spec": job_spec(copy.deepcopy(tpl), 2),
            "status": {
                "conditions": job_conditions(plus(started, minutes=1), failed=True),
                "failed": 3,
                "ready": 0,
                "startTime": started,
                "terminating": 0,
                "uncountedTerminatedPods": {},
            },
        },
    )
    for i in range(3):
        t0 = plus(started, seconds=1 + 20 * i)
        job_pod(
            g,
            f"apps-{ns}.yaml",
            job,
            node="k3s1",
            created=t0,
            plan={"mode": "failed", "finished": plus(t0, seconds=14), "exit_code": 1, "message": migrate},
        )
    ev(
        g,
        job,
        "BackoffLimitExceeded",
        "Job has reached the specified backoff limit",
        first=plus(started, minutes=1),
        component="job-controller",
        host="",
    )
    return g, expected(
        "Renovate bumped the mastodon chart to 6.5.1 (Mastodon v4.4). Its pre-upgrade hook Job mastodon-db-migrate runs "
        "'rake db:migrate', which aborts on a migration half-applied by an earlier manual attempt "
        "('PG::DuplicateColumn ... already exists'); the Job hits its backoff limit and helm-controller reports 'pre-"
        "upgrade hooks failed: job failed: BackoffLimitExceeded' until retries are exhausted. The old release keeps "
        "serving. The HelmRelease, whose upgrade failed, is the cause; the hook Job is its symptom.",
        ["https://github.com/helm/helm/issues/10720", "https://github.com/fluxcd/helm-controller/issues/701"],
        [cause(hr, "platform", sym(hr, "flux-not-ready"), sym(job, "job-failed"))],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ workload
def podsecurity_blocks_hostnetwork() -> tuple[Lab, Expected]:
    g = lab("podsecurity-blocks-hostnetwork")
    at = g.ago(hours=2, minutes=13)
    g.namespace(
        "home",
        plus(CLUSTER_BORN, hours=1, minutes=4),
        ks="apps-home",
        labels={
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/enforce-version": "latest",
            "pod-security.kubernetes.io/warn": "restricted",
        },
    )
    sel = {"app.kubernetes.io/instance": "home-assistant", "app.kubernetes.io/name": "home-assistant"}
    dep = g.deployment(
        "apps-home.yaml",
        "home",
        "home-assistant",
        created=plus(CLUSTER_BORN, days=2),
        selector=sel,
        ks="apps-home",
        revision=6,
        strategy={"type": "Recreate"},
        spec={
            "containers": [
                {
                    "name": "home-assistant",
                    "image": "ghcr.io/home-assistant/home-assistant:2025.6.1",
                    "ports": [{"containerPort": 8123, "hostPort": 8123, "name": "http"}],
                    "securityContext": {"privileged": False},
                }
            ],
            "dnsPolicy": "ClusterFirstWithHostNet",
            "hostNetwork": True,
        },
        pods=[],
        replicas=1,
        rs_created=plus(at, seconds=-2),
    )
    g.service(
        "apps-home.yaml",
        "home",
        "home-assistant",
        selector=sel,
        created=plus(CLUSTER_BORN, days=2),
        ks="apps-home",
        ports=[{"name": "http", "port": 8123, "targetPort": "http"}],
    )
    g.http_route(
        "home",
        "home-assistant",
        f"hass.{DOMAIN}",
        "home-assistant",
        8123,
        created=plus(CLUSTER_BORN, days=2, seconds=3),
        ks="apps-home",
    )
    rs = dep["_rs"]
    msg = (
        f'Error creating: pods "{rs["metadata"]["name"]}-{g.sfx(5)}" is forbidden: violates PodSecurity '
        '"baseline:latest": host namespaces (hostNetwork=true), hostPort (container "home-assistant" uses hostPort '
        "8123)"
    )
    replica_failure(g, dep, msg, at, 31, last=g.ago(minutes=5))
    app(g, "miniflux", "ghcr.io/miniflux/miniflux:2.2.9", 8080, ns="home", node="k3s3")
    # a capture lists every Namespace
    used = {o["metadata"].get("namespace") for o in g.all_objects()} | {
        "default",
        "kube-public",
        "kube-node-lease",
    }
    for nsname in sorted(n for n in used if n and n != "home"):
        g.namespace(nsname, plus(CLUSTER_BORN, minutes=1))
    return g, expected(
        "A hardening commit labelled namespace home with pod-security.kubernetes.io/enforce=baseline. Pods already "
        "running were left alone, but Home Assistant (hostNetwork for mDNS discovery, Recreate strategy) was updated "
        "by Renovate two hours later: the old pod was deleted and the ReplicaSet cannot create the new one ('violates "
        'PodSecurity "baseline:latest": host namespaces (hostNetwork=true)\'). Nothing crashes, no pod exists. Like a '
        "quota, the namespace's admission policy is what blocks the workload: the Namespace label is the object to "
        "change (privileged for home, or move Home Assistant to its own namespace).",
        [
            "https://github.com/open-policy-agent/gatekeeper/issues/2633",
            "https://github.com/kubernetes/kubernetes/issues/109096",
        ],
        [
            cause(
                ref("Namespace", None, "home"),
                "workload",
                sym(dep, "workload-replicas-unavailable"),
                route_down("home", "home-assistant"),
            )
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ backup
def velero_bsl_wrong_region() -> tuple[Lab, Expected]:
    g = lab("velero-bsl-wrong-region")
    bsl = velero_b2_unavailable(
        g,
        failed_nights=3,
        message='BackupStorageLocation "b2" is unavailable: rpc error: code = Unknown desc = operation error S3: '
        "ListObjectsV2, https response error StatusCode: 400, RequestID: 9c1f3a7e2b4d5e60, HostID: "
        "aM2Y0ZTk4NjE3ZWQ=, api error AuthorizationHeaderMalformed: The authorization header is malformed; the "
        "region 'us-west-004' is wrong; expecting 'eu-central-003'",
        validated=g.ago(seconds=41),
    )
    bsl["spec"]["config"]["s3Url"] = "https://s3.eu-central-003.backblazeb2.com"
    bsl["spec"]["objectStorage"]["bucket"] = "fletcherlabs-velero-eu"
    bsl["metadata"]["generation"] = 2
    return g, expected(
        "The offsite bucket was recreated in a new Backblaze account in eu-central-003; the b2 location's s3Url and "
        "bucket were updated but its config.region was left at us-west-004. Every request is signed for the wrong "
        "region and refused ('AuthorizationHeaderMalformed ... the region 'us-west-004' is wrong; expecting "
        "'eu-central-003''), so Velero marks b2 Unavailable and the daily-critical schedule has failed validation "
        "three nights in a row. Backblaze answers fine: the location's configuration is the cause.",
        [
            "https://github.com/velero-io/velero/issues/5511",
            "https://github.com/velero-io/velero/issues/8295",
        ],
        [
            cause(
                bsl,
                "backup",
                sym(bsl, "velero-bsl-unavailable"),
                sym(ref("Schedule", "velero", "daily-critical"), "velero-backup-failed-or-stale"),
            )
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ double incidents
def double_pv_claimref_and_metrics_server() -> tuple[Lab, Expected]:
    g = lab("double-pv-claimref-and-metrics-server")
    # incident 1: a static NFS volume still bound (claimRef.uid) to the claim deleted with the old namespace
    recreated = g.ago(hours=4, minutes=22)
    pv_name = "jellyfin-media"
    old_uid = g.uid()
    pv = g.add(
        "storage.yaml",
        {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": g.meta(
                pv_name,
                created=plus(CLUSTER_BORN, days=4),
                ks="infrastructure",
                finalizers=["kubernetes.io/pv-protection"],
                annotations={"pv.kubernetes.io/bound-by-controller": "yes"},
            ),
            "spec": {
                "accessModes": ["ReadWriteMany"],
                "capacity": {"storage": "8Ti"},
                "claimRef": {
                    "apiVersion": "v1",
                    "kind": "PersistentVolumeClaim",
                    "name": "jellyfin-media",
                    "namespace": "media",
                    "resourceVersion": "1184215",
                    "uid": old_uid,
                },
                "mountOptions": ["nfsvers=4.1", "hard", "noatime"],
                "nfs": {"path": "/mnt/rust/media", "server": "192.168.10.100"},
                "persistentVolumeReclaimPolicy": "Retain",
                "storageClassName": "",
                "volumeMode": "Filesystem",
            },
            "status": {"lastPhaseTransitionTime": plus(recreated, minutes=-3), "phase": "Released"},
        },
    )
    pvc = g.pvc(
        "apps-media.yaml",
        "media",
        "jellyfin-media",
        size="8Ti",
        sc="",
        created=recreated,
        provisioner="",
        access="ReadWriteMany",
        ks="apps-media",
        phase="Pending",
    )
    pvc["metadata"].pop("annotations", None)
    pvc["spec"]["volumeName"] = pv_name
    ev(
        g,
        pvc,
        "FailedBinding",
        f'volume "{pv_name}" already bound to a different claim.',
        first=recreated,
        last=g.ago(seconds=20),
        count=1046,
        component="persistentvolume-controller",
        host="",
    )
    unsched = (
        "0/4 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/4 nodes are "
        "available: 4 Preemption is not helpful for scheduling."
    )
    dep = app(
        g,
        "jellyfin",
        "ghcr.io/jellyfin/jellyfin:10.10.7",
        8096,
        node="k3s3",
        strategy={"type": "Recreate"},
        extra_volumes=[
            (
                {"mountPath": "/media", "name": "media", "readOnly": True},
                {"name": "media", "persistentVolumeClaim": {"claimName": "jellyfin-media"}},
            )
        ],
        pods=[
            {
                "mode": "unschedulable",
                "unsched_msg": unsched,
                "unsched_since": plus(recreated, seconds=40),
                "created": plus(recreated, seconds=40),
            }
        ],
    )
    pod = the_pod(g, "media", "jellyfin-")
    ev(
        g,
        pod,
        "FailedScheduling",
        unsched,
        first=plus(recreated, seconds=40),
        last=g.ago(minutes=4),
        count=58,
        component="default-scheduler",
        host="",
    )
    workload_down(dep, plus(recreated, seconds=40))
    # incident 2: metrics-server never becomes Ready (it cannot scrape any kubelet)
    ms = find(g, "Deployment", "metrics-server", "kube-system")
    ms_pod = the_pod(g, "kube-system", "metrics-server-")
    broke = g.ago(days=2, hours=5)
    unready(ms_pod, ["metrics-server"], broke)
    ms_pod["status"]["containerStatuses"][0]["ready"] = False
    ev(
        g,
        ms_pod,
        "Unhealthy",
        "Readiness probe failed: HTTP probe failed with statuscode: 500",
        first=broke,
        last=g.ago(seconds=9),
        count=16804,
        container="metrics-server",
    )
    workload_down(ms, broke)
    for key in ("readyReplicas", "availableReplicas"):
        ms["_rs"]["status"].pop(key, None)
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "Two unrelated incidents. The media namespace was deleted and recreated from Git during a reorganisation; the "
        "static NFS volume jellyfin-media (Retain) went Released but still carries the old claim's uid in its claimRef, "
        'so the recreated claim that names it stays Pending (\'volume "jellyfin-media" already bound to a different '
        "claim') and Jellyfin cannot be scheduled: the PersistentVolume is the object to fix (clear claimRef.uid). "
        "Separately, for two days metrics-server has not been Ready - it cannot scrape the kubelets ('x509: cannot "
        "validate certificate for 192.168.10.31 because it doesn't contain any IP SANs'), so kubectl top and HPAs have "
        "no metrics: its Deployment is the second cause, ranked after the user-facing outage.",
        [
            "https://github.com/kubernetes-csi/csi-driver-smb/issues/821",
            "https://github.com/kubernetes/kubernetes/issues/91847",
            "https://github.com/kubernetes-sigs/metrics-server/issues/196",
        ],
        [
            cause(
                pv,
                "storage",
                sym(pvc, "pvc-not-bound"),
                sym(pod, "pod-pending"),
                sym(dep, "workload-replicas-unavailable"),
                route_down("media", "jellyfin"),
            ),
            cause(ms, "workload", sym(ms, "workload-replicas-unavailable")),
        ],
        holdout=True,
    )


def _job_name(cj: str, scheduled: str) -> str:
    return f"{cj}-{int(parse(scheduled).timestamp()) // 60}"


def double_cronjob_sa_and_route_hostname() -> tuple[Lab, Expected]:
    g = lab("double-cronjob-sa-and-route-hostname")
    p.cert_manager(
        g, http01_only=False
    )  # the wildcard below is issued over DNS-01, as in the healthy cluster
    wildcard_certificate(g, not_after=g.ago(days=-61))
    p.gateway(g, https_ok=True, routes=3)
    # incident 1: a new HTTPRoute whose hostname no listener accepts (typo in the domain)
    created = g.ago(hours=1, minutes=30)
    app(g, "wikijs", "ghcr.io/requarks/wiki:2.5.307", 3000, ns="home", node="k3s1", route=False)
    route = g.http_route(
        "home",
        "wikijs",
        "wiki.fletcherlab.net",
        "wikijs",
        3000,
        created=created,
        ks="apps-home",
        resolved=("True", "ResolvedRefs", "Service reference is valid"),
    )
    route_refused(route, "NoMatchingListenerHostname", "No matching listener hostname")
    # incident 2: the backup CronJob's ServiceAccount was removed by a chart values change
    f, ns, name = "apps-home.yaml", "home", "paperless-backup"
    tpl = restic_backup_template(
        "paperless",
        "/data",
        {"name": "data", "persistentVolumeClaim": {"claimName": "paperless-data"}},
        restart="OnFailure",
        sa=name,
    )
    cj = cronjob_object(
        g,
        f,
        ns,
        name,
        {"backoffLimit": 2, "template": tpl},
        created=plus(CLUSTER_BORN, days=5),
        ks="apps-home",
        generation=3,
        schedule="0 2 * * *",
        concurrency="Allow",
        status={
            "lastScheduleTime": "2025-06-16T02:00:00Z",
            "lastSuccessfulTime": "2025-06-13T02:01:47Z",
        },
    )
    active = []
    for day in ("2025-06-14", "2025-06-15", "2025-06-16"):
        at = f"{day}T02:00:00Z"
        jname = _job_name(name, at)
        job = cronjob_run(
            g,
            f,
            cj,
            jname,
            created=plus(at, seconds=1),
            spec=job_spec(copy.deepcopy(tpl), 2),
            status={
                "ready": 0,
                "startTime": plus(at, seconds=1),
                "terminating": 0,
                "uncountedTerminatedPods": {},
            },
        )
        ev(
            g,
            job,
            "FailedCreate",
            f'Error creating: pods "{jname}-" is forbidden: error looking up service account {ns}/{name}: '
            f'serviceaccount "{name}" not found',
            first=plus(at, seconds=1),
            last=g.ago(minutes=2),
            count=int((parse(NOW) - parse(at)).total_seconds() // 600) + 5,
            component="job-controller",
            host="",
        )
        active.append(
            {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "name": jname,
                "namespace": ns,
                "resourceVersion": job["metadata"]["resourceVersion"],
                "uid": job["metadata"]["uid"],
            }
        )
    cj["status"]["active"] = active
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "Two unrelated incidents. A new HTTPRoute for Wiki.js names wiki.fletcherlab.net (a typo: the domain is "
        "fletcherlabs.net); the Gateway's https listener only takes *.fletcherlabs.net, so the route is not accepted "
        "(NoMatchingListenerHostname) and the wiki is unreachable: the HTTPRoute is that cause. Separately, a values "
        "change set serviceAccount.create=false for the paperless backup, deleting the ServiceAccount its CronJob still "
        "names: each night's Job cannot create its pod ('error looking up service account home/paperless-backup') and "
        "hangs with no pod, so Paperless has had no backup for three days: the CronJob holding the reference is the "
        "second cause, ranked after the user-facing route.",
        [
            "https://github.com/kubernetes-sigs/gateway-api/issues/1561",
            "https://github.com/kubernetes/kubernetes/issues/100726",
            "https://github.com/stakater/application/pull/320",
        ],
        [
            cause(route, "platform", sym(route, "httproute-not-accepted")),
            cause(cj, "workload", sym(cj, "job-failed")),
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ healthy
def healthy_mid_rollout_noisy() -> tuple[Lab, Expected]:
    g = lab("healthy-mid-rollout-noisy")
    flux_base(
        g, {"bjw-s": "https://bjw-s-labs.github.io/helm-charts", "jetstack": "https://charts.jetstack.io"}
    )
    p.cert_manager(g, http01_only=False)
    p.gateway(g, https_ok=True, routes=3)
    merged = g.ago(minutes=2, seconds=10)
    # the Kustomization applying Renovate's merge right now
    ks = apps_kustomization(
        g,
        "media",
        created=plus(CLUSTER_BORN, days=3),
        applied=plus(merged, seconds=50),
        ready=("Unknown", "Progressing", "Reconciliation in progress"),
        last_applied=p.GIT_REV_OLD,
    )
    ks["status"]["conditions"].append(
        Lab.cond(
            "Reconciling",
            "True",
            "Progressing",
            f"Running health checks for revision 'main@sha1:{p.GIT_REV}' with a timeout of 5m0s",
            plus(merged, seconds=50),
        )
    )
    # a HelmRelease upgrading this minute: its release Secret is legitimately pending-upgrade
    hr = g.helm_release(
        "homepage",
        "home",
        "app-template",
        "4.1.2",
        "bjw-s",
        created=plus(CLUSTER_BORN, days=6),
        ks="apps-home",
        revision=5,
        at=plus(merged, seconds=55),
        ready=("Unknown", "Progressing", "Running 'upgrade' action with timeout of 5m0s"),
    )
    hr["status"]["conditions"].append(
        Lab.cond(
            "Reconciling",
            "True",
            "Progressing",
            "Running 'upgrade' action with timeout of 5m0s",
            plus(merged, seconds=55),
        )
    )
    for ver, status, when in (
        (4, "deployed", g.ago(days=8)),
        (5, "pending-upgrade", plus(merged, seconds=56)),
    ):
        g.add(
            "flux.yaml",
            {
                "apiVersion": "v1",
                "data": {"release": b64("H4sIAAAAAAAC/+y9a3PbOJYw/F" + g.hexs(40))},
                "kind": "Secret",
                "metadata": g.meta(
                    f"sh.helm.release.v1.homepage.v{ver}",
                    "home",
                    created=when,
                    labels={
                        "modifiedAt": "1750042751",
                        "name": "homepage",
                        "owner": "helm",
                        "status": status,
                        "version": str(ver),
                    },
                ),
                "type": "helm.sh/release.v1",
            },
        )
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
    # a RollingUpdate in flight: the new pod is pulling its image, the old one still serves
    dep = app(g, "bazarr", "lscr.io/linuxserver/bazarr:1.5.2", 6767, node="k3s2", replicas=1)
    old_rs = dep["_rs"]
    new_hash = g.sfx(10)
    new_rs = copy.deepcopy(old_rs)
    new_rs["metadata"].update(
        {
            "name": f"bazarr-{new_hash}",
            "uid": g.uid(),
            "resourceVersion": g.rv(),
            "creationTimestamp": plus(merged, seconds=52),
            "labels": {**old_rs["metadata"]["labels"], "pod-template-hash": new_hash},
        }
    )
    new_rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = "2"
    new_rs["spec"]["selector"]["matchLabels"]["pod-template-hash"] = new_hash
    new_rs["spec"]["template"]["metadata"]["labels"]["pod-template-hash"] = new_hash
    new_image = "lscr.io/linuxserver/bazarr:1.5.3"
    new_rs["spec"]["template"]["spec"]["containers"][0]["image"] = new_image
    new_rs["status"] = {"fullyLabeledReplicas": 1, "observedGeneration": 1, "replicas": 1}
    g.add("apps-media.yaml", new_rs)
    dep["spec"]["template"]["spec"]["containers"][0]["image"] = new_image
    dep["metadata"]["generation"] = 2
    dep["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = "2"
    old_rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] = "1"
    new_pod = g.pod(
        "apps-media.yaml",
        name=f"bazarr-{new_hash}-{g.sfx(5)}",
        ns="media",
        node="k3s3",
        labels=new_rs["spec"]["template"]["metadata"]["labels"],
        spec=new_rs["spec"]["template"]["spec"],
        owner=new_rs,
        created=plus(merged, seconds=53),
        plan={"mode": "creating"},
        generate_name=f"bazarr-{new_hash}-",
    )
    ev(
        g,
        new_pod,
        "Scheduled",
        f"Successfully assigned media/{new_pod['metadata']['name']} to k3s3",
        first=plus(merged, seconds=53),
        component="default-scheduler",
        host="",
        type_="Normal",
    )
    ev(
        g,
        new_pod,
        "Pulling",
        f'Pulling image "{new_image}"',
        first=plus(merged, seconds=55),
        type_="Normal",
        container="bazarr",
    )
    dep["status"].update(
        {
            "observedGeneration": 2,
            "replicas": 2,
            "unavailableReplicas": 1,
            "updatedReplicas": 1,
        }
    )
    dep["status"]["conditions"][1] = {
        "lastTransitionTime": dep["status"]["conditions"][1]["lastTransitionTime"],
        "lastUpdateTime": plus(merged, seconds=53),
        "message": f'ReplicaSet "bazarr-{new_hash}" is progressing.',
        "reason": "ReplicaSetUpdated",
        "status": "True",
        "type": "Progressing",
    }
    # a certificate renewing on schedule (renewal due three minutes ago, order in flight)
    cert = wildcard_certificate(g, not_after=plus(g.ago(minutes=3), days=30))
    cert["status"]["conditions"].append(
        Lab.cond(
            "Issuing",
            "True",
            "Renewing",
            "Renewing certificate as renewal was scheduled at "
            + cert["status"]["renewalTime"].replace("T", " ").replace("Z", " +0000 UTC"),
            cert["status"]["renewalTime"],
        )
    )
    # Longhorn rebuilding a replica after k3s2's kernel-update reboot twenty minutes ago
    for n in ("k3s1", "k3s2", "k3s3"):
        c.lh_node(g, n, created=plus(CLUSTER_BORN, days=27, hours=-2, minutes=2))
    sonarr = s.media_app(g, "sonarr", "k3s1", 8989)
    vol = sonarr["_pvc"]["spec"]["volumeName"]
    lhv = c.lh_volume(
        g,
        created=sonarr["_pvc"]["metadata"]["creationTimestamp"],
        name=vol,
        pvc=("media", "sonarr-config"),
        size="5Gi",
        robustness="degraded",
        replicas=2,
        node="k3s1",
        pods=[the_pod(g, "media", "sonarr-")["metadata"]["name"]],
    )
    ev(
        g,
        lhv,
        "Degraded",
        f"volume {vol} became degraded",
        first=g.ago(minutes=19),
        component="longhorn-volume-controller",
        host="k3s1",
    )
    ev(
        g,
        lhv,
        "Rebuilding",
        f"Start rebuilding replica {vol}-r-{g.hexs(8)} with Address 10.42.2.{g.rng.randint(10, 200)}:10000 for normal engine",
        first=g.ago(minutes=4),
        component="longhorn-engine-controller",
        host="k3s1",
        type_="Normal",
    )
    g.event(
        EV,
        g.nodes["k3s2"],
        reason="Rebooted",
        message="Node k3s2 has been rebooted, boot id: " + g.uid(),
        type_="Warning",
        first=g.ago(minutes=21),
        last=g.ago(minutes=21),
        component="kubelet",
        host="k3s2",
    )
    return g, expected(
        "A healthy cluster caught in the middle of a routine Renovate merge: the apps-media Kustomization is "
        "'Reconciliation in progress', the homepage HelmRelease is 'Running upgrade' with its Helm release Secret "
        "pending-upgrade for the last minute, Bazarr's rolling update has a new pod pulling its image while the old "
        "one serves, the wildcard certificate is renewing on schedule, and Longhorn is rebuilding a replica after "
        "k3s2's planned reboot. Everything is transient and progressing: no critical root cause and no critical "
        "finding are expected.",
        [
            "https://github.com/fluxcd/helm-controller/issues/890",
            "https://github.com/fluxcd/helm-controller/issues/1320",
        ],
        [],
        holdout=True,
    )


SCENARIOS: dict[str, Callable[[], tuple[Lab, Expected]]] = {
    "cilium-ipam-exhausted-one-node": cilium_ipam_exhausted_one_node,
    "upstream-dns-resolver-down": upstream_dns_resolver_down,
    "inotify-limit-one-node": inotify_limit_one_node,
    "longhorn-node-scheduling-disabled": longhorn_node_scheduling_disabled,
    "kustomization-immutable-selector": kustomization_immutable_selector,
    "clusterissuer-dns01-secret-missing": clusterissuer_dns01_secret_missing,
    "helmrelease-hook-job-failed": helmrelease_hook_job_failed,
    "podsecurity-blocks-hostnetwork": podsecurity_blocks_hostnetwork,
    "velero-bsl-wrong-region": velero_bsl_wrong_region,
    "double-pv-claimref-and-metrics-server": double_pv_claimref_and_metrics_server,
    "double-cronjob-sa-and-route-hostname": double_cronjob_sa_and_route_hostname,
    "healthy-mid-rollout-noisy": healthy_mid_rollout_noisy,
}
