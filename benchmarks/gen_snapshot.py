"""Generate a realistic N-object snapshot (kubectl `List` JSON) for the benchmarks.

The mix follows a busy homelab scaled up: nodes, namespaces, Deployments → ReplicaSets → Pods, DaemonSet
pods on every node, Services, ConfigMaps, Secrets, PVCs/PVs, Events, Flux objects and HTTPRoutes, with a
few percent of them broken so that checks have work to do.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from factories import container_status, deployment, event, meta, node, owner_ref, pod


def _replicaset(dep: dict[str, Any]) -> dict[str, Any]:
    md = dep["metadata"]
    name = f"{md['name']}-7d9f8b6c5d"
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            **meta(name, md["namespace"], labels=md.get("labels"), kind="ReplicaSet"),
            "ownerReferences": [owner_ref(dep)],
        },
        "spec": {
            "replicas": dep["spec"]["replicas"],
            "selector": dep["spec"]["selector"],
            "template": dep["spec"]["template"],
        },
        "status": {
            "replicas": dep["spec"]["replicas"],
            "readyReplicas": dep["status"].get("readyReplicas", 0),
            "availableReplicas": dep["status"].get("availableReplicas", 0),
            "observedGeneration": 1,
        },
    }


def generate(total: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    nodes = [node(f"worker{i:02d}", control_plane=i < 3) for i in range(20)]
    nodes[7] = node("worker07", ready="Unknown", since=timedelta(days=2))
    items += nodes
    namespaces = [f"team{i:02d}" for i in range(40)]
    for ns in namespaces:
        items.append(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": meta(ns, kind="Namespace"),
                "spec": {"finalizers": ["kubernetes"]},
                "status": {"phase": "Active"},
            }
        )
    items.append(
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "Gateway",
            "metadata": meta("main-gateway", "networking", kind="Gateway"),
            "spec": {
                "gatewayClassName": "cilium",
                "listeners": [
                    {
                        "name": "https",
                        "port": 443,
                        "protocol": "HTTPS",
                        "allowedRoutes": {"namespaces": {"from": "All"}},
                        "tls": {
                            "mode": "Terminate",
                            "certificateRefs": [{"kind": "Secret", "name": "wildcard-tls"}],
                        },
                    }
                ],
            },
            "status": {
                "addresses": [{"type": "IPAddress", "value": "192.168.10.224"}],
                "conditions": [
                    {"type": "Accepted", "status": "True", "reason": "Accepted"},
                    {"type": "Programmed", "status": "True", "reason": "Programmed"},
                ],
                "listeners": [
                    {
                        "name": "https",
                        "attachedRoutes": total // 10,
                        "supportedKinds": [{"kind": "HTTPRoute"}],
                        "conditions": [
                            {"type": "Programmed", "status": "True", "reason": "Programmed"},
                            {"type": "ResolvedRefs", "status": "True", "reason": "ResolvedRefs"},
                        ],
                    }
                ],
            },
        }
    )
    items.append(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "kubernetes.io/tls",
            "metadata": meta("wildcard-tls", "networking", kind="Secret"),
            "data": {"tls.crt": "LS0tLS1CRUdJTg==", "tls.key": "LS0tLS1CRUdJTg=="},
        }
    )
    items.append(
        {
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "HelmRepository",
            "metadata": meta("charts", "flux-system", kind="HelmRepository"),
            "spec": {"interval": "1h", "url": "https://charts.example.net"},
            "status": {
                "artifact": {
                    "revision": "sha256:abc",
                    "lastUpdateTime": "2025-06-16T02:30:00Z",
                    "path": "helmrepository/flux-system/charts/index.yaml",
                    "url": "http://source-controller.flux-system.svc/index.yaml",
                },
                "conditions": [
                    {
                        "type": "Ready",
                        "status": "True",
                        "reason": "Succeeded",
                        "message": "stored artifact: revision 'sha256:abc'",
                        "lastTransitionTime": "2025-06-15T00:00:00Z",
                    }
                ],
            },
        }
    )
    i = 0
    while len(items) < total:
        ns = namespaces[i % len(namespaces)]
        name = f"app{i:05d}"
        broken = i % 37 == 0
        dep = deployment(name, ns, replicas=2, ready=1 if broken else 2)
        rs = _replicaset(dep)
        items += [dep, rs]
        for r in range(2):
            statuses = None
            if broken and r == 1:
                statuses = [
                    container_status(
                        name,
                        f"ghcr.io/example/{name}:1.0.0",
                        state="waiting",
                        reason="CrashLoopBackOff",
                        restarts=12,
                        ready=False,
                        message="back-off 5m0s restarting failed container",
                        last_terminated={"message": "panic: connection refused"},
                    )
                ]
            p = pod(
                f"{name}-7d9f8b6c5d-{r:05d}",
                ns,
                node_name=f"worker{(i + r) % 20:02d}",
                labels={"app.kubernetes.io/name": name},
                owner=rs,
                statuses=statuses,
            )
            items.append(p)
            if statuses:
                items.append(event(p, "BackOff", "Back-off restarting failed container", count=40))
        items.append(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": meta(name, ns, kind="Service", labels={"app.kubernetes.io/name": name}),
                "spec": {
                    "selector": {"app.kubernetes.io/name": name},
                    "type": "ClusterIP",
                    "clusterIP": f"10.43.{i % 250}.{i % 200 + 1}",
                    "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}],
                },
                "status": {"loadBalancer": {}},
            }
        )
        items.append(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": meta(f"{name}-config", ns, kind="ConfigMap"),
                "data": {"LOG_LEVEL": "info", "config.yaml": "server:\n  port: 8080\n" * 5},
            }
        )
        items.append(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "type": "Opaque",
                "metadata": meta(f"{name}-secret", ns, kind="Secret"),
                "data": {"password": "aHVudGVyMg==", "token": "c2VjcmV0LXRva2VuLXZhbHVl"},
            }
        )
        items.append(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": meta(f"{name}-data", ns, kind="PersistentVolumeClaim"),
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "storageClassName": "longhorn",
                    "resources": {"requests": {"storage": "1Gi"}},
                    "volumeName": f"pvc-{i:05d}",
                    "volumeMode": "Filesystem",
                },
                "status": {
                    "phase": "Bound",
                    "accessModes": ["ReadWriteOnce"],
                    "capacity": {"storage": "1Gi"},
                },
            }
        )
        items.append(
            {
                "apiVersion": "helm.toolkit.fluxcd.io/v2",
                "kind": "HelmRelease",
                "metadata": meta(name, ns, kind="HelmRelease"),
                "spec": {
                    "interval": "30m",
                    "chart": {
                        "spec": {
                            "chart": name,
                            "version": "1.0.0",
                            "sourceRef": {
                                "kind": "HelmRepository",
                                "name": "charts",
                                "namespace": "flux-system",
                            },
                        }
                    },
                    "values": {"replicaCount": 2},
                },
                "status": {
                    "conditions": [
                        {
                            "type": "Ready",
                            "status": "False" if broken else "True",
                            "reason": "InstallFailed" if broken else "ReconciliationSucceeded",
                            "message": "install retries exhausted" if broken else "Helm install succeeded",
                            "lastTransitionTime": "2025-06-15T00:00:00Z",
                        }
                    ]
                },
            }
        )
        items.append(
            {
                "apiVersion": "gateway.networking.k8s.io/v1",
                "kind": "HTTPRoute",
                "metadata": meta(name, ns, kind="HTTPRoute"),
                "spec": {
                    "hostnames": [f"{name}.example.net"],
                    "parentRefs": [
                        {"name": "main-gateway", "namespace": "networking", "sectionName": "https"}
                    ],
                    "rules": [{"backendRefs": [{"name": name, "port": 80}]}],
                },
                "status": {
                    "parents": [
                        {
                            "parentRef": {
                                "group": "gateway.networking.k8s.io",
                                "kind": "Gateway",
                                "name": "main-gateway",
                                "namespace": "networking",
                                "sectionName": "https",
                            },
                            "controllerName": "io.cilium/gateway-controller",
                            "conditions": [
                                {"type": "Accepted", "status": "True", "reason": "Accepted"},
                                {"type": "ResolvedRefs", "status": "True", "reason": "ResolvedRefs"},
                            ],
                        }
                    ]
                },
            }
        )
        i += 1
    return items[:total]


def write_snapshot(path: Path, total: int) -> Path:
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": generate(total)}))
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "snapshot-10k.json")
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    write_snapshot(out, count)
    print(f"wrote {count} objects to {out} ({out.stat().st_size / 1e6:.1f} MB)")
