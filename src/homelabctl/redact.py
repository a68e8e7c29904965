"""Secret values leave no trace: every object is passed through here as it is loaded or captured.

A redacted value becomes a marker that keeps what checks need (byte length, the length oauth2-proxy would
use as its cookie secret) and nothing that could be turned back into the value.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

MARKER_PREFIX = "homelabctl-redacted:"
_MARKER_RE = re.compile(r"^homelabctl-redacted:len=(\d+);o2p=(\d+)$")

SENSITIVE_KEY_RE = re.compile(
    r"(pass(word|wd)?|secret|token|api[_-]?key|apikey|private[_-]?key|credential|auth[_-]?key|"
    r"access[_-]?key|client[_-]?secret|cookie[_-]?secret|\.pem$|\.key$|htpasswd|dsn|connection[_-]?string|"
    r"(^|[_.-])key$)",
    re.IGNORECASE,
)
PRIVATE_KEY_RE = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
SENSITIVE_ARG_RE = re.compile(
    r"^(--?[a-z0-9-]*(secret|password|token|api-key|credential)[a-z0-9-]*=)(.+)$", re.IGNORECASE
)
SENSITIVE_FLAG_RE = re.compile(r"^--?[a-z0-9-]*(secret|password|token|api-key|credential)[a-z0-9-]*$", re.IGNORECASE)
"""A flag whose value is the next argument: ``["--cookie-secret", "VALUE"]``."""
URL_CREDENTIALS_RE = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<password>[^@/\s]+)@")
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
POD_TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"}


def oauth2_proxy_secret_length(value: bytes) -> int:
    """The length oauth2-proxy's SecretBytes() yields: base64 (raw URL alphabet) decoded if that gives an
    AES key size, else the raw bytes. Standard-alphabet base64 with ``+`` or ``/`` does not decode."""
    try:
        text = value.decode("ascii").rstrip("=")
        decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        if "+" not in text and "/" not in text and len(decoded) in (16, 24, 32):
            return len(decoded)
    except (UnicodeDecodeError, binascii.Error, ValueError):
        pass
    return len(value)


def mask_url_credentials(text: str) -> str:
    """``postgres://app:PW@db:5432`` → the password becomes a marker; user and host stay readable."""
    if "://" not in text or "@" not in text:
        return text
    return URL_CREDENTIALS_RE.sub(
        lambda m: f"{m.group('scheme')}{m.group('user')}:{marker_for(m.group('password').encode())}@", text)


def marker_for(value: bytes) -> str:
    return f"{MARKER_PREFIX}len={len(value)};o2p={oauth2_proxy_secret_length(value)}"


def is_marker(value: object) -> bool:
    return isinstance(value, str) and value.startswith(MARKER_PREFIX)


def marker_lengths(value: object) -> tuple[int, int] | None:
    """(byte length, oauth2-proxy effective length) of a redacted value, or None if it is not a marker."""
    if not isinstance(value, str):
        return None
    match = _MARKER_RE.match(value)
    if not match:
        return None
    return int(match.group(1)), int(match.group(2))


def plain_value_lengths(value: str) -> tuple[int, int]:
    raw = value.encode()
    return len(raw), oauth2_proxy_secret_length(raw)


def _decode_b64(value: object) -> bytes:
    if not isinstance(value, str):
        return str(value).encode()
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return value.encode()


def redact_secret(raw: dict[str, Any]) -> None:
    """In place: ``data`` values (base64) and ``stringData`` values (plain) become markers."""
    data = raw.get("data")
    if isinstance(data, dict):
        for key, value in list(data.items()):
            if not is_marker(value):
                decoded = _decode_b64(value)
                # a served snapshot sends its markers base64-encoded, as the API sends every Secret value
                marker = decoded.decode("ascii", "replace")
                data[key] = marker if marker_lengths(marker) is not None else marker_for(decoded)
    string_data = raw.get("stringData")
    if isinstance(string_data, dict):
        for key, value in list(string_data.items()):
            if not is_marker(value):
                string_data[key] = marker_for(str(value).encode())
    _drop_last_applied(raw)


def _drop_last_applied(raw: dict[str, Any]) -> None:
    meta = raw.get("metadata")
    if isinstance(meta, dict):
        annotations = meta.get("annotations")
        if isinstance(annotations, dict) and LAST_APPLIED in annotations:
            annotations[LAST_APPLIED] = MARKER_PREFIX + "last-applied-configuration"


def value_is_sensitive(key: str, value: object) -> bool:
    if isinstance(value, str) and PRIVATE_KEY_RE.search(value):
        return True
    return bool(SENSITIVE_KEY_RE.search(key)) and isinstance(value, str | int | float) and value != ""


# ``cookie_secret = "..."`` in oauth2_proxy.cfg, ``password: ...`` in an app's config.yaml, ``TOKEN=...`` in .env
_ASSIGNMENT_RE = re.compile(
    r"^(?P<lead>[ \t]*[\"']?(?P<key>[A-Za-z0-9_.-]+)[\"']?[ \t]*[:=][ \t]*)(?P<quote>[\"']?)"
    r"(?P<value>[^\"'\s#][^\"'#\n]*?)(?P=quote)(?P<tail>[ \t]*,?[ \t]*(#[^\n]*)?)$",
    re.MULTILINE,
)


