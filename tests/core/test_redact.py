from __future__ import annotations

import base64
import binascii
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homelabctl.redact import _has_anchor, marker_lengths, mask, oauth2_proxy_secret_length, redact_object


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def test_oauth2_proxy_secret_length_follows_its_decoder() -> None:
    assert oauth2_proxy_secret_length(b"0123456789abcdef") == 16
    urlsafe32 = base64.urlsafe_b64encode(bytes(range(32))).rstrip(b"=")
    assert oauth2_proxy_secret_length(urlsafe32) == 32
    std_with_slash = base64.b64encode(bytes([255] * 32))  # '/' is not in oauth2-proxy's URL alphabet
    assert b"/" in std_with_slash and oauth2_proxy_secret_length(std_with_slash) == len(std_with_slash)
    assert oauth2_proxy_secret_length(b"x" * 167) == 167


def test_secret_configmap_env_args_and_helm_values_are_redacted() -> None:
    secret: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s"},
        "data": {"cookie-secret": _b64(b"y" * 167)},
        "stringData": {"pw": "hunter2-HOMELABCTL"},
    }
    cm: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c"},
        "data": {
            "DB_PASSWORD": "hunter2-HOMELABCTL",
            "LOG_LEVEL": "info",
            "tls": "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
        },
    }
    deploy: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "p",
                            "args": ["--cookie-secret=hunter2-HOMELABCTL", "--http-address=0.0.0.0:4180"],
                            "env": [
                                {"name": "API_TOKEN", "value": "hunter2-HOMELABCTL"},
                                {"name": "TZ", "value": "UTC"},
                            ],
                        }
                    ]
                }
            }
        },
    }
    hr: dict[str, Any] = {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": "h"},
        "spec": {"values": {"config": {"cookieSecret": "hunter2-HOMELABCTL", "clientID": "prometheus"}}},
    }
    out = json.dumps([redact_object(o) for o in (secret, cm, deploy, hr)])
    assert "hunter2" not in out and "MIIE" not in out
    assert marker_lengths(secret["data"]["cookie-secret"]) == (167, 167)
    assert cm["data"]["LOG_LEVEL"] == "info"
    assert deploy["spec"]["template"]["spec"]["containers"][0]["args"][1] == "--http-address=0.0.0.0:4180"
    assert hr["spec"]["values"]["config"]["clientID"] == "prometheus"


def test_redaction_is_idempotent() -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": _b64(b"abc")}}
    once = json.dumps(redact_object(secret))
    assert json.dumps(redact_object(json.loads(once))) == once


def test_mask_shows_at_most_four_characters() -> None:
    assert mask("ghp_abcdefghijklmnopqrstuvwxyz0123456789") == "ghp_********"
    assert mask("short") == "*****"


def test_config_files_inside_configmaps_are_masked_line_by_line() -> None:
    cfg = (
        'http_address = "0.0.0.0:4180"\ncookie_secret = "HOMELABCTL_TEST_cookie_value_1234"\n'
        'client_id = "prometheus"\nclient_secret="HOMELABCTL_TEST_client"\n'
    )
    app = "server:\n  port: 8080\ndatabase:\n  password: HOMELABCTL_TEST_pw  # rotated\n  host: db\n"
    cm: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "oauth2-proxy"},
        "data": {"oauth2_proxy.cfg": cfg, "config.yaml": app},
    }
    redact_object(cm)
    out = json.dumps(cm)
    assert "HOMELABCTL_TEST" not in out
    assert 'client_id = "prometheus"' in cm["data"]["oauth2_proxy.cfg"]
    assert "port: 8080" in cm["data"]["config.yaml"] and "# rotated" in cm["data"]["config.yaml"]
    line = next(x for x in cm["data"]["oauth2_proxy.cfg"].splitlines() if x.startswith("cookie_secret"))
    assert marker_lengths(line.split('"')[1]) == (33, 33)


def test_the_forms_a_review_found_leaking_are_all_redacted() -> None:
    """Two-argument flags, passwords in URLs, *_KEY names, env lists in Helm values, Flux substitutions,
    JSON config files, and last-applied-configuration on any kind."""
    leak = "LEAKY-HOMELABCTL-"
    deploy = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "d",
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": f'{{"env": "{leak}1"}}'},
        },
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "c",
                            "args": ["--cookie-secret", f"{leak}2", "--upstream=http://prometheus:9090"],
                            "env": [
                                {"name": "DATABASE_URL", "value": f"postgres://app:{leak}3@db:5432/app"},
                                {"name": "B2_APPLICATION_KEY", "value": f"{leak}4"},
                                {"name": "REDIS_URL", "value": f"redis://:{leak}5@redis:6379"},
                            ],
                        }
                    ]
                }
            }
        },
    }
    hr = {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": "h"},
        "spec": {
            "values": {
                "env": [{"name": "ADMIN_PASSWORD", "value": f"{leak}6"}],
                "extraArgs": [f"--client-secret={leak}7"],
            }
        },
    }
    ks = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "k"},
        "spec": {"postBuild": {"substitute": {"CF_API_TOKEN": f"{leak}8", "DOMAIN": "fletcherlabs.net"}}},
    }
    cm: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c"},
        "data": {
            "settings.json": f'{{\n  "password": "{leak}9",\n  "port": 8080\n}}\n',
            "DSN_URL": f"mysql://root:{leak}10@mariadb/app",
        },
    }
    out = json.dumps([redact_object(o) for o in (deploy, hr, ks, cm)])
    assert leak not in out, [part for part in out.split('"') if leak in part]
    assert "--upstream=http://prometheus:9090" in out and '"DOMAIN": "fletcherlabs.net"' in out
    assert "postgres://app:homelabctl-redacted" in out and "@db:5432/app" in out
    assert '"port": 8080' in cm["data"]["settings.json"]


