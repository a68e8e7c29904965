"""Cause rule ``cluster-dns-down``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import describe_step, failing_pod, pod_read_step
from homelabctl.k8s import pods as k8s_pods
from homelabctl.kube import pod_template_spec
from homelabctl.model import Finding, Layer, ObjectRef


def _corefile(ctx: RuleContext, workload: ObjectRef) -> ObjectRef | None:
    """The ConfigMap the DNS server reads its Corefile from (the first configMap volume of its pod template)."""
    res = ctx.resource(workload)
    if res is None:
        return None
    for volume in k8s_pods.volumes(pod_template_spec(res)):
        if volume.config_map:
            return ObjectRef("ConfigMap", res.namespace, volume.config_map)
    return None


@cause_rule("cluster-dns-down", layer=Layer.NETWORK, rank=0, causes={"cluster-dns-unhealthy"})
def cluster_dns_down(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """Cluster DNS is down: every lookup in the cluster fails, and whatever fetches by name fails with it.

    The symptoms are found through the evidence links: a Flux source or a pod whose error names the DNS
    Service (``lookup github.com on 10.43.0.10:53: i/o timeout``, ``kube-dns.kube-system.svc``) is
    downstream of CoreDNS. ``plugin/loop: Loop ... detected`` means CoreDNS forwards to itself (the node's
    resolv.conf points at a local stub resolver): forward to a real upstream instead.
    """
    text = " ".join((cause.message, *cause.evidence)).lower()
    target = ctx.fix_target(cause.object)
    pod = failing_pod(ctx, cause.object)
    steps = [pod_read_step(pod, "read the DNS server") if pod is not None else describe_step(target)]
    if "loop" in text:
        config = _corefile(ctx, target)
        steps.insert(
            0,
            NextStep(
                "CoreDNS forwards to itself: point `forward .` at a real upstream resolver "
                "(K3s: --resolv-conf pointing at a file listing the upstream DNS server)",
                f"kubectl -n {config.namespace} get configmap {config.name} -o yaml"
                if config
                else f"kubectl -n {target.namespace} get configmaps",
            ),
        )
    steps.append(
        NextStep(
            "prove resolution after the fix",
            "kubectl run dnscheck --rm -it --image=busybox --restart=Never -- nslookup kubernetes.default",
        )
    )
    return Explanation(
        set(),
        f"{cause.message}: name resolution fails for everything in the cluster",
        list(cause.evidence),
        steps,
        object=ctx.fix_target(cause.object),
    )
