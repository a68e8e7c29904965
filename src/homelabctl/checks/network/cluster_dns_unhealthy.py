from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.network._common import NOT_READY_GRACE, pod_problem_lines, unready_for
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.workload._common import all_statuses, current_terminated, last_terminated
from homelabctl.k8s import cluster_dns, services, workloads
from homelabctl.k8s.cluster_dns import DNS_LABEL
from homelabctl.k8s.refs import service_endpoints, service_pods, without_ready_endpoint
from homelabctl.kube import pod_is_ready
from homelabctl.model import Finding, Layer, Resource, Severity
from homelabctl.selectors import from_spec

LOOP_MARKER = "plugin/loop"


def dns_services(ctx: CheckContext) -> list[Resource]:
    """``kube-system/kube-dns`` (kubeadm, K3s), else Services labelled ``k8s-app=kube-dns`` (one reader with
    the diagnosis, which links a lookup nobody answered to the same Service)."""
    return cluster_dns.dns_services(ctx.index)


def _dns_pods(ctx: CheckContext, svc: Resource) -> list[Resource]:
    pods = service_pods(ctx.index, svc)
    if not pods:
        pods = [
            p
            for p in ctx.index.select(kinds.POD, svc.namespace, from_spec({DNS_LABEL[0]: DNS_LABEL[1]}))
            if not p.deletion_timestamp
        ]
    return pods


def _owner(ctx: CheckContext, svc: Resource, pods: list[Resource]) -> Resource:
    """The object to fix: Deployment kube-system/coredns, else the pods' top owner, else the Service."""
    deploy = ctx.index.get(kinds.DEPLOYMENT, svc.namespace, "coredns")
    if deploy is not None:
        return deploy
    for pod in pods:
        top = ctx.index.top_owner(pod)
        if top is not pod:
            return top
    return svc


def _loop_lines(pod: Resource) -> list[str]:
    lines = []
    for cs, _ in all_statuses(pod):
        for term in (current_terminated(cs), last_terminated(cs)):
            message = str(term.get("message") or "")
            for line in message.splitlines():
                if LOOP_MARKER in line:
                    lines.append(f"pod {pod.name} container {cs.get('name')}: {line.strip()[:300]}")
                    break
    return lines


@check(
    "cluster-dns-unhealthy",
    layer=Layer.NETWORK,
    severity=Severity.CRITICAL,
    requires=[kinds.SERVICE, kinds.POD],
    uses=[kinds.ENDPOINT_SLICE, kinds.ENDPOINTS, kinds.DEPLOYMENT],
)
def cluster_dns_unhealthy(ctx: CheckContext) -> Iterator[Finding]:
    """Cluster DNS (CoreDNS behind the kube-dns Service) is down or degraded.

    Reads the cluster DNS Service (``kube-system/kube-dns``, or any Service labelled
    ``k8s-app=kube-dns``), its EndpointSlices or Endpoints, the DNS pods its selector matches and the
    ``coredns`` Deployment. Fires when the Service has no ready endpoint, when no DNS pod exists, or when
    a DNS pod has not been Ready for more than two minutes. The evidence counts endpoints, quotes each
    failing pod's state and last termination, and any ``plugin/loop: Loop ... detected for zone "."``
    line (CoreDNS exits when it forwards to itself, typically through a node ``/etc/resolv.conf`` that
    points at 127.0.0.53 or at the cluster DNS).

    Why it matters: every in-cluster name lookup fails or slows down: Flux cannot resolve its Git host,
    apps cannot reach their databases, image pulls through in-cluster registries fail. Those errors show
    up everywhere else; this is where they start.

    Next step: ``kubectl -n kube-system logs deploy/coredns --previous``; for a loop, point the kubelet's
    ``resolvConf`` at a real upstream resolver or set ``forward . <upstream>`` in the Corefile.
    """
    slices_read, endpoints_read = ctx.readable(kinds.ENDPOINT_SLICE), ctx.readable(kinds.ENDPOINTS)
    for svc in dns_services(ctx):
        pods = _dns_pods(ctx, svc)
        state = service_endpoints(ctx.index, svc, slices_read=slices_read, endpoints_read=endpoints_read)
        no_endpoints = without_ready_endpoint(ctx.index, svc, state)
        unready = [
            p
            for p in pods
            if not pod_is_ready(p) and ((age := unready_for(p, ctx.now)) is None or age > NOT_READY_GRACE)
        ]
        if not (no_endpoints or unready or not pods):
            continue
        target = _owner(ctx, svc, pods)
        evidence = [f"Service {svc.namespace}/{svc.name} clusterIP {services.cluster_ip(svc) or '?'}"]
        if state is not None:
            evidence.append(state.summary())
        ready_count = len(pods) - len([p for p in pods if not pod_is_ready(p)])
        evidence.append(f"DNS pods: {ready_count}/{len(pods)} Ready" if pods else "no DNS pod exists")
        loops: list[str] = []
        for pod in unready[:3]:
            evidence.extend(pod_problem_lines(pod, limit=3))
            loops.extend(_loop_lines(pod))
        evidence.extend(loops)
        if target.kind == "Deployment":
            counts = workloads.replicas(target)
            ready, desired = counts.ready, counts.desired
            evidence.append(f"Deployment {target.namespace}/{target.name}: {ready}/{desired} ready")
        down = no_endpoints or not pods or len(unready) == len(pods)
        what = (
            "down: no DNS server answers"
            if down
            else f"degraded: {len(unready)} of {len(pods)} DNS pods not Ready"
        )
        if loops:
            hint = (
                "CoreDNS detected a forwarding loop: point the kubelet's resolvConf (K3s: `--resolv-conf`) at a "
                "file listing a real upstream resolver, or set `forward . 1.1.1.1` in the Corefile, then "
                f"`kubectl -n {svc.namespace} rollout restart deployment/coredns`"
            )
        else:
            hint = (
                f"`kubectl -n {svc.namespace} logs -l {DNS_LABEL[0]}={DNS_LABEL[1]} --previous` and "
                f"`kubectl -n {svc.namespace} describe pods -l {DNS_LABEL[0]}={DNS_LABEL[1]}`"
            )
        yield ctx.finding(
            target,
            f"Cluster DNS is {what}",
            evidence=evidence,
            hint=hint,
            severity=Severity.CRITICAL if down else Severity.WARNING,
        )
