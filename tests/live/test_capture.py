"""`snapshot capture` against `snapshot serve`: layout, manifest, read-back, no secret left, bounded memory."""

from __future__ import annotations

import base64
import copy
import json
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest

from homelabctl import kinds
from homelabctl.engine import run_checks
from homelabctl.errors import InputError
from homelabctl.live.capture import capture, scrub
from homelabctl.model import Resource
from homelabctl.sources.base import ClusterState, SourceInfo
from homelabctl.sources.index import ClusterIndex
from homelabctl.sources.snapshot import MANIFEST_NAME, SnapshotSource

from .conftest import DATA, Served, ServeFn


def findings(state: ClusterState) -> set[tuple[str, str, str]]:
    return {(f.check, str(f.object), f.message) for f in run_checks(state).findings}


def raw_objects() -> list[dict[str, Any]]:
    """The test snapshot's objects as a cluster would serve them (not passed through the loader)."""
    objects: list[dict[str, Any]] = []
    for path in sorted(DATA.rglob("*.json")):
        if path.name != MANIFEST_NAME:
            objects.extend(json.loads(path.read_text())["items"])
    return objects


def raw_state(objects: list[dict[str, Any]]) -> ClusterState:
    """Served without redaction, like a real API server: only the capture may redact."""
    index = ClusterIndex(Resource.from_raw(copy.deepcopy(o)) for o in objects)
    return ClusterState(
        index=index,
        source=SourceInfo("snapshot", "raw"),
        captured_at=SnapshotSource([DATA]).load().captured_at,
        server_version="v1.32.5+k3s1",
    )


def test_capture_writes_one_file_per_kind_and_a_manifest(served: Served, tmp_path: Path) -> None:
    out = tmp_path / "capture"
    result = capture(out, kubeconfig=served.kubeconfig, deadline=30)
    assert result.objects == 100
    pods = json.loads((out / "core/pods.json").read_text())
    assert (pods["apiVersion"], pods["kind"], len(pods["items"])) == ("v1", "List", 17)
    assert all(item["kind"] == "Pod" and item["apiVersion"] == "v1" for item in pods["items"])
    assert (out / "apps/deployments.json").is_file()
    assert (out / "helm.toolkit.fluxcd.io/helmreleases.json").is_file()
    assert json.loads((out / "core/resourcequotas.json").read_text())["items"] == []
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    assert manifest["schema"] == "homelabctl.snapshot/v1"
    assert manifest["serverVersion"] == "v1.32.5+k3s1"
    assert manifest["capturedAt"] == "2025-06-16T03:00:00Z"
    assert manifest["source"] == {"context": "homelabctl-snapshot", "server": served.url}
    assert (
        kinds.POD in manifest["kinds"]["captured"] and kinds.RESOURCE_QUOTA in manifest["kinds"]["captured"]
    )
    assert manifest["kinds"]["notInstalled"][kinds.BACKUP_STORAGE_LOCATION] == (
        "backupstoragelocations.velero.io not installed (no CRD)"
    )
    assert manifest["files"][kinds.POD] == {"file": "core/pods.json", "apiVersion": "v1", "count": 17}
    # every kind a check reads is accounted for, including any beyond the catalogue
    from homelabctl.engine import required_kinds, select_checks

    accounted = set(manifest["kinds"]["captured"]).union(
        *(manifest["kinds"][k] for k in ("forbidden", "notInstalled", "failed"))
    )
    assert set(required_kinds(select_checks())) <= accounted
    assert not list(out.rglob("*.part"))


def test_a_capture_reads_back_with_the_same_findings(
    served: Served, data_state: ClusterState, tmp_path: Path
) -> None:
    out = tmp_path / "capture"
    capture(out, kubeconfig=served.kubeconfig)
    again = SnapshotSource([out]).load()
    assert len(again.index) == len(data_state.index)
    assert again.captured_at == data_state.captured_at
    assert again.availability(kinds.RESOURCE_QUOTA).readable
    assert again.availability(kinds.VELERO_SCHEDULE).state == "not_installed"
    assert findings(again) == findings(data_state)


