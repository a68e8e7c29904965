"""Gateway API routes (HTTPRoute, GRPCRoute...) and Ingresses: parents, rules, backends, filters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from homelabctl.k8s._raw import (
    Obj,
    integer,
    items,
    mapping,
    mappings,
    opt_integer,
    raw_of,
    section,
    strings,
    text,
)
from homelabctl.k8s.conditions import Condition, conditions_of
from homelabctl.k8s.memo import remembered
from homelabctl.model import Resource

GATEWAY_GROUP = "gateway.networking.k8s.io"


class ParentRef(msgspec.Struct, frozen=True):
    """A ``parentRefs`` entry; ``namespace`` is resolved to the route's own when unset."""

    name: str
    namespace: str | None
    group: str = GATEWAY_GROUP
    kind: str = "Gateway"
    section_name: str = ""
    port: int | None = None
    explicit_namespace: bool = False

    @property
    def is_gateway(self) -> bool:
        return self.kind == "Gateway" and self.group == GATEWAY_GROUP


_PARENT_FIELDS = ("namespace", "group", "kind", "sectionName")
_BACKEND_FIELDS = ("namespace", "group", "kind")
_STATUS_PARENT_FIELDS = ("kind", "namespace", "name", "sectionName")


def _texts(ref: Mapping[str, Any], names: tuple[str, ...]) -> list[str]:
    """The named fields of a reference as :func:`text` reads them ("" where absent), the usual strings and
    absent fields without a call (hot: every parent and backend of every route)."""
    found = []
    for name in names:
        value = ref.get(name)
        found.append(value if type(value) is str else "" if value is None else text(value))
    return found


def parent_refs(route: Obj) -> tuple[ParentRef, ...]:
    """Entries that are not maps (``parentRefs: ["gw"]``) or have no name are skipped: the API rejects them."""
    written = section(route, "spec").get("parentRefs")
    if not written:  # what mappings() makes of any empty value: no parents
        return ()
    own = text(section(route, "metadata").get("namespace")) or None
    found = []
    # (hot: every parent of every route, asked by a check and the diagnosis) a list walked in place, as
    # mappings() would keep it, and the usual strings and absent fields answered inline
    for ref in written if type(written) is list else mappings(written):
        if type(ref) is not dict and not isinstance(ref, Mapping):
            continue
        name = ref.get("name")
        if type(name) is not str:
            name = text(name)
        if not name:
            continue
        explicit, group, kind, section_name = _texts(ref, _PARENT_FIELDS)
        port = ref.get("port")
        found.append(
            ParentRef(
                name,
                explicit or own,
                group or GATEWAY_GROUP,
                kind or "Gateway",
                section_name,
                None if port is None else opt_integer(port),
                bool(explicit),
            )
        )
    return tuple(found)


class Filter(msgspec.Struct, frozen=True):
    type: str
    extension_name: str = ""
    """``extensionRef.name`` of an ExtensionRef filter."""
    extension_kind: str = ""


def filters(value: object) -> tuple[Filter, ...]:
    if not value:  # most rules and backends have none
        return ()
    return tuple(
        Filter(
            text(f.get("type")),
            text(mapping(f.get("extensionRef")).get("name")),
            text(mapping(f.get("extensionRef")).get("kind")),
        )
        for f in mappings(value)
    )


class BackendRef(msgspec.Struct, frozen=True):
    """A ``backendRefs`` entry with where it sits (``rules[rule].backendRefs[index]``)."""

    rule: int
    index: int
    name: str
    namespace: str | None
    group: str = ""
    kind: str = "Service"
    port: int | None = None
    weight: int = 1
    filters: tuple[Filter, ...] = ()

    @property
    def is_service(self) -> bool:
        return self.kind == "Service" and self.group == ""

    @property
    def port_text(self) -> str:
        return f":{self.port}" if self.port is not None else ""


class RouteRule(msgspec.Struct, frozen=True):
    index: int
    backends: tuple[BackendRef, ...]
    filters: tuple[Filter, ...]


def rules(route: Obj) -> tuple[RouteRule, ...]:
    """Every rule that is a map, with its own index kept (evidence and file lines name it).
    Once per route and run (k8s.memo): three route checks read them."""
    return remembered("routes.rules", raw_of(route), _rules, route)


def _rules(route: Obj) -> tuple[RouteRule, ...]:
    own = text(section(route, "metadata").get("namespace")) or None
    found = []
    # (hot: every rule and backend of every route, once a run) lists walked in place, as items() would copy
    # them, and the usual strings and absent fields answered inline
    written = section(route, "spec").get("rules")
    for ri, rule in enumerate(written if type(written) is list else items(written)):
        if type(rule) is not dict and not isinstance(rule, Mapping):
            continue
        backends = []
        entries = rule.get("backendRefs")
        for bi, entry in enumerate(entries if type(entries) is list else items(entries)):
            ref = entry if type(entry) is dict else mapping(entry)
            name = ref.get("name")
            if type(name) is not str:
                name = text(name)
            if not name:
                continue
            namespace, group, kind = _texts(ref, _BACKEND_FIELDS)
            port, weight, written_filters = ref.get("port"), ref.get("weight"), ref.get("filters")
            backends.append(
                BackendRef(
                    ri,
                    bi,
                    name,
                    namespace or own,
                    group,
                    kind or "Service",
                    None if port is None else opt_integer(port),
                    1 if weight is None else integer(weight, 1),
                    filters(written_filters) if written_filters else (),
                )
            )
        rule_filters = rule.get("filters")
        found.append(RouteRule(ri, tuple(backends), filters(rule_filters) if rule_filters else ()))
    return tuple(found)


