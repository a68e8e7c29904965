"""The official ``kubernetes`` client, used thinly: kubeconfig/in-cluster loading, auth, TLS and connection
pooling come from it; requests are raw GETs whose JSON we parse ourselves.

Deserializing into the client's model classes is slow and drops fields the models do not know (CRDs,
newer API fields), and checks want the objects exactly as the API server sent them.

The ``kubernetes`` package is imported only when a live source is created: offline commands never pay
for it.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import logging
import os
import ssl
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec

from homelabctl import __version__, kinds
from homelabctl.errors import ApiUnreachableError, InputError, SourceError
from homelabctl.k8s import meta as k8s_meta
from homelabctl.k8s import revisions
from homelabctl.sources.base import KindStatus

PAGE_SIZE = 500
SERVICE_HOST_ENV = "KUBERNETES_SERVICE_HOST"


class RequestFailed(Exception):
    """A request that got no HTTP answer (refused, reset, timed out, TLS)."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class HttpResult(msgspec.Struct, frozen=True):
    status: int
    body: bytes
    headers: Mapping[str, str]

    def json(self) -> Any:
        return json.loads(self.body)

    def message(self) -> str:
        """The ``message`` of a Status body, else the start of the body."""
        try:
            data = json.loads(self.body)
            if isinstance(data, dict) and data.get("message"):
                return str(data["message"])
        except (ValueError, UnicodeDecodeError):
            pass
        text = self.body[:200].decode("utf-8", "replace").strip()
        return text or f"HTTP {self.status}"


def describe_transport_error(exc: BaseException) -> str:
    """One short phrase for a failed connection: what a person needs to tell a dead server from a bad URL."""
    import urllib3.exceptions as u3

    reason: BaseException = exc
    if isinstance(exc, u3.MaxRetryError) and exc.reason is not None:
        reason = exc.reason
    if isinstance(reason, u3.NameResolutionError):
        conn = getattr(reason, "conn", None)
        return f"DNS lookup failed for {getattr(conn, 'host', None) or 'the host'}"
    if isinstance(reason, u3.NewConnectionError):  # before ConnectTimeoutError: urllib3 2 subclasses it
        text = str(reason)
        if "refused" in text.lower():
            return "connection refused"
        if "timed out" in text.lower():
            return "connection timed out"
        if "Name or service not known" in text or "nodename nor servname" in text:
            return "DNS lookup failed"
        return "cannot connect: " + text.split(": ", 1)[-1]
    if isinstance(reason, u3.ConnectTimeoutError):
        return "connection timed out"
    if isinstance(reason, u3.ReadTimeoutError):
        return "no answer before the request timeout"
    if isinstance(reason, u3.SSLError | ssl.SSLError):
        return f"TLS error: {reason}"
    if isinstance(reason, u3.ProtocolError):
        inner = reason.args[1] if len(reason.args) > 1 else None
        if isinstance(
            inner, http.client.RemoteDisconnected
        ):  # a ConnectionResetError subclass: test it first
            return "the server closed the connection without answering"
        if isinstance(inner, ConnectionResetError):
            return "connection reset by the server"
        return "the server closed the connection without answering"
    if isinstance(reason, TimeoutError | u3.TimeoutError):
        return "no answer before the request timeout"
    return f"{type(reason).__name__}: {reason}"


def _read_failure(exc: BaseException) -> bool:
    """The request went out and no answer came back (as opposed to: no connection at all)."""
    import urllib3.exceptions as u3

    reason = exc.reason if isinstance(exc, u3.MaxRetryError) and exc.reason is not None else exc
    return isinstance(reason, u3.ReadTimeoutError | u3.ProtocolError)


def _kubeconfig_paths(explicit: Path | None) -> tuple[str | None, list[str]]:
    """(the kubeconfig string to load or None, the paths looked at)."""
    if explicit is not None:
        path = explicit.expanduser()
        if not path.is_file():
            raise InputError(f"kubeconfig not found: {explicit}")
        return str(path), [str(path)]
    env = os.environ.get("KUBECONFIG", "")
    looked: list[str] = []
    if env:
        paths = [str(Path(p).expanduser()) for p in env.split(os.pathsep) if p]
        looked.extend(paths)
        existing = [p for p in paths if Path(p).is_file()]
        if existing:
            return os.pathsep.join(existing), looked
    default = Path("~/.kube/config").expanduser()
    looked.append(str(default))
    if default.is_file():
        return str(default), looked
    return None, looked


