"""Secret values leave no trace: every object is passed through here as it is loaded or captured (the
capture writes what this returns; the server serves what the loader kept, which went through here too).

A redacted value becomes a marker that keeps what checks need (byte length, the length oauth2-proxy would
use as its cookie secret) and nothing that could be turned back into the value.

By key (Secret data, sensitive ConfigMap keys, env values, Helm values) and by the shape of the value,
in every string of every object: credentials in URLs, ``Authorization: Bearer/Basic`` tokens,
``--password VALUE`` in commands, JSON/YAML/INI/env text embedded in a string (parsed and redacted by
key), private keys; and high-entropy values under any key of annotations and Secrets.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from homelabctl.k8s import shape
from homelabctl.k8s.slim import share_list, share_values
from homelabctl.lazyre import LazyPattern

MARKER_PREFIX = "homelabctl-redacted:"
_MARKER_PREFIX_BYTES = MARKER_PREFIX.encode()
_MARKER_RE = LazyPattern(r"^homelabctl-redacted:len=(\d+);o2p=(\d+)$")

SENSITIVE_KEY_RE = LazyPattern(
    r"(pass(word|wd)?|secret|token|api[_-]?key|apikey|private[_-]?key|credential|auth[_-]?key|"
    r"access[_-]?key|client[_-]?secret|cookie[_-]?secret|\.pem$|\.key$|htpasswd|dsn|connection[_-]?string|"
    r"(^|[_.-])key$)",
    re.IGNORECASE,
)
PRIVATE_KEY_RE = LazyPattern(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
SENSITIVE_ARG_RE = LazyPattern(
    r"^(--?[a-z0-9-]*(secret|password|token|api-key|credential)[a-z0-9-]*=)(.+)$", re.IGNORECASE
)
SENSITIVE_FLAG_RE = LazyPattern(
    r"^--?[a-z0-9-]*(secret|password|token|api-key|credential)[a-z0-9-]*$", re.IGNORECASE
)
"""A flag whose value is the next argument: ``["--cookie-secret", "VALUE"]``."""
URL_CREDENTIALS_RE = LazyPattern(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<password>[^@/\s]+)@"
)
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
POD_TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"}


_SHORTEST_AES_KEY_BASE64 = 22
"""Base64 of 16 bytes takes 22 characters (padding aside): a shorter value cannot decode to an AES key size,
so its length is its own without decoding it (most Secret values, and every marker's length, are measured)."""


def oauth2_proxy_secret_length(value: bytes) -> int:
    """The length oauth2-proxy's SecretBytes() yields: base64 (raw URL alphabet) decoded if that gives an
    AES key size, else the raw bytes. Standard-alphabet base64 with ``+`` or ``/`` does not decode."""
    if len(value) < _SHORTEST_AES_KEY_BASE64:
        return len(value)
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
        lambda m: f"{m.group('scheme')}{m.group('user')}:{marker_for(m.group('password').encode())}@", text
    )


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
                if decoded.startswith(_MARKER_PREFIX_BYTES):
                    marker = decoded.decode("ascii", "replace")
                    data[key] = marker if marker_lengths(marker) is not None else marker_for(decoded)
                else:
                    data[key] = marker_for(decoded)
    string_data = raw.get("stringData")
    if isinstance(string_data, dict):
        for key, value in list(string_data.items()):
            if not is_marker(value):
                string_data[key] = marker_for(str(value).encode())
    _drop_last_applied(raw)


def _drop_last_applied(raw: dict[str, Any]) -> None:
    meta = shape.value(raw, "metadata")
    if isinstance(meta, dict):
        _drop_last_applied_annotation(meta)


def _drop_last_applied_annotation(meta: dict[str, Any]) -> None:
    annotations = meta.get("annotations")
    if isinstance(annotations, dict) and LAST_APPLIED in annotations:
        annotations[LAST_APPLIED] = MARKER_PREFIX + "last-applied-configuration"


def value_is_sensitive(key: str, value: object) -> bool:
    # the literal first: PRIVATE_KEY_RE cannot match without it, and most values are long config text
    if isinstance(value, str) and "PRIVATE KEY-----" in value and PRIVATE_KEY_RE.search(value):
        return True
    return sensitive_key(key) and isinstance(value, str | int | float) and value != ""


