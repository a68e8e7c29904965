"""One seeded-secret test: a value planted in every place a secret hides in a cluster must appear in no
capture, no object served (read through the real kubectl) and no report, in any format."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from homelabctl.live.capture import capture

from .conftest import ServeFn
from .test_capture import every_byte, raw_objects, raw_state

# every value distinct, long enough to grep, and looking like what it stands for
PLANTED = {
    "cm_json": "ghp_Jx7kQ2mZ9vR4tY6uP1sW3eA5dF8gH0jK",
    "cm_yaml": "yaml-db-Passw0rd-8c1f",
    "cm_ini": "ini-Passw0rd-2d7e9a",
    "cm_env": "envTok3n-5b2c8d1e9f",
    "url_annotation": "UrlPassw0rd77",
    "bearer_command": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZWVkIn0.Qm9vbTEyMzQ1Ng",
    "flag_command": "Fl4gPassw0rd-c3d9",
    "flag_arg_pair": "Tw0ArgSecret-81aa",
    "annotation_entropy": "q8Zr2LmX4vN7pK1tW9sB3yC6",
    "secret_annotation": "Zt5Wq9Lr2Xv8Nk4Pm7Bc1Yd3",
    "secret_data": "SecretD4ta-e6f1a2",
    "helm_json_string": "HelmJs0nPass-44ab",
    "cr_url": "CrUrlPassw0rd55",
    "event_url": "EvPassw0rd-90fe",
    "condition_bearer": "C0nditionT0ken-7f3e2a1b",
    "basic_auth": base64.b64encode(b"admin:B4sicPassw0rd").decode(),
    "template_annotation": "Hq3Vn8Rt1Wk6Ym2Zp9Xc4Lb7",
    "template_probe": "Pr0beT0ken-6d1e9c",
}


def planted_objects() -> list[dict[str, Any]]:
    p = PLANTED

    def meta(name: str, ns: str = "seeded", **extra: Any) -> dict[str, Any]:
        return {
            "name": name,
            "namespace": ns,
            "uid": f"uid-seeded-{name}",
            "resourceVersion": "1",
            "creationTimestamp": "2025-06-01T00:00:00Z",
            **extra,
        }

    return [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": meta("app-config"),
            "data": {
                "config.json": json.dumps({"github": {"token": p["cm_json"]}, "level": "info"}),
                "app.yaml": f"db:\n  host: db\n  password: {p['cm_yaml']}\n",
                "settings.ini": f"[database]\nhost = db\npassword = {p['cm_ini']}\n",
                "app.env": f"LOG_LEVEL=info\nAPI_TOKEN={p['cm_env']}\n",
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "Opaque",
            "metadata": meta("app-secret", annotations={"example.com/fingerprint": p["secret_annotation"]}),
            "data": {"key": base64.b64encode(p["secret_data"].encode()).decode()},
        },
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": meta(
                "seeded-app",
                annotations={
                    "example.com/repo": f"https://admin:{p['url_annotation']}@git.example.com/org/repo.git",
                    "example.com/note": p["annotation_entropy"],
                },
            ),
            "spec": {
                "nodeName": "k3s2",
                "containers": [
                    {
                        "name": "app",
                        "image": "ghcr.io/example/app:1.0",
                        "command": [
                            "sh",
                            "-c",
                            f"curl -H 'Authorization: Bearer {p['bearer_command']}' https://api/ && "
                            f"app --password {p['flag_command']} --verbose && "
                            f"curl -H 'Authorization: Basic {p['basic_auth']}' https://x/",
                        ],
                        "args": ["--api-token", p["flag_arg_pair"]],
                    }
                ],
            },
            "status": {
                "phase": "Running",
                "conditions": [
                    {
                        "type": "Ready",
                        "status": "False",
                        "reason": "Probe",
                        "message": f"probe sent Authorization: Bearer {p['condition_bearer']} and got 401",
                    }
                ],
            },
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": meta("seeded-web"),
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {
                        "labels": {"app": "web"},
                        "annotations": {"example.com/key-id": p["template_annotation"]},
                    },
                    "spec": {
                        "containers": [
                            {
                                "name": "web",
                                "image": "nginx:1.27",
                                "livenessProbe": {
                                    "httpGet": {
                                        "path": "/healthz",
                                        "port": 80,
                                        "httpHeaders": [
                                            {
                                                "name": "Authorization",
                                                "value": f"Bearer {p['template_probe']}",
                                            }
                                        ],
                                    }
                                },
                            }
                        ]
                    },
                },
            },
            "status": {"replicas": 1, "readyReplicas": 1},
        },
        {
            "apiVersion": "helm.toolkit.fluxcd.io/v2",
            "kind": "HelmRelease",
            "metadata": meta("app"),
            "spec": {
                "interval": "30m",
                "chart": {"spec": {"chart": "app"}},
                "values": {"extraConfig": json.dumps({"auth": {"password": p["helm_json_string"]}})},
            },
            "status": {},
        },
        {
            "apiVersion": "velero.io/v1",
            "kind": "BackupStorageLocation",
            "metadata": meta("offsite", "velero"),
            "spec": {
                "provider": "aws",
                "objectStorage": {"bucket": "b"},
                "config": {"s3Url": f"https://backup:{p['cr_url']}@s3.example.com"},
            },
            "status": {},
        },
        {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": meta("seeded-app.1"),
            "type": "Warning",
            "reason": "Failed",
            "count": 1,
            "lastTimestamp": "2025-06-16T02:00:00Z",
            "involvedObject": {"kind": "Pod", "namespace": "seeded", "name": "seeded-app"},
            "message": f"Failed to pull image from https://robot:{p['event_url']}@registry.example.com/app",
        },
    ]


def assert_nothing_planted(where: str, data: bytes) -> None:
    for label, value in PLANTED.items():
        for form in {value, base64.b64encode(value.encode()).decode()}:
            assert form.encode() not in data, f"{label} found in {where}"


@pytest.fixture(scope="module")
def seeded_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The planted objects as files, the way a user hands a snapshot over (loaded, hence redacted, by us)."""
    root = tmp_path_factory.mktemp("seeded")
    (root / "objects.json").write_text(
        json.dumps({"apiVersion": "v1", "kind": "List", "items": raw_objects() + planted_objects()})
    )
    return root


