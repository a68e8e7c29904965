"""Cause rule ``registry-failing``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.model import Finding, Layer


@cause_rule("registry-failing", layer=Layer.PLATFORM, rank=0, causes={"image-registry-failing"})
def registry_failing(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """One registry failing on its side (rate limit, 5xx, unreachable) is one cause for every pod pulling from it.

    The pods whose images come from that registry (the ``external`` edge from the image reference) and
    their controllers are grouped under the ``ExternalHost``, however many nodes they are on. For Docker
    Hub's ``429 Too Many Requests`` the fix is authenticated pulls or a pull-through mirror.
    """
    host = cause.object.name
    text = " ".join((cause.message, *cause.evidence)).lower()
    steps = []
    if "429" in text or "toomanyrequests" in text or "rate" in text:
        steps.append(NextStep(f"pull from {host} authenticated (imagePullSecret) or through a mirror: K3s "
                              "/etc/rancher/k3s/registries.yaml `mirrors:` with a pull-through cache"))
    steps.append(NextStep("test the registry from a node", f"crictl pull {host}/library/busybox:latest"))
    return Explanation(set(), f"{cause.message}: every pull from {host} fails on the registry's side",
                       list(cause.evidence), steps)