class Client:
    """A configured ``kubernetes.client.ApiClient`` plus the raw GET everything else uses."""

    def __init__(
        self,
        *,
        kubeconfig: Path | None = None,
        context: str | None = None,
        pool_size: int = 10,
        request_timeout: float = 10.0,
    ) -> None:
        import urllib3
        from kubernetes import client as kubernetes_client
        from kubernetes import config as kubernetes_config
        from kubernetes.config.config_exception import ConfigException

        kclient: Any = kubernetes_client
        kconfig: Any = kubernetes_config

        self.request_timeout = request_timeout
        configuration = kclient.Configuration()
        config_file, looked = _kubeconfig_paths(kubeconfig)
        try:
            if config_file is None:
                if not os.environ.get(SERVICE_HOST_ENV):
                    raise SourceError(
                        f"no kubeconfig found (looked at {', '.join(looked)}) and not running in a pod; "
                        "pass --kubeconfig, or read a snapshot with --snapshot PATH or --demo"
                    )
                kconfig.load_incluster_config(client_configuration=configuration)
                self.context = "in-cluster"
            else:
                contexts, active = kconfig.list_kube_config_contexts(config_file=config_file)
                names = [str(c.get("name")) for c in contexts or []]
                if context is not None and context not in names:
                    raise InputError(
                        f"context {context!r} not found in {config_file} "
                        f"(available: {', '.join(names) or 'none'})"
                    )
                kconfig.load_kube_config(
                    config_file=config_file,
                    context=context,
                    client_configuration=configuration,
                    persist_config=False,
                )
                self.context = context or str((active or {}).get("name", "default"))
        except ConfigException as exc:
            where = config_file or "in-cluster configuration"
            raise InputError(f"cannot load {where}: {exc}") from None
        # Connection errors are retried twice, quickly; a read failure once, by get() itself, within what is
        # left of the deadline (urllib3 would give the retry a whole new timeout). Status codes are never
        # retried: 403 and 404 are answers.
        configuration.retries = urllib3.Retry(
            total=3,
            connect=2,
            read=0,
            status=0,
            other=0,
            redirect=0,
            backoff_factor=0.1,
            raise_on_status=False,
        )
        configuration.connection_pool_maxsize = pool_size
        retry_log = logging.getLogger("urllib3.connectionpool")
        if retry_log.level == logging.NOTSET:  # its retry warnings would land on a user's terminal
            retry_log.setLevel(logging.ERROR)
        self.server = str(configuration.host)
        self.api_client: Any = kclient.ApiClient(configuration)
        # Building a request refreshes credentials (exec and OIDC plugins) when they expire; requests start
        # in parallel, and two threads must not both run a plugin (two browser logins). Pure CPU otherwise.
        self._auth_lock = threading.Lock()
        self.api_client.user_agent = f"homelabctl/{__version__}"

    def get(
        self,
        path: str,
        query: Sequence[tuple[str, str]] = (),
        *,
        timeout: float | None = None,
        accept: str = "application/json",
        deadline_at: float | None = None,
    ) -> HttpResult:
        """GET ``path``; any HTTP answer is returned, no answer raises :class:`RequestFailed`.

        Each attempt waits at most ``timeout`` (default: the request timeout) and never past ``deadline_at``
        (a ``time.monotonic()`` value); a read failure is retried once if time is left."""
        import urllib3.exceptions as u3
        from kubernetes.client.exceptions import ApiException

        for attempt in range(2):
            limit = timeout if timeout is not None else self.request_timeout
            if deadline_at is not None:
                limit = min(limit, max(0.1, deadline_at - time.monotonic()))
            try:
                with self._auth_lock:
                    method, url, headers, _, _ = self.api_client.param_serialize(
                        "GET",
                        path,
                        query_params=list(query),
                        header_params={"Accept": accept},
                        auth_settings=["BearerToken"],
                    )
                response: Any = self.api_client.call_api(
                    method, url, headers, _request_timeout=(limit, limit)
                )
                body = response.read()
            except ApiException as exc:  # the REST layer turns TLS errors into a status-0 ApiException
                raise RequestFailed(f"TLS error: {exc.reason}".strip()) from None
            except (u3.HTTPError, OSError) as exc:
                # a pooled keep-alive connection may have been closed under us, or one answer got lost
                left = None if deadline_at is None else deadline_at - time.monotonic()
                if attempt == 0 and _read_failure(exc) and (left is None or left > 0.2):
                    continue
                raise RequestFailed(describe_transport_error(exc)) from None
            return HttpResult(int(response.status), bytes(body or b""), dict(response.headers or {}))
        raise AssertionError("unreachable")  # pragma: no cover

    def version(
        self, timeout: float | None = None, deadline_at: float | None = None
    ) -> tuple[str, datetime | None]:
        """(gitVersion, the server's clock from the Date header). Raises ApiUnreachableError when there is
        no answer, SourceError when the answer is not the Kubernetes API."""
        try:
            result = self.get("/version", timeout=timeout, deadline_at=deadline_at)
        except RequestFailed as exc:
            raise ApiUnreachableError(
                f"cannot reach the Kubernetes API at {self.server}: {exc.why}"
            ) from None
        if result.status == 401:
            raise SourceError(
                f"the Kubernetes API at {self.server} rejected the credentials of context "
                f"{self.context!r} (401 Unauthorized)"
            )
        if result.status != 200:
            raise SourceError(
                f"the Kubernetes API at {self.server} answered /version with HTTP {result.status}: "
                f"{result.message()}"
            )
        try:
            data = result.json()
            git_version = str(data.get("gitVersion", ""))
        except (ValueError, AttributeError):
            raise SourceError(
                f"{self.server} does not look like a Kubernetes API server (/version is not JSON)"
            ) from None
        server_time: datetime | None = None
        date = result.headers.get("Date") or result.headers.get("date")
        if date:
            try:
                server_time = email.utils.parsedate_to_datetime(date)
            except (TypeError, ValueError):
                server_time = None
        return git_version, server_time

    def close(self) -> None:
        self.api_client.close()