def test_tarball_capture(served: Served, data_state: ClusterState, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "incident-42.tar.gz"
    capture(out, kubeconfig=served.kubeconfig)
    with tarfile.open(out) as tar:
        names = tar.getnames()
        assert f"incident-42/{MANIFEST_NAME}" in names and "incident-42/core/pods.json" in names
        assert all(not n.startswith(("/", "..")) for n in names)
        assert {m.uid for m in tar.getmembers()} == {0}
    assert findings(SnapshotSource([out]).load()) == findings(data_state)
    assert [p.name for p in out.parent.iterdir()] == [
        "incident-42.tar.gz"
    ]  # no temporary directory left behind


def test_capture_records_forbidden_kinds_and_goes_on(
    serve: ServeFn, data_state: ClusterState, tmp_path: Path
) -> None:
    with serve(data_state, forbid=["Secret"]) as served:
        result = capture(tmp_path / "c", kubeconfig=served.kubeconfig)
    manifest = json.loads((tmp_path / "c" / MANIFEST_NAME).read_text())
    assert manifest["kinds"]["forbidden"] == {kinds.SECRET: "forbidden: cannot list secrets"}
    assert kinds.SECRET not in manifest["kinds"]["captured"]
    assert not (tmp_path / "c/core/secrets.json").exists()
    assert result.counts[kinds.POD] == 17
    again = SnapshotSource([tmp_path / "c"]).load()
    assert again.availability(kinds.SECRET).state == "forbidden"


def test_capture_refuses_to_overwrite_without_force(served: Served, tmp_path: Path) -> None:
    out = tmp_path / "c"
    capture(out, kubeconfig=served.kubeconfig)
    with pytest.raises(InputError, match="already exists"):
        capture(out, kubeconfig=served.kubeconfig)
    capture(out, kubeconfig=served.kubeconfig, force=True)
    other = tmp_path / "not-a-snapshot"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not a homelabctl snapshot"):
        capture(other, kubeconfig=served.kubeconfig, force=True)
    assert (other / "notes.txt").read_text() == "mine"


# -- no secret value anywhere --------------------------------------------------------------------------------
SEEDS = {
    "secret_data": "s3cr3t-Secret-data-4f9a1c",
    "secret_multiline": "line-one-4b7c\nline-two-e21d",
    "config_password": "cm-passw0rd-77de21",
    "config_key": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU-9c1e\n"
    "-----END OPENSSH PRIVATE KEY-----",
    "pod_env": "ghp_podEnvToken5d2b8e61",
    "pod_arg": "arg-client-secret-31c0aa",
    "deploy_env": "deploy-db-pass-0c9f3e",
    "helm_value": "helm-admin-pass-a71b44",
    "last_applied": "applied-env-value-5e88d0",
}


def seeded_objects() -> list[dict[str, Any]]:
    objects = raw_objects()

    def meta(name: str, ns: str, **extra: Any) -> dict[str, Any]:
        return {
            "name": name,
            "namespace": ns,
            "uid": f"uid-{name}",
            "resourceVersion": "1",
            "creationTimestamp": "2025-06-01T00:00:00Z",
            **extra,
        }

    applied_secret = json.dumps(
        {"apiVersion": "v1", "kind": "Secret", "stringData": {"token": SEEDS["secret_data"]}}
    )
    objects.append(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "Opaque",
            "metadata": meta(
                "seeded",
                "auth",
                annotations={"kubectl.kubernetes.io/last-applied-configuration": applied_secret},
            ),
            "data": {
                "token": base64.b64encode(SEEDS["secret_data"].encode()).decode(),
                "notes": base64.b64encode(SEEDS["secret_multiline"].encode()).decode(),
            },
        }
    )
    objects.append(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": meta("seeded", "auth"),
            "data": {
                "DB_PASSWORD": SEEDS["config_password"],
                "id_ed25519": SEEDS["config_key"],
                "LOG_LEVEL": "info",
            },
        }
    )
    container = {
        "name": "app",
        "image": "ghcr.io/example/app:1.0",
        "args": ["--upstream=http://app:8080", f"--client-secret={SEEDS['pod_arg']}"],
        "env": [{"name": "GITHUB_TOKEN", "value": SEEDS["pod_env"]}, {"name": "TZ", "value": "UTC"}],
    }
    objects.append(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": meta("seeded-app", "auth"),
            "spec": {"containers": [container], "nodeName": "k3s2"},
            "status": {"phase": "Running"},
        }
    )
    applied_deploy = json.dumps(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "spec": {
                "template": {
                    "spec": {
                        "containers": [
                            {"name": "app", "env": [{"name": "APP_CONFIG", "value": SEEDS["last_applied"]}]}
                        ]
                    }
                }
            },
        }
    )
    objects.append(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": meta(
                "seeded-app",
                "auth",
                annotations={"kubectl.kubernetes.io/last-applied-configuration": applied_deploy},
                managedFields=[
                    {
                        "manager": "kubectl",
                        "operation": "Update",
                        "fieldsType": "FieldsV1",
                        "fieldsV1": {"f:spec": {}},
                    }
                ],
            ),
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "seeded"}},
                "template": {
                    "metadata": {"labels": {"app": "seeded"}},
                    "spec": {
                        "containers": [
                            {
                                "name": "app",
                                "image": "ghcr.io/example/app:1.0",
                                "env": [{"name": "DB_PASS", "value": SEEDS["deploy_env"]}],
                            }
                        ]
                    },
                },
            },
            "status": {"replicas": 1, "readyReplicas": 1},
        }
    )
    objects.append(
        {
            "apiVersion": "helm.toolkit.fluxcd.io/v2",
            "kind": "HelmRelease",
            "metadata": meta("seeded", "auth"),
            "spec": {
                "interval": "30m",
                "chart": {"spec": {"chart": "grafana"}},
                "values": {"grafana": {"adminPassword": SEEDS["helm_value"], "replicas": 1}},
            },
            "status": {},
        }
    )
    return objects


