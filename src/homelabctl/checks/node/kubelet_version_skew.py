from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.node._common import KubeVersion
from homelabctl.checks.registry import CheckContext, check
from homelabctl.kube import node_is_control_plane, node_is_k3s, node_kubelet_version
from homelabctl.model import Finding, Layer, Resource, Severity

MAX_KUBELET_MINOR_LAG = 3
"""Kubernetes' version skew policy: kubelet may be up to three minors older than kube-apiserver, never newer."""
_EVIDENCE_NODES = 12


def _reference(
    ctx: CheckContext, versions: dict[str, KubeVersion], nodes: list[Resource]
) -> tuple[KubeVersion, str] | None:
    """The version every kubelet is compared with, and where it comes from."""
    server = KubeVersion.parse(ctx.state.server_version or "")
    if server is not None:
        return server, "API server"
    control = sorted(
        ((versions[n.name], n.name) for n in nodes if node_is_control_plane(n) and n.name in versions),
        reverse=True,
    )
    if control:
        version, name = control[0]
        return version, f"control-plane node {name}"
    if not versions:
        return None
    counts = Counter(versions.values())
    version = max(counts, key=lambda v: (counts[v], v))
    return version, "most nodes"


@check("kubelet-version-skew", layer=Layer.NODE, severity=Severity.WARNING, requires=[kinds.NODE])
def kubelet_version_skew(ctx: CheckContext) -> Iterator[Finding]:
    """Kubelet versions differ across nodes, or a kubelet is newer than the control plane.

    Reads ``status.nodeInfo.kubeletVersion`` of every node and compares it with the control plane: the
    API server version when the source knows it, else the newest control-plane node's kubelet (on K3s the
    server's kubelet and API server come from the same binary), else the version most nodes run.

    Why it matters: a kubelet newer than the API server is unsupported and may send fields the server
    drops; one more than three minor versions older is outside the skew policy; and a half-finished
    upgrade (nodes on different K3s builds) is how "works on k3s2, fails on k3s1" incidents start.

    Next step: upgrade the control plane first, then the agents to the same version (the system-upgrade-
    controller, or the install script with ``INSTALL_K3S_VERSION``).
    """
    nodes = list(ctx.index.all(kinds.NODE))
    versions: dict[str, KubeVersion] = {}
    for node in nodes:
        parsed = KubeVersion.parse(node_kubelet_version(node))
        if parsed is not None:
            versions[node.name] = parsed
    if len(set(versions.values())) <= 1 and ctx.state.server_version is None:
        return
    found = _reference(ctx, versions, nodes)
    if found is None:
        return
    reference, source = found
    listing = [f"{name}: kubelet {version.text}" for name, version in sorted(versions.items())][
        :_EVIDENCE_NODES
    ]
    k3s = any(node_is_k3s(n) for n in nodes)
    for node in nodes:
        version = versions.get(node.name)
        if version is None or version == reference:
            continue
        if version.numbers > reference.numbers:
            why = "newer than the control plane, which the skew policy does not support"
        elif reference.major == version.major and reference.minor - version.minor > MAX_KUBELET_MINOR_LAG:
            why = f"more than {MAX_KUBELET_MINOR_LAG} minor versions behind, outside the skew policy"
        elif version.numbers == reference.numbers:
            why = "same Kubernetes version, different distribution build"
        else:
            why = "older than the control plane (a half-finished upgrade)"
        hint = (
            f"Bring {node.name} to {reference.text}: the system-upgrade-controller Plan, or on the node "
            f"`curl -sfL https://get.k3s.io | INSTALL_K3S_VERSION={reference.text} sh -s - agent` "
            "(control plane first, agents after)"
            if k3s
            else f"Upgrade the kubelet on {node.name} to {reference.text} (control plane first, nodes after)"
        )
        yield ctx.finding(
            node,
            f"Node {node.name} runs kubelet {version.text} while the {source} runs {reference.text}: {why}",
            evidence=[f"reference version {reference.text} from the {source}", *listing],
            hint=hint,
        )
