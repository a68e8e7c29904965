from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.workload._common import all_statuses, current_terminated, last_terminated, waiting
from homelabctl.k8s import netpol
from homelabctl.k8s.cluster_dns import DNS_LABEL
from homelabctl.knowledge.net_errors import LOOKUP_UNANSWERED
from homelabctl.model import Finding, Layer, Lifecycle, Resource, Severity
from homelabctl.selectors import from_spec

DNS_PORTS = {"53", "dns", "dns-tcp"}
"""Port 53 as a number, or by the names CoreDNS's pods give it."""
MAX_LISTED = 4
MAX_TEXT = 2000


def _dns_allowed(
    ctx: CheckContext, policy: Resource, rules: netpol.NetworkPolicy, dns_pods: list[Resource]
) -> bool:
    for rule in rules.egress:
        if rule.ports and not any(port in DNS_PORTS or not port for _, port in rule.ports):
            continue
        if rule.reaches_all or any(
            netpol.peer_is(ctx.index, policy.namespace, peer, pod) for peer in rule.peers for pod in dns_pods
        ):
            return True
    return False


def _unanswered(pod: Resource) -> str:
    """The first thing a pod's containers said about a DNS lookup nobody answered."""
    for cs, _ in all_statuses(pod):
        for part in (waiting(cs), current_terminated(cs), last_terminated(cs)):
            message = str(part.get("message") or "")[:MAX_TEXT]
            found = LOOKUP_UNANSWERED.search(message)
            if found is not None:
                start = message.rfind("\n", 0, found.start()) + 1
                end = message.find("\n", found.end())
                return " ".join(message[start : end if end >= 0 else len(message)].split())[:240]
    return ""


@check(
    "networkpolicy-blocks-dns",
    layer=Layer.NETWORK,
    severity=Severity.CRITICAL,
    requires=[kinds.NETWORK_POLICY, kinds.POD],
    uses=[kinds.NAMESPACE],
    lifecycle=Lifecycle.PREVIEW,
)
def networkpolicy_blocks_dns(ctx: CheckContext) -> Iterator[Finding]:
    """NetworkPolicy isolating the egress of pods without letting them reach the cluster DNS, whose pods say
    their lookups go unanswered.

    For every pod whose egress some policy isolates (``policyTypes: [Egress]``, or egress rules with no
    ``policyTypes``), looks for one egress rule of any of those policies that reaches the cluster DNS pods
    (``k8s-app=kube-dns``) on port 53 (or every port): a rule without ``to``, or a peer that is one of those
    pods (namespace and pod selectors, ipBlock). Fires on the policies isolating pods that have no such rule
    and whose containers report a lookup nobody answered (``Temporary failure in name resolution``,
    ``EAI_AGAIN``, Go's ``lookup ... i/o timeout``).

    Why it matters: a default-deny egress policy that allows only the namespace's own pods also denies DNS,
    which lives in kube-system. Every name lookup times out, so the apps fail on their first connection
    ("could not translate host name") although the database, the Service and CoreDNS are all fine.

    Next step: add an egress rule to the cluster DNS, e.g. ``to: [{namespaceSelector: {matchLabels:
    {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]`` with
    ``ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]``.
    """
    parsed = {p: netpol.network_policy(p) for p in ctx.index.all(kinds.NETWORK_POLICY)}
    isolating = {p: rules for p, rules in parsed.items() if rules.isolates_egress}
    if not isolating:
        return
    dns_pods = ctx.index.select(kinds.POD, None, from_spec({DNS_LABEL[0]: DNS_LABEL[1]}))
    allowed = {p: _dns_allowed(ctx, p, rules, dns_pods) for p, rules in isolating.items()}
    blocked: dict[Resource, list[str]] = {}
    for policy, rules in isolating.items():
        if allowed[policy]:
            continue
        for pod in ctx.index.select(kinds.POD, policy.namespace, rules.pod_selector):
            if any(
                allowed[other]
                for other, other_rules in isolating.items()
                if other.namespace == pod.namespace and other_rules.pod_selector.matches(pod.labels)
            ):
                continue  # policies add up: another one lets this pod reach DNS
            said = _unanswered(pod)
            if said:
                blocked.setdefault(policy, []).append(f"pod {pod.namespace}/{pod.name}: {said}")
    for policy, lines in sorted(blocked.items(), key=lambda kv: (kv[0].namespace or "", kv[0].name)):
        evidence = [
            *lines[:MAX_LISTED],
            *([f"and {len(lines) - MAX_LISTED} more pod(s)"] if len(lines) > MAX_LISTED else []),
            "no egress rule of the policies selecting them reaches the cluster DNS pods (k8s-app=kube-dns) on "
            "port 53",
        ]
        yield ctx.finding(
            policy,
            f"NetworkPolicy {policy.namespace}/{policy.name} isolates egress without allowing DNS: {len(lines)} "
            "pod(s) cannot resolve names",
            evidence=evidence,
            hint=f"Allow egress to kube-system's kube-dns pods on port 53 (UDP and TCP): kubectl -n {policy.namespace} "
            f"get networkpolicy {policy.name} -o yaml",
        )
