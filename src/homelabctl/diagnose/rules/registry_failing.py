"""Cause rule ``registry-failing``."""

from __future__ import annotations

from homelabctl import kinds
from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.graph import EXTERNAL
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.k8s.refs import registry_host
from homelabctl.kube import node_is_k3s, pod_containers, pod_node
from homelabctl.model import Finding, Layer, ObjectRef


def _pull_step(ctx: RuleContext, host: str) -> NextStep:
    """Pull one of the failing images by hand on the node that failed to pull it."""
    for ref in sorted(ctx.graph.direct(ObjectRef("ExternalHost", None, host), EXTERNAL)):
        pod = ctx.resource(ref)
        node_name = pod_node(pod) if pod is not None and pod.kind == "Pod" else None
        if pod is None or node_name is None:
            continue
        images = [str(c.get("image")) for c in pod_containers(pod.spec) if c.get("image")]
        image = next((i for i in images if registry_host(i) == host), None)
        if image is None:
            continue
        node = ctx.index.get(kinds.NODE, None, node_name)
        crictl = "sudo k3s crictl" if node is not None and node_is_k3s(node) else "sudo crictl"
        return NextStep(
            f"pull {image} by hand on {node_name}, where pod {pod.namespace}/{pod.name} failed to",
            f"ssh {node_name} {crictl} pull {image}",
        )
    return NextStep(f"test {host} from a node", f"curl -sSI https://{host}/v2/")


@cause_rule("registry-failing", layer=Layer.PLATFORM, rank=0, causes={"image-registry-failing"})
def registry_failing(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """One registry failing on its side (rate limit, 5xx, unreachable) is one cause for every pod pulling from it.

    The pods whose images come from that registry (the ``external`` edge from the image reference) and
    their controllers are grouped under the ``ExternalHost``, however many nodes they are on. For Docker
    Hub's ``429 Too Many Requests`` the fix is authenticated pulls or a pull-through mirror.

    Not when every pod that fails to pull from it runs on a node whose network is down (NetworkUnavailable,
    its CNI agent not ready, or the node suspected by correlation): those nodes cannot get out, and the
    registry's finding is grouped under them (an ``egress`` edge from each such node to the host).
    """
    host = cause.object.name
    text = " ".join((cause.message, *cause.evidence)).lower()
    steps = []
    if "429" in text or "toomanyrequests" in text or "rate" in text:
        steps.append(
            NextStep(
                f"pull from {host} authenticated (imagePullSecret) or through a mirror: K3s "
                "/etc/rancher/k3s/registries.yaml `mirrors:` with a pull-through cache"
            )
        )
    steps.append(_pull_step(ctx, host))
    return Explanation(
        set(),
        f"{cause.message}: every pull from {host} fails on the registry's side",
        list(cause.evidence),
        steps,
    )
