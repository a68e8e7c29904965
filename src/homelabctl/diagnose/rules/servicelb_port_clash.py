"""Cause rule ``servicelb-port-clash``."""

from __future__ import annotations

from homelabctl.diagnose.context import GENERIC_EDGES, Explanation, RuleContext
from homelabctl.diagnose.evidence import snippet
from homelabctl.diagnose.graph import SERVICELB
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import hint_steps
from homelabctl.k8s import servicelb
from homelabctl.model import Finding, Layer, ObjectRef


@cause_rule("servicelb-port-clash", layer=Layer.NETWORK, rank=0, causes={"servicelb-port-taken"})
def servicelb_port_clash(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A LoadBalancer Service asking K3s's ServiceLB for a host port another pod holds explains its own svclb
    DaemonSet and pods, which the scheduler cannot place, and nothing of the Service that holds the port: that one
    works. The Service is linked to its svclb pods (ServiceLB's labels and the scheduler's words as
    provenance, a ``servicelb`` edge); its app, selected by the Service and healthy, is no symptom."""
    service = cause.object
    clash = servicelb.port_clashes(ctx.index).get(ObjectRef("Service", service.namespace, service.name))
    if clash is None:
        return None
    start: set[ObjectRef] = set()
    for pod, line in clash.pods:
        ctx.graph.add(
            service,
            SERVICELB,
            pod,
            f"labels {servicelb.SVCNAME}={service.name}, {servicelb.SVCNAMESPACE}={service.namespace}; "
            f'"{snippet(line, servicelb.NO_FREE_PORTS)}"',
        )
        start |= ctx.workload_start(pod)
    holder = clash.holders[0]
    steps = [
        NextStep(
            f"see which LoadBalancer Services ask for {holder.port[0]}/{holder.port[1]}",
            "kubectl get svc -A --field-selector spec.type=LoadBalancer",
        ),
        *hint_steps(cause.hint),
    ]
    return Explanation(ctx.propagate(start, GENERIC_EDGES), cause.message, list(cause.evidence), steps)
