from __future__ import annotations

from collections.abc import Iterator

import msgspec

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.security._common import (
    Identified,
    identify_backend,
    oauth2_proxy_deployments,
    read_oauth2_proxy_config,
    ui_sign_namespaces,
    upstream_hosts,
)
from homelabctl.k8s import gateways, policies, routes
from homelabctl.knowledge.admin_uis import (
    AUTH_ANNOTATIONS,
    AUTH_FILTER_RE,
    POLICY_AUTH_FIELDS,
    TRAEFIK_MIDDLEWARES_ANNOTATION,
)
from homelabctl.model import Finding, Layer, Nature, Resource, Severity

SECURITY_POLICY = "SecurityPolicy.gateway.envoyproxy.io"
"""Envoy Gateway attaches OIDC / basic auth / ext-auth to a route or Gateway with this policy."""


class Exposure(msgspec.Struct, frozen=True):
    where: str
    namespace: str
    service: str
    port: object
    identified: Identified


def _proxies_by_service(ctx: CheckContext) -> dict[tuple[str, str], str]:
    """(namespace, service) → the oauth2-proxy whose upstream points at it (it exists, but is it used?)."""
    mapping: dict[tuple[str, str], str] = {}
    for proxy in oauth2_proxy_deployments(ctx.index):
        namespace = proxy.owner.namespace or ""
        config = read_oauth2_proxy_config(
            ctx.index,
            namespace,
            proxy.pod_spec,
            secrets_readable=False,
            configmaps_readable=ctx.readable(kinds.CONFIGMAP),
        )
        upstreams = config.value("upstream") or config.value("upstreams") or ""
        for host in upstream_hosts(upstreams):
            parts = host.split(".")
            target_ns = parts[1] if len(parts) > 1 else namespace
            mapping[(target_ns, parts[0])] = f"{proxy.owner.kind} {namespace}/{proxy.owner.name}"
    return mapping


def _policy_targets(ctx: CheckContext) -> set[tuple[str, str | None, str]]:
    targets: set[tuple[str, str | None, str]] = set()
    for policy in ctx.index.all(SECURITY_POLICY):
        if not policies.configured(policy, POLICY_AUTH_FIELDS):
            continue
        for ref in gateways.target_refs(policy):
            targets.add((ref.kind, policy.namespace, ref.name))
    return targets


def _filters_auth(filters: tuple[routes.Filter, ...]) -> str:
    """An ExtensionRef filter counts only when it names authentication: a strip-prefix or headers
    Middleware in front of Prometheus protects nothing."""
    for flt in filters:
        if flt.type == "ExtensionRef":
            label = f"{flt.extension_kind or '?'}/{flt.extension_name or '?'}"
            if AUTH_FILTER_RE.search(label):
                return f"ExtensionRef filter {label}"
    return ""


def _route_accepted(route: Resource) -> bool | None:
    parents = routes.parent_statuses(route)
    if not parents:
        return None
    return any(c.type == "Accepted" and c.is_true for parent in parents for c in parent.conditions)


def _parent_lines(ctx: CheckContext, route: Resource) -> list[str]:
    lines = []
    for ref in routes.parent_refs(route):
        if ref.kind != "Gateway":
            continue
        text = f"parent Gateway {ref.namespace}/{ref.name}" + (
            f" (sectionName {ref.section_name})" if ref.section_name else ""
        )
        gateway = ctx.index.get(kinds.GATEWAY_KIND, ref.namespace, ref.name)
        if gateway is not None:
            addresses = gateways.addresses(gateway)
            if addresses:
                text += " at " + ", ".join(addresses)
        lines.append(text)
    return lines


def _route_exposures(
    ctx: CheckContext, route: Resource, services_readable: bool, signs: frozenset[str | None]
) -> list[Exposure]:
    exposures = []
    for rule in routes.rules(route):
        if rule.filters and _filters_auth(rule.filters):  # most rules and backends have no filters
            continue
        for backend in rule.backends:
            if backend.group not in ("", "core") or backend.kind != "Service":
                continue
            if backend.filters and _filters_auth(backend.filters):
                continue
            ns = str(backend.namespace)
            ident = identify_backend(ctx.index, ns, backend.name, backend.port, services_readable, signs)
            if ident.ui is not None:
                exposures.append(Exposure(f"rule {rule.index}", ns, backend.name, backend.port, ident))
    return exposures


def _ingress_exposures(ctx: CheckContext, ingress: Resource, services_readable: bool) -> list[Exposure]:
    backends: list[tuple[str, routes.IngressBackend]] = []
    default = routes.ingress_default_backend(ingress)
    if default is not None:
        backends.append(("defaultBackend", default))
    for backend in routes.ingress_backends(ingress):
        backends.append((f"host {backend.host or '*'} path {backend.path_text or '/'}", backend))
    exposures = []
    for where, backend in backends:
        port: object = int(backend.port) if backend.port.isdigit() else (backend.port or None)
        ident = identify_backend(ctx.index, str(ingress.namespace), backend.service, port, services_readable)
        if ident.ui is not None:
            exposures.append(Exposure(where, str(ingress.namespace), backend.service, port, ident))
    return exposures


def _ingress_auth(ingress: Resource) -> str:
    annotations = ingress.annotations
    for key in AUTH_ANNOTATIONS:
        if annotations.get(key):
            return f"annotation {key}"
    middlewares = annotations.get(TRAEFIK_MIDDLEWARES_ANNOTATION, "")
    if AUTH_FILTER_RE.search(middlewares):
        return f"Traefik middlewares {middlewares}"
    return ""


