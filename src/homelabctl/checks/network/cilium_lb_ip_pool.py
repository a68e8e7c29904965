from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from homelabctl import kinds
from homelabctl.checks.network._common import cilium_in_use, selector_text
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import cilium as k8s_cilium
from homelabctl.k8s import conditions, services
from homelabctl.model import Finding, Layer, Resource, Severity
from homelabctl.selectors import from_spec
from homelabctl.timeutil import parse_time, short_duration

PENDING_GRACE = timedelta(minutes=5)
"""LB-IPAM assigns within seconds; a Service still without an address after this is stuck."""
SERVICE_REQUEST = "cilium.io/IPAMRequestSatisfied"
CILIUM_LB_CLASSES = ("io.cilium/bgp-control-plane", "io.cilium/l2-announcer")


def _cond_message(pool: Resource, type_: str) -> str | None:
    cond = pool.condition(type_)
    return str(cond.get("message")) if cond is not None and cond.get("message") is not None else None


def _count(pool: Resource, type_: str) -> int | None:
    text = _cond_message(pool, type_)
    return int(text) if text is not None and text.strip().isdigit() else None


def _blocks(pool: Resource) -> str:
    return ", ".join(k8s_cilium.lb_pool(pool).blocks) or "<none>"


def _pool_matches(pool: Resource, service: Resource) -> bool:
    """LB-IPAM matches ``serviceSelector`` against the Service's labels plus two virtual ones."""
    spec = k8s_cilium.lb_pool(pool).service_selector
    selector = from_spec(spec) if spec else None
    if selector is None:
        return True
    labels = {
        **service.labels,
        "io.kubernetes.service.namespace": service.namespace or "",
        "io.kubernetes.service.name": service.name,
    }
    return selector.matches(labels)


@check(
    "cilium-lb-ip-pool",
    layer=Layer.NETWORK,
    severity=Severity.WARNING,
    any_of=[kinds.CILIUM_LB_IP_POOL, kinds.SERVICE],
    uses=[kinds.CONFIGMAP, kinds.DAEMONSET, kinds.POD],
)
def cilium_lb_ip_pool(ctx: CheckContext) -> Iterator[Finding]:
    """Cilium LoadBalancer IP pool exhausted or conflicting, or LoadBalancer Services left without an IP.

    Reads ``CiliumLoadBalancerIPPool`` (``cilium.io/v2alpha1``) status conditions: ``cilium.io/PoolConflict``
    (the pool overlaps another and Cilium allocates nothing from it), ``cilium.io/IPsAvailable`` at 0 (or
    ``cilium.io/IPsExhausted``); and ``type: LoadBalancer`` Services handled by Cilium (no
    ``loadBalancerClass``, or a ``io.cilium/*`` one) that still have no ``status.loadBalancer.ingress`` after
    five minutes, with Cilium's ``cilium.io/IPAMRequestSatisfied`` condition and which pools' service
    selectors match them.

    Why it matters: the Gateway's own LoadBalancer Service is how every HTTPRoute is reached; without an
    address nothing behind the Gateway answers.

    Next step: ``kubectl get ippools``; widen the pool or free addresses, resolve overlaps, or fix the
    pool's ``serviceSelector`` so it matches the Service.
    """
    pools = list(ctx.index.all(kinds.CILIUM_LB_IP_POOL))
    for pool in pools:
        yield from _pool_findings(ctx, pool)
    if ctx.readable(kinds.SERVICE):
        yield from _services_without_ip(ctx, pools)


def _pool_findings(ctx: CheckContext, pool: Resource) -> Iterator[Finding]:
    """A pool in conflict with another, or one with no free address."""
    if k8s_cilium.lb_pool(pool).disabled:
        return
    conflict = conditions.condition(pool, "cilium.io/PoolConflict")
    if conflict is not None and conflict.is_true:
        yield ctx.finding(
            pool,
            f"CiliumLoadBalancerIPPool {pool.name} conflicts with another pool: Cilium allocates no IPs from it",
            evidence=[
                f"blocks: {_blocks(pool)}",
                f"cilium.io/PoolConflict=True reason={conflict.reason or '?'}: {conflict.message}",
            ],
            hint="`kubectl get ippools -o wide`: make the CIDR blocks of the pools disjoint",
        )
        return
    total = _count(pool, "cilium.io/IPsTotal")
    available = _count(pool, "cilium.io/IPsAvailable")
    exhausted_cond = conditions.condition(pool, "cilium.io/IPsExhausted")
    exhausted = (exhausted_cond is not None and exhausted_cond.is_true) or (
        available == 0 and (total or 0) > 0
    )
    if exhausted:
        used = _count(pool, "cilium.io/IPsUsed")
        yield ctx.finding(
            pool,
            f"CiliumLoadBalancerIPPool {pool.name} has no free IPs"
            + (f" ({used}/{total} used)" if used is not None and total is not None else ""),
            evidence=[
                f"blocks: {_blocks(pool)}",
                f"IPsTotal={total if total is not None else '?'} IPsAvailable="
                f"{available if available is not None else '?'} IPsUsed={used if used is not None else '?'}",
                f"serviceSelector: {selector_text(k8s_cilium.lb_pool(pool).service_selector)}",
            ],
            hint=(
                "Add a block to the pool (`spec.blocks`), or release addresses: "
                "`kubectl get svc -A --field-selector spec.type=LoadBalancer`"
            ),
        )


def _services_without_ip(ctx: CheckContext, pools: list[Resource]) -> Iterator[Finding]:
    """Cilium-handled LoadBalancer Services still without an address after the grace period."""
    cilium = bool(pools) or cilium_in_use(ctx.index)
    for svc in ctx.index.all(kinds.SERVICE):
        if services.service_type(svc) != "LoadBalancer":
            continue
        lb_class = services.load_balancer_class(svc)
        if lb_class and lb_class not in CILIUM_LB_CLASSES:
            continue
        if services.load_balancer_ips(svc):
            continue
        request = conditions.condition(svc, SERVICE_REQUEST)
        if not cilium and request is None:
            continue
        created = parse_time(svc.creation_timestamp)
        if created is not None and ctx.now - created < PENDING_GRACE:
            continue
        age = f" after {short_duration(ctx.now - created)}" if created is not None else ""
        evidence = []
        if request is not None:
            evidence.append(
                f"{SERVICE_REQUEST}={request.status} reason={request.reason or '?'}: {request.message}"
            )
        wanted = services.requested_load_balancer_ip(svc) or svc.annotations.get("lbipam.cilium.io/ips")
        if wanted:
            evidence.append(f"requested IP: {wanted}")
        matching = [p.name for p in pools if not k8s_cilium.lb_pool(p).disabled and _pool_matches(p, svc)]
        if pools:
            evidence.append(
                f"pools matching its labels: {', '.join(matching) or 'none'} "
                f"(of {', '.join(p.name for p in pools)})"
            )
        elif ctx.readable(kinds.CILIUM_LB_IP_POOL) or cilium:
            evidence.append("no CiliumLoadBalancerIPPool exists")
        yield ctx.finding(
            svc,
            f"LoadBalancer Service {svc.namespace}/{svc.name} has no external IP{age}",
            evidence=evidence,
            hint=(
                "`kubectl get ippools` and compare each pool's serviceSelector with "
                f"`kubectl -n {svc.namespace} get svc {svc.name} --show-labels`; create or widen a pool if none "
                "matches or all are full"
            ),
        )
