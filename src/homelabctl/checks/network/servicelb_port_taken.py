from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import servicelb
from homelabctl.model import Finding, Layer, Lifecycle, Severity

MAX_LISTED = 5


def _port(port: servicelb.HostPort) -> str:
    return f"{port[0]}/{port[1]}"


@check(
    "servicelb-port-taken",
    layer=Layer.NETWORK,
    severity=Severity.CRITICAL,
    requires=[kinds.POD, kinds.SERVICE],
    uses=[kinds.EVENT, kinds.NODE],
    lifecycle=Lifecycle.PREVIEW,
)
def servicelb_port_taken(ctx: CheckContext) -> Iterator[Finding]:
    """LoadBalancer Service asking K3s's ServiceLB for a port another pod already holds on its nodes.

    Reads the pods K3s's ServiceLB (klipper-lb) runs for LoadBalancer Services, found by their labels
    ``svccontroller.k3s.cattle.io/svcname`` and ``svcnamespace``: those Pending and unscheduled whose scheduler
    message (the ``PodScheduled`` condition or a ``FailedScheduling`` event) says ``node(s) didn't have free ports
    for the requested pod ports``. It then looks, on the nodes those pods are meant for (a DaemonSet pod's
    ``metadata.name`` node affinity; else every node), for running pods holding the same ``hostPort`` and
    protocol: usually another LoadBalancer Service's svclb pod (Traefik's on 80 and 443). One finding per
    Service, naming the ports taken and who holds them; nothing is reported when no holder is found.

    Why it matters: ServiceLB implements a LoadBalancer Service with hostPorts on every node it uses (all nodes,
    or those labelled ``svccontroller.k3s.cattle.io/enablelb``). Two Services on the same port and protocol
    cannot both have them: the one created later never gets its pods scheduled nor an external IP, while its
    own app is healthy. The Service asking for the taken port is the configuration to change.

    Next step: give the Service another port, or merge it into the existing one (expose the app through the
    ingress controller that already holds 80/443), or dedicate nodes to it with the ``enablelb`` labels.
    """
    for service, clash in sorted(servicelb.port_clashes(ctx.index).items()):
        taken = ", ".join(_port(p) for p in clash.ports)
        held_by = sorted(
            {
                f"Service {h.service.namespace}/{h.service.name}"
                if h.service
                else f"pod {h.pod.namespace}/{h.pod.name}"
                for h in clash.holders
            }
        )
        evidence = [
            f"{_port(h.port)} on {h.node} held by pod {h.pod.namespace}/{h.pod.name}"
            + (f" (ServiceLB for Service {h.service.namespace}/{h.service.name})" if h.service else "")
            for h in clash.holders[:MAX_LISTED]
        ]
        evidence += [f"pod {pod.namespace}/{pod.name}: {line}" for pod, line in clash.pods[:MAX_LISTED]]
        if len(clash.pods) > MAX_LISTED:
            evidence.append(f"and {len(clash.pods) - MAX_LISTED} more svclb pod(s)")
        svc = ctx.index.get(kinds.SERVICE, service.namespace, service.name)
        yield ctx.finding(
            svc if svc is not None else service,
            f"LoadBalancer Service {service.namespace}/{service.name} asks ServiceLB for {taken}, already held by "
            f"{', '.join(held_by)}: its {len(clash.pods)} svclb pod(s) cannot be scheduled and it gets no external IP",
            evidence=evidence,
            hint=(
                f"Give Service {service.namespace}/{service.name} a port no other LoadBalancer Service uses on those "
                "nodes, or expose it through the ingress controller that holds the port"
            ),
        )
