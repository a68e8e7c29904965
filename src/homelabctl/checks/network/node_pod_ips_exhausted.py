from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import exhaustion
from homelabctl.model import Finding, Layer, Severity

MAX_WORKLOADS = 6


@check(
    "node-pod-ips-exhausted",
    layer=Layer.NETWORK,
    severity=Severity.CRITICAL,
    requires=[kinds.POD],
    uses=[kinds.EVENT, kinds.NODE],
)
def node_pod_ips_exhausted(ctx: CheckContext) -> Iterator[Finding]:
    """Node whose pod IP range is exhausted: new pods of several workloads there get no address.

    Reads the Warning events (``FailedCreatePodSandBox``) and container messages of pods that are not Ready
    for the CNI IPAM's refusals: ``failed to allocate for range 0: no IP addresses available in range set``
    (host-local, as flannel in K3s uses it), ``unable to allocate IP via local cilium agent ... range is
    full`` (Cilium), ``ipam ... exhausted``. One finding per node when pods of two or more workloads on that
    node report it and no pod on another node does.

    Why it matters: the node's pod CIDR (a /24 by default: about 250 pods) is per node. IPs leaked by a
    crashed CNI agent or by thousands of short-lived pods are never given back, so every new pod scheduled
    there stays in ``ContainerCreating`` while the same workloads would start on any other node, and pods
    already running keep working.

    Next step: see what holds the addresses on that node (host-local: the files under
    ``/var/lib/cni/networks/``; Cilium: ``kubectl get ciliumnode NODE -o yaml`` and ``cilium-dbg ip list``
    in its agent), release the leaked ones (restarting the CNI agent on that node garbage-collects them),
    or drain the node.
    """
    found = exhaustion.node_local_pods(ctx.index)
    for (node, resource), items in sorted(found.items()):
        if resource != exhaustion.POD_IPS:
            continue
        workloads, evidence = exhaustion.described(items, MAX_WORKLOADS)
        evidence.append(
            f"{len(workloads)} workload(s) on {node} get no pod IP; no pod on another node reports it"
        )
        yield ctx.finding(
            ctx.node(node),
            f"Node {node} has no pod IP address left: new pods of {len(workloads)} workloads cannot start there "
            f"({', '.join(workloads[:MAX_WORKLOADS])})",
            evidence=evidence,
            hint=(
                f"See what holds the addresses on {node} (Cilium: `kubectl get ciliumnode {node} -o yaml`; "
                f"host-local IPAM: `ssh {node} ls /var/lib/cni/networks/`), release the leaked ones by restarting "
                f"the CNI agent pod on {node}, or `kubectl drain {node} --ignore-daemonsets` until it is fixed"
            ),
        )
