"""References between objects that the diagnosis follows and no other reader covers: endpoint targets, service
and node addresses, volume servers and claims, Longhorn parts, grants, policies, Flux wiring, Velero
schedules and default limits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import msgspec

from homelabctl.k8s._raw import (
    EMPTY,
    Obj,
    items,
    mapping,
    mappings,
    raw_of,
    section,
    string_map,
    strings,
    text,
)
from homelabctl.model import Resource
from homelabctl.selectors import Selector, from_spec


# -- endpoints -------------------------------------------------------------------------------------------------
def slice_target_pods(endpoint_slice: Obj) -> list[tuple[str, str]]:
    """(namespace, name) of the pods an EndpointSlice lists (``endpoints[].targetRef``), namespace defaulted."""
    own = text(section(endpoint_slice, "metadata").get("namespace"))
    found = []
    for endpoint in mappings(raw_of(endpoint_slice).get("endpoints")):
        target = mapping(endpoint.get("targetRef"))
        if text(target.get("kind")) == "Pod" and text(target.get("name")):
            found.append((text(target.get("namespace")) or own, text(target.get("name"))))
    return found


def endpoints_target_pods(endpoints: Obj) -> list[tuple[str, str]]:
    """(namespace, name) of the pods an Endpoints object lists, ready or not."""
    own = text(section(endpoints, "metadata").get("namespace"))
    found = []
    for subset in mappings(raw_of(endpoints).get("subsets")):
        for address in [*mappings(subset.get("addresses")), *mappings(subset.get("notReadyAddresses"))]:
            target = mapping(address.get("targetRef"))
            if text(target.get("kind")) == "Pod" and text(target.get("name")):
                found.append((text(target.get("namespace")) or own, text(target.get("name"))))
    return found


# -- addresses -------------------------------------------------------------------------------------------------
def cluster_ips(service: Obj) -> list[str]:
    """``spec.clusterIP`` and ``spec.clusterIPs`` (``None`` for a headless Service is no address)."""
    spec = section(service, "spec")
    found = [text(spec.get("clusterIP")), *strings(spec.get("clusterIPs"))]
    return [ip for ip in found if ip and ip != "None"]


def node_addresses(node: Obj) -> list[str]:
    """InternalIP and ExternalIP addresses of a node, in ``status.addresses`` order."""
    return [
        text(a.get("address"))
        for a in mappings(section(node, "status").get("addresses"))
        if text(a.get("type")) in ("InternalIP", "ExternalIP") and text(a.get("address"))
    ]


# -- volumes ---------------------------------------------------------------------------------------------------
def pv_servers(pv: Obj) -> list[str]:
    """The file servers a PersistentVolume mounts from: ``spec.nfs.server`` and a CSI volume's ``server``
    attribute (csi-driver-nfs, SMB), as written."""
    spec = section(pv, "spec")
    found = [
        text(mapping(spec.get("nfs")).get("server")),
        text(mapping(mapping(spec.get("csi")).get("volumeAttributes")).get("server")),
    ]
    return [server for server in found if server]


def pv_claim(pv: Obj) -> tuple[str | None, str] | None:
    """(namespace, name) of the claim a PersistentVolume is bound to (``spec.claimRef``)."""
    claim = mapping(section(pv, "spec").get("claimRef"))
    name = text(claim.get("name"))
    return (text(claim.get("namespace")) or None, name) if name else None


def claim_access_modes(pvc: Obj) -> tuple[str, ...]:
    """``spec.accessModes``, else ``status.accessModes``."""
    return strings(section(pvc, "spec").get("accessModes")) or strings(
        section(pvc, "status").get("accessModes")
    )


# -- Services --------------------------------------------------------------------------------------------------
def selector_key(service: Obj) -> tuple[str, str] | None:
    """The first label pair of a Service's selector as ``services.selector`` reads it (``spec.selector``, scalar
    values as text): every pod the selector matches carries it, so it indexes the Service without parsing the
    selector. None when the Service selects no pod by labels."""
    value = (service.spec if type(service) is Resource else section(service, "spec")).get("selector")
    if type(value) is dict and all(type(key) is str for key in value):
        # the common case without building the map: text keys cannot collide once made text
        for key, label in value.items():
            if type(label) is str:
                return key, label
            if label is None or not isinstance(label, Mapping | list | tuple):
                return key, text(label)
        return None
    for pair in string_map(value).items():
        return pair
    return None


# -- Gateway API, policies -------------------------------------------------------------------------------------
def grant_from_namespaces(grant: Obj) -> list[str]:
    """Namespaces a ReferenceGrant lets refer into its own (``spec.from[].namespace``)."""
    return [ns for f in mappings(section(grant, "spec").get("from")) if (ns := text(f.get("namespace")))]


def ingress_isolation(policy: Obj) -> Selector | None:
    """The pods a NetworkPolicy isolates for ingress (its ``podSelector``); None when it does not restrict
    ingress. Without ``policyTypes`` a policy restricts ingress, and egress too when it has egress rules."""
    spec = section(policy, "spec")
    types = strings(spec.get("policyTypes")) or (
        ("Ingress", "Egress") if spec.get("egress") else ("Ingress",)
    )
    if "Ingress" not in types:
        return None
    selector = spec.get("podSelector")
    return from_spec(selector if isinstance(selector, Mapping) else {})


# -- Flux ------------------------------------------------------------------------------------------------------
class Ref(msgspec.Struct, frozen=True):
    kind: str
    namespace: str | None
    name: str


class FluxWiring(msgspec.Struct, frozen=True):
    """What a Kustomization or HelmRelease is built from, waits for and depends on."""

    sources: tuple[Ref, ...]
    """``sourceRef`` / ``chart.spec.sourceRef`` (kind defaults to GitRepository), ``chartRef`` (OCIRepository)."""
    depends_on: tuple[Ref, ...]
    """Objects of its own kind it ``dependsOn``."""
    values_from: tuple[Ref, ...]
    health_checks: tuple[Ref, ...]
    wait: bool
    target_namespace: str
    release_name: str
    storage_namespace: str


def _refs(entries: object, kind: str | None, own: str | None, default_kind: str = "") -> tuple[Ref, ...]:
    if not entries:  # most objects have none: decided before any parsing
        return ()
    found = []
    for entry in mappings(entries):
        ref = _ref_of(entry, kind, own, default_kind)
        if ref is not None:
            found.append(ref)
    return tuple(found)


def _ref_of(entry: Mapping[str, Any], kind: str | None, own: str | None, default_kind: str) -> Ref | None:
    # text fields (nearly all) are taken as they are: ``text`` of a string is the string
    name = entry.get("name")
    if type(name) is not str:
        name = text(name)
    entry_kind = kind
    if not entry_kind:
        entry_kind = entry.get("kind")
        entry_kind = (entry_kind if type(entry_kind) is str else text(entry_kind)) or default_kind
    if name and entry_kind:
        namespace = entry.get("namespace")
        return Ref(entry_kind, (namespace if type(namespace) is str else text(namespace)) or own, name)
    return None


def _map(value: object) -> Mapping[str, Any]:
    """``mapping`` without the abstract-class check for the common absent field (every HelmRelease lacks a
    ``sourceRef``: it names its source under ``chart.spec``)."""
    if type(value) is dict:
        return value
    return EMPTY if value is None else mapping(value)


FluxReferences = tuple[tuple[Ref, ...], tuple[Ref, ...], tuple[Ref, ...], tuple[Ref, ...], bool]
"""The first five fields of :class:`FluxWiring`: what the object is built from, depends on, takes values from,
waits for, and whether it waits."""


def flux_references(res: Obj) -> FluxReferences:
    """The references of :func:`flux_wiring`, without the Helm release's names: the dependency graph reads them
    from every Kustomization and HelmRelease, and most of those objects name one source and nothing else."""
    if type(res) is Resource:  # its sections were read when it was made: no call for them
        spec, metadata = res.spec, res.metadata
    else:
        spec, metadata = section(res, "spec"), section(res, "metadata")
    own = metadata.get("namespace")
    own = (own if type(own) is str else text(own)) or None
    # (every HelmRelease lacks a sourceRef and has a chart map: neither needs a call to be read)
    source = spec.get("sourceRef")
    if type(source) is not dict:
        source = EMPTY if source is None else _map(source)
    if not source:
        chart = spec.get("chart")
        if chart:
            chart_spec = (chart if type(chart) is dict else _map(chart)).get("spec")
            chart_spec = chart_spec if type(chart_spec) is dict else _map(chart_spec)
            source = chart_spec.get("sourceRef")
            source = source if type(source) is dict else _map(source)
    first = _ref_of(source, None, own, "GitRepository") if source else None
    sources: tuple[Ref, ...] = (first,) if first is not None else ()
    chart_ref = spec.get("chartRef")
    if chart_ref:
        sources += _refs((chart_ref,), None, own, "OCIRepository")
    depends_on = spec.get("dependsOn")
    values_from = spec.get("valuesFrom")
    checks = spec.get("healthChecks")
    return (
        sources,
        _refs(depends_on, text(raw_of(res).get("kind")), own) if depends_on else (),
        tuple(Ref(r.kind, own, r.name) for r in _refs(values_from, None, own, "ConfigMap"))
        if values_from
        else (),
        _refs(checks, None, own) if checks else (),
        spec.get("wait") is True,
    )


def flux_wiring(res: Obj) -> FluxWiring:
    spec, metadata = section(res, "spec"), section(res, "metadata")
    own = text(metadata.get("namespace")) or None
    target = text(spec.get("targetNamespace"))
    name = text(metadata.get("name"))
    return FluxWiring(
        *flux_references(res),
        target,
        text(spec.get("releaseName")) or (f"{target}-{name}" if target else name),
        text(spec.get("storageNamespace")) or target or (own or ""),
    )


def inventory_entry_ids(res: Obj, suffixes: tuple[str, ...]) -> list[str]:
    """``status.inventory.entries[].id`` ending in one of ``suffixes`` (``_Kustomization``...): an inventory
    can list thousands of objects, and only a few kinds of them matter to the caller."""
    # a Resource's status was read when it was made: asked of every HelmRelease, which has no inventory
    inventory = (res.status if type(res) is Resource else section(res, "status")).get("inventory")
    if not inventory:  # a HelmRelease has none
        return []
    return [
        entry_id
        for entry in mappings(mapping(inventory).get("entries"))
        if isinstance(entry_id := entry.get("id"), str) and entry_id.endswith(suffixes)
    ]


class RouteLinks(msgspec.Struct, frozen=True):
    """The Gateways a route attaches to and the Services it sends to, as (namespace, name), defaults applied."""

    gateways: tuple[tuple[str | None, str], ...]
    services: tuple[tuple[str | None, str], ...]


def route_links(route: Obj) -> RouteLinks:
    """``parentRefs`` of kind Gateway and ``rules[].backendRefs`` of kind Service, nothing else of the route."""
    spec = section(route, "spec")
    own = text(section(route, "metadata").get("namespace")) or None
    gateways = []
    for parent in mappings(spec.get("parentRefs")):
        name = text(parent.get("name"))
        if name and (text(parent.get("kind")) or "Gateway") == "Gateway":
            gateways.append((text(parent.get("namespace")) or own, name))
    return RouteLinks(tuple(gateways), route_backends(route))


def route_backends(route: Obj) -> tuple[tuple[str | None, str], ...]:
    """The Services of ``route_links``, alone: what a Service's failure reaches does not need the Gateways.
    Read for every route of each namespace a failure reaches: no list is made for a rule without backends."""
    own = text(section(route, "metadata").get("namespace")) or None
    services = []
    for rule in mappings(section(route, "spec").get("rules")):
        backends = rule.get("backendRefs")
        if not backends:
            continue
        for backend in mappings(backends):
            name = backend.get("name")
            name = name if type(name) is str else text(name)
            kind = backend.get("kind")
            if name and (kind is None or (text(kind) or "Service") == "Service"):
                namespace = backend.get("namespace")
                services.append(((namespace if type(namespace) is str else text(namespace)) or own, name))
    return tuple(services)


def source_address(source: Obj) -> str:
    """Where a Flux source fetches from: ``spec.url``, or a Bucket's ``spec.endpoint``."""
    spec = section(source, "spec")
    return text(spec.get("url")) or text(spec.get("endpoint"))


