"""Write the embedded demo snapshot: the fletcherlabs homelab caught in a bad hour.

Run from the repository root: ``python tests/data_tools/demo.py``. Deterministic (seeded), so the
output only changes when this file or the builders change.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).parent))

import components as c
import platform_parts as p
from homelab import DOMAIN, Lab
from k8sgen import plus

NOW = "2025-06-16T03:00:00Z"
K3S1_DOWN = "2025-06-13T02:40:00Z"
CILIUM_DOWN = "2025-06-13T02:07:13Z"
OUT = Path(__file__).resolve().parents[2] / "src" / "homelabctl" / "demo" / "snapshot"
NODES = ["k3s-master1", "k3s1", "k3s2", "k3s3"]


def frozen_crash(
    message: str, restarts: int, exit_code: int = 1, container_started: str | None = None
) -> dict[str, Any]:
    """A crash loop as the kubelet last reported it before k3s1 went silent."""
    fin = plus(K3S1_DOWN, seconds=-95)
    return {
        "restarts": restarts,
        "exit": exit_code,
        "message": message,
        "reason": "Error",
        "started": container_started or plus(fin, seconds=-31),
        "finished": fin,
    }


EVICTED = plus(K3S1_DOWN, seconds=41 + 300)  # taint manager deletes the pods on k3s1
DELETION = plus(EVICTED, seconds=30)  # deletionTimestamp = deletion + grace period
MINIO_DOWN = "2025-06-15T09:12:40Z"


def frozen(**kw: Any) -> dict[str, Any]:
    """A pod plan on k3s1: the node controller marked it not Ready when the kubelet went silent."""
    return {"node": "k3s1", "frozen": plus(K3S1_DOWN, seconds=41), **kw}


def evicted(**kw: Any) -> dict[str, Any]:
    return frozen(deletion=DELETION, **kw)


def crash_now(message: str, restarts: int, since: str, exit_code: int = 1, ran: int = 2) -> dict[str, Any]:
    fin = g_now_minus(seconds=restarts % 240 + 20)
    return {
        "restarts": restarts,
        "exit": exit_code,
        "message": message,
        "reason": "Error",
        "started": plus(fin, seconds=-ran),
        "finished": fin,
        "_since": since,
    }


def g_now_minus(**kw: float) -> str:
    from datetime import timedelta

    from k8sgen import fmt, parse

    return cast("str", fmt(parse(NOW) - timedelta(**kw)))


def pods_named(g: Lab, ns: str, prefix: str) -> list[dict[str, Any]]:
    return [
        o
        for o in g.all_objects()
        if o["kind"] == "Pod"
        and o["metadata"]["namespace"] == ns
        and o["metadata"]["name"].startswith(prefix)
    ]


def build() -> Lab:
    g = Lab("fletcherlabs-demo", NOW)
    specs = c.fletcherlabs_nodes()
    c.add_nodes(
        g, specs, down={"k3s1": {"since": K3S1_DOWN, "cilium_down_since": CILIUM_DOWN}}, csi_missing={"k3s1"}
    )
    c.namespaces(
        g,
        {
            "flux-system": None,
            "longhorn-system": "infrastructure",
            "cert-manager": "infrastructure",
            "networking": "infrastructure",
            "velero": "infrastructure",
            "monitoring": "monitoring",
            "authentik": "infrastructure",
            "media": "apps-media",
            "ai": "apps-ai",
            "cilium-secrets": None,
        },
    )
    g.priority_class(
        "longhorn-critical",
        1000000000,
        created=plus(c.CLUSTER_BORN, days=27),
        description="Ensure Longhorn pods have the highest priority to prevent any unexpected eviction by the Kubernetes scheduler under node pressure",
    )
    c.kube_system(g)
    c.cilium(
        g,
        NODES,
        agent={
            "k3s1": frozen(
                mode="crash",
                crash_since=CILIUM_DOWN,
                crash={
                    "cilium-agent": frozen_crash(
                        'level=error msg="Error while initializing daemon" error="failed to setup datapath: unable to '
                        'configure cilium_host: route 10.42.1.0/24 via 10.42.1.1: network is unreachable" subsys=daemon\n'
                        'level=fatal msg="Error while creating daemon" error="failed to setup datapath: unable to configure '
                        'cilium_host: route 10.42.1.0/24 via 10.42.1.1: network is unreachable" subsys=daemon',
                        23,
                    )
                },
            )
        },
    )
    c.storage_classes(g)
    c.csi_nfs(g, NODES, per_node={"k3s1": frozen()})
    lh_crash = (
        'time="2025-06-13T02:38:24Z" level=fatal msg="Error starting manager: failed to get '
        'longhorn-backend: Get \\"https://10.43.0.1:443/api/v1/namespaces/longhorn-system/services/'
        'longhorn-backend\\": context deadline exceeded"'
    )
    csi_crash = (
        'time="2025-06-13T02:38:27Z" level=fatal msg="Error starting CSI manager: failed to '
        'initialize Longhorn API client: Get \\"http://longhorn-backend:9500/v1\\": context deadline '
        'exceeded (Client.Timeout exceeded while awaiting headers)"'
    )
    lh_created = plus(c.CLUSTER_BORN, days=27, hours=-2)
    c.longhorn(
        g,
        NODES,
        per_node_manager={
            "k3s1": frozen(mode="crash", crash={"longhorn-manager": frozen_crash(lh_crash, 31)})
        },
        per_node_csi={
            "k3s1": frozen(mode="crash", crash={"longhorn-csi-plugin": frozen_crash(csi_crash, 29)})
        },
        lh_nodes={
            "k3s-master1": {"allow": False},
            "k3s1": {"ready": False, "down_since": plus(K3S1_DOWN, seconds=30)},
            "k3s2": {},
            "k3s3": {
                "disks": {
                    "optane-0": ("/mnt/optane0", 110_000_000_000),
                    "nvme-0": ("/mnt/nvme0", 1_000_000_000_000),
                    "sas-0": ("/mnt/sas0", 2_400_000_000_000),
                }
            },
        },
    )
    # ------------------------------------------------------------ Flux
    p.flux_controllers(g)
    p.flux_sources(g, p.FLUX_REPOS)
    rev = p.GIT_REV
    fetched = g.ago(minutes=47)
    g.kustomization(
        "flux-system",
        "./clusters/k3s-home",
        created=plus(c.CLUSTER_BORN, minutes=41),
        revision=rev,
        applied=g.ago(minutes=46),
    )
    g.kustomization(
        "infrastructure",
        "./clusters/k3s-home/infrastructure",
        created=plus(c.CLUSTER_BORN, minutes=42),
        revision=rev,
        applied=g.ago(minutes=45),
        sops=True,
    )
    g.kustomization(
        "monitoring",
        "./clusters/k3s-home/monitoring",
        created=plus(c.CLUSTER_BORN, days=20),
        revision=rev,
        applied=g.ago(minutes=44),
        depends=["infrastructure"],
        sops=True,
    )
    g.kustomization(
        "apps-media",
        "./clusters/k3s-home/apps/media",
        created=plus(c.CLUSTER_BORN, days=3),
        revision=rev,
        applied=g.ago(minutes=44),
        depends=["infrastructure"],
        sops=True,
    )
    g.kustomization(
        "intel-gpu-plugin",
        "./clusters/k3s-home/infrastructure/intel-gpu-plugin",
        created=plus(c.CLUSTER_BORN, days=9),
        revision=rev,
        applied="2025-06-14T16:02:55Z",
        ready=(
            "False",
            "ReconciliationFailed",
            'GpuDevicePlugin/gpu-plugin dry-run failed: no matches for kind "GpuDevicePlugin" in version '
            '"deviceplugin.intel.com/v1"',
        ),
        last_applied=p.GIT_REV_OLD,
    )
    g.kustomization(
        "apps-ai",
        "./clusters/k3s-home/apps/ai",
        created=plus(c.CLUSTER_BORN, days=9),
        revision=rev,
        applied="2025-06-14T16:03:40Z",
        depends=["intel-gpu-plugin"],
        sops=True,
        ready=("False", "DependencyNotReady", "dependency 'flux-system/intel-gpu-plugin' is not ready"),
        last_applied=p.GIT_REV_OLD,
    )
    del fetched
    # authentik: values moved to a SOPS secret the infrastructure Kustomization never delivered
    au = plus(c.CLUSTER_BORN, days=26)
    g.helm_release(
        "authentik",
        "authentik",
        "authentik",
        "2024.4.2",
        "authentik",
        created=au,
        ks="infrastructure",
        api="v2beta1",
        at=g.ago(minutes=9),
        values_from=[{"kind": "Secret", "name": "authentik-secret", "valuesKey": "values.yaml"}],
        values={
            "authentik": {"error_reporting": {"enabled": False}, "log_level": "info"},
            "postgresql": {"enabled": True},
            "redis": {"enabled": True},
        },
        ready=(
            "False",
            "InitFailed",
            "could not resolve Secret chart values reference "
            "'authentik/authentik-secret' with key 'values.yaml': secrets \"authentik-secret\" not found",
        ),
    )
    for comp, image, port in (
        ("authentik-server", "ghcr.io/goauthentik/server:2024.4.2", 9000),
        ("authentik-worker", "ghcr.io/goauthentik/server:2024.4.2", None),
    ):
        sel = {
            "app.kubernetes.io/component": comp.split("-")[1],
            "app.kubernetes.io/instance": "authentik",
            "app.kubernetes.io/name": "authentik",
        }
        ctr: dict[str, Any] = {
            "name": comp.split("-")[1],
            "image": image,
            "args": [comp.split("-")[1]],
            "env": [
                {
                    "name": "AUTHENTIK_SECRET_KEY",
                    "valueFrom": {"secretKeyRef": {"key": "AUTHENTIK_SECRET_KEY", "name": "authentik"}},
                },
                {"name": "AUTHENTIK_POSTGRESQL__HOST", "value": "authentik-postgresql"},
                {"name": "AUTHENTIK_REDIS__HOST", "value": "authentik-redis-master"},
            ],
        }
        if port:
            ctr["ports"] = [{"containerPort": port, "name": "http"}]
        g.deployment(
            "authentik.yaml",
            "authentik",
            comp,
            created=au,
            selector=sel,
            helm=("authentik", "authentik"),
            spec={"containers": [ctr], "serviceAccountName": "authentik"},
            sa="authentik",
            pods=[{"node": "k3s2", "created": plus(au, minutes=3)}],
        )
    g.secret(
        "authentik.yaml",
        "authentik",
        "authentik",
        {"AUTHENTIK_SECRET_KEY": p.secret_text(5, 50)},
        created=au,
        helm=("authentik", "authentik"),
    )
    g.service(
        "authentik.yaml",
        "authentik",
        "authentik-server",
        selector={
            "app.kubernetes.io/component": "server",
            "app.kubernetes.io/instance": "authentik",
            "app.kubernetes.io/name": "authentik",
        },
        created=au,
        helm=("authentik", "authentik"),
        ports=[{"name": "http", "port": 80, "targetPort": 9000}],
    )
    g.http_route(
        "authentik",
        "authentik",
        f"authentik.{DOMAIN}",
        "authentik-server",
        80,
        created=plus(au, minutes=5),
        ks="infrastructure",
        file="authentik.yaml",
        section="https-authentik",
    )
    pg = {
        "app.kubernetes.io/component": "primary",
        "app.kubernetes.io/instance": "authentik",
        "app.kubernetes.io/name": "postgresql",
    }
    g.statefulset(
        "authentik.yaml",
        "authentik",
        "authentik-postgresql",
        created=au,
        selector=pg,
        helm=("authentik", "authentik"),
        pods=[{"node": "k3s3", "created": plus(au, minutes=2)}],
        service_name="authentik-postgresql-hl",
        vcts=[
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"creationTimestamp": None, "name": "data"},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "8Gi"}},
                    "storageClassName": "longhorn-nvme",
                    "volumeMode": "Filesystem",
                },
                "status": {"phase": "Pending"},
            }
        ],
        spec={
            "containers": [
                {
                    "name": "postgresql",
                    "image": "docker.io/bitnami/postgresql:15.4.0-debian-11-r45",
                    "env": [
                        {
                            "name": "POSTGRES_PASSWORD",
                            "valueFrom": {
                                "secretKeyRef": {"key": "password", "name": "authentik-postgresql"}
                            },
                        }
                    ],
                    "ports": [{"containerPort": 5432, "name": "tcp-postgresql"}],
                    "volumeMounts": [{"mountPath": "/bitnami/postgresql", "name": "data"}],
                }
            ]
        },
    )
    pgc = g.pvc(
        "authentik.yaml",
        "authentik",
        "data-authentik-postgresql-0",
        size="8Gi",
        sc="longhorn-nvme",
        created=plus(au, minutes=2),
        provisioner="driver.longhorn.io",
        labels=pg,
    )
    pgv = g.pv_for(pgc, driver="driver.longhorn.io", attrs={"diskSelector": "nvme", "numberOfReplicas": "1"})
    g.secret(
        "authentik.yaml",
        "authentik",
        "authentik-postgresql",
        {"password": p.secret_text(6, 32), "postgres-password": p.secret_text(7, 32)},
        created=au,
        helm=("authentik", "authentik"),
    )
    # ------------------------------------------------------------ cert-manager, Gateway
    p.cert_manager(g)
    cm_created = plus(c.CLUSTER_BORN, days=23)
    wc = p.certificate(
        g,
        "networking",
        "wildcard-fletcherlabs",
        [f"*.{DOMAIN}", DOMAIN],
        created=plus(cm_created, days=-1),
        secret="wildcard-fletcherlabs-tls",
        state="failed",
        failure=(
            "The certificate request has failed to complete and will be retried: Failed to wait for "
            'order resource "wildcard-fletcherlabs-1-2911487223" to become ready: order is in "errored" '
            "state: Failed to determine a valid solver configuration for the set of domains on the Order: "
            "no configured challenge solvers can be used for this challenge"
        ),
    )
    p.wildcard_order(g, wc, created=plus(cm_created, days=-1))
    p.certificate(
        g,
        "networking",
        "authentik-tls",
        [f"authentik.{DOMAIN}"],
        created=plus(c.CLUSTER_BORN, days=-63),
        secret="authentik-tls",
        state="expiring",
        not_after="2025-06-24T01:12:40Z",
    )
    # ------------------------------------------------------------ apps
    media_at = plus(c.CLUSTER_BORN, days=3)
    nfs_media = True
    for name, image, port, node, pvc in (
        ("sonarr", "lscr.io/linuxserver/sonarr:4.0.14", 8989, "k3s2", ("sonarr-config", "5Gi", "longhorn")),
        ("radarr", "lscr.io/linuxserver/radarr:5.26.2", 7878, "k3s2", ("radarr-config", "5Gi", "longhorn")),
        (
            "lidarr",
            "lscr.io/linuxserver/lidarr:2.12.4",
            8686,
            "k3s3",
            ("lidarr-config", "5Gi", "longhorn-sas-ssd"),
        ),
        (
            "whisparr",
            "ghcr.io/hotio/whisparr:v3-3.0.0.1141",
            6969,
            "k3s3",
            ("whisparr-config", "5Gi", "longhorn-optane"),
        ),
    ):
        g.app(
            "media",
            name,
            image,
            port,
            node=node,
            created=media_at,
            ks="apps-media",
            pvc=pvc,
            nfs_media=nfs_media,
            probe_path="/ping",
        )
    # GPU holders on k3s3 (time-sliced T4: 4 slices), no priorityClassName
    g.app(
        "media",
        "jellyfin",
        "docker.io/jellyfin/jellyfin:10.10.7",
        8096,
        node="k3s3",
        created=media_at,
        ks="apps-media",
        pvc=("jellyfin-config", "20Gi", "longhorn-nvme"),
        gpu=1,
        nfs_media=True,
        probe_path="/health",
        node_selector=p.GPU_SELECTOR,
        resources={"limits": {"memory": "8Gi"}, "requests": {"cpu": "500m", "memory": "2Gi"}},
    )
    g.app(
        "media",
        "plex",
        "docker.io/plexinc/pms-docker:1.41.8.9834-071366d65",
        32400,
        node="k3s3",
        created=media_at,
        ks="apps-media",
        pvc=("plex-config", "50Gi", "longhorn-nvme"),
        gpu=1,
        nfs_media=True,
        probe_path="/identity",
        node_selector=p.GPU_SELECTOR,
        resources={"limits": {"memory": "8Gi"}, "requests": {"cpu": "500m", "memory": "2Gi"}},
    )
    g.app(
        "media",
        "bazarr",
        "lscr.io/linuxserver/bazarr:1.5.2",
        6767,
        node="k3s2",
        created=media_at,
        ks="apps-media",
        pvc=("bazarr-config", "1Gi", "longhorn"),
        pods=[],
        replicas=0,
        probe_path="/",
    )
    # pods on k3s1 when it went silent: evicted by the taint manager, stuck Terminating; replacements on k3s2
    g.app(
        "media",
        "prowlarr",
        "lscr.io/linuxserver/prowlarr:1.37.0",
        9696,
        node="k3s2",
        created=media_at,
        ks="apps-media",
        pvc=("prowlarr-config", "1Gi", "nfs"),
        probe_path="/ping",
        pods=[evicted(created="2025-06-11T18:20:31Z"), {"node": "k3s2", "created": plus(EVICTED, seconds=1)}],
    )
    sab = g.app(
        "media",
        "sabnzbd",
        "lscr.io/linuxserver/sabnzbd:4.5.1",
        8080,
        node="k3s1",
        created=media_at,
        ks="apps-media",
        pvc=("sabnzbd-config", "5Gi", "longhorn"),
        nfs_media=True,
        probe_path="/",
        node_selector=None,
        pods=[
            evicted(created="2025-06-11T18:20:33Z"),
            {"node": "k3s2", "mode": "creating", "created": plus(EVICTED, seconds=1)},
        ],
    )
    ovs = g.app(
        "media",
        "overseerr",
        "lscr.io/linuxserver/overseerr:1.34.0",
        5055,
        node="k3s2",
        created=media_at,
        ks="apps-media",
        pvc=("overseerr-config", "1Gi", "longhorn"),
        probe_path="/api/v1/status",
        pods=[
            evicted(created="2025-06-13T02:31:05Z", mode="creating"),
            {"node": "k3s2", "created": plus(EVICTED, seconds=1)},
        ],
    )
    # recyclarr: daily CronJob, healthy
    recyclarr(g, media_at)
    g.configmap(
        "apps-media.yaml",
        "media",
        "sabnzbd-ini",
        {"host": "0.0.0.0", "port": "8080", "username": "josh", "password": p.secret_text(9, 32)},
        created=media_at,
        ks="apps-media",
    )
    ai_at = plus(c.CLUSTER_BORN, days=9)
    ai_res = {"limits": {"memory": "16Gi"}, "requests": {"cpu": "1", "memory": "4Gi"}}
    g.app(
        "ai",
        "ollama",
        "docker.io/ollama/ollama:0.9.0",
        11434,
        node="k3s3",
        created=ai_at,
        ks="apps-ai",
        pvc=("ollama-models", "100Gi", "longhorn-nvme"),
        gpu=1,
        node_selector=p.GPU_SELECTOR,
        resources=ai_res,
        probe_path="/",
        env=[{"name": "OLLAMA_HOST", "value": "0.0.0.0"}, {"name": "OLLAMA_KEEP_ALIVE", "value": "24h"}],
    )
    g.app(
        "ai",
        "automatic1111",
        "ghcr.io/ai-dock/stable-diffusion-webui:latest-cuda",
        7860,
        node="k3s3",
        created=ai_at,
        ks="apps-ai",
        pvc=("automatic1111-data", "50Gi", "longhorn-nvme"),
        gpu=1,
        node_selector=p.GPU_SELECTOR,
        resources=ai_res,
        probe_path="/",
        args=["--listen", "--api", "--xformers"],
    )
    g.app(
        "ai",
        "open-webui",
        "ghcr.io/open-webui/open-webui:v0.6.13",
        8080,
        node="k3s2",
        created=ai_at,
        ks="apps-ai",
        pvc=("open-webui-data", "5Gi", "longhorn"),
        host=f"openwebui.{DOMAIN}",
        probe_path="/health",
        env=[{"name": "OLLAMA_BASE_URL", "value": "http://ollama.ai.svc.cluster.local:11434"}],
    )
    comfy = g.app(
        "ai",
        "comfyui",
        "ghcr.io/ai-dock/comfyui:latest-cuda",
        8188,
        node="k3s3",
        created=g.ago(hours=2, minutes=14),
        ks="apps-ai",
        gpu=1,
        node_selector=p.GPU_SELECTOR,
        resources=ai_res,
        probe_path="/",
        route=False,
        pods=[
            {
                "mode": "unschedulable",
                "node": None,
                "unsched_since": g.ago(hours=2, minutes=13),
                "unsched_msg": UNSCHED,
            }
        ],
    )
    # ------------------------------------------------------------ GPU stack
    p.nvidia_device_plugin(g)
    p.dcgm_exporter(
        g,
        plan={
            "mode": "crash",
            "crash_since": "2025-06-12T21:26:40Z",
            "crash": {
                "exporter": crash_now(
                    'time="2025-06-16T02:55:41Z" level=info msg="Starting dcgm-exporter"\n'
                    'time="2025-06-16T02:55:41Z" level=fatal msg="Error connecting to nv-hostengine: Host engine connection '
                    'invalid/disconnected"',
                    797,
                    "2025-06-12T21:26:40Z",
                )
            },
        },
    )
    p.intel_gpu_plugin(g, ["k3s1", "k3s2"], per_node={"k3s1": frozen()})
    # ------------------------------------------------------------ monitoring + auth
    p.monitoring(
        g,
        prom_sc="local-path",
        prom_node="k3s3",
        npd=False,
        node_exporter_nodes=NODES,
        node_exporter_plan={"k3s1": frozen()},
    )
    g.http_route(
        "monitoring",
        "prometheus",
        f"prometheus.{DOMAIN}",
        "kube-prometheus-stack-prometheus",
        9090,
        created=g.ago(days=1, hours=2),
        ks="monitoring",
        file="monitoring.yaml",
    )
    oauth_at = g.ago(hours=29)
    p.oauth2_proxy(
        g,
        "monitoring",
        "oauth2-proxy",
        upstream="http://kube-prometheus-stack-prometheus.monitoring.svc:9090",
        client="prometheus",
        node="k3s2",
        created=oauth_at,
        cookie_len=167,
        crash=True,
        marker=1,
        ks="monitoring",
        route_host=f"prometheus.{DOMAIN}",
        crash_plan={
            "mode": "crash",
            "crash_since": plus(oauth_at, seconds=40),
            "crash": {
                "oauth2-proxy": crash_now(
                    "[2025/06/16 02:57:03] [main.go:54] invalid configuration:\n  cookie_secret must be 16, 24, or 32 "
                    "bytes to create an AES cipher, but is 167 bytes",
                    337,
                    plus(oauth_at, seconds=40),
                    ran=0,
                )
            },
        },
    )
    p.oauth2_proxy(
        g,
        "longhorn-system",
        "oauth2-proxy-longhorn",
        upstream="http://longhorn-frontend.longhorn-system.svc:80",
        client="longhorn",
        node="k3s2",
        created=plus(lh_created, hours=3),
        cookie_len=32,
        marker=3,
        ks="infrastructure",
        route_host=f"longhorn.{DOMAIN}",
    )
    g.http_route(
        "longhorn-system",
        "longhorn",
        f"longhorn.{DOMAIN}",
        "oauth2-proxy-longhorn",
        4180,
        created=plus(lh_created, hours=3),
        ks="infrastructure",
        file="longhorn.yaml",
    )
    # ------------------------------------------------------------ Velero
    p.velero(
        g,
        minio_ok=False,
        vsl_conflict=True,
        minio_crash={
            "mode": "crash",
            "crash_since": MINIO_DOWN,
            "crash": {
                "minio": crash_now(
                    "ERROR Invalid command line arguments: no drives provided: 0 drives provided\n      "
                    "> Please provide at least one drive (e.g. /data) or an erasure set of 4 or more drives",
                    256,
                    MINIO_DOWN,
                    ran=1,
                )
            },
        },
        schedules={
            "hourly-longhorn": (
                "0 * * * *",
                "default",
                {
                    "includedNamespaces": ["media", "ai"],
                    "snapshotVolumes": False,
                    "defaultVolumesToFsBackup": True,
                    "ttl": "72h0m0s",
                },
            ),
            "daily-critical": (
                "0 2 * * *",
                "b2",
                {
                    "includedNamespaces": ["authentik", "monitoring", "flux-system", "longhorn-system"],
                    "snapshotVolumes": True,
                },
            ),
            "weekly-full": (
                "0 3 * * 0",
                "b2",
                {
                    "excludedNamespaces": ["kube-system"],
                    "snapshotVolumes": False,
                    "defaultVolumesToFsBackup": True,
                },
            ),
        },
        backups=[
            ("hourly-longhorn", "2025-06-15T09:00:12Z", "Completed", {}),
            (
                "hourly-longhorn",
                "2025-06-16T01:00:12Z",
                "FailedValidation",
                {
                    "validationErrors": [
                        "backup can't be created because BackupStorageLocation default is in Unavailable status."
                    ]
                },
            ),
            (
                "hourly-longhorn",
                "2025-06-16T02:00:12Z",
                "FailedValidation",
                {
                    "validationErrors": [
                        "backup can't be created because BackupStorageLocation default is in Unavailable status."
                    ]
                },
            ),
            ("daily-critical", "2025-06-14T02:00:31Z", "Completed", {}),
            ("daily-critical", "2025-06-15T02:00:31Z", "PartiallyFailed", {"errors": 2, "warnings": 7}),
            (
                "daily-critical",
                "2025-06-16T02:00:31Z",
                "FailedValidation",
                {
                    "validationErrors": [
                        "provider aws has more than one possible volume snapshot location, and none were specified explicitly or as a default"
                    ]
                },
            ),
            ("weekly-full", "2025-06-15T03:00:04Z", "Completed", {}),
        ],
    )
    # ------------------------------------------------------------ Gateway (routes counted last)
    n_routes = sum(1 for o in g.all_objects() if o["kind"] == "HTTPRoute")
    p.gateway(
        g,
        https_ok=False,
        routes=n_routes,
        extra_listeners=[("https-authentik", f"authentik.{DOMAIN}", "authentik-tls")],
    )
    g.http_route(
        "media",
        "requests",
        f"requests.{DOMAIN}",
        "overseer",
        5055,
        created=plus(media_at, days=2),
        ks="apps-media",
        resolved=("False", "BackendNotFound", 'Service "overseer" not found'),
    )
    cilium_lb_note = None
    del cilium_lb_note, sab, ovs, comfy, pgv
    longhorn_volumes(g, lh_created)
    # stringData is write-only in the API; this Secret was merged in from a manifest (tests grep the marker)
    ga = g.secret(
        "monitoring.yaml",
        "monitoring",
        "grafana-admin",
        {"admin-user": "admin"},
        created=plus(c.CLUSTER_BORN, days=20),
        ks="monitoring",
    )
    ga["stringData"] = {"admin-password": p.secret_text(2, 32)}
    g.secret(
        "flux.yaml",
        "flux-system",
        "sops-age",
        {
            "age.agekey": "# created: 2025-05-18T14:40:02Z\n# public key: "
            "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\nAGE-SECRET-KEY-1"
            + p.secret_text(4, 58).upper()
            + "\n"
        },
        created=plus(c.CLUSTER_BORN, minutes=40),
    )
    events(g)
    disruption_targets(g)
    return g


UNSCHED = (
    "0/4 nodes are available: 1 Insufficient nvidia.com/gpu, 1 node(s) had untolerated taint "
    "{node.kubernetes.io/unreachable: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: "
    "0/4 nodes are available: 1 No preemption victims found for incoming pod, 3 Preemption is not helpful "
    "for scheduling."
)


def longhorn_volumes(g: Lab, created: str) -> None:
    """One Longhorn volume per Longhorn PVC: sonarr's degraded (its k3s1 replica is gone), bazarr's faulted."""
    pods = [o for o in g.all_objects() if o["kind"] == "Pod"]
    for pvc in [o for o in g.all_objects() if o["kind"] == "PersistentVolumeClaim"]:
        sc = pvc["spec"]["storageClassName"]
        if not sc.startswith("longhorn"):
            continue
        ns, claim = pvc["metadata"]["namespace"], pvc["metadata"]["name"]
        users = [
            q
            for q in pods
            if q["metadata"]["namespace"] == ns
            and not q["metadata"].get("deletionTimestamp")
            and q["status"].get("phase") == "Running"
            and any(
                (v.get("persistentVolumeClaim") or {}).get("claimName") == claim
                for v in q["spec"].get("volumes", [])
            )
        ]
        node = users[0]["spec"]["nodeName"] if users else None
        replicas = 2 if sc == "longhorn" else 1
        vol: dict[str, Any] = {
            "name": pvc["spec"]["volumeName"],
            "pvc": (ns, claim),
            "size": pvc["spec"]["resources"]["requests"]["storage"],
            "replicas": replicas,
            "node": node,
            "pods": [q["metadata"]["name"] for q in users],
            "state": "attached" if node else "detached",
            "disk_selector": [sc.removeprefix("longhorn-").split("-")[0]] if sc != "longhorn" else None,
        }
        if claim == "sonarr-config":
            vol.update(
                robustness="degraded",
                sched_msg="replica scheduling failed: insufficient storage; precheck new replica failed: "
                "disks are unavailable: node k3s1 is not ready",
            )
        elif claim == "bazarr-config":
            vol.update(robustness="faulted", state="detached", node=None, pods=[])
        elif claim == "sabnzbd-config":
            vol.update(robustness="unknown", state="attached", node="k3s1")
        c.lh_volume(g, created=pvc["metadata"]["creationTimestamp"], **vol)
    del created


def recyclarr(g: Lab, created: str) -> None:
    f = "apps-media.yaml"
    spec = {
        "containers": [
            {
                "name": "recyclarr",
                "image": "ghcr.io/recyclarr/recyclarr:7.4.1",
                "args": ["sync"],
                "env": [{"name": "TZ", "value": "Etc/UTC"}],
                "volumeMounts": [
                    {"mountPath": "/config/recyclarr.yml", "name": "config", "subPath": "recyclarr.yml"}
                ],
                "resources": {"requests": {"cpu": "10m", "memory": "64Mi"}},
            }
        ],
        "restartPolicy": "Never",
        "volumes": [{"configMap": {"defaultMode": 420, "name": "recyclarr-config"}, "name": "config"}],
    }
    from k8sgen import default_podspec

    tspec = dict(spec)
    default_podspec(tspec, sa=None, ds_node=None, host_network=False, api_volume=None, template=True)
    cj = g.cr(
        f,
        "batch/v1",
        "CronJob",
        "recyclarr",
        "media",
        created=created,
        ks="apps-media",
        spec={
            "concurrencyPolicy": "Forbid",
            "failedJobsHistoryLimit": 1,
            "jobTemplate": {
                "metadata": {"creationTimestamp": None},
                "spec": {
                    "backoffLimit": 2,
                    "template": {"metadata": {"creationTimestamp": None}, "spec": tspec},
                },
            },
            "schedule": "0 0 * * *",
            "successfulJobsHistoryLimit": 2,
            "suspend": False,
            "timeZone": "Etc/UTC",
        },
        status={"lastScheduleTime": "2025-06-16T00:00:00Z", "lastSuccessfulTime": "2025-06-16T00:00:41Z"},
    )
    g.configmap(
        f,
        "media",
        "recyclarr-config",
        {
            "recyclarr.yml": "sonarr:\n  series:\n    base_url: http://sonarr.media:8989\n"
            "    api_key: !env_var SONARR_API_KEY\n"
        },
        created=created,
        ks="apps-media",
    )
    for day in ("2025-06-15", "2025-06-16"):
        start = f"{day}T00:00:00Z"
        from k8sgen import parse

        minutes = int(parse(start).timestamp() // 60)
        jname = f"recyclarr-{minutes}"
        done = plus(start, seconds=41)
        job = g.cr(
            f,
            "batch/v1",
            "Job",
            jname,
            "media",
            created=start,
            owner=cj,
            labels={
                "batch.kubernetes.io/controller-uid": "",
                "batch.kubernetes.io/job-name": jname,
                "job-name": jname,
            },
            annotations={"batch.kubernetes.io/cronjob-scheduled-timestamp": start.replace("Z", "+00:00")},
            spec={
                "backoffLimit": 2,
                "completionMode": "NonIndexed",
                "completions": 1,
                "manualSelector": False,
                "parallelism": 1,
                "podReplacementPolicy": "TerminatingOrFailed",
                "suspend": False,
            },
            status={
                "completionTime": done,
                "conditions": [
                    {
                        "lastProbeTime": done,
                        "lastTransitionTime": done,
                        "message": "Reached expected number of succeeded pods",
                        "reason": "CompletionsReached",
                        "status": "True",
                        "type": "SuccessCriteriaMet",
                    },
                    {
                        "lastProbeTime": done,
                        "lastTransitionTime": done,
                        "message": "Reached expected number of succeeded pods",
                        "reason": "CompletionsReached",
                        "status": "True",
                        "type": "Complete",
                    },
                ],
                "ready": 0,
                "startTime": start,
                "succeeded": 1,
                "terminating": 0,
                "uncountedTerminatedPods": {},
            },
            generation=1,
        )
        uid = job["metadata"]["uid"]
        job["metadata"]["labels"]["batch.kubernetes.io/controller-uid"] = uid
        job["metadata"]["labels"]["controller-uid"] = uid
        job["spec"]["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
        job["spec"]["template"] = {
            "metadata": {
                "creationTimestamp": None,
                "labels": {
                    "batch.kubernetes.io/controller-uid": uid,
                    "batch.kubernetes.io/job-name": jname,
                    "controller-uid": uid,
                    "job-name": jname,
                },
            },
            "spec": tspec,
        }
        g.pod(
            f,
            name=f"{jname}-{g.sfx(5)}",
            ns="media",
            node="k3s2",
            generate_name=f"{jname}-",
            labels=job["spec"]["template"]["metadata"]["labels"],
            spec=spec,
            owner=job,
            created=plus(start, seconds=1),
            plan={"mode": "succeeded", "finished": plus(done, seconds=-2)},
        )


def events(g: Lab) -> None:
    f = "events.yaml"
    k3s1 = g.nodes["k3s1"]
    g.event(
        f,
        k3s1,
        reason="NodeNotReady",
        message="Node k3s1 status is now: NodeNotReady",
        type_="Normal",
        first=plus(K3S1_DOWN, seconds=41),
        last=plus(K3S1_DOWN, seconds=41),
        component="node-controller",
    )
    # kubectl keeps events ~1h by default; K3s here runs --event-ttl=72h, so the incident's events survive
    for pod in pods_named(g, "kube-system", "cilium-") + pods_named(g, "longhorn-system", "longhorn-"):
        if pod["spec"].get("nodeName") != "k3s1":
            continue
        cname = (
            pod["spec"]["containers"][-1]["name"]
            if "csi" in pod["metadata"]["name"]
            else pod["spec"]["containers"][0]["name"]
        )
        cs = next(s for s in pod["status"]["containerStatuses"] if s["name"] == cname)
        g.event(
            f,
            pod,
            reason="BackOff",
            message=f"Back-off restarting failed container {cname} in pod "
            f"{pod['metadata']['name']}_{pod['metadata']['namespace']}({pod['metadata']['uid']})",
            count=cs["restartCount"] * 6,
            first=plus(CILIUM_DOWN, minutes=2),
            last=plus(K3S1_DOWN, seconds=-30),
            component="kubelet",
            host="k3s1",
            field_path=f"spec.containers{{{cname}}}",
        )
        if pod["metadata"]["name"].startswith("cilium-"):
            g.event(
                f,
                pod,
                reason="Unhealthy",
                message='Readiness probe failed: Get "http://127.0.0.1:9879/healthz": '
                "dial tcp 127.0.0.1:9879: connect: connection refused",
                count=211,
                first=plus(CILIUM_DOWN, seconds=20),
                last=plus(K3S1_DOWN, seconds=-62),
                component="kubelet",
                host="k3s1",
                field_path="spec.containers{cilium-agent}",
            )
    for pod in pods_named(g, "media", "overseerr-"):
        if pod["spec"].get("nodeName") == "k3s1":
            claim = next(
                v["persistentVolumeClaim"]["claimName"]
                for v in pod["spec"]["volumes"]
                if "persistentVolumeClaim" in v
            )
            pv = next(
                o
                for o in g.all_objects()
                if o["kind"] == "PersistentVolumeClaim" and o["metadata"]["name"] == claim
            )
            g.event(
                f,
                pod,
                reason="FailedMount",
                message=f'MountVolume.MountDevice failed for volume "{pv["spec"]["volumeName"]}" : '
                "kubernetes.io/csi: attacher.MountDevice failed to create newCsiDriverClient: driver name "
                "driver.longhorn.io not found in the list of registered CSI drivers",
                count=5,
                first=plus(pod["metadata"]["creationTimestamp"], seconds=8),
                last=plus(K3S1_DOWN, seconds=-44),
                component="kubelet",
                host="k3s1",
            )
    for pod in pods_named(g, "media", "sabnzbd-"):
        if pod["spec"].get("nodeName") == "k3s2":
            claim = "sabnzbd-config"
            pvc = next(
                o
                for o in g.all_objects()
                if o["kind"] == "PersistentVolumeClaim" and o["metadata"]["name"] == claim
            )
            old = next(o for o in pods_named(g, "media", "sabnzbd-") if o["spec"].get("nodeName") == "k3s1")
            g.event(
                f,
                pod,
                reason="FailedAttachVolume",
                message=f'Multi-Attach error for volume "{pvc["spec"]["volumeName"]}" '
                f"Volume is already used by pod(s) {old['metadata']['name']}",
                count=1,
                first=plus(EVICTED, seconds=2),
                last=plus(EVICTED, seconds=2),
                component="attachdetach-controller",
            )
            g.event(
                f,
                pod,
                reason="FailedMount",
                message="Unable to attach or mount volumes: unmounted volumes=[config], "
                "unattached volumes=[config media kube-api-access]: timed out waiting for the condition",
                count=1875,
                first=plus(EVICTED, minutes=2, seconds=3),
                last=g.ago(minutes=1, seconds=10),
                component="kubelet",
                host="k3s2",
            )
    for ns, prefix, cname in (
        ("monitoring", "oauth2-proxy-", "oauth2-proxy"),
        ("velero", "minio-", "minio"),
        ("monitoring", "dcgm-exporter-", "exporter"),
    ):
        for pod in pods_named(g, ns, prefix):
            cs = pod["status"]["containerStatuses"][0]
            g.event(
                f,
                pod,
                reason="BackOff",
                message=f"Back-off restarting failed container {cname} in pod "
                f"{pod['metadata']['name']}_{ns}({pod['metadata']['uid']})",
                count=cs["restartCount"] * 5,
                first=pod["status"]["startTime"],
                last=g.ago(seconds=25),
                component="kubelet",
                host=pod["spec"]["nodeName"],
                field_path=f"spec.containers{{{cname}}}",
            )
    for pod in pods_named(g, "ai", "comfyui-"):
        g.series_event(
            f,
            pod,
            reason="FailedScheduling",
            message=UNSCHED,
            first=g.ago(hours=2, minutes=13),
            last=g.ago(minutes=3, seconds=2),
            count=27,
        )


def disruption_targets(g: Lab) -> None:
    """Pods the taint manager deleted carry DisruptionTarget=True (k8s >= 1.26)."""
    for obj in g.all_objects():
        if obj["kind"] == "Pod" and obj["metadata"].get("deletionTimestamp"):
            obj["status"]["conditions"].insert(
                0,
                {
                    "lastProbeTime": None,
                    "lastTransitionTime": EVICTED,
                    "message": "Taint manager: deleting due to NoExecute taint",
                    "reason": "DeletionByTaintManager",
                    "status": "True",
                    "type": "DisruptionTarget",
                },
            )


def main(out: Path = OUT) -> None:
    g = build()
    n = g.write_dir(out, NOW, extra_kinds=["PriorityClass.scheduling.k8s.io", "ResourceQuota"])
    print(f"wrote {n} objects to {out}")


if __name__ == "__main__":
    main()