def test_a_snapshot_load_leaves_no_unredacted_text_in_the_redaction_caches(tmp_path: Path) -> None:
    """The caches are keyed by text as it was before redaction: they are emptied when a load ends, even one
    that fails, so a long-running process does not keep a cluster's secrets from one load to the next."""
    from homelabctl import redact
    from homelabctl.errors import SourceError
    from homelabctl.sources.snapshot import SnapshotSource

    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default", "annotations": {"note": f"token {token}"}},
        "spec": {"containers": [{"name": "c", "image": "busybox", "args": [f"--github-token={token}"]}]},
    }
    path = tmp_path / "snap.json"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [pod]}))
    state = SnapshotSource([path]).load()
    assert token not in json.dumps(next(iter(state.index)).raw)
    assert redact._redact_string.cache_info().currsize == 0
    assert redact._redacted_annotation.cache_info().currsize == 0
    redact.redact_string(f"Bearer {token}")  # something remembered, then a load that finds nothing
    (tmp_path / "empty.json").write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [{}]}))
    with pytest.raises(SourceError):
        SnapshotSource([tmp_path / "empty.json"]).load()
    assert redact._redact_string.cache_info().currsize == 0


# -- the fast paths give what the definitions they stand for give --------------------------------------------
_ANCHOR_DEFINITION = re.compile(
    r"pass|secret|token|key|credential|auth|cookie|dsn|bearer|basic|-----begin|"
    r"gh[pousr]_|github_pat_|glpat-|xox|akia|sk-|pem|connection|htpasswd|@|^\s*[\[{]"
)
_ANCHOR_PIECES = [
    "pass", "pem", "secret", "sk-", "token", "key", "credential", "cookie", "connection", "auth", "akia",
    "dsn", "bearer", "basic", "-----begin", "ghp_", "gho_", "ghx_", "github_pat_", "glpat-", "xox", "@",
    "[", "{", " ", "\t", "\u2003", "p", "s", "k", "c", "a", "g", "h", "x", "-", "_", "é", "İ",
]  # fmt: skip


def _same_anchor_verdict(text: str) -> None:
    lowered = text.lower()
    assert _has_anchor(lowered) == (_ANCHOR_DEFINITION.search(lowered) is not None), text


@pytest.mark.parametrize("piece", _ANCHOR_PIECES)
def test_each_anchor_alone_and_in_a_sentence_is_found_as_defined(piece: str) -> None:
    for text in (piece, piece.upper(), f"the {piece} here", f"  {piece}", f"x{piece}y"):
        _same_anchor_verdict(text)


@given(st.lists(st.sampled_from(_ANCHOR_PIECES) | st.text(max_size=3), max_size=8).map("".join))
def test_the_anchor_test_matches_its_definition(text: str) -> None:
    _same_anchor_verdict(text)


def _oauth2_proxy_secret_length_by_definition(value: bytes) -> int:
    try:
        text = value.decode("ascii").rstrip("=")
        decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        if "+" not in text and "/" not in text and len(decoded) in (16, 24, 32):
            return len(decoded)
    except (UnicodeDecodeError, binascii.Error, ValueError):
        pass
    return len(value)


@given(
    st.binary(max_size=60)
    | st.binary(max_size=40).map(base64.urlsafe_b64encode)
    | st.binary(max_size=40).map(lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"="))
    | st.text("ABCDEFabcdef0123456789-_=+/. \n", max_size=60).map(str.encode)
)
def test_the_oauth2_proxy_length_shortcut_matches_its_definition(value: bytes) -> None:
    assert oauth2_proxy_secret_length(value) == _oauth2_proxy_secret_length_by_definition(value)


def test_the_oauth2_proxy_length_shortcut_holds_at_every_key_size_and_length() -> None:
    for size in range(40):
        encoded = base64.urlsafe_b64encode(bytes(range(size)))
        for value in (encoded, encoded.rstrip(b"="), encoded + b"=", encoded[:-1]):
            assert oauth2_proxy_secret_length(value) == _oauth2_proxy_secret_length_by_definition(value)


def test_a_served_marker_stays_the_same_marker_and_other_values_become_markers() -> None:
    marker = redact_object(
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": _b64(b"hunter2")}}
    )["data"]["k"]
    served = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s"},
        "data": {"k": _b64(marker.encode())},
    }
    assert redact_object(served)["data"]["k"] == marker
    lookalike = _b64(b"homelabctl-redacted:not-a-marker")
    other = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": lookalike}}
    assert marker_lengths(redact_object(other)["data"]["k"]) == (32, 32)
