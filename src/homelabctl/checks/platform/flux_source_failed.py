from __future__ import annotations

from collections.abc import Iterator

from homelabctl.checks.platform._common import (
    FETCHING_SOURCE_KINDS,
    condition_text,
    flux_cli,
    is_suspended,
    latest_warning_event,
    one_line,
    since_text,
    source_fetch_failure,
)
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import flux, fluxsources, refs
from homelabctl.model import Finding, Layer, Resource, Severity


def _origin(res: Resource) -> str:
    found = fluxsources.origin(res)
    if res.kind == "HelmChart":
        return f"{found.source_kind} {res.namespace}/{found.source_name}"
    return found.location or "?"


def _hint(res: Resource, klass: str) -> str:
    found = fluxsources.origin(res)
    secret = found.secret
    host = refs.url_host(found.location) or "the host"
    reconcile = f"then `{flux_cli(res, 'reconcile')}`"
    if klass == refs.SOURCE_AUTH:
        where = f"Secret {res.namespace}/{secret}" if secret else "spec.secretRef (none is set)"
        return (
            f"The credentials in {where} were refused by {host}: check the deploy key or token is still "
            f"registered there (`kubectl -n {res.namespace} get secret {secret or '<name>'} -o yaml` for its keys), "
            f"renew it with `flux create secret git {secret or res.name} --url={found.url or '<url>'}`, "
            + reconcile
        )
    if klass == refs.SOURCE_HOST_KEY:
        return (
            f"{host}'s SSH host key is not the one in known_hosts of Secret {res.namespace}/{secret or '?'}: "
            f"verify the new key (`ssh-keyscan {host}`) and update known_hosts, " + reconcile
        )
    if klass == refs.SOURCE_NOT_FOUND:
        return (
            f"{found.url or 'the URL'} does not exist or the credentials cannot see it: check spec.url, "
            "the branch/tag/chart and the access of the key, " + reconcile
        )
    if klass == refs.SOURCE_DNS:
        return (
            f"{host} does not resolve from the cluster: check cluster DNS first (see cluster-dns-unhealthy), "
            "then the host name in spec.url, " + reconcile
        )
    if klass == refs.SOURCE_TLS:
        return (
            f"TLS to {host} fails: check spec.certSecretRef / the CA and the server's certificate, "
            + reconcile
        )
    return (
        f"{host} is unreachable from the cluster: check the node's egress and that {host} is up, " + reconcile
    )


@check(
    "flux-source-failed", layer=Layer.PLATFORM, severity=Severity.CRITICAL, any_of=list(FETCHING_SOURCE_KINDS)
)
def flux_source_failed(ctx: CheckContext) -> Iterator[Finding]:
    """Flux source cannot fetch: authentication, host key, not found, DNS, TLS or network failure.

    Reads GitRepositories, HelmRepositories, OCIRepositories, Buckets and HelmCharts: the ``FetchFailed``
    and ``Ready`` conditions and their message, ``spec.url`` and ``spec.secretRef``. Fires when the
    message is a fetch failure of a known class - ``authentication required`` / ``ssh: handshake failed:
    ssh: unable to authenticate`` (a removed deploy key, an expired token), ``knownhosts: key mismatch``,
    ``repository not found``, ``no such host``, TLS (``x509:``) and timeouts or refusals - and names the
    class. ``flux-not-ready`` does not report these sources again. Suspended sources are skipped.

    Why it matters: every Kustomization and HelmRelease reading the source keeps the last artifact, so
    nothing pushed to Git reaches the cluster, and new HelmReleases fail with "source not ready".

    Next step: the hint says what to fix for the class (renew the deploy key, update known_hosts, fix the
    URL or DNS), then ``flux reconcile source <kind> <name>``.
    """
    for gk in FETCHING_SOURCE_KINDS:
        for res in ctx.index.all(gk):
            if is_suspended(res):
                continue
            failure = source_fetch_failure(res)
            if failure is None:
                continue
            klass, cond = failure
            evidence = [condition_text(cond, 500), f"spec.url={_origin(res)}"]
            secret = fluxsources.origin(res).secret
            if secret:
                evidence.append(f"spec.secretRef={secret}")
            artifact = flux.artifact(res)
            evidence.append(
                f"last artifact revision={artifact.revision}"
                if artifact is not None and artifact.revision
                else "no artifact: nothing was ever fetched"
            )
            event = latest_warning_event(ctx.index, res)
            if event:
                evidence.append(event)
            yield ctx.finding(
                res,
                f"{res.kind} {res.namespace}/{res.name} cannot fetch ({klass}{since_text(cond, ctx.now)}): "
                f"{one_line(cond.message, 200)}",
                evidence=evidence,
                hint=_hint(res, klass),
            )