# -- discovery -------------------------------------------------------------------------------------------------
class Resolved(msgspec.Struct, frozen=True):
    """Where a group-kind is listed on this server."""

    gk: str
    kind: str
    group: str
    version: str
    plural: str
    namespaced: bool

    @property
    def resource_name(self) -> str:
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def path(self) -> str:
        prefix = f"/apis/{self.group}/{self.version}" if self.group else "/api/v1"
        return f"{prefix}/{self.plural}"


def resource_label(gk: str) -> str:
    info = kinds.info_for(gk)
    if info is not None:
        return info.resource_name
    from homelabctl.live.discovery import guess_plural

    kind, _, group = gk.partition(".")
    return f"{guess_plural(kind)}.{group}" if group else guess_plural(kind)


def _is_crd_group(gk: str) -> bool:
    info = kinds.info_for(gk)
    if info is not None:
        return info.crd
    group = gk.partition(".")[2]
    return bool(group) and not (
        group.endswith(".k8s.io") or group in ("apps", "batch", "autoscaling", "policy")
    )


def _remaining(deadline_at: float) -> float:
    return deadline_at - time.monotonic()


AGGREGATED_ACCEPT = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"

ResourceLists = dict[tuple[str, str], list[dict[str, Any]] | None]


def _is_aggregated(result: HttpResult) -> bool:
    content_type = result.headers.get("Content-Type") or result.headers.get("content-type") or ""
    return result.status == 200 and "as=APIGroupDiscoveryList" in content_type


def _parse_aggregated(data: Mapping[str, Any], groups: dict[str, list[str]], lists: ResourceLists) -> None:
    """apidiscovery.k8s.io/v2: groups in preference order, each with its versions and their resources."""
    for item in data.get("items") or []:
        name = k8s_meta.name(item)
        versions: list[str] = []
        for entry in item.get("versions") or []:
            version = str(entry.get("version", ""))
            versions.append(version)
            lists[(name, version)] = [
                {
                    "name": r.get("resource"),
                    "kind": (r.get("responseKind") or {}).get("kind"),
                    "namespaced": r.get("scope") == "Namespaced",
                    "verbs": r.get("verbs") or [],
                }
                for r in entry.get("resources") or []
            ]
        if versions:
            groups[name] = versions


