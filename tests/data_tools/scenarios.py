"""Write the scenario snapshots of ``tests/scenarios/<name>/``: one seed incident (or two) in an otherwise
healthy 4-node K3s cluster, each with the ``expected.yaml`` the scenario runner grades the diagnosis by.

Run from the repository root: ``python tests/data_tools/scenarios.py [name ...]``. Deterministic.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import yaml

sys.path.insert(0, str(Path(__file__).parent))

import components as c
import platform_parts as p
from homelab import DOMAIN, Lab
from k8sgen import plus

NOW = "2025-06-16T03:00:00Z"
OUT = Path(__file__).resolve().parents[1] / "scenarios"
NODES = ["k3s-master1", "k3s1", "k3s2", "k3s3"]
DOWN = "2025-06-13T02:40:00Z"
CILIUM_DOWN = "2025-06-13T02:07:13Z"
EVICTED = plus(DOWN, seconds=341)
DELETION = plus(EVICTED, seconds=30)
SEED_SOURCE = "the homelab operations log this project was built from (no public URL)"
HEADER = "# Scenario snapshot written by tests/data_tools/scenarios.py: edit the generator, not this file.\n"

UNSCHED = (
    "0/4 nodes are available: 1 Insufficient nvidia.com/gpu, 3 node(s) didn't match Pod's node "
    "affinity/selector. preemption: 0/4 nodes are available: 1 No preemption victims found for incoming "
    "pod, 3 Preemption is not helpful for scheduling."
)


def ref(kind: str, ns: str | None, name: str) -> dict[str, Any]:
    return {"kind": kind, "namespace": ns, "name": name}


def obj_ref(o: dict[str, Any]) -> dict[str, Any]:
    return ref(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"])


def sym(obj: dict[str, Any], *checks: str) -> list[dict[str, Any]]:
    """Expected symptoms: the findings of these checks on this object (a ref or a generated object)."""
    r = obj if "metadata" not in obj else obj_ref(obj)
    return [{"check": check, "object": r} for check in checks]


def pods_of(g: Lab, ns: str, prefix: str, node: str | None = None) -> list[dict[str, Any]]:
    return [
        o
        for o in g.all_objects()
        if o["kind"] == "Pod"
        and o["metadata"]["namespace"] == ns
        and o["metadata"]["name"].startswith(prefix)
        and (node is None or o["spec"].get("nodeName") == node)
    ]


def frozen(node: str = "k3s1", since: str = DOWN, **kw: Any) -> dict[str, Any]:
    return {"node": node, "frozen": plus(since, seconds=41), **kw}


def frozen_crash(message: str, restarts: int, since: str = DOWN) -> dict[str, Any]:
    fin = plus(since, seconds=-95)
    return {
        "restarts": restarts,
        "exit": 1,
        "message": message,
        "reason": "Error",
        "started": plus(fin, seconds=-31),
        "finished": fin,
    }


def crash_now(g: Lab, message: str, restarts: int, ran: int = 1) -> dict[str, Any]:
    fin = g.ago(seconds=70 + restarts % 200)
    return {
        "restarts": restarts,
        "exit": 1,
        "message": message,
        "reason": "Error",
        "started": plus(fin, seconds=-ran),
        "finished": fin,
    }


CILIUM_CRASH = (
    'level=fatal msg="Error while creating daemon" error="failed to setup datapath: unable to configure '
    'cilium_host: route 10.42.1.0/24 via 10.42.1.1: network is unreachable" subsys=daemon'
)
LH_CRASH = (
    'time="2025-06-13T02:38:24Z" level=fatal msg="Error starting manager: failed to get longhorn-backend: '
    'Get \\"https://10.43.0.1:443/api/v1/namespaces/longhorn-system/services/longhorn-backend\\": context '
    'deadline exceeded"'
)
CSI_CRASH = (
    'time="2025-06-13T02:38:27Z" level=fatal msg="Error starting CSI manager: failed to initialize Longhorn '
    'API client: Get \\"http://longhorn-backend:9500/v1\\": context deadline exceeded (Client.Timeout exceeded '
    'while awaiting headers)"'
)


def base(
    name: str,
    *,
    down: dict[str, dict[str, Any]] | None = None,
    csi_missing: set[str] | None = None,
    agent: dict[str, dict[str, Any]] | None = None,
    lh_mgr: dict[str, dict[str, Any]] | None = None,
    lh_csi: dict[str, dict[str, Any]] | None = None,
    kubelet_root: str = c.K3S_KUBELET,
    values_root: str | None = None,
    specs: list[c.NodeSpec] | None = None,
    nfs: bool = False,
) -> Lab:
    """Four healthy K3s nodes, Cilium (all Gateway flags, BGP on every worker), Longhorn (CSI registered)."""
    g = Lab(f"scenario-{name}", NOW)
    specs = specs or c.fletcherlabs_nodes(k3s2_kubelet="v1.32.5+k3s1", k3s3_bgp=True)
    names = [s.name for s in specs]
    c.add_nodes(g, specs, down=down, csi_missing=csi_missing)
    c.cilium(g, names, agent=agent, app_protocol=True)
    c.storage_classes(g, nfs=nfs, tiers=False)
    if nfs:
        c.csi_nfs(g, names)
    c.longhorn(
        g,
        names,
        kubelet_root=kubelet_root,
        values_root=values_root,
        per_node_manager=lh_mgr,
        per_node_csi=lh_csi,
        ui=False,
        sidecars=False,
    )
    if not nfs:  # CSINodes list only the drivers present
        for o in g.all_objects():
            if o["kind"] == "CSINode":
                o["spec"]["drivers"] = [
                    d for d in o["spec"]["drivers"] or [] if d["name"] != "nfs.csi.k8s.io"
                ] or None
            if o["kind"] == "Node":
                ann = o["metadata"]["annotations"]
                ann["csi.volume.kubernetes.io/nodeid"] = (
                    ann["csi.volume.kubernetes.io/nodeid"]
                    .replace('"nfs.csi.k8s.io":"' + o["metadata"]["name"] + '"', "")
                    .replace("{,", "{")
                    .replace(",}", "}")
                )
    return g


def media_app(
    g: Lab,
    name: str,
    node: str,
    port: int,
    *,
    sc: str | None = "longhorn",
    pods: list[dict[str, Any]] | None = None,
    **kw: Any,
) -> dict[str, Any]:
    images = {
        "sonarr": "lscr.io/linuxserver/sonarr:4.0.14",
        "radarr": "lscr.io/linuxserver/radarr:5.26.2",
        "prowlarr": "lscr.io/linuxserver/prowlarr:1.37.0",
        "sabnzbd": "lscr.io/linuxserver/sabnzbd:4.5.1",
        "overseerr": "lscr.io/linuxserver/overseerr:1.34.0",
        "lidarr": "lscr.io/linuxserver/lidarr:2.12.4",
        "bazarr": "lscr.io/linuxserver/bazarr:1.5.2",
        "whisparr": "ghcr.io/hotio/whisparr:v3-3.0.0.1141",
    }
    return cast(
        "dict[str, Any]",
        g.app(
            "media",
            name,
            images[name],
            port,
            node=node,
            created=plus(c.CLUSTER_BORN, days=3),
            ks="apps-media",
            pvc=(f"{name}-config", "5Gi", sc) if sc else None,
            probe_path="/ping",
            pods=pods,
            **kw,
        ),
    )


def gpu_apps(
    g: Lab, *, priority: str | None = None, pending: bool = True, skip: tuple[str, ...] = ()
) -> None:
    ai_at = plus(c.CLUSTER_BORN, days=9)
    res = {"limits": {"memory": "16Gi"}, "requests": {"cpu": "1", "memory": "4Gi"}}
    for ns, name, image, port in (
        ("ai", "ollama", "docker.io/ollama/ollama:0.9.0", 11434),
        ("ai", "automatic1111", "ghcr.io/ai-dock/stable-diffusion-webui:latest-cuda", 7860),
        ("media", "jellyfin", "docker.io/jellyfin/jellyfin:10.10.7", 8096),
        ("media", "plex", "docker.io/plexinc/pms-docker:1.41.8.9834-071366d65", 32400),
    ):
        if name in skip:
            continue
        g.app(
            ns,
            name,
            image,
            port,
            node="k3s3",
            created=ai_at,
            ks="apps-ai" if ns == "ai" else "apps-media",
            gpu=1,
            node_selector=p.GPU_SELECTOR,
            resources=res,
            route=False,
            priority=priority,
        )
    if pending:
        g.app(
            "ai",
            "comfyui",
            "ghcr.io/ai-dock/comfyui:latest-cuda",
            8188,
            node="k3s3",
            created=g.ago(hours=2, minutes=14),
            ks="apps-ai",
            gpu=1,
            node_selector=p.GPU_SELECTOR,
            resources=res,
            route=False,
            priority=priority,
            pods=[
                {
                    "mode": "unschedulable",
                    "node": None,
                    "unsched_since": g.ago(hours=2, minutes=13),
                    "unsched_msg": UNSCHED,
                }
            ],
        )
        pod = pods_of(g, "ai", "comfyui-")[0]
        g.series_event(
            "events.yaml",
            pod,
            reason="FailedScheduling",
            message=UNSCHED,
            first=g.ago(hours=2, minutes=13),
            last=g.ago(minutes=3, seconds=2),
            count=27,
        )
    p.nvidia_device_plugin(g)


def flux_core(g: Lab, *, gpu_crd: bool, authentik_secret: bool) -> None:
    """GitRepository + Kustomizations; optionally the Intel GPU plugin CRD failure and Authentik's missing Secret."""
    p.flux_sources(g, {"authentik": "https://charts.goauthentik.io"})
    rev = p.GIT_REV
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
    if gpu_crd:
        g.kustomization(
            "intel-gpu-plugin",
            "./clusters/k3s-home/infrastructure/intel-gpu-plugin",
            created=plus(c.CLUSTER_BORN, days=9),
            revision=rev,
            applied="2025-06-14T16:02:55Z",
            ready=(
                "False",
                "ReconciliationFailed",
                'GpuDevicePlugin/gpu-plugin dry-run failed: no matches for kind "GpuDevicePlugin" in '
                'version "deviceplugin.intel.com/v1"',
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
    au = plus(c.CLUSTER_BORN, days=26)
    if not authentik_secret:
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
            ready=(
                "False",
                "InitFailed",
                "could not resolve Secret chart values reference "
                "'authentik/authentik-secret' with key 'values.yaml': secrets \"authentik-secret\" not found",
            ),
        )
    else:
        g.helm_release(
            "authentik",
            "authentik",
            "authentik",
            "2024.4.2",
            "authentik",
            created=au,
            ks="infrastructure",
            values_from=[{"kind": "Secret", "name": "authentik-secret", "valuesKey": "values.yaml"}],
            app_version="2024.4.2",
            at=g.ago(days=1, hours=3),
        )
        g.secret(
            "authentik.yaml",
            "authentik",
            "authentik-secret",
            {"values.yaml": f"authentik:\n  secret_key: {p.secret_text(5, 50)}\n"},
            created=au,
            ks="infrastructure",
        )


def k3s1_network_failure(
    g: Lab | None = None, name: str = "k3s1-network-failure"
) -> tuple[Lab, list[dict[str, Any]]]:
    g = g or base(
        name,
        down={"k3s1": {"since": DOWN, "cilium_down_since": CILIUM_DOWN}},
        csi_missing={"k3s1"},
        agent={"k3s1": frozen(mode="crash", crash={"cilium-agent": frozen_crash(CILIUM_CRASH, 23)})},
        lh_mgr={"k3s1": frozen(mode="crash", crash={"longhorn-manager": frozen_crash(LH_CRASH, 31)})},
        lh_csi={"k3s1": frozen(mode="crash", crash={"longhorn-csi-plugin": frozen_crash(CSI_CRASH, 29)})},
    )
    media_app(g, "sonarr", "k3s2", 8989)
    media_app(
        g,
        "prowlarr",
        "k3s2",
        9696,
        pods=[
            frozen(deletion=DELETION, created="2025-06-11T18:20:31Z"),
            {"node": "k3s2", "created": plus(EVICTED, seconds=1)},
        ],
        sc="longhorn",
    )
    media_app(
        g,
        "overseerr",
        "k3s2",
        5055,
        pods=[
            frozen(deletion=DELETION, created="2025-06-13T02:31:05Z", mode="creating"),
            {"node": "k3s2", "created": plus(EVICTED, seconds=1)},
        ],
    )
    ovs = pods_of(g, "media", "overseerr-", "k3s1")[0]
    pvc = next(
        o
        for o in g.all_objects()
        if o["kind"] == "PersistentVolumeClaim" and o["metadata"]["name"] == "overseerr-config"
    )
    g.event(
        "events.yaml",
        ovs,
        reason="FailedMount",
        message=f'MountVolume.MountDevice failed for volume "{pvc["spec"]["volumeName"]}" : kubernetes.io/csi: '
        "attacher.MountDevice failed to create newCsiDriverClient: driver name driver.longhorn.io not found "
        "in the list of registered CSI drivers",
        count=5,
        first=plus(ovs["metadata"]["creationTimestamp"], seconds=8),
        last=plus(DOWN, seconds=-44),
        component="kubelet",
        host="k3s1",
    )
    g.event(
        "events.yaml",
        g.nodes["k3s1"],
        reason="NodeNotReady",
        message="Node k3s1 status is now: NodeNotReady",
        type_="Normal",
        first=plus(DOWN, seconds=41),
        last=plus(DOWN, seconds=41),
        component="node-controller",
    )
    symptoms = [s for x in pods_of(g, "kube-system", "cilium-", "k3s1") for s in sym(x, "pod-crashloop")]
    symptoms += [
        s
        for x in pods_of(g, "longhorn-system", "longhorn-", "k3s1")
        for s in sym(x, "csi-driver-pods-failing", "pod-crashloop")
    ]
    symptoms += [s for x in pods_of(g, "media", "prowlarr-", "k3s1") for s in sym(x, "pod-stuck-terminating")]
    symptoms += [
        s
        for x in pods_of(g, "media", "overseerr-", "k3s1")
        for s in sym(x, "failed-mount-events", "pod-stuck-terminating")
    ]
    symptoms += [
        s
        for d in (
            ref("DaemonSet", "kube-system", "cilium"),
            ref("DaemonSet", "longhorn-system", "longhorn-csi-plugin"),
            ref("DaemonSet", "longhorn-system", "longhorn-manager"),
        )
        for s in sym(d, "daemonset-not-ready")
    ]
    symptoms += sym(
        ref("Node", None, "k3s1"), "node-network-unavailable", "node-not-ready", "csi-driver-not-registered"
    )
    return g, [{"object": ref("Node", None, "k3s1"), "layer": "network", "symptoms": symptoms}]


def s_k3s1_network_failure() -> tuple[Lab, dict[str, Any]]:
    g, causes = k3s1_network_failure()
    return g, {
        "description": "k3s1 lost its pod network (Cilium down, kubelet silent): the Longhorn CSI crash loops, "
        "'driver not registered' mounts and pods stuck Terminating there are symptoms of the node, "
        "not a K3s CSI bug.",
        "root_causes": causes,
    }


def s_kubelet_path_change() -> tuple[Lab, dict[str, Any]]:
    g = base(
        "kubelet-path-change",
        csi_missing=set(NODES),
        kubelet_root=c.STD_KUBELET,
        values_root=c.STD_KUBELET,
        nfs=True,
    )
    changed = g.ago(hours=26)
    for name, node, port in (("sonarr", "k3s2", 8989), ("radarr", "k3s3", 7878), ("lidarr", "k3s2", 8686)):
        media_app(
            g,
            name,
            node,
            port,
            pods=[{"node": node, "mode": "creating", "created": plus(changed, minutes=20)}],
        )
        pod = pods_of(g, "media", f"{name}-")[0]
        pvc = next(
            o
            for o in g.all_objects()
            if o["kind"] == "PersistentVolumeClaim" and o["metadata"]["name"] == f"{name}-config"
        )
        g.event(
            "events.yaml",
            pod,
            reason="FailedMount",
            message=f'MountVolume.MountDevice failed for volume "{pvc["spec"]["volumeName"]}" : kubernetes.io/csi: '
            "attacher.MountDevice failed to create newCsiDriverClient: driver name driver.longhorn.io not found "
            "in the list of registered CSI drivers",
            count=431,
            first=plus(changed, minutes=21),
            last=g.ago(minutes=2, seconds=14),
            component="kubelet",
            host=node,
        )
    symptoms = sym(ref("DaemonSet", "longhorn-system", "longhorn-csi-plugin"), "k3s-kubelet-path-mismatch")
    symptoms += [
        s
        for n in ("sonarr", "radarr", "lidarr")
        for x in pods_of(g, "media", f"{n}-")
        for s in sym(x, "failed-mount-events", "pod-pending")
    ]
    symptoms += [
        s
        for n in ("sonarr", "radarr", "lidarr")
        for s in sym(ref("Deployment", "media", n), "workload-replicas-unavailable")
    ]
    symptoms += sym(ref("StorageClass", None, "longhorn"), "csi-driver-not-registered")
    return g, {
        "description": "Longhorn's csi.kubeletRootDir and CSI plugin hostPaths were changed to /var/lib/kubelet: "
        "on K3s the driver registers on no node and every Longhorn mount fails, on all nodes at once.",
        "root_causes": [
            {
                "object": ref("HelmRelease", "longhorn-system", "longhorn"),
                "layer": "storage",
                "symptoms": symptoms,
            }
        ],
    }


def s_node_notready_stuck_terminating() -> tuple[Lab, dict[str, Any]]:
    since = "2025-06-12T22:14:09Z"
    specs = c.fletcherlabs_nodes(k3s2_kubelet="v1.32.5+k3s1", k3s3_bgp=True)
    specs[1] = c.NodeSpec(
        "styx",
        "192.168.10.34",
        "10.42.1.0/24",
        plus(c.CLUSTER_BORN, minutes=21),
        cpu="8",
        mem_ki=32_610_124,
        labels={"bgp-policy": "enabled", "node.longhorn.io/create-default-disk": "true"},
    )
    g = base(
        "node-notready-stuck-terminating",
        specs=specs,
        down={"styx": {"since": since}},
        agent={"styx": frozen("styx", since)},
        lh_mgr={"styx": frozen("styx", since)},
        lh_csi={"styx": frozen("styx", since)},
    )
    evict = plus(since, seconds=341)
    gone = plus(evict, seconds=30)
    stuck: list[dict[str, Any]] = []
    for name, port in (
        ("sonarr", 8989),
        ("radarr", 7878),
        ("lidarr", 8686),
        ("prowlarr", 9696),
        ("bazarr", 6767),
        ("overseerr", 5055),
        ("sabnzbd", 8080),
    ):
        media_app(
            g,
            name,
            "k3s2",
            port,
            sc=None,
            route=False,
            pods=[
                frozen("styx", since, deletion=gone, created="2025-06-10T08:02:11Z"),
                {"node": "k3s2" if name != "sabnzbd" else "k3s3", "created": plus(evict, seconds=1)},
            ],
        )
        stuck += pods_of(g, "media", f"{name}-", "styx")
    g.statefulset(
        "apps-media.yaml",
        "media",
        "whisparr-db",
        created=plus(c.CLUSTER_BORN, days=3),
        selector={"app.kubernetes.io/name": "whisparr-db"},
        ks="apps-media",
        service_name="whisparr-db",
        pods=[frozen("styx", since, deletion=gone, created="2025-06-10T08:02:15Z")],
        spec={
            "containers": [
                {
                    "name": "postgres",
                    "image": "docker.io/library/postgres:16.3",
                    "ports": [{"containerPort": 5432, "name": "postgres"}],
                }
            ]
        },
    )
    stuck += pods_of(g, "media", "whisparr-db-", "styx")
    for pod in stuck:
        pod["status"]["conditions"].insert(
            0,
            {
                "lastProbeTime": None,
                "lastTransitionTime": evict,
                "message": "Taint manager: deleting due to NoExecute taint",
                "reason": "DeletionByTaintManager",
                "status": "True",
                "type": "DisruptionTarget",
            },
        )
    g.event(
        "events.yaml",
        g.nodes["styx"],
        reason="NodeNotReady",
        message="Node styx status is now: NodeNotReady",
        type_="Normal",
        first=plus(since, seconds=41),
        last=plus(since, seconds=41),
        component="node-controller",
    )
    assert len(stuck) == 8
    return g, {
        "description": "Node styx has been NotReady (kubelet stopped posting status) for over three days; its 8 "
        "pods are stuck Terminating because only its kubelet could confirm their deletion.",
        "root_causes": [
            {
                "object": ref("Node", None, "styx"),
                "layer": "node",
                "symptoms": [s for x in stuck for s in sym(x, "pod-stuck-terminating")]
                + sym(ref("StatefulSet", "media", "whisparr-db"), "workload-replicas-unavailable"),
            }
        ],
    }


def flux_expectations() -> list[dict[str, Any]]:
    # the missing CRD comes first: it blocks a chain (apps-ai waits on it); the missing Secret blocks one release
    return [
        {
            "object": ref("Kustomization", "flux-system", "intel-gpu-plugin"),
            "layer": "platform",
            "symptoms": sym(ref("Kustomization", "flux-system", "apps-ai"), "flux-not-ready"),
        },
        {
            "object": ref("HelmRelease", "authentik", "authentik"),
            "layer": "platform",
            "symptoms": sym(ref("HelmRelease", "authentik", "authentik"), "flux-not-ready"),
        },
    ]


def s_flux_missing_secret_and_crd() -> tuple[Lab, dict[str, Any]]:
    g = base("flux-missing-secret-and-crd")
    p.flux_controllers(g)
    flux_core(g, gpu_crd=True, authentik_secret=False)
    return g, {
        "description": "Flux: the intel-gpu-plugin Kustomization applies a GpuDevicePlugin whose CRD is not "
        "installed (apps-ai waits on it), and the authentik HelmRelease takes values from a "
        "Secret that does not exist.",
        "root_causes": flux_expectations(),
    }


VELERO_SCHEDULES = {
    "hourly-longhorn": (
        "0 * * * *",
        "default",
        {
            "includedNamespaces": ["media"],
            "snapshotVolumes": False,
            "defaultVolumesToFsBackup": True,
            "ttl": "72h0m0s",
        },
    ),
    "daily-critical": (
        "0 2 * * *",
        "b2",
        {
            "includedNamespaces": ["authentik", "monitoring"],
            "snapshotVolumes": False,
            "defaultVolumesToFsBackup": True,
        },
    ),
}
MINIO_MSG = (
    "ERROR Invalid command line arguments: no drives provided: 0 drives provided\n      > Please provide at least "
    "one drive (e.g. /data) or an erasure set of 4 or more drives"
)


def velero_incident(g: Lab) -> list[dict[str, Any]]:
    down = "2025-06-15T09:12:40Z"
    p.velero(
        g,
        minio_ok=False,
        vsl_conflict=False,
        schedules=VELERO_SCHEDULES,
        minio_crash={"mode": "crash", "crash_since": down, "crash": {"minio": crash_now(g, MINIO_MSG, 256)}},
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
            ("daily-critical", "2025-06-15T02:00:31Z", "Completed", {}),
            ("daily-critical", "2025-06-16T02:00:31Z", "Completed", {}),
        ],
    )
    pod = pods_of(g, "velero", "minio-")[0]
    g.event(
        "events.yaml",
        pod,
        reason="BackOff",
        message=f"Back-off restarting failed container minio in pod "
        f"{pod['metadata']['name']}_velero({pod['metadata']['uid']})",
        count=1280,
        first=down,
        last=g.ago(seconds=25),
        component="kubelet",
        host=pod["spec"]["nodeName"],
        field_path="spec.containers{minio}",
    )
    return [
        {
            "object": ref("Deployment", "velero", "minio"),
            "layer": "workload",
            "symptoms": sym(pod, "pod-crashloop")
            + sym(ref("Deployment", "velero", "minio"), "workload-replicas-unavailable")
            + sym(ref("BackupStorageLocation", "velero", "default"), "velero-bsl-unavailable")
            + sym(ref("Schedule", "velero", "hourly-longhorn"), "velero-backup-failed-or-stale"),
        }
    ]