def backend_refs(route: Obj) -> tuple[BackendRef, ...]:
    found = rules(route)
    if len(found) == 1:  # most routes have one rule: its backends are the route's, no tuple to build
        return found[0].backends
    return tuple(ref for rule in found for ref in rule.backends)


def hostnames(route: Obj) -> tuple[str, ...]:
    return strings(section(route, "spec").get("hostnames"))


class ParentStatus(msgspec.Struct, frozen=True):
    """A ``status.parents`` entry: what one Gateway (controller) says about the route."""

    name: str
    namespace: str | None
    section_name: str
    controller: str
    conditions: tuple[Condition, ...]
    kind: str = "Gateway"


def parent_statuses(route: Obj) -> tuple[ParentStatus, ...]:
    own = text(section(route, "metadata").get("namespace")) or None
    found = []
    for entry in mappings(section(route, "status").get("parents")):
        ref = mapping(entry.get("parentRef"))
        found.append(
            ParentStatus(
                text(ref.get("name")),
                text(ref.get("namespace")) or own,
                text(ref.get("sectionName")),
                text(entry.get("controllerName")),
                conditions_of(entry.get("conditions")),
                text(ref.get("kind")) or "Gateway",
            )
        )
    return tuple(found)


def parent_status_entries(route: Obj) -> dict[tuple[str, str, str, str], Mapping[str, Any]]:
    """``status.parents`` entries as written, by the (kind, namespace, name, sectionName) of their parentRef
    (the namespace resolved as in :func:`parent_statuses`, empty when unknown; a later entry for the same
    parent wins): for a check that reads one or two conditions of each, not all of them."""
    written = section(route, "status").get("parents")
    if not written:  # what mappings() makes of any empty value: no entries
        return {}
    own = text(section(route, "metadata").get("namespace")) or ""
    found: dict[tuple[str, str, str, str], Mapping[str, Any]] = {}
    # (hot: every route's status) a list walked in place, as mappings() would keep it, the usual strings
    # and absent fields inline
    for entry in written if type(written) is list else mappings(written):
        if type(entry) is not dict and not isinstance(entry, Mapping):
            continue
        ref = entry.get("parentRef")
        if type(ref) is not dict:
            ref = mapping(ref)
        kind, namespace, name, section_name = _texts(ref, _STATUS_PARENT_FIELDS)
        found[(kind or "Gateway", namespace or own, name, section_name)] = entry
    return found


class IngressBackend(msgspec.Struct, frozen=True):
    rule: int
    path: int
    host: str
    service: str
    port: str
    """Port number or name, as written."""
    path_text: str = ""


def _ingress_backend(
    rule: int, path: int, host: str, path_text: str, backend: object
) -> IngressBackend | None:
    service = mapping(mapping(backend).get("service"))
    name = text(service.get("name"))
    if not name:
        return None
    port = mapping(service.get("port"))
    return IngressBackend(
        rule, path, host, name, text(port.get("number")) or text(port.get("name")), path_text
    )


def ingress_backends(ingress: Obj) -> tuple[IngressBackend, ...]:
    """Every ``rules[].http.paths[].backend.service`` (networking.k8s.io/v1), with its position."""
    found = []
    for ri, entry in enumerate(items(section(ingress, "spec").get("rules"))):
        rule = mapping(entry)
        for pi, path in enumerate(items(mapping(rule.get("http")).get("paths"))):
            backend = _ingress_backend(
                ri, pi, text(rule.get("host")), text(mapping(path).get("path")), mapping(path).get("backend")
            )
            if backend is not None:
                found.append(backend)
    return tuple(found)


def ingress_default_backend(ingress: Obj) -> IngressBackend | None:
    return _ingress_backend(-1, -1, "", "", section(ingress, "spec").get("defaultBackend"))


def ingress_hosts(ingress: Obj) -> list[str]:
    return [
        host for rule in mappings(section(ingress, "spec").get("rules")) if (host := text(rule.get("host")))
    ]


TRAEFIK_MIDDLEWARE_ANNOTATION = "traefik.ingress.kubernetes.io/router.middlewares"


class MiddlewareRef(msgspec.Struct, frozen=True):
    """A Traefik Middleware a route names (Kubernetes CRD provider only), and the words that name it."""

    namespace: str
    name: str
    written: str


def traefik_middlewares(route: Resource, namespaces: set[str]) -> list[MiddlewareRef]:
    """Middlewares an Ingress names in its ``router.middlewares`` annotation (``<namespace>-<name>@kubernetescrd``,
    the namespace being the longest existing one the value starts with) or an IngressRoute in
    ``spec.routes[].middlewares``. References to other providers (``@file``, ``@docker``) are not objects."""
    own = route.namespace or ""
    found: list[MiddlewareRef] = []
    if route.kind == "Ingress":
        value = route.annotations.get(TRAEFIK_MIDDLEWARE_ANNOTATION)
        for item in value.split(",") if isinstance(value, str) else []:
            item = item.strip()
            name, _, provider = item.partition("@")
            if not name or (provider and provider != "kubernetescrd"):
                continue
            ns = next(
                (
                    n
                    for n in sorted(namespaces, key=len, reverse=True)
                    if name.startswith(f"{n}-") and len(name) > len(n) + 1
                ),
                None,
            )
            found.append(
                MiddlewareRef(
                    ns or own, name[len(ns) + 1 :] if ns else name, f"{TRAEFIK_MIDDLEWARE_ANNOTATION}: {item}"
                )
            )
        return found
    for entry in mappings(route.spec.get("routes")):
        for mw in mappings(entry.get("middlewares")):
            name = text(mw.get("name"))
            if name:
                found.append(
                    MiddlewareRef(
                        text(mw.get("namespace")) or own, name, f"spec.routes[].middlewares: {name}"
                    )
                )
    return found