def secret_ref_name(obj: Obj) -> str:
    """``spec.secretRef.name`` (Flux sources' credentials)."""
    return text(mapping(section(obj, "spec").get("secretRef")).get("name"))


# -- Velero ----------------------------------------------------------------------------------------------------
class ScheduleLocations(msgspec.Struct, frozen=True):
    storage_location: str
    """``spec.template.storageLocation``, ``default`` when unset."""
    snapshots: bool
    """Volume snapshots are taken (``snapshotVolumes`` not false)."""
    snapshot_locations: tuple[str, ...]


def schedule_locations(schedule: Obj) -> ScheduleLocations:
    template = mapping(section(schedule, "spec").get("template"))
    return ScheduleLocations(
        text(template.get("storageLocation")) or "default",
        template.get("snapshotVolumes") is not False,
        tuple(text(v) for v in items(template.get("volumeSnapshotLocations")) if isinstance(v, str)),
    )


def s3_url(location: Obj) -> str:
    """``spec.config.s3Url`` of a BackupStorageLocation."""
    return text(mapping(section(location, "spec").get("config")).get("s3Url"))


# -- limits ----------------------------------------------------------------------------------------------------
def sets_default_memory(limit_range: Obj) -> bool:
    """Does a LimitRange give containers without a memory limit a default one?"""
    return any(
        mapping(limit.get("default")).get("memory")
        for limit in mappings(section(limit_range, "spec").get("limits"))
        if text(limit.get("type"), "Container") == "Container"
    )