@functools.lru_cache(maxsize=4096)
def sensitive_key(key: str) -> bool:
    """Whether a key names a secret (``SENSITIVE_KEY_RE``). Remembered: the same keys (annotation keys, env
    names, Helm value keys) come back on every object, and the case-insensitive pattern is slow."""
    return SENSITIVE_KEY_RE.search(key) is not None


# ``cookie_secret = "..."`` in oauth2_proxy.cfg, ``password: ...`` in an app's config.yaml, ``TOKEN=...`` in .env
_ASSIGNMENT_RE = LazyPattern(
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
                elif isinstance(value, str) and field == "data":
                    data[key] = redact_string(value)  # JSON, YAML, INI, .env, URLs, tokens inside
    _drop_last_applied(raw)


def redact_mapping(values: Any) -> None:
    """Recursively mask sensitive values in free-form data (HelmRelease ``spec.values``, Flux
    ``postBuild.substitute``): sensitive keys, ``{name: X_PASSWORD, value: ...}`` env entries, secret flags
    in argument lists, and passwords inside URLs."""
    if isinstance(values, dict):
        named = values.get("name")
        if (
            isinstance(named, str)
            and "value" in values
            and not isinstance(values["value"], dict | list)
            and value_is_sensitive(named, values["value"])
            and not is_marker(values["value"])
        ):
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
        elif (
            SENSITIVE_FLAG_RE.match(arg)
            and i + 1 < len(args)
            and isinstance(args[i + 1], str)
            and not args[i + 1].startswith("-")
            and not is_marker(args[i + 1])
        ):
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


def redact_object(
    raw: dict[str, Any], shared: dict[str, str] | None = None, free_text: bool | None = None
) -> dict[str, Any]:
    """Redact one object in place (and return it). Safe to call twice.

    ``shared`` (the loader's, see :func:`homelabctl.k8s.slim.share_values`): the strings of the sections
    walked here for free text (:func:`walks_free_text`) are shared on the same walk, not on a second one.
    ``free_text``: what :func:`walks_free_text` says of ``raw``, when the caller already asked."""
    meta, spec, status = shape.sections(raw)  # each read once: redaction changes values, not sections
    redact_sections(raw, raw.get("kind"), meta, spec, status, shared, free_text)
    return raw


def redact_sections(
    raw: dict[str, Any],
    kind: Any,
    meta: Any,
    spec: Any,
    status: Any,
    shared: dict[str, str] | None,
    free_text: bool | None,
) -> None:
    """:func:`redact_object`, given the object's ``kind`` and its ``metadata``, ``spec`` and ``status`` as
    found (the loader has read them already). (Hot: every object loaded; ``type(x) is dict`` answers the
    common case before the ``isinstance`` that also admits a subclass.)"""
    if kind == "Secret":
        redact_secret(raw)
    elif kind == "ConfigMap":
        redact_configmap(raw)
    elif kind == "Pod":
        if type(spec) is dict or isinstance(spec, dict):
            _redact_containers(spec)
    elif kind in POD_TEMPLATE_KINDS or kind == "CronJob":
        template_spec = shape.pod_template_spec(raw)
        if isinstance(template_spec, dict):
            _redact_containers(template_spec)
    elif kind == "HelmRelease":
        if isinstance(spec, dict) and isinstance(spec.get("values"), dict):
            redact_mapping(spec["values"])
    elif kind == "Kustomization":
        post_build = _dict(spec).get("postBuild")
        if isinstance(post_build, dict) and isinstance(post_build.get("substitute"), dict):
            redact_mapping(post_build["substitute"])
    # the annotations (see _redact_annotations; the template's, then the object's own, read once), and the one
    # kubectl apply keeps the whole object in (env values, Helm values), for every kind: the two passes touch
    # different keys, so their order does not matter
    if type(kind) is not str:
        _redact_template_annotations(raw, kind)
    elif kind in POD_TEMPLATE_KINDS:
        template = spec.get("template") if isinstance(spec, dict) else None
        if isinstance(template, dict):
            _redact_annotations(template, secret=False)
    if (type(meta) is dict or isinstance(meta, dict)) and ("annotations" in meta or kind == "Secret"):
        _drop_last_applied_annotation(meta)
        _redact_metadata_values(meta, kind == "Secret")
    _redact_by_shape(raw, kind, spec, status, shared, free_text)


FREE_TEXT_SECTIONS = ("spec", "data")
"""The sections :func:`walks_free_text` objects have every string of walked."""


def walks_free_text(raw: dict[str, Any]) -> bool:
    """Whether every string of the object's ``spec`` and ``data`` is read for secrets: workloads and pods
    (commands, args, probes) and custom resources (Helm values, backup targets...)."""
    return kind_walks_free_text(raw.get("kind"), raw.get("apiVersion"))


def kind_walks_free_text(kind: Any, api_version: Any) -> bool:
    """:func:`walks_free_text`, from an object's ``kind`` and ``apiVersion`` as found."""
    if type(kind) is not str or type(api_version) is not str:
        return _walks_free_text(kind, api_version)
    known = _FREE_TEXT_KINDS.get((kind, api_version))
    if known is None:
        known = _walks_free_text(kind, api_version)
        if len(_FREE_TEXT_KINDS) < 1024:  # the answer per kind and version, bounded
            _FREE_TEXT_KINDS[(kind, api_version)] = known
    return known


_FREE_TEXT_KINDS: dict[tuple[str, str], bool] = {}


def _walks_free_text(kind: Any, api_version: Any) -> bool:
    if kind in POD_TEMPLATE_KINDS or kind in ("Pod", "CronJob"):
        return True
    group = api_version.rpartition("/")[0] if isinstance(api_version, str) else ""
    return kind != "Event" and not ("." not in group or group.endswith(".k8s.io"))


def _redact_by_shape(
    raw: dict[str, Any],
    kind: Any,
    spec: Any,
    status: Any,
    shared: dict[str, str] | None,
    free_text: bool | None,
) -> None:
    """Where free-form strings live: workload specs (commands, args, probes), custom resources' specs (Helm
    values, backup targets...), Event messages and condition messages. Object identity is never touched.
    ``spec`` and ``status``: the object's, as found."""
    if kind == "Event":
        for field in ("message", "note"):
            if isinstance(raw.get(field), str):
                raw[field] = redact_string(raw[field])
    elif walks_free_text(raw) if free_text is None else free_text:
        # FREE_TEXT_SECTIONS, in their order: spec, then data (_redact_strings walks exact dicts and lists)
        if type(spec) is dict or type(spec) is list:
            _redact_strings(spec, shared=shared)
        data = raw.get("data")
        if type(data) is dict or type(data) is list:
            _redact_strings(data, shared=shared)
    if type(status) is not dict and not isinstance(status, dict):
        return
    conditions = status.get("conditions")
    if type(conditions) is not list and not isinstance(conditions, list):
        return
    for condition in conditions:
        if type(condition) is dict or isinstance(condition, dict):
            message = condition.get("message")
            # redact_string inlined: every condition of every object comes here
            if isinstance(message, str) and len(message) >= 8 and not message.startswith(MARKER_PREFIX):
                condition["message"] = _redact_string(message)


# -- by the shape of the value, in every string ---------------------------------------------------------------
_BEARER_RE = LazyPattern(r"(?i)\b(bearer|basic|token)(\s+)([A-Za-z0-9._~+/=-]{8,})")
"""``Authorization: Bearer eyJ...``, ``Basic dXNlcjpwYXNz``, ``Authorization: token ghp_...``."""
_FLAG_IN_TEXT_RE = LazyPattern(
    r"(?i)(--?[a-z0-9-]*(?:secret|password|passwd|token|api-?key|credential|private-key|access-key)[a-z0-9-]*)"
    r"(=|[ \t]+)(\"[^\"]*\"|'[^']*'|[^\s\"'-][^\s\"']*)"
)
"""``--password hunter2`` and ``--token=abc`` inside a shell command string."""
_KNOWN_TOKEN_RE = LazyPattern(
    r"\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}|"
    r"xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|sk-[A-Za-z0-9_-]{20,})"
)
"""Tokens whose format says what they are (GitHub, GitLab, Slack, AWS, OpenAI-style keys), wherever they are."""
_ANCHOR_RE = LazyPattern(
    r"p(?:ass|em)|s(?:ecret|k-)|token|key|c(?:redential|ookie|onnection)|a(?:uth|kia)|dsn|b(?:earer|asic)|"
    r"-----begin|g(?:h[pousr]_|ithub_pat_|lpat-)|xox|@"
)
"""Every shape redact_string masks contains one of these (lowercased; ``htpasswd`` contains ``pass``), a URL
with '@', or is JSON (see :func:`_has_anchor`). Literals only, grouped by their first letter: the regex
engine then skips the positions no literal starts at, which it cannot do once an anchored branch such as
JSON's leading bracket is among them (~2x faster on a message of a few dozen characters)."""


def _has_anchor(lowered: str) -> bool:
    """Whether lowercased text holds an :data:`_ANCHOR_RE` literal or opens like JSON (``[`` or ``{``
    after leading white space)."""
    return _ANCHOR_RE.search(lowered) is not None or lowered.lstrip().startswith(("[", "{"))


_EMBEDDED_MAX = 1024 * 1024


def _entropy(text: str) -> float:
    counts: dict[str, int] = {}
    for char in text:
        counts[char] = counts.get(char, 0) + 1
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


_TOKEN_SHAPE_RE = LazyPattern(r"^[A-Za-z0-9+/=_.~:-]{20,}$")
_NOT_SECRET_RE = LazyPattern(
    r"^(\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:?\d\d)?|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|"
    r"[a-z0-9.-]+\.[a-z]{2,}(:\d+)?|v?\d+(\.\d+)*([+-][A-Za-z0-9.-]+)?)$"
)


def looks_like_a_secret(value: str) -> bool:
    """A token-shaped string (no spaces, 20+ characters) with the entropy of random data: an API key, a
    password, a private token. Timestamps, UUIDs, host names and versions are not."""
    if not _TOKEN_SHAPE_RE.match(value) or _NOT_SECRET_RE.match(value) or is_marker(value):
        return False
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"\d"))
    return classes >= 2 and _entropy(value) >= (3.5 if len(value) < 32 else 3.8)


