from __future__ import annotations

from collections.abc import Iterator

from homelabctl.k8s import gateways, meta, policies, routes, services
from homelabctl.knowledge.admin_uis import (
    AUTH_ANNOTATIONS,
    AUTH_FILTER_RE,
    LABEL_KEYS,
    POLICY_AUTH_FIELDS,
    TRAEFIK_MIDDLEWARES_ANNOTATION,
    AdminUI,
    is_auth_proxy_name,
    ui_by_label,
    ui_by_service_name,
)
from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule
from homelabctl.scan.repo import Doc


def admin_ui(
    ctx: ScanContext,
    namespace: str | None,
    name: str,
    port: int | None = None,
    services: dict[tuple[str | None, str], AdminUI] | None = None,
) -> str | None:
    """The admin UI a backend Service serves, by its name or the selector of a Service defined in the repo;
    a UI that shares its Service with other traffic (Traefik) only on its own ports."""
    if is_auth_proxy_name(name):
        return None
    services = services if services is not None else _service_apps(ctx)
    ui = ui_by_service_name(name) or services.get((namespace, name)) or services.get((None, name))
    if ui is None or (port is not None and not ui.serves_port(port)) or (port is None and ui.ports):
        return None
    return ui.name


def _service_apps(ctx: ScanContext) -> dict[tuple[str | None, str], AdminUI]:
    """(namespace, Service name) → admin UI, from the selectors of Services defined in the repo."""
    out: dict[tuple[str | None, str], AdminUI] = {}
    for svc in ctx.repo.of_kind("Service"):
        selector = services.selector_labels(svc.data)
        for key in LABEL_KEYS:
            ui = ui_by_label(selector.get(key, ""))
            if ui is not None:
                out[(ctx.graph.namespace_of(svc), svc.name)] = ui
                break
    return out


def _security_policy_targets(ctx: ScanContext) -> set[tuple[str | None, str, str]]:
    """(namespace, kind, name) targeted by Envoy Gateway SecurityPolicies that authenticate."""
    out: set[tuple[str | None, str, str]] = set()
    for doc in ctx.repo.of_kind("SecurityPolicy"):
        if not policies.declared(doc.data, POLICY_AUTH_FIELDS):
            continue
        for ref in gateways.target_refs(doc.data):
            out.add((ctx.graph.namespace_of(doc), ref.kind, ref.name))
    return out


def _route_findings(
    ctx: ScanContext,
    route: Doc,
    protected: set[tuple[str | None, str, str]],
    services: dict[tuple[str | None, str], AdminUI],
) -> Iterator[Finding]:
    namespace = ctx.graph.namespace_of(route)
    if (namespace, "HTTPRoute", route.name) in protected:
        return
    parents = routes.parent_refs(route.data)
    if any((p.namespace or namespace, "Gateway", p.name) in protected for p in parents):
        return
    hostnames = list(routes.hostnames(route.data))
    for route_rule in routes.rules(route.data):
        if any(
            f.type == "ExtensionRef" and AUTH_FILTER_RE.search(f.extension_name) for f in route_rule.filters
        ):
            continue
        for backend in route_rule.backends:
            if backend.kind != "Service":
                continue
            ri, bi, name = route_rule.index, backend.index, backend.name
            target_ns = backend.namespace or namespace or "default"
            label = admin_ui(ctx, target_ns, name, backend.port, services)
            if label is None:
                continue
            port = backend.port_text
            yield ctx.finding(
                route,
                f"HTTPRoute {namespace or 'default'}/{route.name} publishes the {label} "
                f"(Service {target_ns}/{name}{port}) with no auth proxy in front",
                evidence=[
                    f"hostnames: {', '.join(hostnames) or '(any)'}",
                    f"parentRefs: {', '.join(p.name for p in parents) or '(none)'}",
                    f"rules[{ri}].backendRefs[{bi}]: {name}{port}",
                ],
                hint=f"Point the route at an oauth2-proxy (upstream http://{name}.{target_ns}.svc{port}) or "
                f"attach an auth filter/SecurityPolicy; remove the route until then",
                line=route.line_of("spec", "rules", ri, "backendRefs", bi),
            )


def _ingress_findings(
    ctx: ScanContext, ingress: Doc, services: dict[tuple[str | None, str], AdminUI]
) -> Iterator[Finding]:
    annotations = meta.annotations_of(ingress.data)
    if any(a in annotations for a in AUTH_ANNOTATIONS):
        return
    if AUTH_FILTER_RE.search(annotations.get(TRAEFIK_MIDDLEWARES_ANNOTATION, "")):
        return
    namespace = ctx.graph.namespace_of(ingress) or "default"
    for backend in routes.ingress_backends(ingress.data):
        ri, pi, name = backend.rule, backend.path, backend.service
        port = int(backend.port) if backend.port.isdigit() else None
        label = admin_ui(ctx, namespace, name, port, services)
        if label is None:
            continue
        yield ctx.finding(
            ingress,
            f"Ingress {namespace}/{ingress.name} publishes the {label} (Service {name}) with no auth in front",
            evidence=[f"host: {backend.host or '(any)'}", f"rules[{ri}].http.paths[{pi}] → {name}"],
            hint="Add auth-url/auth-signin annotations pointing at oauth2-proxy (or a forward-auth "
            "middleware), or remove the Ingress",
            line=ingress.line_of("spec", "rules", ri, "http", "paths", pi),
        )


@rule("admin-ui-without-auth", layer=Layer.SECURITY, severity=Severity.CRITICAL)
def admin_ui_without_auth(ctx: ScanContext) -> Iterator[Finding]:
    """An HTTPRoute or Ingress publishes an admin UI that has no login of its own, with no auth in front.

    Reads every ``HTTPRoute`` backendRef and ``Ingress`` backend and flags those whose Service is
    Prometheus, Alertmanager, Pushgateway, the Longhorn frontend, Hubble UI, the Kubernetes Dashboard or the
    Traefik dashboard (on its dashboard ports only), by Service name or by the ``app.kubernetes.io/name``/
    ``app`` selector of a Service defined in the repo: the same table the cluster check reads. Whoever reaches the
    hostname can read every metric, silence alerts or delete volumes. Auth in front means: the backend is
    an oauth2-proxy/Authentik/Authelia service instead, an Envoy Gateway ``SecurityPolicy`` with
    oidc/basicAuth/extAuth targets the route or its Gateway, an auth ``ExtensionRef`` filter, or nginx/
    Traefik auth annotations on the Ingress.

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
