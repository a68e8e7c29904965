"""Cause rule ``flux-source-broken``."""

from __future__ import annotations

import re

from homelabctl.diagnose import links
from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.graph import external
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.k8s import flux as k8s_flux
from homelabctl.k8s import graphrefs, refs
from homelabctl.lazyre import LazyPattern
from homelabctl.model import Finding, Layer, ObjectRef

_HOST_SIDE = frozenset({refs.SOURCE_UNREACHABLE, refs.SOURCE_TLS})
_HOST_ANSWERS = frozenset({refs.RATE_LIMITED, refs.SERVER_ERROR})
_FORBIDDEN = LazyPattern(r"\b403\b|\bforbidden\b", re.IGNORECASE)


def host_side(text: str, url: str, credentials: bool) -> ObjectRef | None:
    """The host a source fetches from, when the failure is the host's: it does not answer, its TLS fails, it
    answers 429/5xx, or it refuses (403) a source that sends no credentials — no credential of the cluster is
    involved. A failed name lookup is the resolver's (the DNS link explains it), and a 401 or a 403 to a
    source with credentials is the credential's."""
    host = links.url_host(url)
    if not host or "lookup " in text or links.lookup_unanswered(text):
        return None
    reason = refs.source_failure(text)
    if reason in _HOST_SIDE or refs.pull_failure(text) in _HOST_ANSWERS:
        return external(host)
    if reason == refs.SOURCE_AUTH and not credentials and _FORBIDDEN.search(text):
        return external(host)
    return None


@cause_rule("flux-source-broken", layer=Layer.PLATFORM, rank=0, causes={"flux-source-failed"})
def flux_source_broken(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A Flux source that cannot fetch explains every Kustomization and HelmRelease built from it.

    Its users (the ``source`` edge from ``sourceRef``) keep the last applied revision or say
    ``Source artifact not found``. Authentication failures are the cluster's credential (a deploy key
    removed, known_hosts changed), not the git host. When the host itself fails — it does not answer, its
    TLS fails, it answers 429/5xx, or it refuses (403) a source that sends no credentials — the object to fix
    is the ``ExternalHost`` of the source's URL: the consumers of every source on it are its symptoms. When the error names the cluster DNS Service, the
    evidence link puts CoreDNS upstream of the source instead.
    """
    text = " ".join((cause.message, *cause.evidence)).lower()
    ns = cause.object.namespace or "flux-system"
    steps = []
    source = ctx.resource(cause.object)
    url = k8s_flux.url(source) if source is not None else ""
    secret = graphrefs.secret_ref_name(source) if source is not None else ""
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
    host = host_side(text, url, bool(secret)) if source is not None else None
    if host is not None:
        return Explanation(
            set(),
            f"{cause.message}: {host.name} refuses or fails the fetch for everyone; no credential of the "
            "cluster is involved",
            list(cause.evidence),
            steps,
            object=host,
        )
    return Explanation(set(), cause.message, list(cause.evidence), steps)
