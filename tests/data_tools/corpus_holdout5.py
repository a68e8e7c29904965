"""The fifth holdout set of the scenario corpus: ten incidents of types no earlier scenario has (an egress default-deny
that also cuts DNS, PID exhaustion, a crashing local-path provisioner, Helm ownership conflicts, a Certificate naming an
issuer that does not exist, a Traefik Ingress whose TLS Secret lives in another namespace, a node drain held by a
PodDisruptionBudget, a node without the NFS client for Longhorn RWX volumes, a double incident and a cluster just back
from a node reboot). Each expectation was written from the incident before anything diagnosed its snapshot; the set is
run once, untuned, for the generalisation figure. Same 4-node K3s homelab and builders as ``corpus.py``.

Run from the repository root: ``python tests/data_tools/corpus.py [name ...]`` (these are registered there).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import platform_parts as p
from corpus import (
    EV,
    Expected,
    app,
    apps_kustomization,
    backoff_event,
    cause,
    crash,
    crashify,
    ev,
    evicted,
    expected,
    find,
    flux_base,
    ingress,
    lab,
    node_event,
    pressure,
    ref,
    replica_failure,
    restarted,
    route_down,
    sym,
    the_pod,
    unready,
    volume_binding_times_out,
    waits_for_provisioner,
    workload_down,
)
from homelab import CLUSTER_BORN, Lab
from k8sgen import plus

import scenarios as s

NOW = s.NOW


# ------------------------------------------------------------------------------------------ network
def networkpolicy_egress_blocks_dns() -> tuple[Lab, Expected]:
    g = lab("networkpolicy-egress-blocks-dns")
    applied = g.ago(hours=1, minutes=48)
    netpol = g.cr(
        "apps-home.yaml",
        "networking.k8s.io/v1",
        "NetworkPolicy",
        "default-deny",
        "home",
        created=applied,
        ks="apps-home",
        spec={
            "egress": [{"to": [{"podSelector": {}}]}],
            "ingress": [
                {"from": [{"podSelector": {}}]},
                {
                    "from": [
                        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "networking"}}}
                    ]
                },
            ],
            "podSelector": {},
            "policyTypes": ["Ingress", "Egress"],
        },
    )
    app(
        g,
        "postgres",
        "docker.io/library/postgres:16.9",
        5432,
        ns="home",
        node="k3s1",
        route=False,
        probe_path=None,
        pvc=("postgres-data", "20Gi", "longhorn"),
    )
    host = "postgres.home.svc.cluster.local"
    msgs = {
        "paperless-ngx": (
            "ghcr.io/paperless-ngx/paperless-ngx:2.16.3",
            8000,
            "k3s2",
            f'django.db.utils.OperationalError: could not translate host name "{host}" to address: Temporary failure '
            "in name resolution",
        ),
        "mealie": (
            "ghcr.io/mealie-recipes/mealie:v2.8.0",
            9000,
            "k3s3",
            f'sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) could not translate host name "{host}" to '
            "address: Temporary failure in name resolution",
        ),
    }
    deps: list[dict[str, Any]] = []
    pods: list[dict[str, Any]] = []
    for i, (name, (image, port, node, msg)) in enumerate(msgs.items()):
        since = plus(applied, minutes=3 + i * 4)
        deps.append(
            app(
                g,
                name,
                image,
                port,
                ns="home",
                node=node,
                pods=[
                    {
                        "node": node,
                        "mode": "crash",
                        "crash_since": since,
                        "created": plus(CLUSTER_BORN, days=20 + i),
                        "crash": {name: crash(g, msg, 21 - i * 3, ran=6)},
                    }
                ],
            )
        )
        pods.append(the_pod(g, "home", f"{name}-"))
        backoff_event(g, pods[-1], name, 88 - i * 9, since)
        workload_down(deps[-1], plus(since, seconds=40))
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "A 'default-deny' NetworkPolicy copied from a hardening guide was applied to the home namespace: it allows "
        "ingress from the namespace and from the Gateway, and egress only to pods of the same namespace - nothing to "
        "kube-dns in kube-system on port 53. CoreDNS is healthy and Postgres is Ready in the same namespace, yet "
        'Paperless-ngx and Mealie crash on start with \'could not translate host name "postgres.home.svc.cluster.local" '
        "to address: Temporary failure in name resolution'. The policy that isolates their egress is the cause.",
        [
            "https://github.com/kubernetes/website/issues/38267",
            "https://github.com/aws/aws-network-policy-agent/issues/230",
        ],
        [
            cause(
                netpol,
                "network",
                *(sym(pod, "pod-crashloop") for pod in pods),
                *(sym(d, "workload-replicas-unavailable") for d in deps),
                route_down("home", "paperless-ngx", "mealie"),
            )
        ],
        holdout=True,
    )


def traefik_ingress_tls_secret_elsewhere() -> tuple[Lab, Expected]:
    g = lab("traefik-ingress-tls-secret-elsewhere", traefik=True)
    g.secret(
        "cert-manager.yaml",
        "kube-system",
        "wildcard-home-arpa-tls",
        {
            "tls.crt": "-----BEGIN CERTIFICATE-----\nMIIB" + "Q" * 60 + "\n-----END CERTIFICATE-----\n",
            "tls.key": "-----BEGIN EC PRIVATE KEY-----\n" + "M" * 64 + "\n-----END EC PRIVATE KEY-----\n",
        },
        created=plus(CLUSTER_BORN, days=6),
        type_="kubernetes.io/tls",
        ks="infrastructure",
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
    ing = ingress(
        g,
        "cloud",
        "nextcloud",
        "cloud.home.arpa",
        80,
        created=g.ago(hours=3, minutes=5),
        ks="apps-cloud",
        tls_secret="wildcard-home-arpa-tls",
        annotations={
            "traefik.ingress.kubernetes.io/router.entrypoints": "websecure",
            "traefik.ingress.kubernetes.io/router.tls": "true",
        },
        typed=True,
    )
    # the one that works: its Secret is in its own namespace
    app(
        g,
        "grafana",
        "docker.io/grafana/grafana:12.0.2",
        3000,
        ns="monitoring",
        node="k3s2",
        route=False,
        probe_path="/api/health",
    )
    g.secret(
        "apps-monitoring.yaml",
        "monitoring",
        "grafana-home-arpa-tls",
        {
            "tls.crt": "-----BEGIN CERTIFICATE-----\nMIIB" + "R" * 60 + "\n-----END CERTIFICATE-----\n",
            "tls.key": "-----BEGIN EC PRIVATE KEY-----\n" + "N" * 64 + "\n-----END EC PRIVATE KEY-----\n",
        },
        created=plus(CLUSTER_BORN, days=8),
        type_="kubernetes.io/tls",
        ks="apps-monitoring",
    )
    ingress(
        g,
        "monitoring",
        "grafana",
        "grafana.home.arpa",
        3000,
        created=plus(CLUSTER_BORN, days=8),
        ks="apps-monitoring",
        tls_secret="grafana-home-arpa-tls",
        annotations={
            "traefik.ingress.kubernetes.io/router.entrypoints": "websecure",
            "traefik.ingress.kubernetes.io/router.tls": "true",
        },
        typed=True,
    )
    return g, expected(
        "Nextcloud moved behind the K3s Traefik with an Ingress whose tls section names 'wildcard-home-arpa-tls'. That "
        "Secret exists, but in kube-system; an Ingress can only use a Secret of its own namespace, so Traefik logs "
        "'Error configuring TLS for ingress cloud/nextcloud: secret cloud/wildcard-home-arpa-tls does not exist' and "
        "serves its self-signed TRAEFIK DEFAULT CERT for cloud.home.arpa: browsers and the Nextcloud clients refuse "
        "the connection although the pod, Service and endpoints are fine (Grafana's Ingress, whose Secret is in "
        "monitoring, works). The Ingress with the unresolvable reference is the object to change.",
        ["https://github.com/traefik/traefik/issues/4280", "https://github.com/traefik/traefik/issues/5052"],
        [cause(ing, "network")],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ node
def node_pid_pressure() -> tuple[Lab, Expected]:
    g = lab("node-pid-pressure")
    since = g.ago(hours=1, minutes=16)
    node = pressure(g, "k3s2", "PID", since)
    # the leak: changedetection's Playwright browser never reaps its Chromium children
    app(
        g,
        "changedetection",
        "ghcr.io/dgtlmoon/changedetection.io:0.50.4",
        5000,
        ns="home",
        node="k3s2",
        pods=[{"node": "k3s2", "created": g.ago(days=6, hours=2)}],
    )
    pl = app(
        g,
        "paperless-ngx",
        "ghcr.io/paperless-ngx/paperless-ngx:2.16.3",
        8000,
        ns="home",
        node="k3s2",
        pods=[
            {
                "node": "k3s2",
                "mode": "crash",
                "crash_since": plus(since, minutes=4),
                "created": g.ago(days=2, hours=5),
                "crash": {
                    "paperless-ngx": crash(
                        g,
                        "[celery] RuntimeError: can't start new thread\n"
                        "/sbin/docker-prune: fork: retry: Resource temporarily unavailable",
                        17,
                        ran=20,
                    )
                },
            }
        ],
    )
    ppod = the_pod(g, "home", "paperless-ngx-")
    backoff_event(g, ppod, "paperless-ngx", 61, plus(since, minutes=4))
    workload_down(pl, plus(since, minutes=4, seconds=30))
    # the kubelet evicted the lowest-priority pod it could; the ReplicaSet's replacement runs on k3s1
    sonarr = s.media_app(
        g,
        "sonarr",
        "k3s1",
        8989,
        pods=[
            {"node": "k3s2", "created": g.ago(days=4), "mode": "failed", "finished": plus(since, minutes=2)},
            {"node": "k3s1", "created": plus(since, minutes=2, seconds=1)},
        ],
        replicas=1,
    )
    old = next(x for x in s.pods_of(g, "media", "sonarr-") if x["spec"]["nodeName"] == "k3s2")
    # an evicted (Failed) pod is not an active replica
    sonarr["status"].update({"replicas": 1, "updatedReplicas": 1})
    sonarr["_rs"]["status"].update({"fullyLabeledReplicas": 1, "replicas": 1})
    msg = "The node was low on resource: pids. Threshold quantity: 3276, available: 2871. "
    evicted(old, msg, plus(since, minutes=2))
    ev(g, old, "Evicted", msg, first=plus(since, minutes=2), component="kubelet")
    node_event(
        g,
        "k3s2",
        "EvictionThresholdMet",
        "Attempting to reclaim pids",
        first=plus(since, minutes=1),
        last=g.ago(minutes=4),
        count=14,
    )
    return g, expected(
        "k3s2's processes are exhausted: changedetection.io's Playwright browser leaks Chromium child processes (no "
        "podPidsLimit is set on this K3s node), the kubelet reports PIDPressure and evicts what it can ('The node was "
        "low on resource: pids'), Sonarr moved to k3s1, and Paperless-ngx on k3s2 crash-loops on 'can't start new "
        "thread' / 'fork: retry: Resource temporarily unavailable'. The node under PID pressure is the cause.",
        [
            "https://github.com/kubernetes/kubernetes/issues/54313",
            "https://github.com/kubernetes/kubernetes/pull/72844",
        ],
        [
            cause(
                node,
                "node",
                sym(ppod, "pod-crashloop"),
                sym(pl, "workload-replicas-unavailable"),
                route_down("home", "paperless-ngx"),
            )
        ],
        holdout=True,
    )


def longhorn_rwx_nfs_client_missing() -> tuple[Lab, Expected]:
    g = lab("longhorn-rwx-nfs-client-missing")
    since = g.ago(hours=2, minutes=33)
    deps: list[dict[str, Any]] = []
    pods: list[dict[str, Any]] = []
    share_ip = "10.43.188.41"
    for i, (name, node, mode) in enumerate(
        (("sabnzbd", "k3s3", "creating"), ("bazarr", "k3s3", "creating"), ("radarr", "k3s1", "running"))
    ):
        dep = s.media_app(
            g,
            name,
            node,
            {"sabnzbd": 8080, "bazarr": 6767, "radarr": 7878}[name],
            pods=[{"node": node, "mode": mode, "created": plus(since, minutes=i * 7)}],
            strategy={"type": "Recreate"},
        )
        claim = dep["_pvc"]
        claim["spec"]["accessModes"] = ["ReadWriteMany"]
        claim["status"]["accessModes"] = ["ReadWriteMany"]
        find(g, "PersistentVolume", claim["spec"]["volumeName"])["spec"]["accessModes"] = ["ReadWriteMany"]
        if mode != "creating":
            continue
        pod = the_pod(g, "media", f"{name}-")
        vol = claim["spec"]["volumeName"]
        mnt = f"/var/lib/kubelet/plugins/kubernetes.io/csi/driver.longhorn.io/{g.hexs(64)}/globalmount"
        ev(
            g,
            pod,
            "FailedMount",
            f'MountVolume.MountDevice failed for volume "{vol}" : rpc error: code = Internal desc = mount failed: exit '
            f"status 32\nMounting command: /usr/local/sbin/nsmounter\nMounting arguments: mount -t nfs -o "
            f"vers=4.1,noresvport,timeo=600,retrans=5,softerr {share_ip}:/{vol} {mnt}\nOutput: mount: {mnt}: bad option; "
            "for several filesystems (e.g. nfs, cifs) you might need a /sbin/mount.<type> helper program.",
            first=plus(pod["metadata"]["creationTimestamp"], seconds=9),
            last=g.ago(minutes=1, seconds=40),
            count=74 - i * 3,
        )
        share_ip = "10.43.201.7"
        workload_down(dep, pod["metadata"]["creationTimestamp"])
        deps.append(dep)
        pods.append(pod)
    return g, expected(
        "Sonarr's companions were switched to ReadWriteMany Longhorn volumes so a backup sidecar can share them. Longhorn "
        "serves RWX volumes through a share-manager NFS export that each node mounts with its own NFS client: k3s3 was "
        "reinstalled last week without nfs-common, so every mount there fails with 'bad option; for several filesystems "
        "(e.g. nfs, cifs) you might need a /sbin/mount.<type> helper program' and SABnzbd and Bazarr stay in "
        "ContainerCreating, while Radarr's RWX volume mounts on k3s1. The node missing the NFS client is the cause.",
        [
            "https://github.com/longhorn/longhorn/issues/1799",
            "https://github.com/longhorn/longhorn/issues/2058",
        ],
        [
            cause(
                ref("Node", None, "k3s3"),
                "node",
                *(sym(pod, "failed-mount-events") for pod in pods),
                *(sym(d, "workload-replicas-unavailable") for d in deps),
                route_down("media", "sabnzbd", "bazarr"),
            )
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ storage
def local_path_provisioner_forbidden() -> tuple[Lab, Expected]:
    g = lab("local-path-provisioner-forbidden")
    since = g.ago(hours=3, minutes=41)
    lpp = find(g, "Deployment", "local-path-provisioner", "kube-system")
    lpod = the_pod(g, "kube-system", "local-path-provisioner-")
    crashify(
        g,
        lpod,
        "local-path-provisioner",
        f'time="{g.ago(minutes=2, seconds=14)}" level=fatal msg="Error starting daemon: invalid empty flag '
        "helper-pod-file and it also does not exist at ConfigMap kube-system/local-path-config with err: configmaps "
        '\\"local-path-config\\" is forbidden: User \\"system:serviceaccount:kube-system:local-path-provisioner-service-'
        'account\\" cannot get resource \\"configmaps\\" in API group \\"\\" in the namespace \\"kube-system\\""',
        47,
        since,
    )
    workload_down(lpp, since)
    created = g.ago(hours=1, minutes=2)
    claim = g.pvc(
        "apps-home.yaml",
        "home",
        "uptime-kuma-data",
        size="2Gi",
        sc="local-path",
        created=created,
        provisioner="rancher.io/local-path",
        phase="Pending",
        ks="apps-home",
        selected_node="k3s1",
        labels={"app.kubernetes.io/instance": "uptime-kuma", "app.kubernetes.io/name": "uptime-kuma"},
    )
    waits_for_provisioner(g, claim, first=plus(created, seconds=3), last=g.ago(seconds=12), count=246)
    kuma, kpod = volume_binding_times_out(
        g,
        "uptime-kuma",
        "docker.io/louislam/uptime-kuma:1.23.16",
        3001,
        "uptime-kuma-data",
        ("data", "/app/data"),
        ns="home",
        node="k3s1",
        created=created,
        last=g.ago(minutes=3),
        count=6,
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "After a K3s restart the bundled local-path-provisioner crash-loops: an old local-path-storage manifest applied "
        "by hand replaced its ClusterRole, and its ServiceAccount may no longer read the local-path-config ConfigMap "
        "('Error starting daemon: ... configmaps \"local-path-config\" is forbidden'). Existing local-path volumes keep "
        "working, but Uptime Kuma's new claim waits for a provisioner that is not running and its pod never binds. "
        "The crashing provisioner Deployment is the cause.",
        [
            "https://github.com/rancher/local-path-provisioner/issues/330",
            "https://github.com/xiaods/k8e/issues/196",
        ],
        [
            cause(
                lpp,
                "workload",
                sym(claim, "pvc-not-bound"),
                sym(kpod, "pod-pending"),
                sym(kuma, "workload-replicas-unavailable"),
                route_down("home", "uptime-kuma"),
            )
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ platform
def helmrelease_ownership_conflict() -> tuple[Lab, Expected]:
    g = lab("helmrelease-ownership-conflict")
    flux_base(g, {"twin": "https://twin.github.io/helm-charts"})
    apps_kustomization(g, "monitoring", created=plus(CLUSTER_BORN, minutes=45), applied=g.ago(minutes=44))
    # the gatus that was kubectl-applied by hand months ago and still runs: no Helm ownership metadata
    g.app(
        "monitoring",
        "gatus",
        "ghcr.io/twin/gatus:v5.17.0",
        8080,
        node="k3s1",
        created=plus(CLUSTER_BORN, days=12),
        ks=None,
        route=False,
        probe_path="/health",
    )
    g.configmap(
        "apps-monitoring.yaml",
        "monitoring",
        "gatus",
        {
            "config.yaml": "endpoints:\n  - name: nextcloud\n    url: https://cloud.fletcherlabs.net/status.php\n"
        },
        created=plus(CLUSTER_BORN, days=12),
    )
    at = g.ago(minutes=38)
    msg = (
        "Helm install failed for release monitoring/gatus with chart gatus@1.3.0: Unable to continue with install: "
        'ConfigMap "gatus" in namespace "monitoring" exists and cannot be imported into the current release: invalid '
        'ownership metadata; label validation error: missing key "app.kubernetes.io/managed-by": must be set to "Helm"; '
        'annotation validation error: missing key "meta.helm.sh/release-name": must be set to "gatus"; annotation '
        'validation error: missing key "meta.helm.sh/release-namespace": must be set to "monitoring"'
    )
    hr = g.helm_release(
        "gatus",
        "monitoring",
        "gatus",
        "1.3.0",
        "twin",
        created=g.ago(minutes=41),
        ks="apps-monitoring",
        values={
            "config": {
                "endpoints": [{"name": "nextcloud", "url": "https://cloud.fletcherlabs.net/status.php"}]
            }
        },
        ready=("False", "InstallFailed", msg),
        at=at,
    )
    hr["status"]["conditions"].append(g.cond("Released", "False", "InstallFailed", msg, at))
    hr["status"]["installFailures"] = 1
    hr["status"]["lastAttemptedReleaseAction"] = "install"
    ev(g, hr, "InstallFailed", msg, first=at, component="helm-controller", host="")
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "Gatus, first kubectl-applied by hand, was moved to a Flux HelmRelease. Helm refuses to adopt the ConfigMap "
        "'gatus' that the old install left in the namespace ('exists and cannot be imported into the current release: "
        "invalid ownership metadata'), so the install fails; the hand-made Gatus keeps running with its old "
        "configuration. The HelmRelease whose install failed is the object to act on (adopt or remove the old objects).",
        ["https://github.com/helm/helm/issues/9125", "https://github.com/k0rdent/kcm/issues/286"],
        [cause(hr, "platform")],
        holdout=True,
    )


def certificate_issuer_not_found() -> tuple[Lab, Expected]:
    g = lab("certificate-issuer-not-found")
    flux_base(g, {"jetstack": "https://charts.jetstack.io"})
    p.cert_manager(g)
    created = g.ago(hours=4, minutes=12)
    cert = p.certificate(
        g,
        "networking",
        "vault-fletcherlabs-net",
        ["vault.fletcherlabs.net"],
        created=created,
        secret="vault-fletcherlabs-net-tls",
        state="failed",
    )
    cert["spec"]["issuerRef"]["name"] = "letsencrypt-production"
    cert["status"] = {
        "conditions": [
            g.cond(
                "Ready",
                "False",
                "DoesNotExist",
                "Issuing certificate as Secret does not exist",
                plus(created, seconds=1),
            ),
            g.cond(
                "Issuing",
                "True",
                "DoesNotExist",
                "Issuing certificate as Secret does not exist",
                plus(created, seconds=1),
            ),
        ],
        "nextPrivateKeySecretName": "vault-fletcherlabs-net-k8w2q",
    }
    missing = 'Referenced "ClusterIssuer" not found: clusterissuer.cert-manager.io "letsencrypt-production" not found'
    cr = p.certificate_request(
        g,
        cert,
        1,
        "vault-fletcherlabs-net-k8w2q",
        created=plus(created, seconds=2),
        ready=("Pending", missing, plus(created, seconds=2)),
        requester={},
        issuer="letsencrypt-production",
    )
    ev(
        g,
        cr,
        "IssuerNotFound",
        missing,
        first=plus(created, seconds=2),
        last=g.ago(minutes=9),
        count=23,
        component="cert-manager-certificaterequests-issuer-acme",
        host="",
    )
    ev(
        g,
        cert,
        "Requested",
        'Created new CertificateRequest resource "vault-fletcherlabs-net-1"',
        first=plus(created, seconds=2),
        component="cert-manager-certificates-request-manager",
        host="",
        type_="Normal",
    )
    return g, expected(
        "A Certificate for vault.fletcherlabs.net was added with issuerRef 'letsencrypt-production'; the ClusterIssuer "
        "of this cluster is 'letsencrypt-prod' (Ready, registered). cert-manager approves the CertificateRequest but no "
        'issuer picks it up (\'Referenced "ClusterIssuer" not found: clusterissuer.cert-manager.io '
        '"letsencrypt-production" not found\'), so the Secret is never created. The Certificate holding the wrong '
        "reference is the cause.",
        [
            "https://github.com/cert-manager/cert-manager/issues/3041",
            "https://github.com/cert-manager/cert-manager/issues/2487",
        ],
        [cause(cert, "platform")],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ workload
def upgrade_drain_blocked_by_pdb() -> tuple[Lab, Expected]:
    g = lab("upgrade-drain-blocked-by-pdb")
    started = g.ago(hours=2, minutes=26)
    node = g.nodes["k3s2"]
    node["spec"]["unschedulable"] = True
    node["spec"].setdefault("taints", []).append(
        {
            "effect": "NoSchedule",
            "key": "node.kubernetes.io/unschedulable",
            "timeAdded": plus(started, seconds=9),
        }
    )
    node["metadata"]["labels"]["plan.upgrade.cattle.io/k3s-agent"] = g.hexs(56)
    node_event(
        g,
        "k3s2",
        "NodeNotSchedulable",
        "Node k3s2 status is now: NodeNotSchedulable",
        first=plus(started, seconds=9),
        last=plus(started, seconds=9),
        count=1,
        type_="Normal",
    )
    sel = {"app.kubernetes.io/instance": "paperless-ngx", "app.kubernetes.io/name": "paperless-ngx"}
    app(
        g,
        "paperless-ngx",
        "ghcr.io/paperless-ngx/paperless-ngx:2.16.3",
        8000,
        ns="home",
        node="k3s2",
        pods=[{"node": "k3s2", "created": g.ago(days=5, hours=3)}],
    )
    pdb = g.add(
        "apps-home.yaml",
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": g.meta(
                "paperless-ngx",
                "home",
                created=plus(CLUSTER_BORN, days=14),
                ks="apps-home",
                generation=1,
                kind="PodDisruptionBudget",
                group="policy",
            ),
            "spec": {"minAvailable": 1, "selector": {"matchLabels": sel}},
            "status": {
                "conditions": [
                    {
                        "lastTransitionTime": plus(CLUSTER_BORN, days=14, seconds=3),
                        "message": "",
                        "observedGeneration": 1,
                        "reason": "InsufficientPods",
                        "status": "False",
                        "type": "DisruptionAllowed",
                    }
                ],
                "currentHealthy": 1,
                "desiredHealthy": 1,
                "disruptionsAllowed": 0,
                "expectedPods": 1,
                "observedGeneration": 1,
            },
        },
    )
    # sonarr was drained off k3s2 already and runs on k3s3
    s.media_app(g, "sonarr", "k3s3", 8989, pods=[{"node": "k3s3", "created": plus(started, seconds=14)}])
    # the system-upgrade-controller's job for k3s2: its drain init container has been retrying ever since
    job_name = f"apply-k3s-agent-on-k3s2-with-{g.hexs(20)}"
    labels = {
        "plan.upgrade.cattle.io/k3s-agent": node["metadata"]["labels"]["plan.upgrade.cattle.io/k3s-agent"],
        "upgrade.cattle.io/node": "k3s2",
        "upgrade.cattle.io/plan": "k3s-agent",
        "upgrade.cattle.io/controller": "system-upgrade-controller",
    }
    job = g.add(
        "system-upgrade.yaml",
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": g.meta(
                job_name,
                "system-upgrade",
                created=started,
                labels=labels,
                generation=1,
                kind="Job",
                group="batch",
            ),
            "spec": {
                "activeDeadlineSeconds": 900 * 60,
                "backoffLimit": 2,
                "completions": 1,
                "parallelism": 1,
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"nodeName": "k3s2", "restartPolicy": "Never"},
                },
            },
            "status": {
                "active": 1,
                "ready": 0,
                "startTime": started,
                "terminating": 0,
                "uncountedTerminatedPods": {},
            },
        },
    )
    drain_args = [
        "drain",
        "k3s2",
        "--pod-selector",
        "!upgrade.cattle.io/controller",
        "--ignore-daemonsets",
        "--delete-emptydir-data",
        "--force",
    ]
    pod = g.pod(
        "system-upgrade.yaml",
        name=f"{job_name}-{g.sfx(5)}",
        ns="system-upgrade",
        node="k3s2",
        labels=labels,
        owner=job,
        created=started,
        plan={"mode": "init", "started": plus(started, seconds=2)},
        sa="system-upgrade",
        spec={
            "initContainers": [
                {"name": "cordon", "image": "docker.io/rancher/kubectl:v1.32.5", "args": ["cordon", "k3s2"]},
                {"name": "drain", "image": "docker.io/rancher/kubectl:v1.32.5", "args": drain_args},
            ],
            "containers": [
                {
                    "name": "upgrade",
                    "image": "docker.io/rancher/k3s-upgrade:v1.33.2-k3s1",
                    "command": ["upgrade.sh"],
                }
            ],
            "hostIPC": True,
            "hostNetwork": True,
            "hostPID": True,
            "restartPolicy": "Never",
            "tolerations": [
                {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule", "operator": "Exists"}
            ],
        },
    )
    kubectl_id = f"docker.io/rancher/kubectl@sha256:{g.hexs(64)}"
    for cs in pod["status"]["initContainerStatuses"]:
        cs.update({"containerID": f"containerd://{g.hexs(64)}", "imageID": kubectl_id})
        if cs["name"] == "cordon":
            term = {
                "containerID": cs["containerID"],
                "exitCode": 0,
                "finishedAt": plus(started, seconds=6),
                "reason": "Completed",
                "startedAt": plus(started, seconds=4),
            }
            cs.update({"ready": True, "started": False, "state": {"terminated": term}})
        else:
            cs.update(
                {
                    "ready": False,
                    "started": True,
                    "state": {"running": {"startedAt": plus(started, seconds=8)}},
                }
            )
    upgrade = pod["status"]["containerStatuses"][0]
    upgrade.clear()
    upgrade.update(
        {
            "image": "docker.io/rancher/k3s-upgrade:v1.33.2-k3s1",
            "imageID": "",
            "lastState": {},
            "name": "upgrade",
            "ready": False,
            "restartCount": 0,
            "started": False,
            "state": {"waiting": {"reason": "PodInitializing"}},
        }
    )
    unready(pod, ["drain"], plus(started, seconds=2), init=True)
    unready(pod, ["upgrade"], plus(started, seconds=2))
    return g, expected(
        "The system-upgrade-controller's plan drains k3s2 for the K3s v1.33 agent upgrade. The drain evicted Sonarr but "
        "retries Paperless-ngx every 5 seconds for over two hours ('Cannot evict pod as it would violate the pod's "
        "disruption budget'): its PodDisruptionBudget asks for minAvailable 1 of a single-replica Deployment, so "
        "disruptionsAllowed is 0 forever. k3s2 stays cordoned and the upgrade of the next nodes never starts. The "
        "budget that can never allow a disruption is the cause.",
        [
            "https://github.com/rancher/system-upgrade-controller/issues/78",
            "https://github.com/mysticaltech/terraform-hcloud-kube-hetzner/issues/1507",
        ],
        [cause(pdb, "workload")],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ double / healthy
def double_knownhosts_and_priorityclass() -> tuple[Lab, Expected]:
    g = lab("double-knownhosts-and-priorityclass")
    flux_base(g)
    repo = find(g, "GitRepository", "flux-system", "flux-system")
    url = "ssh://git@gitea.fletcherlabs.net:2222/josh/k3s-home.git"
    repo["spec"]["url"] = url
    broke = g.ago(hours=3, minutes=4)
    fetch_msg = f"failed to checkout and determine revision: unable to list remote for '{url}': ssh: handshake failed: knownhosts: key mismatch"
    repo["status"]["conditions"] = [
        g.cond("Ready", "False", "GitOperationFailed", fetch_msg, broke),
        g.cond("FetchFailed", "True", "GitOperationFailed", fetch_msg, broke),
        repo["status"]["conditions"][1],
    ]
    # the artifact kept is the last one fetched before the host key changed
    repo["status"]["artifact"]["lastUpdateTime"] = plus(broke, minutes=-1)
    repo["status"]["conditions"][2]["lastTransitionTime"] = plus(broke, minutes=-1)
    ev(
        g,
        repo,
        "GitOperationFailed",
        fetch_msg,
        first=broke,
        last=g.ago(minutes=1),
        count=183,
        component="source-controller",
        host="",
    )
    # Frigate was applied yesterday, before Gitea was reinstalled, naming a PriorityClass nobody created
    at = g.ago(hours=22, minutes=17)
    dep = g.app(
        "home",
        "frigate",
        "ghcr.io/blakeblackshear/frigate:0.15.1",
        5000,
        created=plus(at, seconds=-1),
        ks="apps-home",
        node="k3s1",
        priority="nvr-critical",
        pods=[],
        replicas=1,
        strategy={"type": "Recreate"},
    )
    replica_failure(
        g,
        dep,
        f'Error creating: pods "{dep["_rs"]["metadata"]["name"]}-" is forbidden: no PriorityClass with name nvr-critical was found',
        at,
        41,
    )
    # no pod ever became available: the rollout passed its progress deadline
    dep["status"]["conditions"][1] = {
        "lastTransitionTime": plus(at, minutes=10),
        "lastUpdateTime": plus(at, minutes=10),
        "message": f'ReplicaSet "{dep["_rs"]["metadata"]["name"]}" has timed out progressing.',
        "reason": "ProgressDeadlineExceeded",
        "status": "False",
        "type": "Progressing",
    }
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "Two unrelated problems. The self-hosted Gitea was reinstalled three hours ago with a new SSH host key: the "
        "flux-system GitRepository fails with 'ssh: handshake failed: knownhosts: key mismatch' (the known_hosts in "
        "its Secret holds the old key), so the cluster keeps the last artifact and nothing pushed since reaches it. "
        "Separately Frigate, added yesterday, sets priorityClassName 'nvr-critical', which no PriorityClass defines: "
        "the API server refuses every pod ('no PriorityClass with name nvr-critical was found') and the NVR is down. "
        "The Deployment with the bad reference, and the GitRepository, are the causes.",
        [
            "https://github.com/alphagov/gsp/pull/843",
            "https://github.com/fluxcd/source-controller/issues/490",
        ],
        [
            cause(dep, "workload", route_down("home", "frigate")),
            cause(repo, "platform"),
        ],
        holdout=True,
    )


def healthy_after_node_reboot_noisy() -> tuple[Lab, Expected]:
    g = lab("healthy-after-node-reboot-noisy")
    down = g.ago(minutes=31)
    up = g.ago(minutes=24)
    n = g.nodes["k3s1"]
    for cond in n["status"]["conditions"]:
        if cond["type"] == "Ready":
            cond["lastTransitionTime"] = up
    g.event(
        EV,
        n,
        reason="NodeNotReady",
        message="Node k3s1 status is now: NodeNotReady",
        type_="Normal",
        first=plus(down, seconds=41),
        last=plus(down, seconds=41),
        component="node-controller",
        host="",
    )
    node_event(
        g,
        "k3s1",
        "Starting",
        "Starting kubelet.",
        first=plus(up, seconds=-20),
        last=plus(up, seconds=-20),
        count=1,
        type_="Normal",
    )
    node_event(
        g,
        "k3s1",
        "Rebooted",
        f"Node k3s1 has been rebooted, boot id: {g.uid()}",
        first=plus(up, seconds=-19),
        last=plus(up, seconds=-19),
        count=1,
    )
    node_event(
        g,
        "k3s1",
        "NodeReady",
        "Node k3s1 status is now: NodeReady",
        first=up,
        last=up,
        count=1,
        type_="Normal",
    )
    for name, image, port in (
        ("nextcloud", "docker.io/library/nextcloud:31.0.6-apache", 80),
        ("mealie", "ghcr.io/mealie-recipes/mealie:v2.8.0", 9000),
    ):
        app(
            g,
            name,
            image,
            port,
            ns="home",
            node="k3s1",
            pods=[{"node": "k3s1", "created": g.ago(days=3, hours=7)}],
            probe_path="/",
        )
        pod = the_pod(g, "home", f"{name}-")
        restarted(g, pod, "", 1, plus(down, seconds=12), exit_code=255)
        term = pod["status"]["containerStatuses"][0]["lastState"]["terminated"]
        term["reason"] = "Unknown"
        del term["message"]
        pod["status"]["containerStatuses"][0]["state"]["running"]["startedAt"] = plus(up, seconds=31)
        for cond in pod["status"]["conditions"]:
            if cond["type"] in ("Ready", "ContainersReady"):
                cond["lastTransitionTime"] = plus(up, minutes=1, seconds=48)
        ev(
            g,
            pod,
            "SandboxChanged",
            "Pod sandbox changed, it will be killed and re-created.",
            first=plus(up, seconds=9),
            type_="Normal",
        )
        ev(
            g,
            pod,
            "Unhealthy",
            f'Readiness probe failed: Get "http://{pod["status"]["podIP"]}:{port}/": dial tcp {pod["status"]["podIP"]}:{port}: connect: connection refused',
            first=plus(up, seconds=41),
            last=plus(up, minutes=1, seconds=31),
            count=6,
            container=name,
        )
    s.media_app(g, "sonarr", "k3s2", 8989)
    s.media_app(g, "radarr", "k3s3", 7878)
    return g, expected(
        "A healthy cluster 24 minutes after unattended-upgrades rebooted k3s1 for a kernel update: the node-controller's "
        "NodeNotReady, the kubelet's 'Rebooted' warning and a fresh 'Starting kubelet.', Nextcloud and Mealie with one "
        "restart each (exit 255, reason Unknown: their containers died with the node), sandbox-changed events and a few "
        "refused readiness probes while they started. Everything is Ready again. No root cause and no critical "
        "finding are expected.",
        [
            "https://github.com/longhorn/longhorn/issues/4355",
            "https://github.com/longhorn/longhorn/issues/1940",
        ],
        [],
        holdout=True,
    )


SCENARIOS: dict[str, Callable[[], tuple[Lab, Expected]]] = {
    "networkpolicy-egress-blocks-dns": networkpolicy_egress_blocks_dns,
    "traefik-ingress-tls-secret-elsewhere": traefik_ingress_tls_secret_elsewhere,
    "node-pid-pressure": node_pid_pressure,
    "longhorn-rwx-nfs-client-missing": longhorn_rwx_nfs_client_missing,
    "local-path-provisioner-forbidden": local_path_provisioner_forbidden,
    "helmrelease-ownership-conflict": helmrelease_ownership_conflict,
    "certificate-issuer-not-found": certificate_issuer_not_found,
    "upgrade-drain-blocked-by-pdb": upgrade_drain_blocked_by_pdb,
    "double-knownhosts-and-priorityclass": double_knownhosts_and_priorityclass,
    "healthy-after-node-reboot-noisy": healthy_after_node_reboot_noisy,
}
