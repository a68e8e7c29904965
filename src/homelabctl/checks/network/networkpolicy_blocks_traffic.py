from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping

import msgspec

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.workload._common import all_statuses, current_terminated, last_terminated, waiting
from homelabctl.k8s import events, netpol, services
from homelabctl.k8s import pods as k8s_pods
from homelabctl.k8s.refs import service_names
from homelabctl.kube import pod_is_ready
from homelabctl.lazyre import LazyPattern
from homelabctl.model import Finding, Layer, Resource, Severity
from homelabctl.sources.index import ClusterIndex

_FAILURE = LazyPattern(
    r"i/o timeout|timed out|timeout|connection refused|context deadline exceeded|"
    r"no route to host|connection reset",
    re.IGNORECASE,
)
MAX_TEXT = 2000


def isolates_ingress(policy: Resource) -> bool:
    return netpol.network_policy(policy).isolates_ingress


def selected_pods(index: ClusterIndex, policy: Resource) -> list[Resource]:
    return index.select(kinds.POD, policy.namespace, netpol.network_policy(policy).pod_selector)


def allows(index: ClusterIndex, policy: Resource, source: Resource) -> bool:
    """Whether one of the policy's ingress rules admits traffic from ``source`` (ports are not judged)."""
    for rule in netpol.network_policy(policy).ingress:
        if rule.admits_all:
            return True
        if any(netpol.peer_is(index, policy.namespace, peer, source) for peer in rule.peers):
            return True
    return False


def _texts(ctx: CheckContext, pod: Resource) -> list[str]:
    """What a pod said about its connections: container messages, the Ready condition, its events."""
    texts: list[str] = []
    for cs, _ in all_statuses(pod):
        for part in (waiting(cs), current_terminated(cs), last_terminated(cs)):
            if part.get("message"):
                texts.append(str(part["message"])[:MAX_TEXT])
    ready = pod.condition("Ready") or {}
    if ready.get("message"):
        texts.append(str(ready["message"])[:MAX_TEXT])
    for event in ctx.index.events_for(pod):
        text = events.event(event).message
        if text:
            texts.append(str(text)[:MAX_TEXT])
    return texts


class _Target(msgspec.Struct):
    """A Ready pod behind a Service, and the names other pods reach it by."""

    pod: Resource
    service: Resource
    patterns: list[re.Pattern[str]] = msgspec.field(default_factory=list)


def _targets(ctx: CheckContext, pods: list[Resource]) -> list[_Target]:
    found: list[_Target] = []
    by_namespace: dict[str | None, list[Resource]] = defaultdict(list)
    for pod in pods:
        by_namespace[pod.namespace].append(pod)
    for svc in ctx.index.all(kinds.SERVICE):
        if svc.namespace not in by_namespace:
            continue
        sel = services.selector(svc)
        if sel is None or sel.empty:
            continue
        for pod in by_namespace[svc.namespace]:
            if sel.matches(pod.labels):
                names = [re.escape(n) for n in service_names(svc)]
                names.append(rf"{re.escape(svc.name)}:\d+")
                if k8s_pods.pod_ip(pod):
                    names.append(re.escape(k8s_pods.pod_ip(pod)))
                pattern = re.compile(r"(?<![\w.-])(?:" + "|".join(names) + r")(?![\w-])")
                found.append(_Target(pod, svc, [pattern]))
    return found


PolicyKey = tuple[str | None, str]