def _check_discovery(client: Client, result: HttpResult) -> None:
    if result.status == 401:
        raise SourceError(
            f"the Kubernetes API at {client.server} rejected the credentials of context "
            f"{client.context!r} (401 Unauthorized)"
        )
    if result.status != 200:
        raise SourceError(
            f"cannot read API discovery from {client.server}: HTTP {result.status} {result.message()}"
        )


def discover(
    client: Client,
    gks: Sequence[str],
    deadline_at: float,
) -> tuple[dict[str, Resolved], dict[str, KindStatus]]:
    """Resolve each group-kind to a served group/version/resource with as few requests as possible.

    Aggregated discovery (``/api`` and ``/apis`` as ``APIGroupDiscoveryList``, Kubernetes 1.30+) names every
    resource in two requests. Older servers answer the legacy documents: ``/apis`` still says which groups
    exist, so a kind whose group is absent is "not installed" without any further request, and one resource
    list per candidate group-version follows, in parallel: the catalogue's version first, then its older
    versions, then whatever the group prefers.
    """
    from concurrent.futures import ThreadPoolExecutor

    def fetch(path: str, accept: str = "application/json") -> HttpResult:
        return client.get(path, accept=accept, deadline_at=deadline_at)

    statuses: dict[str, KindStatus] = {}
    resolved: dict[str, Resolved] = {}
    served_groups: dict[str, list[str]] = {}
    resource_lists: ResourceLists = {}
    with ThreadPoolExecutor(max_workers=8) as pool:
        try:
            core_future = pool.submit(fetch, "/api", AGGREGATED_ACCEPT)
            groups_result = pool.submit(fetch, "/apis", AGGREGATED_ACCEPT).result()
            core_result = core_future.result()
        except RequestFailed as exc:
            raise ApiUnreachableError(f"cannot read API discovery from {client.server}: {exc.why}") from None
        _check_discovery(client, groups_result)
        if _is_aggregated(groups_result):
            _parse_aggregated(groups_result.json(), served_groups, resource_lists)
        else:
            for group in groups_result.json().get("groups") or []:
                versions = [str(v.get("version")) for v in group.get("versions") or []]
                preferred = str(
                    (group.get("preferredVersion") or {}).get("version") or (versions[0] if versions else "")
                )
                served_groups[str(group.get("name"))] = [preferred] + [v for v in versions if v != preferred]
        if _is_aggregated(core_result):
            _parse_aggregated(core_result.json(), served_groups, resource_lists)
        served_groups.setdefault("", ["v1"])

        candidates: dict[str, list[str]] = {}
        for gk in gks:
            group = gk.partition(".")[2]
            if group not in served_groups:
                label = resource_label(gk)
                statuses[gk] = KindStatus(
                    "not_installed",
                    f"{label} not installed (no CRD)"
                    if _is_crd_group(gk)
                    else f"{label} is not served by the API server",
                )
                continue
            info = kinds.info_for(gk)
            wanted = [info.version, *info.old_versions] if info else []
            order = [v for v in wanted if v in served_groups[group]]
            order += [v for v in served_groups[group] if v not in order]
            candidates[gk] = order

        while candidates:
            needed = {(gk.partition(".")[2], versions[0]) for gk, versions in candidates.items()}
            needed -= set(resource_lists)
            paths = {gv: (f"/apis/{gv[0]}/{gv[1]}" if gv[0] else "/api/v1") for gv in needed}
            futures = {gv: pool.submit(fetch, path) for gv, path in paths.items()}
            for gv, future in futures.items():
                try:
                    result = future.result()
                except RequestFailed as exc:
                    raise ApiUnreachableError(
                        f"cannot read API discovery from {client.server}: {exc.why}"
                    ) from None
                resource_lists[gv] = (result.json().get("resources") or []) if result.status == 200 else None
            for gk in list(candidates):
                kind, _, group = gk.partition(".")
                version = candidates[gk].pop(0)
                for resource in resource_lists.get((group, version)) or []:
                    if resource.get("kind") == kind and "/" not in str(resource.get("name", "")):
                        if "list" not in (resource.get("verbs") or ["list"]):
                            statuses[gk] = KindStatus("error", f"{resource['name']} cannot be listed")
                        else:
                            resolved[gk] = Resolved(
                                gk,
                                kind,
                                group,
                                version,
                                str(resource["name"]),
                                bool(resource.get("namespaced")),
                            )
                        del candidates[gk]
                        break
                else:
                    if not candidates[gk]:
                        del candidates[gk]
                        label = resource_label(gk)
                        statuses[gk] = KindStatus(
                            "not_installed",
                            f"{label} not installed (no CRD)"
                            if _is_crd_group(gk)
                            else f"{label} is not served by the API server",
                        )
    return resolved, statuses


