from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import routes
from homelabctl.model import Finding, Layer, Severity


@check(
    "route-middleware-missing",
    layer=Layer.NETWORK,
    severity=Severity.CRITICAL,
    any_of=list(kinds.TRAEFIK_MIDDLEWARES),
    uses=[kinds.INGRESS, *kinds.TRAEFIK_INGRESS_ROUTES, kinds.NAMESPACE],
)
def route_middleware_missing(ctx: CheckContext) -> Iterator[Finding]:
    """Ingress or IngressRoute naming a Traefik Middleware that does not exist.

    Reads the ``traefik.ingress.kubernetes.io/router.middlewares`` annotation of every Ingress
    (``<namespace>-<name>@kubernetescrd``; other providers such as ``@file`` are skipped) and the
    ``spec.routes[].middlewares`` of every IngressRoute, and looks each Middleware up (``traefik.io`` and
    the older ``traefik.containo.us`` group). Only evaluated when Middlewares were read.

    Why it matters: Traefik does not serve a router whose middleware is missing - the host answers 404
    while the Ingress, its Service and its pods all look fine (a typo in the namespace prefix, or the
    Middleware in another namespace than the annotation says).

    Next step: create the Middleware, or correct the reference (the namespace prefix of the annotation is
    the Middleware's namespace, not the Ingress's).
    """
    existing = {(mw.namespace, mw.name) for gk in kinds.TRAEFIK_MIDDLEWARES for mw in ctx.index.all(gk)}
    namespaces = {ns.name for ns in ctx.index.all(kinds.NAMESPACE)}
    for gk in (kinds.INGRESS, *kinds.TRAEFIK_INGRESS_ROUTES):
        for route in ctx.index.all(gk):
            missing = [
                ref
                for ref in routes.traefik_middlewares(route, namespaces)
                if (ref.namespace, ref.name) not in existing
            ]
            if not missing:
                continue
            names = ", ".join(f"{ref.namespace}/{ref.name}" for ref in missing)
            yield ctx.finding(
                route,
                f"{route.kind} {route.namespace}/{route.name} uses Traefik Middleware {names}, which does not exist: "
                "Traefik does not serve this router",
                evidence=[ref.written for ref in missing],
                hint=f"Create the Middleware or fix the reference: kubectl get middlewares.traefik.io -A | grep "
                f"{missing[0].name}",
            )
