"""Security readings: which Services are admin UIs without a login, which are auth proxies, and how an
oauth2-proxy deployment is configured (flags, environment, config file, referenced Secrets).

oauth2-proxy reads each option from a flag, else from ``OAUTH2_PROXY_<OPTION>`` in the environment, else
from its config file; the readers below follow that order so the value reported is the one it uses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlparse

import msgspec

from homelabctl import kinds
from homelabctl.k8s import meta, pod_lookup, pods, services
from homelabctl.k8s.memo import remembered
from homelabctl.knowledge.admin_uis import (
    ADMIN_UIS,
    ALL_UI_IMAGES,
    ALL_UI_LABELS,
    AUTH_PROXY_IMAGES,
    AUTH_PROXY_LABELS,
    LABEL_KEYS,
    AdminUI,
    is_auth_proxy,
    is_auth_proxy_pod_name,
    may_be_ui_service_name,
)
from homelabctl.kube import pod_template_spec, pods_of
from homelabctl.lazyre import LazyPattern
from homelabctl.model import Resource
from homelabctl.redact import is_marker, marker_lengths, plain_value_lengths
from homelabctl.sources.index import ClusterIndex


def pod_images(pod_spec: Mapping[str, Any]) -> tuple[str, ...]:
    return pods.images(pod_spec)


def service_pods(index: ClusterIndex, svc: Resource) -> list[Resource]:
    selector = services.selector(svc)
    if selector is None or selector.empty:
        return []
    return index.select(kinds.POD, svc.namespace, selector)


class Identified(msgspec.Struct, frozen=True):
    ui: AdminUI | None
    reason: str
    auth_proxy: bool = False


def identify_backend(
    index: ClusterIndex,
    namespace: str,
    name: str,
    port: object,
    services_readable: bool,
    sign_namespaces: frozenset[str | None] | None = None,
) -> Identified:
    """What a route's backend Service serves: an admin UI (and how we know), an auth proxy, or neither.
    ``sign_namespaces``: :func:`ui_sign_namespaces` of the index, for a caller asking of every backend."""
    svc = index.get(kinds.SERVICE, namespace, name) if services_readable else None
    # a Service selects pods of its own namespace: where none shows a sign of a UI or an auth proxy, its pods
    # cannot change the answer, and are not looked up
    pods: list[Resource] = []
    if svc is not None:
        if sign_namespaces is None:
            sign_namespaces = ui_sign_namespaces(index)
        if svc.namespace in sign_namespaces:
            pods = service_pods(index, svc)
    if not pods and _plain_service(svc.labels if svc is not None else {}, name):
        return _NEITHER
    if is_auth_proxy(svc.labels if svc is not None else {}, (), name) or any(
        is_auth_proxy(p.labels, pod_images(p.spec), p.name) for p in pods
    ):
        return Identified(None, "auth proxy", auth_proxy=True)
    # read each pod's labels and images once, not once per admin UI
    pod_facts = [([(key, pod.labels.get(key)) for key in LABEL_KEYS], pod_images(pod.spec)) for pod in pods]
    svc_labels = [(key, svc.labels.get(key)) for key in LABEL_KEYS] if svc is not None else []
    if not _may_be_admin_ui(pod_facts, svc_labels, name):
        return Identified(None, "")
    sp = services.port(svc, port) if svc is not None else None
    port_number: object = sp.port if sp is not None else port
    port_name = sp.name if sp is not None else ""
    target_port = sp.target_port if sp is not None else None
    for ui in ADMIN_UIS:
        if not ui.serves_port(port_number, target_port, port_name):
            continue
        reason = _match_reason(ui, svc is not None, pod_facts, svc_labels, name)
        if reason:
            return Identified(ui, reason)
    return Identified(None, "")


_ALL_UI_LABELS = ALL_UI_LABELS
_NEITHER = Identified(None, "")
_SIGN_LABELS = ALL_UI_LABELS | AUTH_PROXY_LABELS


def _plain_service(labels: Mapping[str, str], name: str) -> bool:
    """A backend with no pods to read whose Service shows no sign of an admin UI or an auth proxy (labels,
    name): what the full reading below concludes for it, decided in one pass (most backends of a cluster)."""
    for key in LABEL_KEYS:
        if labels.get(key) in _SIGN_LABELS:
            return False
    return not is_auth_proxy_pod_name(name) and not may_be_ui_service_name(name)


_ALL_UI_IMAGES = ALL_UI_IMAGES


def ui_sign_namespaces(index: ClusterIndex) -> frozenset[str | None]:
    """Namespaces holding a pod with a sign of an admin UI or an auth proxy (a label, an image, or an auth
    proxy's pod name), once per index and run (k8s.memo)."""
    return remembered("security.sign_namespaces", index, lambda: _read_sign_namespaces(index))


def _read_sign_namespaces(index: ClusterIndex) -> frozenset[str | None]:
    signs = pod_lookup.showing(
        index, LABEL_KEYS, ALL_UI_LABELS | AUTH_PROXY_LABELS, ALL_UI_IMAGES + AUTH_PROXY_IMAGES
    )
    found = {pod.namespace for pod in pod_lookup.in_index_order(index, signs)}
    found.update(pod.namespace for pod in index.all(kinds.POD) if is_auth_proxy_pod_name(pod.name))
    return frozenset(found)


def _may_be_admin_ui(
    pod_facts: Sequence[tuple[list[tuple[str, str | None]], Sequence[str]]],
    svc_labels: Sequence[tuple[str, str | None]],
    name: str,
) -> bool:
    """One pass over the union of every UI's signs, so ordinary app backends cost one check, not seven."""
    for labels, images in pod_facts:
        if any(value in _ALL_UI_LABELS for _, value in labels):
            return True
        if any(fragment in image for image in images for fragment in _ALL_UI_IMAGES):
            return True
    if any(value in _ALL_UI_LABELS for _, value in svc_labels):
        return True
    return may_be_ui_service_name(name)


def _match_reason(
    ui: AdminUI,
    svc_found: bool,
    pod_facts: Sequence[tuple[list[tuple[str, str | None]], Sequence[str]]],
    svc_labels: Sequence[tuple[str, str | None]],
    name: str,
) -> str:
    for labels, images in pod_facts:
        for key, value in labels:
            if value in ui.labels:
                return f"its pods are labelled {key}={value}"
        for image in images:
            if any(fragment in image for fragment in ui.images):
                return f"its pods run {image}"
    for key, value in svc_labels:
        if value in ui.labels:
            return f"the Service is labelled {key}={value}"
    if ui.service_re.search(name):
        return "by the Service's name" + ("" if svc_found else " (Service not in the snapshot)")
    return ""


# -- oauth2-proxy --------------------------------------------------------------------------------------------

O2P_COOKIE_RE = LazyPattern(
    r"cookie_secret must be 16, 24, or 32 bytes to create an AES cipher, but is (\d+) bytes"
)
O2P_ISSUER_RE = LazyPattern(
    r'issuer did not match the issuer returned by provider, expected "([^"]*)" got "([^"]*)"'
)
VALID_COOKIE_LENGTHS = (16, 24, 32)


_O2P_IMAGE = "oauth2-proxy"


def is_oauth2_proxy_container(container: Mapping[str, Any]) -> bool:
    return _O2P_IMAGE in str(container.get("image") or "")


def oauth2_proxy_container(pod_spec: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for container in pod_spec.get("containers") or []:
        if is_oauth2_proxy_container(container):
            found: Mapping[str, Any] = container
            return found
    return None


def parse_flags(args: Sequence[object]) -> dict[str, str]:
    """``--name=value`` and ``--name value`` flags (Go's flag syntax), last one wins."""
    flags: dict[str, str] = {}
    items = [str(a) for a in args]
    i = 0
    while i < len(items):
        item = items[i]
        if item.startswith("-"):
            name, eq, value = item.lstrip("-").partition("=")
            if not eq and i + 1 < len(items) and not items[i + 1].startswith("-"):
                value = items[i + 1]
                i += 1
            elif not eq:
                value = "true"
            flags[name] = value
        i += 1
    return flags


_CFG_LINE_RE = LazyPattern(r"^\s*([a-z0-9_]+)\s*=\s*(.+?)\s*$")


def parse_config_file(text: str) -> dict[str, str]:
    """The TOML-ish ``oauth2_proxy.cfg`` the Helm chart mounts: ``key = "value"`` lines (lists kept raw)."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        match = _CFG_LINE_RE.match(line)
        if not match or line.lstrip().startswith("#"):
            continue
        key, raw = match.groups()
        values[key] = raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'" else raw
    return values


class OptionValue(msgspec.Struct):
    """Where an oauth2-proxy option comes from and, for plain options, its value."""

    source: str
    value: str | None = None
    secret_lengths: tuple[int, int] | None = None
    """(byte length, oauth2-proxy effective length) for secret values, read from the redaction marker."""
    problem: str = ""


class OAuth2ProxyConfig(msgspec.Struct):
    options: dict[str, OptionValue] = msgspec.field(default_factory=dict)

    def get(self, name: str) -> OptionValue | None:
        return self.options.get(name)

    def value(self, name: str) -> str | None:
        option = self.options.get(name)
        return option.value if option else None


def _lengths(value: str) -> tuple[int, int]:
    lengths = marker_lengths(value)
    return lengths if lengths is not None else plain_value_lengths(value)


def read_oauth2_proxy_config(
    index: ClusterIndex,
    namespace: str,
    pod_spec: Mapping[str, Any],
    *,
    secrets_readable: bool,
    configmaps_readable: bool,
) -> OAuth2ProxyConfig:
    """The options oauth2-proxy ends up with: flags, then ``OAUTH2_PROXY_*`` env, then the config file."""
    config = OAuth2ProxyConfig()
    container = oauth2_proxy_container(pod_spec)
    if container is None:
        return config
    flags = parse_flags([*(container.get("command") or [])[1:], *(container.get("args") or [])])
    cfg_path = flags.get("config", "")
    if cfg_path:
        for key, value in _config_file(
            index, namespace, pod_spec, container, cfg_path, configmaps_readable
        ).items():
            option = key.replace("_", "-")
            if key == "cookie_secret":
                config.options[option] = OptionValue(
                    f"config file {cfg_path} ({key})", secret_lengths=_lengths(value)
                )
            else:
                config.options[option] = OptionValue(f"config file {cfg_path} ({key})", value=value)
    for env in container.get("env") or []:
        name = str(env.get("name") or "")
        if not name.startswith("OAUTH2_PROXY_"):
            continue
        option = name.removeprefix("OAUTH2_PROXY_").lower().replace("_", "-")
        config.options[option] = _env_option(index, namespace, env, secrets_readable)
    for name, value in flags.items():
        if name == "cookie-secret":
            config.options[name] = OptionValue(f"flag --{name}", secret_lengths=_lengths(value))
        else:
            config.options[name] = OptionValue(f"flag --{name}", value=value)
    return config


def _env_option(
    index: ClusterIndex, namespace: str, env: Mapping[str, Any], secrets_readable: bool
) -> OptionValue:
    name = str(env.get("name"))
    if "value" in env:
        value = str(env.get("value") or "")
        if is_marker(value) or "SECRET" in name:
            return OptionValue(f"env {name}", secret_lengths=_lengths(value))
        return OptionValue(f"env {name}", value=value)
    ref = (env.get("valueFrom") or {}).get("secretKeyRef") or {}
    if ref:
        source = f"env {name} from Secret {namespace}/{ref.get('name')} key {ref.get('key')}"
        if not secrets_readable:
            return OptionValue(source, problem="Secrets are not in the snapshot")
        secret = index.get(kinds.SECRET, namespace, str(ref.get("name", "")))
        if secret is None:
            return OptionValue(source, problem=f"Secret {namespace}/{ref.get('name')} does not exist")
        data = meta.secret_value(secret, str(ref.get("key", "")))
        if data is None:
            return OptionValue(
                source, problem=f"Secret {namespace}/{ref.get('name')} has no key {ref.get('key')}"
            )
        lengths = marker_lengths(data)
        return OptionValue(source, secret_lengths=lengths, problem="" if lengths else "value not readable")
    cm_ref = (env.get("valueFrom") or {}).get("configMapKeyRef") or {}
    if cm_ref:
        cm = index.get(kinds.CONFIGMAP, namespace, str(cm_ref.get("name", "")))
        cm_value = cm.data.get(str(cm_ref.get("key", ""))) if cm is not None else None
        return OptionValue(
            f"env {name} from ConfigMap {namespace}/{cm_ref.get('name')}",
            value=str(cm_value) if cm_value is not None and not is_marker(cm_value) else None,
        )
    return OptionValue(f"env {name}")


def _config_file(
    index: ClusterIndex,
    namespace: str,
    pod_spec: Mapping[str, Any],
    container: Mapping[str, Any],
    path: str,
    configmaps_readable: bool,
) -> dict[str, str]:
    if not configmaps_readable:
        return {}
    for mount in container.get("volumeMounts") or []:
        mount_path = str(mount.get("mountPath") or "")
        sub_path = str(mount.get("subPath") or "")
        if sub_path and mount_path == path:
            key = sub_path
        elif not sub_path and path.startswith(mount_path.rstrip("/") + "/"):
            key = path[len(mount_path.rstrip("/")) + 1 :]
        else:
            continue
        for volume in pod_spec.get("volumes") or []:
            if volume.get("name") != mount.get("name"):
                continue
            cm_name = (volume.get("configMap") or {}).get("name")
            cm = index.get(kinds.CONFIGMAP, namespace, str(cm_name)) if cm_name else None
            text = cm.data.get(key) if cm is not None else None
            if isinstance(text, str) and not is_marker(text):
                return parse_config_file(text)
    return {}


def is_authentik_issuer(url: str) -> bool:
    parsed = urlparse(url)
    return "/application/o/" in parsed.path or "authentik" in parsed.netloc


class OAuth2ProxyDeployment(msgspec.Struct):
    """An oauth2-proxy instance: its top owner (or bare pod), pod spec and current pods."""

    owner: Resource
    pod_spec: Mapping[str, Any]
    pods: list[Resource]


def oauth2_proxy_deployments(index: ClusterIndex) -> list[OAuth2ProxyDeployment]:
    """Every oauth2-proxy, from its Deployment (or other owner) when present, else from its pods. Once per
    index and run (k8s.memo): two checks ask."""
    return remembered("security.oauth2_proxy_deployments", index, lambda: _oauth2_proxy_deployments(index))


def _oauth2_proxy_deployments(index: ClusterIndex) -> list[OAuth2ProxyDeployment]:
    found: dict[tuple[str, str, str], OAuth2ProxyDeployment] = {}
    for gk in (kinds.DEPLOYMENT, kinds.STATEFULSET, kinds.DAEMONSET):
        for workload in index.all(gk):
            spec = pod_template_spec(workload)
            if oauth2_proxy_container(spec) is not None:
                found[(workload.kind, workload.namespace or "", workload.name)] = OAuth2ProxyDeployment(
                    workload, spec, [p for p in pods_of(index, workload) if not p.deletion_timestamp]
                )
    # the pods running an oauth2-proxy image, looked up among the cluster's images (k8s.pod_lookup)
    for pod in pod_lookup.in_index_order(index, pod_lookup.showing(index, (), (), (_O2P_IMAGE,))):
        if pod.deletion_timestamp or oauth2_proxy_container(pod.spec) is None:
            continue
        top = index.top_owner(pod)
        key = (top.kind, top.namespace or "", top.name)
        if key not in found:
            found[key] = OAuth2ProxyDeployment(
                top, pod.spec if top is pod else pod_template_spec(top) or pod.spec, []
            )
        if pod not in found[key].pods:
            found[key].pods.append(pod)
    return [found[key] for key in sorted(found)]


def upstream_hosts(upstreams: str) -> list[str]:
    """Hosts of oauth2-proxy's ``--upstream`` values (comma-separated or a TOML list)."""
    hosts = []
    for raw in re.split(r"[,\[\]\s\"']+", upstreams):
        if "://" in raw:
            host = urlparse(raw).hostname
            if host:
                hosts.append(host)
    return hosts
