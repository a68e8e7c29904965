from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.workload._common import (
    IMAGE_PULL_REASONS,
    all_statuses,
    container_image,
    container_label,
    event_lines,
    first_lines,
    owner_line,
    waiting,
    waiting_reason,
)
from homelabctl.k8s import events as k8s_events
from homelabctl.k8s import pods as k8s_pods
from homelabctl.k8s import refs
from homelabctl.k8s.pod_trouble import troubled_pods
from homelabctl.model import Finding, Layer, Severity

_CAUSES = {
    refs.NOT_FOUND: "the image or tag does not exist: check the tag on the registry",
    refs.UNAUTHORIZED: "the registry refused the credentials: check the pod's imagePullSecrets",
    refs.RATE_LIMITED: "the registry rate-limited the node (Docker Hub): use a mirror or authenticated pulls",
    refs.UNREACHABLE: "the node cannot reach the registry: check the node's DNS and egress",
    refs.SERVER_ERROR: "the registry answers with server errors: see its status page, pulls retry on their own",
    refs.TLS_ERROR: "TLS to the registry fails: trust its CA on the node or fix its certificate",
    refs.MALFORMED: "the image reference is malformed",
}


def _likely_cause(text: str) -> str:
    klass = refs.pull_failure(text)
    return _CAUSES.get(klass, "") if klass else ""


@check(
    "pod-image-pull",
    layer=Layer.WORKLOAD,
    severity=Severity.CRITICAL,
    requires=[kinds.POD],
    uses=[kinds.EVENT],
)
def pod_image_pull(ctx: CheckContext) -> Iterator[Finding]:
    """Pod cannot pull its image (ErrImagePull, ImagePullBackOff, InvalidImageName).

    Reads container and init container ``state.waiting`` reasons and messages, the image each container
    asks for, and the pod's ``Failed``/``BackOff`` events, whose message carries the registry's answer.
    From that answer the finding names the registry (the image reference's host, Docker Hub's aliases as
    ``docker.io``) and the reason class - not found, unauthorized, rate-limited, server error, TLS error,
    unreachable - and the likely cause. Rate limits, server errors and unreachable registries are the
    registry's side and are also grouped per registry by ``image-registry-failing``.

    Next step: ``crane manifest IMAGE`` (or ``docker manifest inspect``) from a workstation; if that works,
    pull from the node itself (``sudo k3s crictl pull IMAGE``) to tell a registry problem from a node one.
    """
    for pod in troubled_pods(ctx.index):
        stuck = [
            (cs, is_init) for cs, is_init in all_statuses(pod) if waiting_reason(cs) in IMAGE_PULL_REASONS
        ]
        if not stuck:
            continue
        evidence: list[str] = []
        causes: list[str] = []
        images: list[str] = []
        for cs, is_init in stuck:
            image = container_image(pod, cs) or "?"
            images.append(image)
            message = str(waiting(cs).get("message") or "")
            evidence.append(
                f"{container_label(cs, is_init)}: image {image}: {waiting_reason(cs)}"
                + (f": {first_lines(message, lines=2)}" if message else "")
            )
            causes.append(_likely_cause(message))
        events = event_lines(
            ctx.index, pod, ("Failed", "BackOff", "InspectFailed", "ErrImageNeverPull"), now=ctx.now
        )
        evidence.extend(events)
        pod_events = [k8s_events.event(e).message for e in ctx.index.events_for(pod)]
        causes.extend(_likely_cause(message) for message in pod_events)
        messages = [str(waiting(cs).get("message") or "") for cs, _ in stuck]
        messages += pod_events
        klass = next((k for k in map(refs.pull_failure, messages) if k and k != refs.MALFORMED), None)
        host_side = (
            " (the registry's side: see image-registry-failing)"
            if klass in refs.HOST_SIDE_PULL_FAILURES
            else ""
        )
        evidence.append(f"registry {refs.registry_host(images[0])}, reason: {klass or 'unknown'}{host_side}")
        evidence.append(owner_line(ctx.index, pod))
        cause = next((c for c in causes if c), "")
        hint = (f"{cause[0].upper()}{cause[1:]}; " if cause else "") + (
            f"verify with `sudo k3s crictl pull {images[0]}` on node {k8s_pods.node_name(pod) or '?'}"
        )
        yield ctx.finding(
            pod,
            f"Pod {pod.namespace}/{pod.name} cannot pull image {images[0]}",
            evidence=evidence,
            hint=hint,
        )
