from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.security._common import (
    O2P_COOKIE_RE,
    O2P_ISSUER_RE,
    VALID_COOKIE_LENGTHS,
    OAuth2ProxyDeployment,
    is_authentik_issuer,
    oauth2_proxy_deployments,
    read_oauth2_proxy_config,
)
from homelabctl.checks.workload._common import (
    all_statuses,
    current_terminated,
    first_lines,
    last_terminated,
    waiting_reason,
)
from homelabctl.kube import pod_display_status, pod_is_ready, pod_restarts
from homelabctl.model import Finding, Layer, Resource, Severity


def _messages(pods: list[Resource]) -> list[tuple[Resource, str]]:
    """Termination messages of the pods' containers (current and previous run)."""
    found = []
    for pod in pods:
        for cs, _ in all_statuses(pod):
            for term in (current_terminated(cs), last_terminated(cs)):
                if term.get("message"):
                    found.append((pod, str(term["message"])))
    return found


def _status_lines(pods: list[Resource]) -> list[str]:
    lines = []
    for pod in sorted(pods, key=lambda p: p.name)[:3]:
        shown = pod_display_status(pod)
        reasons = {waiting_reason(cs) for cs, _ in all_statuses(pod)} - {"", shown}
        lines.append(
            f"pod {pod.name}: {shown}, restarts={pod_restarts(pod)}"
            + (f" ({', '.join(sorted(reasons))})" if reasons else "")
        )
    return lines


def _describe(proxy: OAuth2ProxyDeployment) -> str:
    return f"{proxy.owner.kind} {proxy.owner.namespace}/{proxy.owner.name}"