def s_velero_minio_crash() -> tuple[Lab, dict[str, Any]]:
    g = base("velero-minio-crash")
    causes = velero_incident(g)
    return g, {
        "description": "MinIO crash-loops ('0 drives provided'), so Velero's default (in-cluster) backup location "
        "is Unavailable and the hourly schedule fails validation; the offsite B2 location is fine.",
        "root_causes": causes,
    }


def prometheus_stack(g: Lab, sc: str = "longhorn") -> None:
    p.monitoring(
        g, prom_sc=sc, prom_node="k3s3", grafana=False, loki=False, files="monitoring.yaml", extras=False
    )


def s_oauth2_proxy_cookie_secret() -> tuple[Lab, dict[str, Any]]:
    g = base("oauth2-proxy-cookie-secret")
    prometheus_stack(g)
    at = g.ago(hours=29)
    dep = p.oauth2_proxy(
        g,
        "monitoring",
        "oauth2-proxy",
        upstream="http://kube-prometheus-stack-prometheus.monitoring.svc:9090",
        client="prometheus",
        node="k3s2",
        created=at,
        cookie_len=167,
        crash=True,
        marker=1,
        ks="monitoring",
        route_host=f"prometheus.{DOMAIN}",
        crash_plan={
            "mode": "crash",
            "crash_since": plus(at, seconds=40),
            "crash": {
                "oauth2-proxy": crash_now(
                    g,
                    "[2025/06/16 02:57:03] [main.go:54] invalid configuration:\n  cookie_secret must be 16, 24, or 32 "
                    "bytes to create an AES cipher, but is 167 bytes",
                    337,
                    ran=0,
                )
            },
        },
    )
    g.http_route(
        "monitoring",
        "prometheus",
        f"prometheus.{DOMAIN}",
        "oauth2-proxy",
        4180,
        created=g.ago(hours=28),
        ks="monitoring",
        file="monitoring.yaml",
    )
    pod = pods_of(g, "monitoring", "oauth2-proxy-")[0]
    g.event(
        "events.yaml",
        pod,
        reason="BackOff",
        message=f"Back-off restarting failed container oauth2-proxy in pod "
        f"{pod['metadata']['name']}_monitoring({pod['metadata']['uid']})",
        count=1650,
        first=pod["status"]["startTime"],
        last=g.ago(seconds=25),
        component="kubelet",
        host="k3s2",
        field_path="spec.containers{oauth2-proxy}",
    )
    del dep
    return g, {
        "description": "oauth2-proxy in front of Prometheus crash-loops: its cookie secret is 167 bytes, not 16, "
        "24 or 32, so prometheus.fletcherlabs.net (routed through it) is down.",
        "root_causes": [
            {
                "object": ref("Deployment", "monitoring", "oauth2-proxy"),
                "layer": "security",
                "symptoms": sym(pod, "pod-crashloop")
                + sym(ref("Deployment", "monitoring", "oauth2-proxy"), "workload-replicas-unavailable"),
            }
        ],
    }


