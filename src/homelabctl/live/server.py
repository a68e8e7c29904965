"""``homelabctl snapshot serve``: a read-only Kubernetes API over a snapshot.

Enough of the API for ``kubectl get/describe`` and the ``kubernetes`` Python client: version, legacy
discovery, list (cluster-wide and per namespace) and get, label and field selectors, ``limit``/``continue``,
server-side Table printing, watch (the current objects as ADDED events, then the stream ends), and Status
objects for errors shaped like the real API server's. Writes answer 405.

It is also how the live path is tested without a cluster: ``--forbid KIND`` answers 403 for a kind (RBAC),
``--fault drop|stall[:KIND]`` drops connections or never answers (network faults).

Time stands still in a served snapshot: AGE columns and the HTTP ``Date`` header use the snapshot's time
(its capture time, else the newest timestamp in the data), so ``check`` against the server sees the same
ages as ``check --snapshot`` on the same files.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import email.utils
import json
import socket
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from homelabctl import selectors
from homelabctl.errors import InputError
from homelabctl.live.discovery import READ_VERBS, Catalog, ServedKind
from homelabctl.live.tables import Printer, build_table, printer_for
from homelabctl.model import Resource
from homelabctl.sources.base import ClusterState

DEFAULT_SERVER_VERSION = "v1.32.5+k3s1"
SNAPSHOT_USER = "snapshot-viewer"
KUBECONFIG_NAME = "homelabctl-snapshot"

FaultMode = Literal["drop", "stall"]


@dataclass(frozen=True, slots=True)
class Fault:
    """``drop`` closes the connection without answering; ``stall`` never answers. ``gk`` None: every request."""

    mode: FaultMode
    gk: str | None = None


class ApiError(Exception):
    """Becomes a ``Status`` response."""

    def __init__(self, code: int, reason: str, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = dict(details or {})

    def status(self) -> dict[str, Any]:
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": self.message,
                "reason": self.reason, "details": self.details, "code": self.code}


def not_found_path() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource")


@dataclass(frozen=True, slots=True)
class Response:
    code: int
    body: bytes
    content_type: str = "application/json"
    stream: Iterable[bytes] | None = None


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
        **{f"involvedObject.{f}": _getter(f"involvedObject.{f}")
           for f in ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")},
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
@dataclass(frozen=True, slots=True)
class Target:
    """What a request path names: a kind, maybe a namespace and a name, maybe a subresource."""

    served: ServedKind
    version: str
    namespace: str | None
    name: str | None
    subresource: str | None
    watch: bool


class SnapshotApi:
    """The read-only API over a ClusterState, without HTTP: ``handle(method, path, query, accept)``."""

    def __init__(self, state: ClusterState, *, forbid: Iterable[str] = (), now: datetime | None = None,
                 server_version: str | None = None) -> None:
        self.state = state
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
        self._lock = threading.Lock()
        self.resource_version = self._max_resource_version()

    def _max_resource_version(self) -> int:
        best = 1
        for res in self.state.index:
            try:
                best = max(best, int(str(res.metadata.get("resourceVersion") or 0)))
            except ValueError:
                continue
        return best

    def objects(self, gk: str) -> list[Resource]:
        cached = self._objects.get(gk)
        if cached is None:
            cached = sorted(self.state.index.all(gk), key=_sort_key)
            self._objects[gk] = cached
        return cached

    def _item_bytes(self, served: ServedKind, res: Resource) -> bytes:
        cached = self._item_cache.get(id(res))
        if cached is None:
            raw = res.raw
            if served.builtin:
                raw = {k: v for k, v in raw.items() if k not in ("kind", "apiVersion")}
            cached = _json(raw)
            with self._lock:
                self._item_cache[id(res)] = cached
        return cached

    # -- discovery ---------------------------------------------------------------------------------------------
    def version(self) -> dict[str, Any]:
        text = self.server_version
        major, _, rest = text.lstrip("v").partition(".")
        minor = rest.partition(".")[0]
        return {"major": major, "minor": minor, "gitVersion": text, "gitCommit": "", "gitTreeState": "clean",
                "buildDate": "", "goVersion": "", "compiler": "gc", "platform": "linux/amd64",
                "emulationMajor": major, "emulationMinor": minor}

    def api_versions(self) -> dict[str, Any]:
        return {"kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]}

    def _group_doc(self, group: str) -> dict[str, Any]:
        versions = self.catalog.groups[group]
        return {"name": group,
                "versions": [{"groupVersion": f"{group}/{v}", "version": v} for v in versions],
                "preferredVersion": {"groupVersion": f"{group}/{versions[0]}", "version": versions[0]}}

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
                        "singularResource": served.singular, "verbs": list(READ_VERBS)}
                    if served.short_names:
                        entry["shortNames"] = list(served.short_names)
                    if served.categories:
                        entry["categories"] = list(served.categories)
                    resources.append(entry)
                versions.append({"version": version, "resources": resources, "freshness": "Current"})
            items.append({"metadata": {"name": group} if group else {}, "versions": versions})
        return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {},
                "items": items}

    def api_groups_order(self) -> list[str]:
        return sorted(self.catalog.groups, key=lambda g: (not g.endswith("k8s.io") and "." in g, g))

    def resource_list(self, group: str, version: str) -> dict[str, Any]:
        resources = self.catalog.resources(group, version)
        if not resources:
            raise not_found_path()
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{group}/{version}" if group else version,
                "resources": [s.api_resource() for s in resources]}

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
        if len(rest) >= 3 and rest[0] == "namespaces" and self.catalog.lookup(group, version, rest[2]) is not None:
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
                raise ApiError(405, "MethodNotAllowed",
                               "the server does not allow this method on the requested resource "
                               "(homelabctl snapshot serve is read-only)")
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
            raise ApiError(403, "Forbidden",
                           f'{served.resource_name} is forbidden: User "{SNAPSHOT_USER}" cannot {verb} resource '
                           f'"{served.plural}" in API group "{served.group}" {scope}', details)
        if served.status.state == "absent":
            raise ApiError(404, "NotFound", f"{served.resource_name} are not in this snapshot (they were not captured)",
                           details)
        if served.status.state == "error":
            raise ApiError(500, "InternalError", f"{served.resource_name} could not be read when the snapshot was "
                                                 f"captured: {served.status.reason}", details)

    def _get(self, target: Target, accept: str) -> Response:
        served = target.served
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
            table = build_table(self._printer(served, target.version), [res], [res.raw], self.now,
                                api_version=as_kind[1], list_meta={"resourceVersion": str(self.resource_version)})
            return Response(200, _json(table))
        if as_kind[0] in ("PartialObjectMetadata", "PartialObjectMetadataList"):
            return Response(200, _json({"kind": "PartialObjectMetadata", "apiVersion": as_kind[1],
                                        "metadata": dict(res.metadata)}))
        return Response(200, _json(res.raw))

    def _printer(self, served: ServedKind, version: str) -> Printer:
        columns = served.printer_columns.get(version)
        if columns is None and served.printer_columns:
            columns = next(iter(served.printer_columns.values()))
        return printer_for(served.gk, columns, crd=not served.builtin)

    def select(self, target: Target, query: Mapping[str, str]) -> list[Resource]:
        served = target.served
        items: Iterable[Resource] = self.objects(served.gk)
        if target.namespace is not None:
            items = (r for r in items if r.namespace == target.namespace)
        if target.name is not None:
            items = (r for r in items if r.name == target.name)
        label_text = query.get("labelSelector", "")
        if label_text:
            try:
                selector = selectors.parse(label_text)
            except ValueError as exc:
                raise ApiError(400, "BadRequest", f"unable to parse requirement: {exc}") from None
            items = (r for r in items if selector.matches(r.labels))
        field_text = query.get("fieldSelector", "")
        if field_text:
            requirements = parse_field_selector(field_text, served.gk)
            items = (r for r in items if _field_matches(r.raw, requirements))
        return list(items)

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
            table = build_table(self._printer(served, target.version), items, [r.raw for r in items], self.now,
                                include_object=query.get("includeObject", "Metadata"), api_version=as_kind[1],
                                list_meta=meta)
            return Response(200, _json(table))
        if as_kind[0] in ("PartialObjectMetadataList", "PartialObjectMetadata"):
            return Response(200, _json({
                "kind": "PartialObjectMetadataList", "apiVersion": as_kind[1], "metadata": meta,
                "items": [{"kind": "PartialObjectMetadata", "apiVersion": as_kind[1], "metadata": dict(r.metadata)}
                          for r in items]}))
        head = _json({"kind": f"{served.kind}List", "apiVersion": served.api_version(target.version),
                      "metadata": meta})[:-1]
        body = head + b',"items":[' + b",".join(self._item_bytes(served, r) for r in items) + b"]}"
        return Response(200, body)

    def _watch(self, target: Target, items: list[Resource], query: Mapping[str, str], accept: str) -> Response:
        """The current objects as ADDED events, then the stream ends. Watching from a resourceVersion the
        client already has yields nothing: a snapshot never changes."""
        rv = query.get("resourceVersion", "")
        if rv not in ("", "0"):
            items = []
        as_kind = _accept_as(accept)
        printer = self._printer(target.served, target.version) if as_kind[0] == "Table" else None

        def events() -> Iterable[bytes]:
            for i, res in enumerate(items):
                obj: Any = res.raw
                if printer is not None:
                    obj = build_table(printer, [res], [res.raw], self.now, api_version=as_kind[1],
                                      include_object=query.get("includeObject", "Metadata"),
                                      list_meta={"resourceVersion": str(self.resource_version)}, columns=i == 0)
                yield _json({"type": "ADDED", "object": obj}) + b"\n"

        return Response(200, b"", stream=events())


AGGREGATED_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


def _wants_aggregated(accept: str) -> bool:
    for media in accept.split(","):
        params = dict(p.strip().partition("=")[::2] for p in media.split(";")[1:])
        if params.get("g") == "apidiscovery.k8s.io" and params.get("v") == "v2" and \
                params.get("as") == "APIGroupDiscoveryList":
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
        if params.get("g") == "meta.k8s.io" and params.get("v") in ("v1", "v1beta1") and as_ in (
                "Table", "PartialObjectMetadata", "PartialObjectMetadataList"):
            return as_, f"meta.k8s.io/{params['v']}"
    return "", ""


# -- HTTP ------------------------------------------------------------------------------------------------------
class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "homelabctl-snapshot"
    sys_version = ""
    timeout = 120
    server: SnapshotHTTPServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's algorithm meets the client's
        # delayed ACK and every response waits ~40 ms (Go's net/http sets it too).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def date_time_string(self, timestamp: float | None = None) -> str:
        return email.utils.format_datetime(self.server.api.now, usegmt=True)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log is not None:
            self.server.log(f"{self.address_string()} {format % args}")

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _fault_for(self, path: str, query: Mapping[str, str]) -> Fault | None:
        if not self.server.faults:
            return None
        gk: str | None = None
        try:
            target = self.server.api.target(path, query)
            gk = target.served.gk if target else None
        except ApiError:
            gk = None
        for fault in self.server.faults:
            if fault.gk is None or fault.gk == gk:
                return fault
        return None

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        fault = self._fault_for(url.path, query)
        if fault is not None:
            self.close_connection = True
            if fault.mode == "stall":
                self.server.stopping.wait()
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        response = self.server.api.handle(method, url.path, query, self.headers.get("Accept", ""))
        self.send_response(response.code)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Cache-Control", "no-cache, private")
        if response.stream is not None:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if method != "HEAD":
                for chunk in response.stream:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(response.body)


class SnapshotHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], api: SnapshotApi, faults: Sequence[Fault] = (),
                 log: Callable[[str], None] | None = None) -> None:
        self.api = api
        self.faults = tuple(faults)
        self.log = log
        self.stopping = threading.Event()
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host_text = host.decode() if isinstance(host, bytes) else str(host)
        if ":" in host_text:
            host_text = f"[{host_text}]"
        return f"http://{host_text}:{port}"

    def stop(self) -> None:
        """Stop serving and release stalled handlers; safe to call from any thread, and twice."""
        self.stopping.set()
        self.shutdown()
        self.server_close()


class ServerThread:
    """The server on a background thread: ``with ServerThread(api) as server: ... server.url``."""

    def __init__(self, api: SnapshotApi, *, host: str = "127.0.0.1", port: int = 0, faults: Sequence[Fault] = (),
                 log: Callable[[str], None] | None = None) -> None:
        self.httpd = SnapshotHTTPServer((host, port), api, faults, log=log)
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="snapshot-serve", daemon=True)

    @property
    def url(self) -> str:
        return self.httpd.url

    def __enter__(self) -> ServerThread:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.stop()
        self._thread.join(timeout=5)


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