@check(
    "oauth2-proxy-misconfigured",
    layer=Layer.SECURITY,
    severity=Severity.CRITICAL,
    any_of=[kinds.POD, kinds.DEPLOYMENT],
    uses=[kinds.SECRET, kinds.CONFIGMAP],
)
def oauth2_proxy_misconfigured(ctx: CheckContext) -> Iterator[Finding]:
    """oauth2-proxy cannot start: cookie secret of the wrong length, or OIDC issuer mismatch.

    Finds oauth2-proxy by its image, in Deployments and pods, and reads its options the way it does
    (``--flag``, then ``OAUTH2_PROXY_*`` environment, then the mounted config file), following
    ``secretKeyRef`` to the Secret. The cookie secret must be 16, 24 or 32 bytes, after oauth2-proxy's own
    base64 (URL alphabet) decoding: the length is computed from the redacted Secret, never from the value
    itself. Termination messages are read too: "cookie_secret must be 16, 24, or 32 bytes ..." and
    "oidc: issuer did not match the issuer returned by provider, expected X got Y", with both issuers
    shown, since oauth2-proxy compares them exactly, trailing slash included. When the proxy is not ready,
    the issuer points at Authentik and nothing else explains it, the finding shows the issuer with and
    without its trailing slash to compare against the provider's discovery document (Authentik publishes
    ``https://HOST/application/o/SLUG/``, with the slash).

    Next step: ``openssl rand -base64 32 | tr -- '+/' '-_'`` for a new cookie secret; for the issuer,
    ``curl -s ISSUER/.well-known/openid-configuration | jq -r .issuer`` and copy that value exactly.
    """
    secrets_readable = ctx.readable(kinds.SECRET)
    configmaps_readable = ctx.readable(kinds.CONFIGMAP)
    for proxy in oauth2_proxy_deployments(ctx.index):
        namespace = proxy.owner.namespace or ""
        config = read_oauth2_proxy_config(
            ctx.index,
            namespace,
            proxy.pod_spec,
            secrets_readable=secrets_readable,
            configmaps_readable=configmaps_readable,
        )
        messages = _messages(proxy.pods)
        status = _status_lines(proxy.pods)
        target = proxy.owner
        name = _describe(proxy)

        # Cookie secret.
        reported = [(pod, m) for pod, m in messages if O2P_COOKIE_RE.search(m)]
        cookie = config.get("cookie-secret")
        evidence: list[str] = []
        bad_length: int | None = None
        for pod, message in reported[:1]:
            if (match := O2P_COOKIE_RE.search(message)) is not None:
                bad_length = int(match.group(1))
                evidence.append(f"pod {pod.name} exited with: {first_lines(message, lines=2)}")
        if cookie is not None and cookie.secret_lengths is not None:
            raw_len, effective = cookie.secret_lengths
            decoded = " after base64 decoding" if effective != raw_len else ""
            evidence.append(
                f"cookie secret from {cookie.source}: {raw_len} bytes, {effective} bytes as oauth2-proxy "
                f"uses it{decoded}"
            )
            # The configured value is what the next start uses; a termination message may predate a fix.
            bad_length = effective if effective not in VALID_COOKIE_LENGTHS else None
        elif cookie is not None and cookie.problem:
            evidence.append(f"cookie secret from {cookie.source}: {cookie.problem}")
        if bad_length is not None:
            evidence.extend(status)
            yield ctx.finding(
                target,
                f"oauth2-proxy {name} has a {bad_length}-byte cookie secret; it must be 16, 24 or 32 bytes",
                evidence=evidence,
                hint=(
                    "Generate one with `openssl rand -base64 32 | tr -- '+/' '-_'` (32 bytes once decoded) and "
                    f"put it where oauth2-proxy reads it ({cookie.source if cookie else 'its cookie-secret'}), then "
                    f"`kubectl rollout restart -n {namespace} {proxy.owner.kind.lower()}/{proxy.owner.name}`"
                ),
            )

        # OIDC issuer.
        issuer_option = config.get("oidc-issuer-url")
        issuer = config.value("oidc-issuer-url") or ""
        mismatch = next(
            ((pod, m) for pod, text in messages if (m := O2P_ISSUER_RE.search(text)) is not None), None
        )
        if mismatch is not None:
            pod, match = mismatch
            expected, got = match.group(1), match.group(2)
            evidence = [f"configured issuer (expected): {expected!r}", f"provider's issuer (got):    {got!r}"]
            if issuer_option is not None:
                evidence.append(f"oidc-issuer-url set by {issuer_option.source}")
            if expected.rstrip("/") == got.rstrip("/"):
                evidence.append("the two differ only by the trailing slash")
            evidence.append(f"pod {pod.name} exited with: {first_lines(match.string, lines=1, width=400)}")
            evidence.extend(status)
            yield ctx.finding(
                target,
                f"oauth2-proxy {name} rejects its OIDC provider: issuer {expected!r} does not match {got!r}",
                evidence=evidence,
                hint=(
                    f"Set --oidc-issuer-url to exactly {got!r} "
                    f"(in {issuer_option.source if issuer_option else 'its extraArgs'}), character for character"
                ),
            )
        elif (
            issuer
            and is_authentik_issuer(issuer)
            and proxy.pods
            and not any(pod_is_ready(p) for p in proxy.pods)
            and bad_length is None
        ):
            other = issuer.rstrip("/") if issuer.endswith("/") else issuer + "/"
            evidence = [
                f"oidc-issuer-url={issuer!r} ({issuer_option.source if issuer_option else '?'})",
                f"the other form: {other!r}",
                "Authentik's per-provider issuer is https://HOST/application/o/SLUG/ (with the slash); "
                "oauth2-proxy compares it exactly",
                *status,
            ]
            yield ctx.finding(
                target,
                f"oauth2-proxy {name} is not ready and its Authentik issuer URL may not match exactly",
                evidence=evidence,
                hint=(
                    f"`curl -s {issuer.rstrip('/')}/.well-known/openid-configuration | jq -r .issuer` and set "
                    "--oidc-issuer-url to that exact string; `kubectl logs -n "
                    f"{namespace} {proxy.owner.kind.lower()}/{proxy.owner.name}` shows the error"
                ),
                severity=Severity.WARNING,
            )