def redact_string(text: str) -> str:
    """Every shape of secret a free-form string can hold, masked; the rest of the text kept."""
    if len(text) < 8 or is_marker(text):
        return text
    return _redact_string(text)


@functools.lru_cache(maxsize=16384)
def _redact_string(text: str) -> str:
    # cached: replicas, ReplicaSets and their Deployment repeat the same commands and messages
    # the common case, fast: no anchor of any shape below
    if not _has_anchor(text.lower()):  # lowercased: a case-insensitive pattern is 4x slower
        return text
    if PRIVATE_KEY_RE.search(text):
        return marker_for(text.encode())
    stripped = text.strip()
    if stripped[:1] in ("{", "[") and stripped[-1:] in ("}", "]") and len(stripped) <= _EMBEDDED_MAX:
        try:
            parsed = json.loads(stripped)
        except (ValueError, RecursionError):
            parsed = None
        if isinstance(parsed, dict | list):
            before = json.dumps(parsed)
            _redact_parsed(parsed)
            after = json.dumps(parsed)
            return text if after == before else after
    text = mask_url_credentials(text)
    text = _KNOWN_TOKEN_RE.sub(lambda m: marker_for(m.group(1).encode()), text)
    text = _BEARER_RE.sub(_mask_token, text)
    text = _FLAG_IN_TEXT_RE.sub(
        lambda m: (
            m.group(1) + m.group(2) + marker_for(m.group(3).strip("\"'").encode())
            if not is_marker(m.group(3).strip("\"'"))
            else m.group(0)
        ),
        text,
    )
    return redact_text(text) if SENSITIVE_KEY_RE.search(text) else text


