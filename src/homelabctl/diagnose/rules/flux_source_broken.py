"""Cause rule ``flux-source-broken``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.model import Finding, Layer


@cause_rule("flux-source-broken", layer=Layer.PLATFORM, rank=0, causes={"flux-source-failed"})
def flux_source_broken(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A Flux source that cannot fetch explains every Kustomization and HelmRelease built from it.

    Its users (the ``source`` edge from ``sourceRef``) keep the last applied revision or say
    ``Source artifact not found``. Authentication failures are the cluster's credential (a deploy key
    removed, known_hosts changed), not the git host. When the error names the cluster DNS Service, the
    evidence link puts CoreDNS upstream of the source instead.
    """
    text = " ".join((cause.message, *cause.evidence)).lower()
    ns = cause.object.namespace or "flux-system"
    steps = []
    if "knownhosts" in text or "key mismatch" in text:
        steps.append(NextStep("refresh the host key in the source's Secret (known_hosts)",
                              f"flux create secret git {cause.object.name} -n {ns} --url=<ssh url> --export"))
    elif "auth" in text or "permission denied" in text or "handshake" in text:
        steps.append(NextStep("re-add the deploy key to the repository, or rotate it in the source's Secret",
                              f"flux create secret git {cause.object.name} -n {ns} --url=<ssh url>"))
    steps.append(NextStep("retry the fetch", f"flux reconcile source {cause.object.kind.lower().replace('repository', '')} "
                          f"{cause.object.name} -n {ns}"))
    return Explanation(set(), cause.message, list(cause.evidence), steps)
