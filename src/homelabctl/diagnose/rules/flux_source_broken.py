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
    source = ctx.resource(cause.object)
    url = str(source.spec.get("url") or "") if source is not None else ""
    secret_ref = source.spec.get("secretRef") if source is not None else None
    secret = str(secret_ref.get("name") or "") if isinstance(secret_ref, dict) else ""
    ssh = url.startswith("ssh://") or (bool(url) and "://" not in url)
    if secret and ssh and ("knownhosts" in text or "key mismatch" in text):
        steps.append(
            NextStep(
                f"refresh the host key in Secret {ns}/{secret} (known_hosts) from {url}",
                f"flux create secret git {secret} -n {ns} --url={url} --export",
            )
        )
    elif secret and ssh and ("auth" in text or "permission denied" in text or "handshake" in text):
        steps.append(
            NextStep(
                f"re-add the deploy key of Secret {ns}/{secret} to the repository, or rotate it "
                "(the command prints the new public key to add)",
                f"flux create secret git {secret} -n {ns} --url={url}",
            )
        )
    elif secret:
        steps.append(
            NextStep(
                f"check the credentials in Secret {ns}/{secret} against {url or 'the source'}",
                f"kubectl -n {ns} describe secret {secret}",
            )
        )
    elif url.startswith("http"):
        command = (
            f"curl -sSI {url.rstrip('/')}/index.yaml"
            if cause.object.kind == "HelmRepository"
            else f"git ls-remote {url}"
        )
        steps.append(NextStep(f"ask {url} yourself: the source uses no credentials Secret", command))
    steps.append(
        NextStep(
            "retry the fetch",
            f"flux reconcile source {cause.object.kind.lower().replace('repository', '')} "
            f"{cause.object.name} -n {ns}",
        )
    )
    return Explanation(set(), cause.message, list(cause.evidence), steps)