# -- words an object wrote about itself -----------------------------------------------------------------------
class StatusWords(msgspec.Struct, frozen=True):
    message: str
    reason: str


def status_words(obj: Obj) -> StatusWords:
    """``status.message`` and ``status.reason`` (a Pod evicted, a Longhorn object, a Velero location)."""
    status = section(obj, "status")
    return StatusWords(text(status.get("message")), text(status.get("reason")))


_O = TypeVar("_O", bound=Obj)


# -- annotations -----------------------------------------------------------------------------------------------
def has_annotation(obj: Obj, key: str) -> bool:
    """Is ``key`` among the object's annotations? Asked of every pod and Job: no mapping is made for it (nor
    a call to read a Resource's metadata, read when it was made)."""
    found = (obj.metadata if type(obj) is Resource else section(obj, "metadata")).get("annotations")
    if type(found) is dict:
        return key in found
    return found is not None and isinstance(found, Mapping) and key in found


def annotated(objs: Iterable[_O], key: str) -> list[_O]:
    """The objects of ``objs`` that carry annotation ``key``: asked of every pod and Job at once, so a
    Resource without annotations, or with a map of them, is answered inline rather than by a call each."""
    found = []
    for obj in objs:
        if type(obj) is Resource:
            res: Resource = obj  # type: ignore[assignment]  # (a type check does not narrow a type variable)
            annotations = res.metadata.get("annotations")
            if annotations is None:
                continue
            if type(annotations) is dict:
                if key in annotations:
                    found.append(obj)
                continue
        if has_annotation(obj, key):
            found.append(obj)
    return found


# -- Helm storage ----------------------------------------------------------------------------------------------
class HelmStorage(msgspec.Struct, frozen=True):
    """What Helm's labels on a release Secret say (``owner=helm``, ``name``, ``status``, ``version``)."""

    release: str
    status: str
    """``deployed``, ``superseded``, ``failed``, ``pending-install``, ``pending-upgrade``, ``pending-rollback``."""
    version: int


def helm_storage(secret: Obj) -> HelmStorage | None:
    """None for a Secret Helm does not own."""
    labels = mapping(section(secret, "metadata").get("labels"))
    if text(labels.get("owner")) != "helm" or not text(labels.get("name")):
        return None
    version = text(labels.get("version"))
    return HelmStorage(
        text(labels.get("name")), text(labels.get("status")), int(version) if version.isdigit() else 0
    )