def _blocked(
    ctx: CheckContext, targets: list[_Target], isolating: Mapping[str, list[Resource]]
) -> tuple[dict[PolicyKey, list[str]], dict[PolicyKey, Resource]]:
    """Per isolating policy, the connections of other pods that fail to a target no rule of it admits."""
    blocked: dict[PolicyKey, list[str]] = defaultdict(list)
    policy_by_key: dict[PolicyKey, Resource] = {}
    for source in ctx.index.all(kinds.POD):
        failures = [t for t in _texts(ctx, source) if _FAILURE.search(t)]
        if not failures:
            continue
        for target in targets:
            if target.pod is source:
                continue
            quoted = next((t for t in failures if any(p.search(t) for p in target.patterns)), None)
            if quoted is None:
                continue
            policies_here = isolating[target.pod.uid or f"{target.pod.namespace}/{target.pod.name}"]
            if any(allows(ctx.index, p, source) for p in policies_here):
                continue
            line = (
                f"pod {source.namespace}/{source.name} → Service {target.service.namespace}/"
                f"{target.service.name} (Ready pod {target.pod.name}): {' '.join(quoted.split())[:300]}"
            )
            for policy in policies_here:
                key = (policy.namespace, policy.name)
                policy_by_key[key] = policy
                if line not in blocked[key]:
                    blocked[key].append(line)
    return blocked, policy_by_key


@check(
    "networkpolicy-blocks-traffic",
    layer=Layer.NETWORK,
    severity=Severity.WARNING,
    requires=[kinds.NETWORK_POLICY, kinds.POD, kinds.SERVICE],
    uses=[kinds.EVENT, kinds.NAMESPACE],
)
def networkpolicy_blocks_traffic(ctx: CheckContext) -> Iterator[Finding]:
    """NetworkPolicy isolates Ready pods that other pods time out or are refused on.

    Reads NetworkPolicies that isolate ingress (``policyTypes`` with ``Ingress``, or none), the Ready pods
    they select that back a Service, and the messages of every other pod (container waiting and
    termination messages, the Ready condition, events) for a timeout or refusal that names that Service
    (``svc.ns.svc.cluster.local``, ``svc.ns``, ``svc:port``, its ClusterIP) or the pod's IP. When no
    ingress rule of any policy selecting the target admits the failing pod (by ``podSelector``,
    ``namespaceSelector`` with the Namespace's labels, or ``ipBlock``; ports are not judged), the policy
    is reported with the quoted error and the source pod.

    Why it matters: the backend is healthy and Ready, so nothing else looks wrong - a default-deny policy
    added for hardening silently cuts off its clients, which then crash-loop or fail health checks.

    Next step: ``kubectl -n NS describe networkpolicy NAME``; add an ingress rule admitting the client
    (e.g. a ``namespaceSelector`` on ``kubernetes.io/metadata.name: <client namespace>``).
    """
    policies = [p for p in ctx.index.all(kinds.NETWORK_POLICY) if isolates_ingress(p)]
    if not policies:
        return
    isolating: dict[str, list[Resource]] = defaultdict(list)
    ready_pods: dict[str, Resource] = {}
    for policy in policies:
        for pod in selected_pods(ctx.index, policy):
            if pod_is_ready(pod):
                isolating[pod.uid or f"{pod.namespace}/{pod.name}"].append(policy)
                ready_pods[pod.uid or f"{pod.namespace}/{pod.name}"] = pod
    if not ready_pods:
        return
    targets = _targets(ctx, list(ready_pods.values()))
    if not targets:
        return
    blocked, policy_by_key = _blocked(ctx, targets, isolating)
    for key, lines in sorted(blocked.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])):
        policy = policy_by_key[key]
        read = netpol.network_policy(policy)
        rules = read.ingress
        evidence = [
            f"podSelector {read.pod_selector_text}, policyTypes "
            f"{','.join(read.policy_types or ('Ingress',))}, {len(rules)} ingress rule(s)"
            + (" (denies all ingress)" if not rules else ""),
            *lines[:5],
        ]
        if len(lines) > 5:
            evidence.append(f"… and {len(lines) - 5} more blocked connections")
        source_ns = lines[0].split(" ", 2)[1].split("/", 1)[0]
        yield ctx.finding(
            policy,
            f"NetworkPolicy {policy.namespace}/{policy.name} blocks traffic to Ready pods: "
            f"{len(lines)} connection(s) from other pods time out or are refused",
            evidence=evidence,
            hint=(
                f"`kubectl -n {policy.namespace} describe networkpolicy {policy.name}`; admit the client with an "
                f"ingress rule such as `from: [{{namespaceSelector: {{matchLabels: "
                f"{{kubernetes.io/metadata.name: {source_ns}}}}}}}]`"
            ),
        )