def redact_text(text: str) -> str:
    """Mask values of sensitive-looking assignments inside embedded config files."""

    def replace(match: re.Match[str]) -> str:
        if not SENSITIVE_KEY_RE.search(match.group("key")) or is_marker(match.group("value")):
            return match.group(0)
        quote = match.group("quote")
        return f"{match.group('lead')}{quote}{marker_for(match.group('value').encode())}{quote}{match.group('tail')}"

    if PRIVATE_KEY_RE.search(text):
        return marker_for(text.encode())
    text = mask_url_credentials(text)
    if not SENSITIVE_KEY_RE.search(text):  # the common case: a config file with nothing secret in it
        return text
    return _ASSIGNMENT_RE.sub(replace, text)


def redact_configmap(raw: dict[str, Any]) -> None:
    for field in ("data", "binaryData"):
        data = raw.get(field)
        if isinstance(data, dict):
            for key, value in list(data.items()):
                if is_marker(value):
                    continue
                if value_is_sensitive(str(key), value):
                    data[key] = marker_for(str(value).encode())
                elif isinstance(value, str) and "\n" in value:
                    data[key] = redact_text(value)
                elif isinstance(value, str):
                    data[key] = mask_url_credentials(value)
    _drop_last_applied(raw)


def redact_mapping(values: Any) -> None:
    """Recursively mask sensitive values in free-form data (HelmRelease ``spec.values``, Flux
    ``postBuild.substitute``): sensitive keys, ``{name: X_PASSWORD, value: ...}`` env entries, secret flags
    in argument lists, and passwords inside URLs."""
    if isinstance(values, dict):
        named = values.get("name")
        if isinstance(named, str) and "value" in values and not isinstance(values["value"], dict | list) \
                and value_is_sensitive(named, values["value"]) and not is_marker(values["value"]):
            values["value"] = marker_for(str(values["value"]).encode())
        for key, value in list(values.items()):
            if isinstance(value, dict | list):
                redact_mapping(value)
            elif value_is_sensitive(str(key), value) and not is_marker(value):
                values[key] = marker_for(str(value).encode())
            elif isinstance(value, str):
                values[key] = mask_url_credentials(value)
    elif isinstance(values, list):
        _redact_args(values)
        for item in values:
            if isinstance(item, dict | list):
                redact_mapping(item)


def _redact_args(args: list[Any]) -> None:
    """``--client-secret=X`` and ``--client-secret X`` alike; URLs with passwords anywhere."""
    for i, arg in enumerate(args):
        if not isinstance(arg, str):
            continue
        match = SENSITIVE_ARG_RE.match(arg)
        if match and not is_marker(match.group(3)):
            args[i] = match.group(1) + marker_for(match.group(3).encode())
        elif SENSITIVE_FLAG_RE.match(arg) and i + 1 < len(args) and isinstance(args[i + 1], str) \
                and not args[i + 1].startswith("-") and not is_marker(args[i + 1]):
            args[i + 1] = marker_for(args[i + 1].encode())
        else:
            args[i] = mask_url_credentials(arg)


def _redact_containers(pod_spec: Mapping[str, Any]) -> None:
    for field in ("containers", "initContainers", "ephemeralContainers"):
        containers = pod_spec.get(field)
        if not isinstance(containers, list):
            continue
        for container in containers:
            if not isinstance(container, dict):
                continue
            env_list = container.get("env")
            for env in env_list if isinstance(env_list, list) else []:
                if not isinstance(env, dict) or "value" not in env or is_marker(env["value"]):
                    continue
                if value_is_sensitive(str(env.get("name", "")), env["value"]):
                    env["value"] = marker_for(str(env["value"]).encode())
                elif isinstance(env["value"], str):
                    env["value"] = mask_url_credentials(env["value"])
            for arg_field in ("args", "command"):
                args = container.get(arg_field)
                if isinstance(args, list):
                    _redact_args(args)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def redact_object(raw: dict[str, Any]) -> dict[str, Any]:
    """Redact one object in place (and return it). Safe to call twice."""
    kind = raw.get("kind")
    if kind == "Secret":
        redact_secret(raw)
    elif kind == "ConfigMap":
        redact_configmap(raw)
    elif kind == "Pod":
        spec = raw.get("spec")
        if isinstance(spec, dict):
            _redact_containers(spec)
    elif kind in POD_TEMPLATE_KINDS or kind == "CronJob":
        spec = _dict(raw.get("spec"))
        if kind == "CronJob":
            spec = _dict(_dict(spec.get("jobTemplate")).get("spec"))
        template_spec = _dict(spec.get("template")).get("spec")
        if isinstance(template_spec, dict):
            _redact_containers(template_spec)
    elif kind == "HelmRelease":
        spec = raw.get("spec")
        if isinstance(spec, dict) and isinstance(spec.get("values"), dict):
            redact_mapping(spec["values"])
    elif kind == "Kustomization":
        post_build = _dict(raw.get("spec")).get("postBuild")
        if isinstance(post_build, dict) and isinstance(post_build.get("substitute"), dict):
            redact_mapping(post_build["substitute"])
    # kubectl apply keeps the whole object (env values, Helm values) in this annotation, for every kind
    _drop_last_applied(raw)
    return raw


def mask(value: str, keep: int = 4) -> str:
    """For reports that must point at a leaked value: ``ghp_****`` (never more than 4 characters shown)."""
    if len(value) <= keep * 2:
        return "*" * min(len(value), 8)
    return value[:keep] + "*" * 8
