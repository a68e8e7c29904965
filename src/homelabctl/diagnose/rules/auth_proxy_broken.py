"""Cause rule ``auth-proxy-broken``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.model import Finding, Layer


@cause_rule("auth-proxy-broken", layer=Layer.SECURITY, rank=0, causes={"oauth2-proxy-misconfigured"})
def auth_proxy_broken(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A crashing auth proxy (oauth2-proxy) takes down every route behind it.

    Cookie secrets that are not 16, 24 or 32 bytes, or an OIDC issuer that differs by a trailing slash,
    make oauth2-proxy exit at start. Its crash loop, its Deployment, its Service and the HTTPRoutes that
    send traffic through it are grouped under the misconfiguration.
    """
    impacted = ctx.reach(cause)
    target = ctx.fix_target(cause.object)
    routes = sorted(
        f"{r.namespace}/{r.name}" for r in impacted if r.kind in ("HTTPRoute", "GRPCRoute", "Ingress")
    )
    consequence = f": the routes behind it are down ({', '.join(routes)})" if routes else ""
    return Explanation(
        impacted,
        f"{cause.message}{consequence}",
        list(cause.evidence),
        [
            NextStep(
                "generate a 32-byte cookie secret in the URL-safe alphabet oauth2-proxy decodes",
                "python3 -c 'import os,base64;print(base64.urlsafe_b64encode(os.urandom(32)).decode())'",
            ),
            NextStep(
                f"store it SOPS-encrypted where {target.kind} {target.namespace}/{target.name} reads it, "
                "reconcile, and watch the rollout",
                f"kubectl -n {target.namespace} rollout status {target.kind.lower()}/{target.name}",
            ),
        ],
    )
