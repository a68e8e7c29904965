from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.workload._common import (
    IMAGE_PULL_REASONS,
    all_statuses,
    container_label,
    container_spec,
    event_lines,
    first_lines,
    live_pods,
    owner_line,
    waiting,
    waiting_reason,
)
from homelabctl.model import Finding, Layer, Severity

_CAUSES = (
    (("not found", "manifest unknown", "no such manifest"),
     "the image or tag does not exist: check the tag on the registry"),
    (("unauthorized", "401", "403", "forbidden", "authentication required", "denied"),
     "the registry refused the credentials: check the pod's imagePullSecrets"),
    (("toomanyrequests", "rate limit", "429"),
     "the registry rate-limited the node (Docker Hub): use a mirror or authenticated pulls"),
    (("no such host", "i/o timeout", "connection refused", "network is unreachable", "dial tcp",
      "tls handshake timeout", "context deadline exceeded"),
     "the node cannot reach the registry: check the node's DNS and egress"),
    (("invalid reference format", "couldn't parse image"),
     "the image reference is malformed"),
)


def _likely_cause(text: str) -> str:
    lowered = text.lower()
    for needles, cause in _CAUSES:
        if any(n in lowered for n in needles):
            return cause
    return ""


@check("pod-image-pull", layer=Layer.WORKLOAD, severity=Severity.CRITICAL, requires=[kinds.POD],
       uses=[kinds.EVENT])
def pod_image_pull(ctx: CheckContext) -> Iterator[Finding]:
    """Pod cannot pull its image (ErrImagePull, ImagePullBackOff, InvalidImageName).

    Reads container and init container ``state.waiting`` reasons and messages, the image each container
    asks for, and the pod's ``Failed``/``BackOff`` events, whose message carries the registry's answer.
    From that answer the finding names the likely cause: a tag that does not exist, refused credentials,
    a rate limit, or a node that cannot reach the registry at all (which is a node network problem).

    Next step: ``crane manifest IMAGE`` (or ``docker manifest inspect``) from a workstation; if that works,
    pull from the node itself (``sudo k3s crictl pull IMAGE``) to tell a registry problem from a node one.
    """
    for pod in live_pods(ctx.index):
        stuck = [(cs, is_init) for cs, is_init in all_statuses(pod) if waiting_reason(cs) in IMAGE_PULL_REASONS]
        if not stuck:
            continue
        evidence: list[str] = []
        causes: list[str] = []
        images: list[str] = []
        for cs, is_init in stuck:
            image = str(container_spec(pod, str(cs.get("name"))).get("image") or cs.get("image") or "?")
            images.append(image)
            message = str(waiting(cs).get("message") or "")
            evidence.append(f"{container_label(cs, is_init)}: image {image}: {waiting_reason(cs)}"
                            + (f": {first_lines(message, lines=2)}" if message else ""))
            causes.append(_likely_cause(message))
        events = event_lines(ctx.index, pod, ("Failed", "BackOff", "InspectFailed", "ErrImageNeverPull"),
                             now=ctx.now)
        evidence.extend(events)
        causes.extend(_likely_cause(str(e.raw.get("message") or "")) for e in ctx.index.events_for(pod))
        evidence.append(owner_line(ctx.index, pod))
        cause = next((c for c in causes if c), "")
        hint = (f"{cause[0].upper()}{cause[1:]}; " if cause else "") + (
            f"verify with `sudo k3s crictl pull {images[0]}` on node {pod.spec.get('nodeName') or '?'}")
        yield ctx.finding(
            pod,
            f"Pod {pod.namespace}/{pod.name} cannot pull image {images[0]}",
            evidence=evidence,
            hint=hint,
        )