def every_byte(out: Path) -> bytes:
    if out.is_dir():
        return b"\n".join(p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file())
    with tarfile.open(out) as tar:
        return b"\n".join(tar.extractfile(m).read() for m in tar.getmembers() if m.isfile())  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["dir", "snap.tar.gz"])
def test_no_seeded_secret_survives_a_capture(serve: ServeFn, tmp_path: Path, name: str) -> None:
    state = raw_state(seeded_objects())
    with serve(state) as served:
        # the server really does hand the values out, as a cluster would
        pod = served.api.state.index.get(kinds.POD, "auth", "seeded-app")
        assert pod is not None and SEEDS["pod_env"] in json.dumps(pod.raw)
        out = tmp_path / name
        capture(out, kubeconfig=served.kubeconfig)
    if out.is_dir():
        assert (out / "core/secrets.json").is_file()
    data = every_byte(out)
    assert b"seeded-app" in data  # the objects themselves were captured
    for label, seed in SEEDS.items():
        for form in {seed, base64.b64encode(seed.encode()).decode(), json.dumps(seed)[1:-1]}:
            for part in form.splitlines() or [form]:
                if len(part) >= 8:
                    assert part.encode() not in data, f"{label} leaked as {part!r}"
    # what checks need survives: the keys, the type, the lengths
    again = SnapshotSource([out]).load()
    secret = again.index.get(kinds.SECRET, "auth", "seeded")
    assert secret is not None
    assert secret.raw["data"]["token"] == f"homelabctl-redacted:len={len(SEEDS['secret_data'])};o2p=25"
    assert secret.raw["type"] == "Opaque"
    config = again.index.get(kinds.CONFIGMAP, "auth", "seeded")
    assert config is not None and config.raw["data"]["LOG_LEVEL"] == "info"
    deploy = again.index.get(kinds.DEPLOYMENT, "auth", "seeded-app")
    assert deploy is not None and "managedFields" not in deploy.raw["metadata"]