def s_gpu_insufficient() -> tuple[Lab, dict[str, Any]]:
    g = base("gpu-insufficient")
    gpu_apps(g)
    pend = pods_of(g, "ai", "comfyui-")[0]
    return g, {
        "description": "The Tesla T4 on k3s3 is time-sliced into 4 nvidia.com/gpu and all 4 are held, so a fifth "
        "GPU pod (comfyui) stays Pending on Insufficient nvidia.com/gpu.",
        "root_causes": [
            {
                "object": ref("Node", None, "k3s3"),
                "layer": "gpu",
                "symptoms": sym(pend, "gpu-insufficient")
                + sym(ref("Deployment", "ai", "comfyui"), "workload-replicas-unavailable"),
            }
        ],
    }


def tls_setup(g: Lab, *, wildcard_ok: bool) -> None:
    p.cert_manager(g, http01_only=not wildcard_ok, controllers=False)
    cm_created = plus(c.CLUSTER_BORN, days=23)
    if wildcard_ok:
        p.certificate(
            g,
            "networking",
            "wildcard-fletcherlabs",
            [f"*.{DOMAIN}", DOMAIN],
            created=plus(cm_created, days=-1),
            secret="wildcard-fletcherlabs-tls",
            state="ready",
            not_after="2025-08-30T22:41:07Z",
        )
    else:
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
                'order resource "wildcard-fletcherlabs-1-2911487223" to become ready: order is in '
                '"errored" state: Failed to determine a valid solver configuration for the set of '
                "domains on the Order: no configured challenge solvers can be used for this challenge"
            ),
        )
        p.wildcard_order(g, wc, created=plus(cm_created, days=-1))


