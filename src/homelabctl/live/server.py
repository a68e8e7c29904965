"""``homelabctl snapshot serve``: a read-only Kubernetes API over a snapshot.

Enough of the API for ``kubectl get/describe`` and the ``kubernetes`` Python client: version, legacy
discovery, list (cluster-wide and per namespace) and get, label and field selectors, ``limit``/``continue``,
server-side Table printing, watch (the current objects as ADDED events, then the stream ends), and Status
objects for errors shaped like the real API server's. Writes answer 405.

It is also how the live path is tested without a cluster: ``--forbid KIND`` answers 403 for a kind (RBAC),
``--fault drop|stall[:KIND]`` drops connections or never answers (network faults).

What is served comes from an :class:`~homelabctl.live.feed.ObjectFeed` (the current object set and a stream
of changes); one snapshot is a :class:`~homelabctl.live.feed.StaticFeed`. HTTP is aiohttp's server: a real
listen backlog, one event loop for hundreds of clients, request bodies never read (writes answer 405 whatever
they carry), and requests it cannot parse answered with a ``Status`` too.

Time stands still in a served snapshot: AGE columns and the HTTP ``Date`` header use the snapshot's time
(its capture time, else the newest timestamp in the data), so ``check`` against the server sees the same
ages as ``check --snapshot`` on the same files.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import email.utils
import json
import logging
import signal
import socket
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import msgspec
from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

from homelabctl import selectors
from homelabctl.errors import InputError
from homelabctl.k8s import meta as k8s_meta
from homelabctl.live.discovery import READ_VERBS, Catalog, ServedKind
from homelabctl.live.feed import ObjectFeed, StaticFeed
from homelabctl.live.tables import Printer, build_table, printer_for
from homelabctl.model import Resource
from homelabctl.redact import is_marker
from homelabctl.sources.base import ClusterState

DEFAULT_SERVER_VERSION = "v1.32.5+k3s1"
SNAPSHOT_USER = "snapshot-viewer"
KUBECONFIG_NAME = "homelabctl-snapshot"

FaultMode = Literal["drop", "stall"]


class Fault(msgspec.Struct, frozen=True):
    """``drop`` closes the connection without answering; ``stall`` never answers. ``gk`` None: every request."""

    mode: FaultMode
    gk: str | None = None


class ApiError(Exception):
    """Becomes a ``Status`` response."""

    def __init__(
        self, code: int, reason: str, message: str, details: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = dict(details or {})

    def status(self) -> dict[str, Any]:
        return {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "details": self.details,
            "code": self.code,
        }


def not_found_path() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource")


class Response(msgspec.Struct, frozen=True):
    code: int
    body: bytes
    content_type: str = "application/json"
    stream: AsyncIterator[bytes] | None = None


def _json(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


# -- field selectors --------------------------------------------------------------------------------------------
def _path_value(raw: Mapping[str, Any], path: str) -> Any:
    value: Any = raw
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _getter(path: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda raw: _text(_path_value(raw, path))


_COMMON_FIELDS = ("metadata.name", "metadata.namespace")
_KIND_FIELDS: dict[str, dict[str, Callable[[Mapping[str, Any]], str]]] = {
    "Pod": {
        "spec.nodeName": lambda r: _text(_path_value(r, "spec.nodeName")),
        "spec.restartPolicy": lambda r: _text(_path_value(r, "spec.restartPolicy")),
        "spec.schedulerName": lambda r: _text(_path_value(r, "spec.schedulerName")),
        "spec.serviceAccountName": lambda r: _text(_path_value(r, "spec.serviceAccountName")),
        "spec.hostNetwork": lambda r: _text(bool(_path_value(r, "spec.hostNetwork"))),
        "status.phase": lambda r: _text(_path_value(r, "status.phase")),
        "status.podIP": lambda r: _text(_path_value(r, "status.podIP")),
        "status.nominatedNodeName": lambda r: _text(_path_value(r, "status.nominatedNodeName")),
    },
    "Event": {
        **{
            f"involvedObject.{f}": _getter(f"involvedObject.{f}")
            for f in ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")
        },
        "reason": lambda r: _text(r.get("reason")),
        "reportingComponent": lambda r: _text(r.get("reportingComponent")),
        "source": lambda r: _text(_path_value(r, "source.component")),
        "type": lambda r: _text(r.get("type")),
    },
    "Node": {"spec.unschedulable": lambda r: _text(bool(_path_value(r, "spec.unschedulable")))},
    "Secret": {"type": lambda r: _text(r.get("type"))},
    "Namespace": {"status.phase": lambda r: _text(_path_value(r, "status.phase"))},
    "ReplicaSet.apps": {"status.replicas": lambda r: _text(_path_value(r, "status.replicas") or 0)},
    "Job.batch": {"status.successful": lambda r: _text(_path_value(r, "status.succeeded") or 0)},
}

FieldRequirement = tuple[Callable[[Mapping[str, Any]], str], bool, str]


def parse_field_selector(text: str, gk: str) -> list[FieldRequirement]:
    """``a=b,c!=d`` → (getter, equal?, value) triples. Unknown fields are a 400, as on the API server."""
    requirements: list[FieldRequirement] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if "!=" in part:
            field, value = part.split("!=", 1)
            equal = False
        elif "==" in part:
            field, value = part.split("==", 1)
            equal = True
        elif "=" in part:
            field, value = part.split("=", 1)
            equal = True
        else:
            raise ApiError(400, "BadRequest", f"invalid field selector: {part!r}: expected key=value")
        field = field.strip()
        getter = _getter(field) if field in _COMMON_FIELDS else _KIND_FIELDS.get(gk, {}).get(field)
        if getter is None:
            raise ApiError(400, "BadRequest", f"field label not supported: {field}")
        requirements.append((getter, equal, value.strip()))
    return requirements


def _field_matches(raw: Mapping[str, Any], requirements: Sequence[FieldRequirement]) -> bool:
    return all((getter(raw) == value) == equal for getter, equal, value in requirements)


# -- continue tokens -------------------------------------------------------------------------------------------
def _encode_continue(rv: int, last_key: str) -> str:
    payload = {"v": "meta.k8s.io/v1", "rv": rv, "start": last_key + "\x00"}
    return base64.urlsafe_b64encode(_json(payload)).decode().rstrip("=")


def _decode_continue(token: str) -> str:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        start = data["start"]
        if not isinstance(start, str) or not start.endswith("\x00") or data.get("v") != "meta.k8s.io/v1":
            raise ValueError(start)
        return start[:-1]
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise ApiError(400, "BadRequest", f"continue key is not valid: {exc}") from None


def _sort_key(res: Resource) -> str:
    return f"{res.namespace or ''}/{res.name}"


# -- the API ---------------------------------------------------------------------------------------------------
class Target(msgspec.Struct, frozen=True):
    """What a request path names: a kind, maybe a namespace and a name, maybe a subresource."""

    served: ServedKind
    version: str
    namespace: str | None
    name: str | None
    subresource: str | None
    watch: bool


def served_raw(res: Resource) -> Mapping[str, Any]:
    """The object as the API serves it. A Secret's ``data`` is base64 on the wire: clients decode it, so the
    redaction markers that stand in for the values are encoded too (``stringData`` is write-only: dropped)."""
    raw = k8s_meta.whole(res)
    if res.kind != "Secret" or (not isinstance(raw.get("data"), Mapping) and "stringData" not in raw):
        return raw
    served = {k: v for k, v in raw.items() if k != "stringData"}
    data = raw.get("data")
    if isinstance(data, Mapping):
        served["data"] = {
            key: base64.b64encode(str(value).encode()).decode() if is_marker(value) else value
            for key, value in data.items()
        }
    return served


MAX_WATCH_SECONDS = 600


class SnapshotApi:
    """The read-only API over an :class:`ObjectFeed` (or one ClusterState), without HTTP:
    ``handle(method, path, query, accept)``."""

    def __init__(
        self,
        source: ClusterState | ObjectFeed,
        *,
        forbid: Iterable[str] = (),
        now: datetime | None = None,
        server_version: str | None = None,
    ) -> None:
        self.feed: ObjectFeed = StaticFeed(source) if isinstance(source, ClusterState) else source
        state = self.feed.state
        self.catalog = Catalog(state)
        self.now = now or state.reference_time
        self.server_version = server_version or state.server_version or DEFAULT_SERVER_VERSION
        self.forbidden: set[str] = set()
        for name in forbid:
            served = self.catalog.resolve(name)
            if served is None:
                raise InputError(f"--forbid {name}: no such kind in the snapshot or the kinds catalogue")
            self.forbidden.add(served.gk)
        self._objects: dict[str, list[Resource]] = {}
        self._item_cache: dict[int, bytes] = {}
        self._generation = self.feed.generation

    @property
    def state(self) -> ClusterState:
        return self.feed.state

    @property
    def resource_version(self) -> int:
        return self.feed.resource_version

    def _check_generation(self) -> None:
        generation = self.feed.generation
        if generation != self._generation:
            self._objects.clear()
            self._item_cache.clear()
            self._generation = generation

    def objects(self, gk: str) -> list[Resource]:
        self._check_generation()
        cached = self._objects.get(gk)
        if cached is None:
            cached = sorted(self.state.index.all(gk), key=_sort_key)
            self._objects[gk] = cached
        return cached

    def _item_bytes(self, served: ServedKind, res: Resource) -> bytes:
        cached = self._item_cache.get(id(res))
        if cached is None:
            raw = served_raw(res)
            if served.builtin:
                raw = {k: v for k, v in raw.items() if k not in ("kind", "apiVersion")}
            cached = _json(raw)
            self._item_cache[id(res)] = cached
        return cached

    # -- discovery ---------------------------------------------------------------------------------------------
    def version(self) -> dict[str, Any]:
        text = self.server_version
        major, _, rest = text.lstrip("v").partition(".")
        minor = rest.partition(".")[0]
        return {
            "major": major,
            "minor": minor,
            "gitVersion": text,
            "gitCommit": "",
            "gitTreeState": "clean",
            "buildDate": "",
            "goVersion": "",
            "compiler": "gc",
            "platform": "linux/amd64",
            "emulationMajor": major,
            "emulationMinor": minor,
        }

    def api_versions(self) -> dict[str, Any]:
        return {
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}],
        }

    def _group_doc(self, group: str) -> dict[str, Any]:
        versions = self.catalog.groups[group]
        return {
            "name": group,
            "versions": [{"groupVersion": f"{group}/{v}", "version": v} for v in versions],
            "preferredVersion": {"groupVersion": f"{group}/{versions[0]}", "version": versions[0]},
        }

    def api_groups(self) -> dict[str, Any]:
        groups = [g for g in self.api_groups_order() if g]
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [self._group_doc(g) for g in groups]}

    def aggregated(self, core: bool) -> dict[str, Any]:
        """``apidiscovery.k8s.io/v2`` APIGroupDiscoveryList: every group, version and resource in one document
        (what kubectl and client-go ask for first since Kubernetes 1.30)."""
        groups = [""] if core else [g for g in self.api_groups_order() if g]
        items = []
        for group in groups:
            versions = []
            for version in self.catalog.groups.get(group, []):
                resources = []
                for served in self.catalog.resources(group, version):
                    entry: dict[str, Any] = {
                        "resource": served.plural,
                        "responseKind": {"group": group, "version": version, "kind": served.kind},
                        "scope": "Namespaced" if served.namespaced else "Cluster",
                        "singularResource": served.singular,
                        "verbs": list(READ_VERBS),
                    }
                    if served.short_names:
                        entry["shortNames"] = list(served.short_names)
                    if served.categories:
                        entry["categories"] = list(served.categories)
                    resources.append(entry)
                versions.append({"version": version, "resources": resources, "freshness": "Current"})
            items.append({"metadata": {"name": group} if group else {}, "versions": versions})
        return {
            "kind": "APIGroupDiscoveryList",
            "apiVersion": "apidiscovery.k8s.io/v2",
            "metadata": {},
            "items": items,
        }

    def api_groups_order(self) -> list[str]:
        return sorted(self.catalog.groups, key=lambda g: (not g.endswith("k8s.io") and "." in g, g))

    def resource_list(self, group: str, version: str) -> dict[str, Any]:
        resources = self.catalog.resources(group, version)
        if not resources:
            raise not_found_path()
        return {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": f"{group}/{version}" if group else version,
            "resources": [s.api_resource() for s in resources],
        }

    # -- routing -----------------------------------------------------------------------------------------------
    def target(self, path: str, query: Mapping[str, str]) -> Target | None:
        """The kind a resource path names, or None for non-resource paths. Raises 404 for unknown resources."""
        parts = [p for p in path.split("/") if p]
        if len(parts) >= 3 and parts[:2] == ["api", "v1"]:
            group, version, rest = "", "v1", parts[2:]
        elif len(parts) >= 4 and parts[0] == "apis":
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            return None
        watch = query.get("watch", "") in ("true", "1")
        if rest[0] == "watch":
            watch, rest = True, rest[1:]
        namespace: str | None = None
        if (
            len(rest) >= 3
            and rest[0] == "namespaces"
            and self.catalog.lookup(group, version, rest[2]) is not None
        ):
            namespace, rest = rest[1], rest[2:]
        if not rest or len(rest) > 3:
            raise not_found_path()
        served = self.catalog.lookup(group, version, rest[0])
        if served is None:
            raise not_found_path()
        if namespace is not None and not served.namespaced:
            raise not_found_path()
        name = rest[1] if len(rest) >= 2 else None
        subresource = rest[2] if len(rest) == 3 else None
        return Target(served, version, namespace, name, subresource, watch)

    def handle(self, method: str, path: str, query: Mapping[str, str], accept: str) -> Response:
        try:
            if method not in ("GET", "HEAD"):
                raise ApiError(
                    405,
                    "MethodNotAllowed",
                    "the server does not allow this method on the requested resource "
                    "(homelabctl snapshot serve is read-only)",
                )
            return self._handle_get(path, query, accept)
        except ApiError as error:
            return Response(error.code, _json(error.status()))

    def _handle_get(self, path: str, query: Mapping[str, str], accept: str) -> Response:
        clean = "/" + "/".join(p for p in path.split("/") if p)
        if clean == "/version":
            return Response(200, _json(self.version()))
        if clean in ("/healthz", "/livez", "/readyz"):
            return Response(200, b"ok", "text/plain; charset=utf-8")
        if clean in ("/api", "/apis") and _wants_aggregated(accept):
            return Response(200, _json(self.aggregated(core=clean == "/api")), AGGREGATED_TYPE)
        if clean == "/api":
            return Response(200, _json(self.api_versions()))
        if clean == "/apis":
            return Response(200, _json(self.api_groups()))
        if clean == "/api/v1":
            return Response(200, _json(self.resource_list("", "v1")))
        parts = clean.split("/")[1:]
        if len(parts) == 2 and parts[0] == "apis":
            if parts[1] not in self.catalog.groups or not parts[1]:
                raise not_found_path()
            return Response(200, _json({"kind": "APIGroup", "apiVersion": "v1", **self._group_doc(parts[1])}))
        if len(parts) == 3 and parts[0] == "apis":
            return Response(200, _json(self.resource_list(parts[1], parts[2])))
        target = self.target(clean, query)
        if target is None:
            raise not_found_path()
        self._check_access(target)
        if target.name is not None and not target.watch:
            return self._get(target, accept)
        return self._list(target, query, accept)

    def _check_access(self, target: Target) -> None:
        served = target.served
        verb = "watch" if target.watch else "get" if target.name else "list"
        details: dict[str, Any] = {"kind": served.plural}
        if served.group:
            details["group"] = served.group
        if served.gk in self.forbidden or served.status.state == "forbidden":
            scope = f'in the namespace "{target.namespace}"' if target.namespace else "at the cluster scope"
            raise ApiError(
                403,
                "Forbidden",
                f'{served.resource_name} is forbidden: User "{SNAPSHOT_USER}" cannot {verb} resource '
                f'"{served.plural}" in API group "{served.group}" {scope}',
                details,
            )
        if served.status.state == "absent":
            raise ApiError(
                404,
                "NotFound",
                f"{served.resource_name} are not in this snapshot (they were not captured)",
                details,
            )
        if served.status.state == "error":
            raise ApiError(
                500,
                "InternalError",
                f"{served.resource_name} could not be read when the snapshot was "
                f"captured: {served.status.reason}",
                details,
            )

    def _get(self, target: Target, accept: str) -> Response:
        served = target.served
        if target.subresource == "log" and served.gk == "Pod":
            raise ApiError(
                404,
                "NotFound",
                f'logs of pod "{target.name}" are not part of a snapshot: a snapshot '
                "holds API objects only, not container logs",
                {"name": target.name, "kind": "pods"},
            )
        if target.subresource not in (None, "status"):
            raise not_found_path()
        res = self.state.index.get(served.gk, target.namespace, target.name or "")
        if res is None:
            details: dict[str, Any] = {"name": target.name, "kind": served.plural}
            if served.group:
                details["group"] = served.group
            raise ApiError(404, "NotFound", f'{served.resource_name} "{target.name}" not found', details)
        as_kind = _accept_as(accept)
        if as_kind[0] == "Table":
            table = build_table(
                self._printer(served, target.version),
                [res],
                [res.raw],
                self.now,
                api_version=as_kind[1],
                list_meta={"resourceVersion": str(self.resource_version)},
            )
            return Response(200, _json(table))
        if as_kind[0] in ("PartialObjectMetadata", "PartialObjectMetadataList"):
            return Response(
                200,
                _json(
                    {
                        "kind": "PartialObjectMetadata",
                        "apiVersion": as_kind[1],
                        "metadata": dict(res.metadata),
                    }
                ),
            )
        return Response(200, _json(served_raw(res)))

    def _printer(self, served: ServedKind, version: str) -> Printer:
        columns = served.printer_columns.get(version)
        if columns is None and served.printer_columns:
            columns = next(iter(served.printer_columns.values()))
        return printer_for(served.gk, columns, crd=not served.builtin)

    def select(self, target: Target, query: Mapping[str, str]) -> list[Resource]:
        wanted = _Filter(target, query)
        return [r for r in self.objects(target.served.gk) if wanted.matches(r)]

    def _list(self, target: Target, query: Mapping[str, str], accept: str) -> Response:
        served = target.served
        items = self.select(target, query)
        if target.watch:
            return self._watch(target, items, query, accept)
        meta: dict[str, Any] = {"resourceVersion": str(self.resource_version)}
        token = query.get("continue", "")
        if token:
            start = _decode_continue(token)
            items = [r for r in items if _sort_key(r) > start]
        limit_text = query.get("limit", "")
        try:
            limit = int(limit_text) if limit_text else 0
        except ValueError:
            raise ApiError(400, "BadRequest", f"invalid limit: {limit_text!r}") from None
        if 0 < limit < len(items):
            remaining = len(items) - limit
            items = items[:limit]
            meta["continue"] = _encode_continue(self.resource_version, _sort_key(items[-1]))
            if not query.get("labelSelector") and not query.get("fieldSelector"):
                meta["remainingItemCount"] = remaining
        as_kind = _accept_as(accept)
        if as_kind[0] == "Table":
            table = build_table(
                self._printer(served, target.version),
                items,
                [r.raw for r in items],
                self.now,
                include_object=query.get("includeObject", "Metadata"),
                api_version=as_kind[1],
                list_meta=meta,
            )
            return Response(200, _json(table))
        if as_kind[0] in ("PartialObjectMetadataList", "PartialObjectMetadata"):
            return Response(
                200,
                _json(
                    {
                        "kind": "PartialObjectMetadataList",
                        "apiVersion": as_kind[1],
                        "metadata": meta,
                        "items": [
                            {
                                "kind": "PartialObjectMetadata",
                                "apiVersion": as_kind[1],
                                "metadata": dict(r.metadata),
                            }
                            for r in items
                        ],
                    }
                ),
            )
        head = _json(
            {"kind": f"{served.kind}List", "apiVersion": served.api_version(target.version), "metadata": meta}
        )[:-1]
        body = head + b',"items":[' + b",".join(self._item_bytes(served, r) for r in items) + b"]}"
        return Response(200, body)

    def _watch(
        self, target: Target, items: list[Resource], query: Mapping[str, str], accept: str
    ) -> Response:
        """Without a resourceVersion (or with 0), the current objects as ADDED events; then the feed's changes
        after that version. A static snapshot has none, so the stream ends there, or after ``timeoutSeconds``
        when the client asked for it (capped at MAX_WATCH_SECONDS)."""
        rv_text = query.get("resourceVersion", "")
        since = self.resource_version
        if rv_text not in ("", "0"):
            items = []
            if not rv_text.isdigit() or len(rv_text) > 19:
                raise ApiError(400, "BadRequest", f"invalid resourceVersion: {rv_text[:40]!r}")
            since = int(rv_text)
        as_kind = _accept_as(accept)
        printer = self._printer(target.served, target.version) if as_kind[0] == "Table" else None
        wanted = _Filter(target, query)
        include = query.get("includeObject", "Metadata")

        def event(kind: str, res: Resource, first: bool) -> bytes:
            obj: Any = served_raw(res)
            if printer is not None:
                obj = build_table(
                    printer,
                    [res],
                    [res.raw],
                    self.now,
                    api_version=as_kind[1],
                    include_object=include,
                    list_meta={"resourceVersion": str(self.resource_version)},
                    columns=first,
                )
            return _json({"type": kind, "object": obj}) + b"\n"

        timeout_text = query.get("timeoutSeconds", "")
        hold = (
            min(int(timeout_text), MAX_WATCH_SECONDS)
            if timeout_text.isdigit() and len(timeout_text) < 9
            else 0
        )

        async def events() -> AsyncIterator[bytes]:
            first = True
            for res in items:
                yield event("ADDED", res, first)
                first = False
            async for change in self.feed.changes(target.served.gk, since):
                if wanted.matches(change.resource):
                    yield event(change.type, change.resource, first)
                    first = False
            if hold:
                # as the API server does: a watch asked to last timeoutSeconds stays open that long (a watch
                # client would otherwise reconnect in a loop); nothing more will come
                await asyncio.sleep(hold)

        return Response(200, b"", stream=events())


class _Filter:
    """Namespace, name, label and field selectors of a list or watch request, applied to one object."""

    def __init__(self, target: Target, query: Mapping[str, str]) -> None:
        self.namespace = target.namespace
        self.name = target.name
        self.labels: selectors.Selector | None = None
        label_text = query.get("labelSelector", "")
        if label_text:
            try:
                self.labels = selectors.parse(label_text)
            except ValueError as exc:
                raise ApiError(400, "BadRequest", f"unable to parse requirement: {exc}") from None
        field_text = query.get("fieldSelector", "")
        self.fields = parse_field_selector(field_text, target.served.gk) if field_text else []

    def matches(self, res: Resource) -> bool:
        return (
            (self.namespace is None or res.namespace == self.namespace)
            and (self.name is None or res.name == self.name)
            and (self.labels is None or self.labels.matches(res.labels))
            and (not self.fields or _field_matches(res.raw, self.fields))
        )


AGGREGATED_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


def _wants_aggregated(accept: str) -> bool:
    for media in accept.split(","):
        params = dict(p.strip().partition("=")[::2] for p in media.split(";")[1:])
        if (
            params.get("g") == "apidiscovery.k8s.io"
            and params.get("v") == "v2"
            and params.get("as") == "APIGroupDiscoveryList"
        ):
            return True
    return False


def _accept_as(accept: str) -> tuple[str, str]:
    """(``Table``/``PartialObjectMetadata[List]``/``""``, its apiVersion) from the first acceptable media type."""
    for media in accept.split(","):
        params = {}
        for piece in media.split(";")[1:]:
            key, _, value = piece.strip().partition("=")
            params[key] = value
        as_ = params.get("as", "")
        if not as_:
            if media.split(";")[0].strip() in ("application/json", "*/*", "application/*"):
                return "", ""
            continue
        if (
            params.get("g") == "meta.k8s.io"
            and params.get("v") in ("v1", "v1beta1")
            and as_ in ("Table", "PartialObjectMetadata", "PartialObjectMetadataList")
        ):
            return as_, f"meta.k8s.io/{params['v']}"
    return "", ""


# -- HTTP ------------------------------------------------------------------------------------------------------
MAX_BODY_BYTES = 1024 * 1024
"""Nothing is ever written to a snapshot, so request bodies are never read: a larger one is refused at once."""
LISTEN_BACKLOG = 1024
"""kubectl, the kubernetes client and a few hundred parallel scripts connect at once (the kernel may cap it)."""

_aiohttp_log = logging.getLogger("aiohttp")
_aiohttp_log.addHandler(logging.NullHandler())
_aiohttp_log.propagate = (
    False  # it logs each malformed request with a traceback; we answer them with a Status
)


def _headers(now: datetime, content_type: str) -> dict[str, str]:
    return {
        "Content-Type": content_type,
        "Cache-Control": "no-cache, private",
        "Server": "homelabctl-snapshot",
        "Date": email.utils.format_datetime(now, usegmt=True),
    }


def _status_response(error: ApiError, now: datetime, *, close: bool = False) -> web.Response:
    response = web.Response(
        status=error.code, body=_json(error.status()), headers=_headers(now, "application/json")
    )
    if close:
        response.force_close()
    return response


class _StatusRequestHandler(RequestHandler):
    """aiohttp's connection handler, answering what it cannot parse (a bad Content-Length, an overlong header
    line, garbage) with a Kubernetes ``Status`` instead of plain text, and without logging a traceback."""

    now: datetime = datetime(1970, 1, 1, tzinfo=UTC)

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if request.writer.output_size > 0:  # a response is under way: all that is left is to close
            raise ConnectionError("response already started")
        reason = {400: "BadRequest", 413: "RequestEntityTooLarge", 431: "BadRequest"}.get(
            status, "InternalError"
        )
        detail = (str(getattr(exc, "message", "") or exc or message or "").splitlines() or [""])[0][:200]
        text = "malformed HTTP request" if status < 500 else "internal error"
        return _status_response(
            ApiError(status, reason, f"{text}: {detail}" if detail else text), self.now, close=True
        )

    def log_exception(self, *args: Any, **kwargs: Any) -> None:
        """Quiet: a malformed request is already answered, and its traceback says nothing about us."""


class _SnapshotWebServer(web.Server):
    def __init__(
        self, handler: Callable[[BaseRequest], Awaitable[web.StreamResponse]], now: datetime, **kwargs: Any
    ) -> None:
        super().__init__(handler, **kwargs)
        self.now = now

    def __call__(self) -> RequestHandler:
        handler = _StatusRequestHandler(self, loop=self._loop, **self._kwargs)
        handler.now = self.now
        return handler


class SnapshotServer:
    """The API over HTTP on aiohttp's server: one event loop, a real listen backlog, request bodies never read.

    The socket is bound when the object is made (a busy port is an error before anything is announced);
    :meth:`serve` runs until its ``stop`` event is set. :class:`ServerThread` runs it on a background thread,
    :func:`serve_until_signal` in the foreground.
    """

    def __init__(
        self,
        api: SnapshotApi,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: Sequence[Fault] = (),
        log: Callable[[str], None] | None = None,
        backlog: int = LISTEN_BACKLOG,
    ) -> None:
        self.api = api
        self.faults = tuple(faults)
        self.log = log
        self.backlog = backlog
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.create_server((host, port), family=family, backlog=backlog)
        self._stop: asyncio.Event | None = None

    @property
    def url(self) -> str:
        host, port = self.socket.getsockname()[:2]
        host_text = f"[{host}]" if ":" in str(host) else str(host)
        return f"http://{host_text}:{port}"

    async def serve(self, stop: asyncio.Event, ready: Callable[[], None] | None = None) -> None:
        """Serve until ``stop`` is set (stalled requests are released then); ``ready`` runs once listening."""
        self._stop = stop
        server = _SnapshotWebServer(
            self._handle,
            self.api.now,
            lingering_time=0,
            keepalive_timeout=120,
            access_log=None,
            max_line_size=16384,
            max_field_size=16384,
        )
        runner = web.ServerRunner(server, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        site = web.SockSite(runner, self.socket, backlog=self.backlog)
        try:
            await site.start()
            if ready is not None:
                ready()
            await stop.wait()
        finally:
            await runner.cleanup()

    def close(self) -> None:
        self.socket.close()

    def _fault_for(self, path: str, query: Mapping[str, str]) -> Fault | None:
        gk: str | None = None
        try:
            target = self.api.target(path, query)
            gk = target.served.gk if target else None
        except ApiError:
            gk = None
        for fault in self.faults:
            if fault.gk is None or fault.gk == gk:
                return fault
        return None

    async def _handle(self, request: BaseRequest) -> web.StreamResponse:
        response = await self._respond(request)
        if self.log is not None:
            self.log(
                f'{request.remote} "{request.method} {request.raw_path} HTTP/{request.version.major}.'
                f'{request.version.minor}" {response.status} -'
            )
        return response

    async def _respond(self, request: BaseRequest) -> web.StreamResponse:
        now = self.api.now
        query = {key: request.query.getall(key)[-1] for key in request.query}
        if self.faults:
            fault = self._fault_for(request.path, query)
            if fault is not None:
                if fault.mode == "stall" and self._stop is not None:
                    await self._stop.wait()
                if request.transport is not None:
                    request.transport.close()
                return web.Response(status=503)  # never written: the connection is gone
        # the body is never read: writes are refused whatever they carry; a read with a large body is odd
        unread_body = request.body_exists
        if unread_body and request.method in ("GET", "HEAD"):
            length = request.content_length
            if length is None or length > MAX_BODY_BYTES:
                return _status_response(
                    ApiError(
                        413,
                        "RequestEntityTooLarge",
                        f"request body too large (limit {MAX_BODY_BYTES} bytes): "
                        "homelabctl snapshot serve is read-only and reads no request body",
                    ),
                    now,
                    close=True,
                )
        result = self.api.handle(request.method, request.path, query, request.headers.get("Accept", ""))
        if result.stream is None:
            response = web.Response(
                status=result.code,
                body=b"" if request.method == "HEAD" else result.body,
                headers=_headers(now, result.content_type),
            )
            if unread_body:
                response.force_close()
            return response
        stream = web.StreamResponse(status=result.code, headers=_headers(now, result.content_type))
        stream.enable_chunked_encoding()
        await stream.prepare(request)
        if request.method != "HEAD":
            async for chunk in result.stream:
                await stream.write(chunk)
        await stream.write_eof()
        return stream


class ServerThread:
    """The server on a background thread: ``with ServerThread(api) as server: ... server.url``."""

    def __init__(
        self,
        api: SnapshotApi,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: Sequence[Fault] = (),
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.server = SnapshotServer(api, host=host, port=port, faults=faults, log=log)
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="snapshot-serve", daemon=True)

    def _run(self) -> None:
        async def main() -> None:
            self._stop = asyncio.Event()
            await self.server.serve(self._stop, ready=self._ready.set)

        try:
            self._loop.run_until_complete(main())
        finally:
            self._ready.set()
            self._loop.close()

    @property
    def url(self) -> str:
        return self.server.url

    def __enter__(self) -> ServerThread:
        self._thread.start()
        self._ready.wait(timeout=30)
        return self

    def __exit__(self, *exc: object) -> None:
        stop = self._stop
        if stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                self._loop.call_soon_threadsafe(stop.set)
        self._thread.join(timeout=10)
        self.server.close()


def serve_until_signal(server: SnapshotServer, ready: Callable[[], None]) -> None:
    """Serve in this thread until SIGINT or SIGTERM; ``ready`` runs once the server accepts connections."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await server.serve(stop, ready)

    try:
        asyncio.run(main())
    finally:
        server.close()


def parse_fault(text: str, catalog: Catalog) -> Fault:
    mode, _, kind = text.partition(":")
    if mode not in ("drop", "stall"):
        raise InputError(f"--fault {text}: expected drop or stall, optionally with :KIND (e.g. stall:Pod)")
    if not kind:
        return Fault(mode)  # type: ignore[arg-type]
    served = catalog.resolve(kind)
    if served is None:
        raise InputError(f"--fault {text}: no such kind {kind!r}")
    return Fault(mode, served.gk)  # type: ignore[arg-type]


def kubeconfig_for(url: str, name: str = KUBECONFIG_NAME) -> str:
    """A kubeconfig pointing at the server (plain HTTP on loopback: there is nothing to authenticate)."""
    return (
        "apiVersion: v1\n"
        "kind: Config\n"
        "clusters:\n"
        f"- name: {name}\n"
        "  cluster:\n"
        f"    server: {url}\n"
        "contexts:\n"
        f"- name: {name}\n"
        "  context:\n"
        f"    cluster: {name}\n"
        f"    user: {SNAPSHOT_USER}\n"
        f"current-context: {name}\n"
        "users:\n"
        f"- name: {SNAPSHOT_USER}\n"
        "  user: {}\n"
        "preferences: {}\n"
    )
