from __future__ import annotations

import re
from collections.abc import Iterator

from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule
from homelabctl.scan.repo import Doc
from homelabctl.scan.rules._common import as_dict, as_list

# Services that serve a UI with no login of its own: whoever reaches them is admin.
ADMIN_UIS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(^|-)prometheus(-server|-operated|-k8s)?$"), "Prometheus"),
    (re.compile(r"(^|-)alertmanager(-operated|-main)?$"), "Alertmanager"),
    (re.compile(r"^longhorn-frontend$"), "Longhorn UI"),
    (re.compile(r"^hubble-ui$"), "Hubble UI"),
    (re.compile(r"^kubernetes-dashboard(-kong-proxy|-web)?$"), "Kubernetes Dashboard"),
)
ADMIN_APP_LABELS = {"prometheus": "Prometheus", "alertmanager": "Alertmanager", "longhorn-ui": "Longhorn UI",
                    "hubble-ui": "Hubble UI", "kubernetes-dashboard": "Kubernetes Dashboard"}
_PROXY_RE = re.compile(r"oauth2-proxy|oauth-proxy|authentik|authelia|pomerium|outpost|vouch|forward-?auth",
                       re.IGNORECASE)
_AUTH_FILTER_RE = re.compile(r"auth|oauth|oidc|sso|login", re.IGNORECASE)
AUTH_ANNOTATIONS = ("nginx.ingress.kubernetes.io/auth-url", "nginx.ingress.kubernetes.io/auth-type",
                    "nginx.ingress.kubernetes.io/auth-signin", "nginx.ingress.kubernetes.io/auth-tls-verify-client",
                    "ingress.kubernetes.io/auth-type", "haproxy.org/auth-type", "haproxy.org/auth-realm")


def admin_ui(ctx: ScanContext, namespace: str | None, name: str,
             services: dict[tuple[str | None, str], str] | None = None) -> str | None:
    if _PROXY_RE.search(name):
        return None
    for pattern, label in ADMIN_UIS:
        if pattern.search(name):
            return label
    services = services if services is not None else _service_apps(ctx)
    return services.get((namespace, name)) or services.get((None, name))


def _service_apps(ctx: ScanContext) -> dict[tuple[str | None, str], str]:
    """(namespace, Service name) → admin UI label, from the selectors of Services defined in the repo."""
    out: dict[tuple[str | None, str], str] = {}
    for svc in ctx.repo.of_kind("Service"):
        selector = as_dict(svc.spec.get("selector"))
        app = selector.get("app.kubernetes.io/name") or selector.get("app")
        if isinstance(app, str) and app in ADMIN_APP_LABELS:
            out[(ctx.graph.namespace_of(svc), svc.name)] = ADMIN_APP_LABELS[app]
    return out


def _security_policy_targets(ctx: ScanContext) -> set[tuple[str | None, str, str]]:
    """(namespace, kind, name) targeted by Envoy Gateway SecurityPolicies that authenticate."""
    out: set[tuple[str | None, str, str]] = set()
    for doc in ctx.repo.of_kind("SecurityPolicy"):
        spec = doc.spec
        if not any(k in spec for k in ("oidc", "basicAuth", "extAuth", "jwt", "apiKeyAuth")):
            continue
        refs = as_list(spec.get("targetRefs")) + ([spec["targetRef"]] if isinstance(spec.get("targetRef"), dict) else [])
        for ref in refs:
            if isinstance(ref, dict) and isinstance(ref.get("name"), str):
                out.add((ctx.graph.namespace_of(doc), str(ref.get("kind", "")), ref["name"]))
    return out