def s_wildcard_http01() -> tuple[Lab, dict[str, Any]]:
    g = base("wildcard-http01")
    tls_setup(g, wildcard_ok=False)
    media_app(g, "sonarr", "k3s2", 8989)
    media_app(g, "radarr", "k3s3", 7878)
    p.gateway(g, https_ok=False, routes=2)
    return g, {
        "description": "The wildcard certificate *.fletcherlabs.net is requested from a ClusterIssuer with only an "
        "HTTP-01 solver; Let's Encrypt validates wildcards only over DNS-01, so it is never issued "
        "and the Gateway's https listener has no certificate.",
        "root_causes": [
            {
                "object": ref("Certificate", "networking", "wildcard-fletcherlabs"),
                "layer": "platform",
                "symptoms": sym(ref("Gateway", "networking", "main-gateway"), "gateway-not-accepted")
                + sym(ref("Certificate", "networking", "wildcard-fletcherlabs"), "certificate-not-ready"),
            }
        ],
    }


def s_prometheus_exposed() -> tuple[Lab, dict[str, Any]]:
    g = base("prometheus-exposed")
    prometheus_stack(g)
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
    return g, {
        "description": "Prometheus is published at prometheus.fletcherlabs.net through an HTTPRoute straight to "
        "its Service, with no authentication in front.",
        "root_causes": [
            {"object": ref("HTTPRoute", "monitoring", "prometheus"), "layer": "security", "symptoms": []}
        ],
    }