@check(
    "admin-ui-exposed-without-auth",
    layer=Layer.SECURITY,
    severity=Severity.CRITICAL,
    any_of=[kinds.HTTPROUTE, kinds.INGRESS],
    uses=[kinds.SERVICE, kinds.POD, kinds.GATEWAY_KIND, kinds.DEPLOYMENT, kinds.CONFIGMAP, SECURITY_POLICY],
    nature=Nature.CONFIGURATION,
)
def admin_ui_exposed_without_auth(ctx: CheckContext) -> Iterator[Finding]:
    """Admin UI with no login of its own exposed through an HTTPRoute or Ingress without an auth proxy.

    Reads HTTPRoutes (``rules[].backendRefs``, ``filters``, ``parentRefs``, ``hostnames``) and Ingresses,
    resolves each backend Service and identifies what it serves from its selected pods' labels
    (``app.kubernetes.io/name``, ``app``, ``k8s-app``), their images, or the Service's name: Prometheus,
    Alertmanager, Pushgateway, Longhorn UI, Hubble UI, the Traefik dashboard: none of them asks who you are,
    so anyone who reaches the hostname can read every metric, silence alerts, or delete Longhorn volumes
    (critical). The Kubernetes Dashboard asks for a bearer token, so exposing it is a warning. A backend that is an auth proxy (oauth2-proxy, an authentik outpost), a Gateway API
    ``ExtensionRef`` filter (an auth middleware), an Envoy Gateway SecurityPolicy with OIDC/basic/ext auth,
    or nginx/Traefik auth annotations on an Ingress count as protection. When an oauth2-proxy exists whose
    upstream is the exposed Service, the finding says the route bypasses it.

    Next step: point the route's backendRef at the oauth2-proxy Service (whose ``--upstream`` is the UI's
    Service), or remove the route and use ``kubectl port-forward`` until authentication works.
    """
    services_readable = ctx.readable(kinds.SERVICE)
    proxies = _proxies_by_service(ctx)
    protected = _policy_targets(ctx)
    exposed: list[tuple[Resource, list[Exposure]]] = []
    signs = ui_sign_namespaces(ctx.index)  # asked of every backend: once here
    for route in ctx.index.all(kinds.HTTPROUTE):
        if protected and (
            ("HTTPRoute", route.namespace, route.name) in protected
            or any(("Gateway", ref.namespace, ref.name) in protected for ref in routes.parent_refs(route))
        ):
            continue
        exposures = _route_exposures(ctx, route, services_readable, signs)
        if exposures:
            exposed.append((route, exposures))
    for ingress in ctx.index.all(kinds.INGRESS):
        if _ingress_auth(ingress):
            continue
        exposures = _ingress_exposures(ctx, ingress, services_readable)
        if exposures:
            exposed.append((ingress, exposures))
    for obj, exposures in exposed:
        uis = sorted({e.identified.ui.name for e in exposures if e.identified.ui is not None})
        hosts = list(routes.hostnames(obj)) if obj.kind == "HTTPRoute" else routes.ingress_hosts(obj)
        evidence = [
            f"hostnames: {', '.join(hosts)}" if hosts else "no hostnames: matches any host on its listeners"
        ]
        if obj.kind == "HTTPRoute":
            evidence.extend(_parent_lines(ctx, obj))
        bypassed = ""
        for exp in exposures:
            ui = exp.identified.ui
            evidence.append(
                f"{exp.where}: backend Service {exp.namespace}/{exp.service}:{exp.port} is "
                f"{ui.name if ui else '?'} ({exp.identified.reason}), no auth filter"
            )
            proxy = proxies.get((exp.namespace, exp.service))
            if proxy:
                bypassed = proxy
                evidence.append(
                    f"{proxy} proxies to {exp.service}.{exp.namespace} but this "
                    f"{obj.kind} sends traffic straight to {exp.service}, bypassing it"
                )
        severity = Severity.CRITICAL
        if all(e.identified.ui is not None and e.identified.ui.token_login for e in exposures):
            severity = Severity.WARNING
            evidence.append(
                "it asks for a bearer token, but its login page (and --enable-skip-login, if set) "
                "is reachable by anyone"
            )
        accepted = _route_accepted(obj) if obj.kind == "HTTPRoute" else None
        if accepted is False:
            severity = Severity.WARNING
            evidence.append("the route is not Accepted by its Gateway yet: it will expose the UI once it is")
        where = f" at {hosts[0]}" if hosts else ""
        if bypassed:
            hint = (
                f"Point the backendRef at {bypassed}'s Service instead of {exposures[0].service}, "
                "and finish its OIDC setup"
            )
        else:
            hint = (
                "Put an auth proxy in front (oauth2-proxy with --upstream="
                f"http://{exposures[0].service}.{exposures[0].namespace}.svc:{exposures[0].port}, or an "
                "authentik outpost) and route to it, or remove the route and use "
                f"`kubectl port-forward -n {exposures[0].namespace} svc/{exposures[0].service} "
                f"{exposures[0].port}`"
            )
        yield ctx.finding(
            obj,
            f"{obj.kind} {obj.namespace}/{obj.name} exposes {' and '.join(uis)}{where} with no authentication",
            evidence=evidence,
            hint=hint,
            severity=severity,
        )
