"""Pod network (CNI) agents: how to recognise the agent DaemonSet of each CNI and ask it for its status."""

from __future__ import annotations

CNI_AGENTS: tuple[tuple[str, str, str, str | None], ...] = (
    ("cilium", "cilium", "cilium-agent", "cilium-dbg status --brief"),
    ("calico", "calico-node", "calico-node", "calico-node -felix-ready"),
    ("canal", "canal", "calico-node", None),
    ("flannel", "kube-flannel", "kube-flannel", None),
    ("weave", "weave-net", "weave", "/home/weave/weave --local status"),
    ("kube-router", "kube-router", "kube-router", None),
    ("antrea", "antrea-agent", "antrea-agent", "antctl get agentinfo"),
    ("kube-ovn", "kube-ovn-cni", "cni-server", None),
)
"""Each CNI: its name, its agent DaemonSet's name (or name prefix, or ``k8s-app`` label), the agent container
and a status command that runs in it."""
CNI_HOST_PATHS = ("/etc/cni/net.d", "/opt/cni/bin", "/var/lib/rancher/k3s/agent/etc/cni/net.d")
"""Host directories a CNI agent mounts: a DaemonSet mounting one is a CNI agent even under an unknown name."""