def s_healthy() -> tuple[Lab, dict[str, Any]]:
    g = base("healthy", nfs=False)
    prometheus_stack(g, sc="longhorn")
    sel = {"app": "node-problem-detector"}
    g.daemonset(
        "monitoring.yaml",
        "kube-system",
        "node-problem-detector",
        created=plus(c.CLUSTER_BORN, days=23),
        nodes=NODES,
        selector=sel,
        labels={"app.kubernetes.io/name": "node-problem-detector"},
        helm=("node-problem-detector", "kube-system"),
        spec={
            "containers": [
                {
                    "name": "node-problem-detector",
                    "image": "registry.k8s.io/node-problem-detector/node-problem-detector:v0.8.19",
                    "command": [
                        "/node-problem-detector",
                        "--logtostderr",
                        "--config.system-log-monitor=/config/kernel-monitor.json",
                    ],
                    "securityContext": {"privileged": True},
                }
            ]
        },
        pods_created=plus(c.CLUSTER_BORN, days=23),
    )
    g.priority_class(
        "gpu-critical",
        100000,
        created=plus(c.CLUSTER_BORN, days=28),
        ks="infrastructure",
        description="Media transcoding and inference that must keep their GPU slice",
    )
    gpu_apps(g, priority="gpu-critical", pending=False, skip=("automatic1111",))  # one T4 slice left free
    for ns, n, used in (("ai", 2, 1), ("media", 2, 2)):
        g.add(
            "scheduling.yaml",
            {
                "apiVersion": "v1",
                "kind": "ResourceQuota",
                "metadata": g.meta(
                    "gpu-quota",
                    ns,
                    created=plus(c.CLUSTER_BORN, days=28),
                    ks="infrastructure",
                    kind="ResourceQuota",
                ),
                "spec": {"hard": {"requests.nvidia.com/gpu": str(n)}},
                "status": {
                    "hard": {"requests.nvidia.com/gpu": str(n)},
                    "used": {"requests.nvidia.com/gpu": str(used)},
                },
            },
        )
    p.oauth2_proxy(
        g,
        "monitoring",
        "oauth2-proxy",
        upstream="http://kube-prometheus-stack-prometheus.monitoring.svc:9090",
        client="prometheus",
        node="k3s2",
        created=g.ago(days=6),
        cookie_len=32,
        marker=1,
        ks="monitoring",
        route_host=f"prometheus.{DOMAIN}",
    )
    g.http_route(
        "monitoring",
        "prometheus",
        f"prometheus.{DOMAIN}",
        "oauth2-proxy",
        4180,
        created=g.ago(days=6),
        ks="monitoring",
        file="monitoring.yaml",
    )
    tls_setup(g, wildcard_ok=True)
    p.gateway(g, https_ok=True, routes=1)
    p.velero(
        g,
        minio_ok=True,
        vsl_conflict=False,
        vsl=False,
        schedules=VELERO_SCHEDULES,
        backups=[
            ("hourly-longhorn", "2025-06-16T01:00:12Z", "Completed", {}),
            ("hourly-longhorn", "2025-06-16T02:00:12Z", "Completed", {}),
            ("daily-critical", "2025-06-15T02:00:31Z", "Completed", {}),
            ("daily-critical", "2025-06-16T02:00:31Z", "Completed", {}),
        ],
    )
    return g, {
        "description": "Healthy fletcherlabs: every node Ready, Cilium with all Gateway API flags, monitoring on "
        "Longhorn with node-problem-detector, GPU pods with a PriorityClass and quotas, Prometheus "
        "behind oauth2-proxy, valid certificates and recent successful backups.",
        "root_causes": [],
    }


