from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.network._common import pod_problem_lines
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import routes
from homelabctl.k8s.refs import scaled_to_zero, service_endpoints, service_pods, without_ready_endpoint
from homelabctl.model import Finding, Layer, Resource, Severity


def backend_services(route: Resource) -> list[tuple[str, str]]:
    """(namespace, Service name) of every Service backend of an HTTPRoute/GRPCRoute or an Ingress, once each."""
    own = route.namespace or ""
    found: list[tuple[str, str]] = []
    if route.kind == "Ingress":
        default = routes.ingress_default_backend(route)
        names = [default.service] if default is not None else []
        names += [backend.service for backend in routes.ingress_backends(route)]
        for name in names:
            if name and (own, name) not in found:
                found.append((own, name))
        return found
    for ref in routes.backend_refs(route):
        if ref.is_service and ref.name and (key := (ref.namespace or own, ref.name)) not in found:
            found.append(key)
    return found


def _hostnames(route: Resource) -> str:
    hosts = routes.ingress_hosts(route) if route.kind == "Ingress" else list(routes.hostnames(route))
    return ", ".join(hosts[:3]) or "(any host)"


@check(
    "route-backend-unavailable",
    layer=Layer.NETWORK,
    severity=Severity.CRITICAL,
    requires=[kinds.SERVICE],
    any_of=[kinds.HTTPROUTE, kinds.GRPCROUTE, kinds.INGRESS],
    uses=[kinds.ENDPOINT_SLICE, kinds.ENDPOINTS, kinds.POD],
)
def route_backend_unavailable(ctx: CheckContext) -> Iterator[Finding]:
    """HTTPRoute, GRPCRoute or Ingress whose backend Service is missing or has no ready endpoint.

    Reads every route's backends (``spec.rules[].backendRefs`` of kind Service; for an Ingress the
    ``defaultBackend`` and ``rules[].http.paths[].backend.service``), looks each Service up and reads its
    EndpointSlices or Endpoints and the pods its selector matches. Fires when a backend Service does not
    exist, or exists and has no ready address (its pods crash, fail readiness, or none match): the
    gateway answers 503 "no healthy upstream" for that host. Endpoint counts are only judged when
    EndpointSlices or Endpoints were read; a missing Service always is. A backend whose workload was
    deliberately scaled to ``replicas: 0`` makes it a warning (the outage is intended, the route is not).

    Why it matters: the users of that hostname see an error page even though the route, the Gateway and
    the certificate are fine - the common case being an auth proxy (oauth2-proxy) in front of an app
    crash-looping on its configuration.

    Next step: fix the backend workload the evidence names (its pods' last termination says why), or the
    Service name in the route.
    """
    slices_read, endpoints_read = ctx.readable(kinds.ENDPOINT_SLICE), ctx.readable(kinds.ENDPOINTS)
    for gk in (kinds.HTTPROUTE, kinds.GRPCROUTE, kinds.INGRESS):
        for route in ctx.index.all(gk):
            problems: list[str] = []
            evidence: list[str] = []  # after the hostnames line, written only for a route with a problem
            first_broken = ""
            idle_only = True
            for namespace, name in backend_services(route):
                svc = ctx.index.get(kinds.SERVICE, namespace, name)
                if svc is None:
                    label = f"Service {namespace}/{name}"
                    problems.append(f"backend {label} does not exist")
                    evidence.append(f"backend {label}: not found")
                    first_broken = first_broken or f"{namespace}/{name}"
                    idle_only = False
                    continue
                if not (slices_read or endpoints_read):
                    continue  # neither kind read: service_endpoints would say nothing (None) of any Service
                state = service_endpoints(
                    ctx.index, svc, slices_read=slices_read, endpoints_read=endpoints_read
                )
                if state is None or not without_ready_endpoint(ctx.index, svc, state):
                    continue
                label = f"Service {namespace}/{name}"
                pods = service_pods(ctx.index, svc)
                idle = scaled_to_zero(ctx.index, svc) if not pods else None
                idle_only = idle_only and idle is not None
                problems.append(
                    f"backend {label} has no ready endpoint"
                    + (f" (its {idle.kind} {idle.namespace}/{idle.name} is scaled to 0)" if idle else "")
                )
                evidence.append(f"backend {label}: {state.summary()}")
                if not pods and idle is None and ctx.readable(kinds.POD):
                    evidence.append(f"backend {label}: no pod matches its selector")
                for pod in pods[:2]:
                    evidence.extend(pod_problem_lines(pod, limit=2))
                first_broken = first_broken or f"{namespace}/{name}"
            if not problems:
                continue
            evidence.insert(0, f"hostnames: {_hostnames(route)}")
            namespace, _, name = first_broken.partition("/")
            yield ctx.finding(
                route,
                f"{route.kind} {route.namespace}/{route.name} ({_hostnames(route)}): {'; '.join(problems)}",
                evidence=evidence,
                hint=(
                    f"`kubectl -n {namespace} get endpointslices -l kubernetes.io/service-name={name}` and "
                    f"`kubectl -n {namespace} get pods` for the backend; fix the workload behind Service "
                    f"{first_broken} (or the backend name in the {route.kind})"
                ),
                severity=Severity.WARNING if idle_only else None,
            )
