from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import msgspec

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.workload._common import (
    IMAGE_PULL_REASONS,
    all_statuses,
    container_image,
    first_lines,
    waiting,
    waiting_reason,
)
from homelabctl.k8s import events, refs
from homelabctl.k8s import pods as k8s_pods
from homelabctl.k8s.pod_trouble import troubled_pods
from homelabctl.model import Finding, Layer, Resource, Severity

MAX_PODS = 5
PULL_EVENT_REASONS = frozenset({"Failed", "BackOff", "ErrImagePull"})

_HINTS = {
    refs.RATE_LIMITED: (
        "{host} rate-limits this cluster's pulls: authenticate them (an imagePullSecret, or K3s "
        "`/etc/rancher/k3s/registries.yaml` credentials) or pull through a mirror, then wait for the "
        "window to reset; `sudo k3s crictl pull {image}` on {node} shows when it works again"
    ),
    refs.SERVER_ERROR: (
        "{host} answers with server errors: check its status page; pods retry on their own once it "
        "recovers (`sudo k3s crictl pull {image}` on {node} to confirm); a mirror avoids the dependency"
    ),
    refs.UNREACHABLE: (
        "{node} cannot reach {host}: from the node, `getent hosts {host}` and "
        "`curl -sI https://{host}/v2/` (DNS, egress, proxy); then `sudo k3s crictl pull {image}`"
    ),
    refs.TLS_ERROR: (
        "TLS to {host} fails: trust its CA on the nodes (K3s registries.yaml `tls.ca_file`) or fix its "
        "certificate; `curl -v https://{host}/v2/` from {node} shows the error"
    ),
}


class _Group(msgspec.Struct):
    images: list[str] = msgspec.field(default_factory=list)
    pods: list[Resource] = msgspec.field(default_factory=list)
    quote: str = ""
    nodes: set[str] = msgspec.field(default_factory=set)


def pull_messages(ctx: CheckContext, pod: Resource) -> list[tuple[str, str]]:
    """(image, message) for each container stuck pulling: its waiting message and its pull events."""
    found: list[tuple[str, str]] = []
    stuck: list[str] = []
    for cs, _ in all_statuses(pod):
        if waiting_reason(cs) not in IMAGE_PULL_REASONS:
            continue
        image = container_image(pod, cs)
        stuck.append(image)
        if waiting(cs).get("message"):
            found.append((image, str(waiting(cs)["message"])))
    if not stuck:
        return []
    for event in ctx.index.events_for(pod):
        read = events.event(event)
        if read.reason not in PULL_EVENT_REASONS:
            continue
        message = read.message
        image = next((img for img in stuck if img and img in message), stuck[0])
        found.append((image, message))
    return found


@check(
    "image-registry-failing",
    layer=Layer.PLATFORM,
    severity=Severity.CRITICAL,
    requires=[kinds.POD],
    uses=[kinds.EVENT],
)
def image_registry_failing(ctx: CheckContext) -> Iterator[Finding]:
    """Image registry failing pulls for reasons on its side: rate limit, server errors, unreachable, TLS.

    Reads every pod stuck in ``ErrImagePull``/``ImagePullBackOff``: the image each stuck container asks
    for, its waiting message and the pod's ``Failed``/``BackOff`` events, where containerd quotes the
    registry's answer. Each failure is classed (``429 Too Many Requests`` / ``toomanyrequests: You have
    reached your pull rate limit`` → rate-limited; ``5xx`` → server error; ``no such host``, ``i/o
    timeout``, ``connection refused`` → unreachable; ``x509:`` → TLS) and grouped by registry (the host
    of the image reference, Docker Hub's aliases as ``docker.io``) and class: one finding per registry and
    reason, on the pseudo-object ``ExternalHost <registry>``, listing the pods and nodes affected.
    Refused credentials and missing tags are not the registry's failure and stay per pod in
    ``pod-image-pull``.

    Why it matters: many pods on several nodes failing the same way have one cause outside the cluster;
    restarting them or their nodes does not help, and the fix (a mirror, credentials, waiting) is one.

    Next step: the hint per reason; confirm from a node with ``sudo k3s crictl pull IMAGE``.
    """
    groups: dict[tuple[str, str], _Group] = defaultdict(_Group)
    for pod in troubled_pods(ctx.index):
        seen: set[tuple[str, str]] = set()
        for image, message in pull_messages(ctx, pod):
            klass = refs.pull_failure(message)
            if klass not in refs.HOST_SIDE_PULL_FAILURES or not image:
                continue
            key = (refs.registry_host(image), str(klass))
            group = groups[key]
            if not group.quote:
                group.quote = first_lines(message, lines=2, width=400)
            if key in seen:
                continue
            seen.add(key)
            group.pods.append(pod)
            if image not in group.images:
                group.images.append(image)
            node = k8s_pods.node_name(pod)
            if node:
                group.nodes.add(node)
    for (host, klass), group in sorted(groups.items()):
        pods = group.pods
        evidence = [f"registry {host}: {klass}", f"registry answer: {group.quote}"]
        evidence += [
            f"pod {p.namespace}/{p.name} on {k8s_pods.node_name(p) or '(unscheduled)'}"
            for p in pods[:MAX_PODS]
        ]
        if len(pods) > MAX_PODS:
            evidence.append(f"… and {len(pods) - MAX_PODS} more pods")
        evidence.append("images: " + ", ".join(group.images[:5]))
        nodes = sorted(group.nodes)
        yield ctx.finding(
            refs.external_host(host),
            f"Registry {host} is failing pulls ({klass}): {len(pods)} pod(s) on {len(nodes)} node(s) cannot start",
            evidence=evidence,
            hint=_HINTS[klass].format(host=host, image=group.images[0], node=nodes[0] if nodes else "a node"),
        )