def s_two_incidents_network_and_flux() -> tuple[Lab, dict[str, Any]]:
    g, causes = k3s1_network_failure(name="two-incidents-network-and-flux")
    p.flux_controllers(g)
    flux_core(g, gpu_crd=True, authentik_secret=False)
    return g, {
        "description": "Two unrelated incidents at once: k3s1's network failure, and Flux failing on a missing CRD "
        "and a missing values Secret; each keeps its own symptoms.",
        "root_causes": causes + flux_expectations(),
    }


def s_two_incidents_gpu_and_velero() -> tuple[Lab, dict[str, Any]]:
    g = base("two-incidents-gpu-and-velero")
    gpu_apps(g)
    pend = pods_of(g, "ai", "comfyui-")[0]
    vel = velero_incident(g)
    gpu = [
        {
            "object": ref("Node", None, "k3s3"),
            "layer": "gpu",
            "symptoms": sym(pend, "gpu-insufficient")
            + sym(ref("Deployment", "ai", "comfyui"), "workload-replicas-unavailable"),
        }
    ]
    return g, {
        "description": "Two unrelated incidents: the time-sliced T4 is saturated (comfyui Pending) and MinIO "
        "crash-loops, taking Velero's default backup location down.",
        "root_causes": vel + gpu,
    }


