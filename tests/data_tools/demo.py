"""Write the embedded demo snapshot: the fletcherlabs homelab caught in a bad hour.

Run from the repository root: ``python tests/data_tools/demo.py``. Deterministic (seeded), so the
output only changes when this file or the builders change.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import components as c
from homelab import Lab
from k8sgen import plus

NOW = "2025-06-16T03:00:00Z"
K3S1_DOWN = "2025-06-13T02:40:00Z"
CILIUM_DOWN = "2025-06-13T02:07:13Z"
OUT = Path(__file__).resolve().parents[2] / "src" / "homelabctl" / "demo" / "snapshot"
NODES = ["k3s-master1", "k3s1", "k3s2", "k3s3"]
WORKERS = ["k3s1", "k3s2", "k3s3"]


def frozen_crash(message: str, restarts: int, exit_code: int = 1, container_started: str | None = None) -> dict:
    """A crash loop as the kubelet last reported it before k3s1 went silent."""
    fin = plus(K3S1_DOWN, seconds=-95)
    return {"restarts": restarts, "exit": exit_code, "message": message, "reason": "Error",
            "started": container_started or plus(fin, seconds=-31), "finished": fin}


def build() -> Lab:
    g = Lab("fletcherlabs-demo", NOW)
    specs = c.fletcherlabs_nodes()
    c.add_nodes(g, specs, down={"k3s1": {"since": K3S1_DOWN, "cilium_down_since": CILIUM_DOWN}}, csi_missing={"k3s1"})
    c.namespaces(g, {"flux-system": None, "longhorn-system": "infrastructure", "cert-manager": "infrastructure",
                     "networking": "infrastructure", "velero": "infrastructure", "monitoring": "monitoring",
                     "authentik": "infrastructure", "media": "apps-media", "ai": "apps-ai",
                     "gpu-operator": "infrastructure", "cilium-secrets": None})
    c.kube_system(g)
    c.cilium(g, NODES, agent={"k3s1": {
        "mode": "crash", "frozen": plus(K3S1_DOWN, seconds=41), "crash_since": CILIUM_DOWN,
        "crash": {"cilium-agent": frozen_crash(
            'level=error msg="Error while initializing daemon" error="failed to setup datapath: unable to '
            'configure cilium_host: route 10.42.1.0/24 via 10.42.1.1: network is unreachable" subsys=daemon\n'
            'level=fatal msg="Error while creating daemon" error="failed to setup datapath: unable to configure '
            'cilium_host: route 10.42.1.0/24 via 10.42.1.1: network is unreachable" subsys=daemon', 23)}}})
    c.storage_classes(g)
    c.csi_nfs(g, NODES)
    lh_crash = ("time=\"2025-06-13T02:38:24Z\" level=fatal msg=\"Error starting manager: failed to get "
                "longhorn-backend: Get \\\"https://10.43.0.1:443/api/v1/namespaces/longhorn-system/services/"
                "longhorn-backend\\\": context deadline exceeded\"")
    csi_crash = ("time=\"2025-06-13T02:38:27Z\" level=fatal msg=\"Error starting CSI manager: failed to "
                 "initialize Longhorn API client: Get \\\"http://longhorn-backend:9500/v1\\\": context deadline "
                 "exceeded (Client.Timeout exceeded while awaiting headers)\"")
    c.longhorn(g, NODES,
               per_node_manager={"k3s1": {"mode": "crash", "frozen": plus(K3S1_DOWN, seconds=41),
                                          "crash": {"longhorn-manager": frozen_crash(lh_crash, 31)}}},
               per_node_csi={"k3s1": {"mode": "crash", "frozen": plus(K3S1_DOWN, seconds=41),
                                      "crash": {"longhorn-csi-plugin": frozen_crash(csi_crash, 29)}}})
    return g


def main() -> None:
    g = build()
    n = g.write_dir(OUT, NOW, extra_kinds=["PriorityClass.scheduling.k8s.io", "ResourceQuota"])
    print(f"wrote {n} objects to {OUT}")


if __name__ == "__main__":
    main()