def _mask_token(match: re.Match[str]) -> str:
    token = match.group(3)
    # a word after "basic" or "token" in a sentence is prose; a credential mixes letters and digits or cases
    classes = sum(bool(re.search(p, token)) for p in (r"[a-z]", r"[A-Z]", r"\d"))
    if is_marker(token) or classes < 2:
        return match.group(0)
    return match.group(1) + match.group(2) + marker_for(token.encode())


def _redact_parsed(values: Any) -> None:
    """JSON found inside a string: sensitive keys, env entries and flags by key, then every string by shape."""
    redact_mapping(values)
    _redact_strings(values)


def _redact_strings(node: Any, depth: int = 0, shared: dict[str, str] | None = None) -> None:
    """Every string by shape. With ``shared``, the strings left as they are and the subtrees skipped are
    shared too (see :func:`homelabctl.k8s.slim.share_values`): one walk, not two."""
    if depth > 64:
        return
    kind = type(node)
    if kind is dict:
        _redact_dict_strings(node, depth, shared)
    elif kind is list:
        _redact_list_strings(node, depth, shared)


def _redact_dict_strings(node: dict[str, Any], depth: int, shared: dict[str, str] | None) -> None:
    # hot (every map of every workload and custom resource spec): redact_string and _redact_strings inlined
    for key, value in node.items():
        vtype = type(value)
        if vtype is str:
            if len(value) >= 8 and key not in _KEEP_KEYS:
                if not value.startswith(MARKER_PREFIX):
                    node[key] = _redact_string(value)
            elif shared is not None:
                node[key] = shared.setdefault(value, value)
        elif vtype is dict:
            if key in _NO_FREE_TEXT:
                if shared is not None:
                    share_values(value, shared, depth + 1)
            elif depth < 64:
                _redact_dict_strings(value, depth + 1, shared)
        elif vtype is list:
            if key in _NO_FREE_TEXT:
                if shared is not None:
                    share_list(value, shared, depth + 1)
            elif depth < 64:
                _redact_list_strings(value, depth + 1, shared)