SCENARIOS: dict[str, Callable[[], tuple[Lab, dict[str, Any]]]] = {
    "k3s1-network-failure": s_k3s1_network_failure,
    "kubelet-path-change": s_kubelet_path_change,
    "node-notready-stuck-terminating": s_node_notready_stuck_terminating,
    "flux-missing-secret-and-crd": s_flux_missing_secret_and_crd,
    "velero-minio-crash": s_velero_minio_crash,
    "oauth2-proxy-cookie-secret": s_oauth2_proxy_cookie_secret,
    "gpu-insufficient": s_gpu_insufficient,
    "wildcard-http01": s_wildcard_http01,
    "prometheus-exposed": s_prometheus_exposed,
    "healthy": s_healthy,
    "two-incidents-network-and-flux": s_two_incidents_network_and_flux,
    "two-incidents-gpu-and-velero": s_two_incidents_gpu_and_velero,
}


def main(names: list[str], out_root: Path = OUT) -> None:
    for name in names or list(SCENARIOS):
        g, expected = SCENARIOS[name]()
        out = out_root / name
        out.mkdir(parents=True, exist_ok=True)
        n = g.write_scenario(out, NOW, header=HEADER)
        expected = {
            "description": expected["description"],
            "source": expected.get("source", SEED_SOURCE),
            "holdout": bool(expected.get("holdout", False)),
            **{k: v for k, v in expected.items() if k not in ("description", "source", "holdout")},
        }
        (out / "expected.yaml").write_text(yaml.safe_dump(expected, sort_keys=False, width=110))
        print(f"{name}: {n} objects")


if __name__ == "__main__":
    main(sys.argv[1:])