def test_scrub_drops_crd_schemas_and_keeps_names_and_columns() -> None:
    crd: dict[str, Any] = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "names": {"kind": "Widget", "plural": "widgets"},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": {"type": "object"}},
                    "additionalPrinterColumns": [
                        {"name": "Ready", "type": "string", "jsonPath": ".status.ready"}
                    ],
                }
            ],
        },
    }
    scrub(crd)
    version = crd["spec"]["versions"][0]
    assert "schema" not in version
    assert version["additionalPrinterColumns"][0]["name"] == "Ready"


# -- memory --------------------------------------------------------------------------------------------------
def _many_pods_json(count: int) -> str:
    """A PodList of ``count`` realistic pods (one of the test snapshot's, renamed), built as text: fast."""
    template = json.loads((DATA / "core/pods.json").read_text())["items"][1]
    template["metadata"].update(name="@NAME@", namespace="@NS@", uid="@UID@")
    text = json.dumps(template)
    items = (
        text.replace("@NAME@", f"worker-{i:05d}")
        .replace("@NS@", f"batch-{i % 20}")
        .replace("@UID@", f"00000000-0000-0000-0000-{i:012d}")
        for i in range(count)
    )
    return '{"apiVersion":"v1","kind":"List","items":[' + ",".join(items) + "]}"


_PEAK_RSS = """
import json, sys
from pathlib import Path
import kubernetes  # the client's own footprint is part of the baseline, not of the capture
from homelabctl.live import capture

def high_water_kib():
    # VmHWM belongs to this address space (reset by exec), unlike ru_maxrss, which a child inherits
    # from the process that forked it
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise SystemExit("no VmHWM")

base = high_water_kib()
if sys.argv[1] == "load":
    items = json.loads(Path(sys.argv[2]).read_text())["items"]
else:
    capture.capture(Path(sys.argv[2]), kubeconfig=Path(sys.argv[3]), deadline=120)
print(base, high_water_kib())
"""


def _peak_rss_growth(*args: str) -> int:
    """How much a fresh interpreter's peak RSS grows (KiB) doing ``args``, past its imports."""
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_RSS, *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    base, peak = (int(v) for v in done.stdout.split())
    return peak - base


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from /proc (Linux)")
def test_capture_of_ten_thousand_objects_never_holds_a_whole_kind(tmp_path: Path) -> None:
    snap = tmp_path / "big"
    (snap / "core").mkdir(parents=True)
    pods_file = snap / "core/pods.json"
    pods_file.write_text(_many_pods_json(10_000))
    (snap / "core/nodes.json").write_bytes((DATA / "core/nodes.json").read_bytes())
    kubeconfig = tmp_path / "kubeconfig"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "homelabctl",
            "snapshot",
            "serve",
            str(snap),
            "--port",
            "0",
            "--kubeconfig-out",
            str(kubeconfig),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not kubeconfig.exists() and time.monotonic() < deadline and server.poll() is None:
            time.sleep(0.1)
        assert kubeconfig.exists(), server.stderr.read().decode() if server.stderr else ""
        whole_kind = _peak_rss_growth("load", str(pods_file))
        captured = _peak_rss_growth("capture", str(tmp_path / "out"), str(kubeconfig))
    finally:
        server.terminate()
        server.wait(timeout=10)
    written = json.loads((tmp_path / "out/core/pods.json").read_text())["items"]
    assert {p["metadata"]["name"] for p in written} == {f"worker-{i:05d}" for i in range(10_000)}
    # 500-object pages: the capture's peak stays far below what the pod list alone takes in memory
    assert whole_kind > 50_000  # the measurement itself works: 10,000 parsed pods take well over 50 MB
    assert captured < whole_kind / 4, (
        f"capture grew {captured} KiB; the pod list alone takes {whole_kind} KiB"
    )