def _redact_list_strings(node: list[Any], depth: int, shared: dict[str, str] | None) -> None:
    for value in node:
        if type(value) is str:
            _redact_args(node)
            break
    for i, value in enumerate(node):
        vtype = type(value)
        if vtype is str:
            if len(value) >= 8:
                if not value.startswith(MARKER_PREFIX):
                    node[i] = _redact_string(value)
            elif shared is not None:
                node[i] = shared.setdefault(value, value)
        elif vtype is dict:
            if depth < 64:
                _redact_dict_strings(value, depth + 1, shared)
        elif vtype is list and depth < 64:
            _redact_list_strings(value, depth + 1, shared)


_NO_FREE_TEXT = frozenset(
    {
        "resources",
        "securityContext",
        "strategy",
        "selector",
        "affinity",
        "tolerations",
        "volumeMounts",
        "ports",
        "nodeSelector",
        "topologySpreadConstraints",
        "dnsConfig",
        "ownerReferences",
        "managedFields",
        "updateStrategy",
        "matchLabels",
    }
)
"""Structured fields of workload specs that hold no free-form text (numbers, names, label selectors)."""
_KEEP_KEYS = frozenset(
    {
        "name",
        "namespace",
        "uid",
        "kind",
        "apiVersion",
        "resourceVersion",
        "creationTimestamp",
        "image",
        "imageID",
        "containerID",
        "nodeName",
        "lastTransitionTime",
        "lastTimestamp",
    }
)
"""Identity fields every reader relies on: never secrets, never masked."""


def _redact_annotations(raw: dict[str, Any], *, secret: bool) -> None:
    """Annotations (and, on Secrets, labels) are free-form: sensitive keys and high-entropy values go.
    A pod template's annotations become its pods' annotations: they are treated alike."""
    _redact_template_annotations(raw, raw.get("kind"))
    meta = shape.value(raw, "metadata")
    if isinstance(meta, dict):
        _redact_metadata_values(meta, secret)


def _redact_template_annotations(raw: dict[str, Any], kind: Any) -> None:
    if type(kind) is not str or kind in POD_TEMPLATE_KINDS:  # (a kind that is not a string: as it always was)
        template = shape.pod_template(raw)
        if isinstance(template, dict) and kind in POD_TEMPLATE_KINDS:
            _redact_annotations(template, secret=False)


def _redact_metadata_values(meta: dict[str, Any], secret: bool) -> None:
    for field in ("annotations", "labels") if secret else ("annotations",):
        values = meta.get(field)
        if not isinstance(values, dict):
            continue
        for key, value in list(values.items()):
            if not isinstance(value, str) or key == LAST_APPLIED or value.startswith(MARKER_PREFIX):
                continue
            values[key] = _redacted_annotation(key, value)


@functools.lru_cache(maxsize=16384, typed=True)
def _redacted_annotation(key: Any, value: str) -> str:
    # remembered: the same annotations (revisions, tool stamps) come back on thousands of objects
    if value_is_sensitive(str(key), value) or (len(value) >= 20 and looks_like_a_secret(value)):
        return marker_for(value.encode())
    return redact_string(value)


def forget_seen_values() -> None:
    """Empty the caches that remember strings as they were before redaction (:func:`_redact_string`,
    :func:`_redacted_annotation`). Called when a load or a capture ends: a long-running process (``watch``)
    must not keep a cluster's unredacted text in memory from one load to the next."""
    _redact_string.cache_clear()
    _redacted_annotation.cache_clear()


def mask(value: str, keep: int = 4) -> str:
    """For reports that must point at a leaked value: ``ghp_****`` (never more than 4 characters shown)."""
    if len(value) <= keep * 2:
        return "*" * min(len(value), 8)
    return value[:keep] + "*" * 8