@pytest.mark.parametrize("name", ["dir", "snap.tar.gz"])
def test_no_planted_value_survives_a_capture(serve: ServeFn, tmp_path: Path, name: str) -> None:
    state = raw_state(raw_objects() + planted_objects())
    with serve(state) as served:
        out = tmp_path / name
        capture(out, kubeconfig=served.kubeconfig)
    data = every_byte(out)
    assert b"seeded-app" in data and b"app-config" in data
    assert_nothing_planted(f"capture {name}", data)


def test_no_planted_value_is_served_to_kubectl(
    seeded_files: Path, serve: ServeFn, kubectl: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    from homelabctl.sources.snapshot import SnapshotSource

    with serve(SnapshotSource([seeded_files]).load()) as served:
        out = kubectl(
            served.kubeconfig,
            "get",
            "pods,deployments,configmaps,secrets,events,helmreleases,backupstoragelocations",
            "-A",
            "-o",
            "json",
        ).stdout
        described = kubectl(served.kubeconfig, "describe", "pod", "-n", "seeded", "seeded-app").stdout
        secret = kubectl(
            served.kubeconfig,
            "get",
            "secret",
            "-n",
            "seeded",
            "app-secret",
            "-o",
            'go-template={{range .data}}{{. | base64decode}}{{"\\n"}}{{end}}',
        ).stdout
    assert "seeded-app" in out and "app-config" in out and "app-secret" in out
    for label, text in (
        ("kubectl get -o json", out),
        ("kubectl describe", described),
        ("decoded Secret", secret),
    ):
        assert_nothing_planted(label, text.encode())


@pytest.mark.parametrize(
    "args",
    [
        ["check", "-o", "json"],
        ["check", "-o", "table"],
        ["check", "-o", "markdown"],
        ["check", "-o", "prometheus"],
        ["diagnose", "-o", "json"],
        ["diagnose", "-o", "markdown"],
        ["diagnose", "-o", "tree"],
    ],
)
def test_no_planted_value_reaches_a_report(seeded_files: Path, args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "homelabctl", *args[:1], "--snapshot", str(seeded_files), *args[1:]],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "400"},
    )
    assert result.returncode in (0, 1), result.stderr
    assert result.stdout.strip()
    assert_nothing_planted(" ".join(args), (result.stdout + result.stderr).encode())
