from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.monitoring._common import CLUSTER
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import pods as k8s_pods
from homelabctl.kube import pod_template_spec
from homelabctl.model import Finding, Layer, Severity

NPD = "node-problem-detector"


@check(
    "no-node-problem-detector",
    layer=Layer.MONITORING,
    severity=Severity.INFO,
    requires=[kinds.DAEMONSET],
    uses=[kinds.NODE],
)
def no_node_problem_detector(ctx: CheckContext) -> Iterator[Finding]:
    """No node-problem-detector DaemonSet: kernel, disk and runtime problems never reach the API.

    Looks for a DaemonSet named or labelled ``node-problem-detector`` or running its image. The detector
    turns kernel deadlocks, read-only filesystems, NIC resets and container runtime hangs into node
    conditions and events, where the cluster (and these checks) can see them; without it such problems
    show up only as mysterious pod failures. A detector that exists but is not ready is reported by
    daemonset-not-ready.

    Next step: ``helm install npd deliveryhero/node-problem-detector -n kube-system`` (through a Flux
    HelmRelease), then alert on its node conditions.
    """
    daemonsets = list(ctx.index.all(kinds.DAEMONSET))
    for ds in daemonsets:
        images = k8s_pods.images(pod_template_spec(ds))
        if NPD in ds.name or NPD in ds.labels.values() or any(NPD in image for image in images):
            return
    nodes = len(ctx.index.all(kinds.NODE))
    evidence = [f"none of the {len(daemonsets)} DaemonSet(s) runs node-problem-detector"]
    if nodes:
        evidence.append(f"{nodes} node(s) report only the kubelet's own conditions")
    yield ctx.finding(
        CLUSTER,
        "node-problem-detector is not deployed: kernel and hardware problems on nodes go unreported",
        evidence=evidence,
        hint="Deploy it with a Flux HelmRelease (chart deliveryhero/node-problem-detector) in kube-system",
    )