def _route_findings(ctx: ScanContext, route: Doc, protected: set[tuple[str | None, str, str]],
                    services: dict[tuple[str | None, str], str]) -> Iterator[Finding]:
    namespace = ctx.graph.namespace_of(route)
    if (namespace, "HTTPRoute", route.name) in protected:
        return
    parents = [p for p in as_list(route.spec.get("parentRefs")) if isinstance(p, dict)]
    if any((str(p.get("namespace") or namespace), "Gateway", str(p.get("name"))) in protected for p in parents):
        return
    hostnames = [str(h) for h in as_list(route.spec.get("hostnames"))]
    for ri, route_rule in enumerate(as_list(route.spec.get("rules"))):
        if not isinstance(route_rule, dict):
            continue
        filters = [f for f in as_list(route_rule.get("filters")) if isinstance(f, dict)]
        if any(f.get("type") == "ExtensionRef" and _AUTH_FILTER_RE.search(str(as_dict(f.get("extensionRef")).get("name", "")))
               for f in filters):
            continue
        for bi, backend in enumerate(as_list(route_rule.get("backendRefs"))):
            if not isinstance(backend, dict) or backend.get("kind", "Service") != "Service":
                continue
            name = str(backend.get("name", ""))
            target_ns = str(backend.get("namespace") or namespace or "default")
            label = admin_ui(ctx, target_ns, name, services)
            if label is None:
                continue
            port = f":{backend['port']}" if backend.get("port") else ""
            yield ctx.finding(
                route,
                f"HTTPRoute {namespace or 'default'}/{route.name} publishes the {label} "
                f"(Service {target_ns}/{name}{port}) with no auth proxy in front",
                evidence=[f"hostnames: {', '.join(hostnames) or '(any)'}",
                          f"parentRefs: {', '.join(str(p.get('name')) for p in parents) or '(none)'}",
                          f"rules[{ri}].backendRefs[{bi}]: {name}{port}"],
                hint=f"Point the route at an oauth2-proxy (upstream http://{name}.{target_ns}.svc{port}) or "
                     f"attach an auth filter/SecurityPolicy; remove the route until then",
                line=route.line_of("spec", "rules", ri, "backendRefs", bi),
            )


def _ingress_findings(ctx: ScanContext, ingress: Doc, services: dict[tuple[str | None, str], str]
                      ) -> Iterator[Finding]:
    annotations = ingress.metadata.get("annotations")
    annotations = annotations if isinstance(annotations, dict) else {}
    if any(a in annotations for a in AUTH_ANNOTATIONS):
        return
    middlewares = str(annotations.get("traefik.ingress.kubernetes.io/router.middlewares", ""))
    if _AUTH_FILTER_RE.search(middlewares):
        return
    namespace = ctx.graph.namespace_of(ingress) or "default"
    for ri, ingress_rule in enumerate(as_list(ingress.spec.get("rules"))):
        if not isinstance(ingress_rule, dict):
            continue
        paths = as_list(as_dict(ingress_rule.get("http")).get("paths"))
        for pi, path in enumerate(paths):
            service = as_dict(as_dict(as_dict(path).get("backend")).get("service"))
            name = str(service.get("name", ""))
            label = admin_ui(ctx, namespace, name, services) if name else None
            if label is None:
                continue
            yield ctx.finding(
                ingress,
                f"Ingress {namespace}/{ingress.name} publishes the {label} (Service {name}) with no auth in front",
                evidence=[f"host: {ingress_rule.get('host', '(any)')}", f"rules[{ri}].http.paths[{pi}] → {name}"],
                hint="Add auth-url/auth-signin annotations pointing at oauth2-proxy (or a forward-auth "
                     "middleware), or remove the Ingress",
                line=ingress.line_of("spec", "rules", ri, "http", "paths", pi),
            )


@rule("admin-ui-without-auth", layer=Layer.SECURITY, severity=Severity.CRITICAL)
def admin_ui_without_auth(ctx: ScanContext) -> Iterator[Finding]:
    """An HTTPRoute or Ingress publishes an admin UI that has no login of its own, with no auth in front.

    Reads every ``HTTPRoute`` backendRef and ``Ingress`` backend and flags those whose Service is
    Prometheus, Alertmanager, the Longhorn frontend, Hubble UI or the Kubernetes Dashboard (by Service name,
    or by the ``app.kubernetes.io/name`` selector of a Service defined in the repo). Whoever reaches the
    hostname can read every metric, silence alerts or delete volumes. Auth in front means: the backend is
    an oauth2-proxy/Authentik/Authelia service instead, an Envoy Gateway ``SecurityPolicy`` with
    oidc/basicAuth/extAuth targets the route or its Gateway, an auth ``ExtensionRef`` filter, or nginx/
    Traefik auth annotations on the Ingress.

    Seed: "Prometheus publicly accessible without authentication" via its HTTPRoute.

    Next step: send the hostname to oauth2-proxy with the UI as upstream, or remove the route until auth
    is in place.
    """
    protected = _security_policy_targets(ctx)
    services = _service_apps(ctx)
    for route in ctx.repo.of_kind("HTTPRoute"):
        if ctx.applied(route):
            yield from _route_findings(ctx, route, protected, services)
    for ingress in ctx.repo.of_kind("Ingress"):
        if ctx.applied(ingress):
            yield from _ingress_findings(ctx, ingress, services)