def connect(
    client: Client,
    gks: Sequence[str],
    deadline: float,
) -> tuple[str, datetime | None, dict[str, Resolved], dict[str, KindStatus], float]:
    """``/version`` and discovery side by side (they do not depend on each other; on a distant cluster that
    is one round trip saved). Returns (gitVersion, server time, resolved, statuses, deadline_at)."""
    from concurrent.futures import ThreadPoolExecutor

    deadline_at = time.monotonic() + deadline
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="homelabctl-discovery")
    try:
        discovery = pool.submit(discover, client, gks, deadline_at)
        server_version, server_time = client.version(deadline_at=deadline_at)
        resolved, statuses = discovery.result()
    finally:
        # when /version failed, discovery fails on its own timeout: nobody waits for it
        pool.shutdown(wait=False, cancel_futures=True)
    return server_version, server_time, resolved, statuses, deadline_at


# -- listing ---------------------------------------------------------------------------------------------------
class ListFailed(Exception):
    """A list that got an HTTP error, or no answer."""

    def __init__(self, status: KindStatus, expired: bool = False) -> None:
        super().__init__(status.reason)
        self.status = status
        self.expired = expired


def list_pages(
    client: Client, resolved: Resolved, deadline_at: float, page_size: int | None = None
) -> Iterator[list[dict[str, Any]]]:
    """Pages of items (each with kind and apiVersion set), following ``continue`` until the end.

    Raises :class:`ListFailed` with the kind's status: forbidden on 403, absent on 404, error otherwise;
    ``expired`` is set when a continue token expired mid-list (410) and the list should start over.
    """
    token = ""
    label = resolved.resource_name
    while True:
        remaining = _remaining(deadline_at)
        if remaining <= 0:
            raise ListFailed(KindStatus("error", f"{label} not read before the deadline"))
        query = [("limit", str(page_size or PAGE_SIZE))] + ([("continue", token)] if token else [])
        try:
            result = client.get(resolved.path, query, deadline_at=deadline_at)
        except RequestFailed as exc:
            raise ListFailed(KindStatus("error", f"cannot list {label}: {exc.why}")) from None
        if result.status == 403:
            raise ListFailed(KindStatus("forbidden", f"forbidden: cannot list {label}"))
        if result.status == 404:
            raise ListFailed(KindStatus("absent", f"{label}: {result.message()}"))
        if result.status == 410 and token:
            raise ListFailed(
                KindStatus("error", f"cannot list {label}: continue token expired"), expired=True
            )
        if result.status != 200:
            raise ListFailed(
                KindStatus("error", f"cannot list {label}: HTTP {result.status} {result.message()}")
            )
        try:
            data = result.json()
        except ValueError:
            raise ListFailed(KindStatus("error", f"cannot list {label}: the answer is not JSON")) from None
        api_version = str(data.get("apiVersion") or resolved.api_version)
        items = data.get("items") or []
        for item in items:
            # list items of built-in kinds carry no kind/apiVersion; custom resources keep their own
            if "kind" not in item:
                item["kind"] = resolved.kind
            if "apiVersion" not in item:
                item["apiVersion"] = api_version
        yield items
        token = revisions.continue_token(data)
        if not token:
            return
