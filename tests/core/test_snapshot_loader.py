"""The snapshot loader on what people really have, and on everything that can go wrong with it."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homelabctl.errors import SourceError
from homelabctl.sources.base import LoadError
from homelabctl.sources.snapshot import MANIFEST_NAME, SnapshotSource, parse_documents

from factories import deployment, node, pod


def _list(*items: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "List", "items": list(items), "metadata": {"resourceVersion": ""}}


def test_kubectl_json_list_yaml_multidoc_and_single_objects(tmp_path: Path) -> None:
    (tmp_path / "nodes.json").write_text(json.dumps(_list(node("k3s1"), node("k3s2"))))
    (tmp_path / "apps.yaml").write_text(yaml.safe_dump_all([deployment("web"), pod("web-1")]))
    sub = tmp_path / "more" / "deeper"
    sub.mkdir(parents=True)
    (sub / "pod.yml").write_text(yaml.safe_dump(pod("db-0", "data")))
    state = SnapshotSource([tmp_path]).load()
    assert {r.name for r in state.index.all("Node")} == {"k3s1", "k3s2"}
    assert state.index.get("Deployment.apps", "default", "web") is not None
    assert state.index.get("Pod", "data", "db-0") is not None
    assert state.errors == []


def test_raw_api_list_items_without_kind_get_it_from_the_list(tmp_path: Path) -> None:
    items = [pod("a"), pod("b")]
    for item in items:
        del item["kind"], item["apiVersion"]
    (tmp_path / "pods.json").write_text(json.dumps({"apiVersion": "v1", "kind": "PodList", "items": items}))
    state = SnapshotSource([tmp_path / "pods.json"]).load()
    assert sorted(p.name for p in state.index.all("Pod")) == ["a", "b"]


def test_several_paths_merge_and_duplicates_keep_the_later(tmp_path: Path) -> None:
    old = node("k3s1", ready="False")
    new = node("k3s1")
    (tmp_path / "a.json").write_text(json.dumps(old))
    (tmp_path / "b.json").write_text(json.dumps(_list(new, node("k3s2"))))
    state = SnapshotSource([tmp_path / "a.json", tmp_path / "b.json"]).load()
    nodes = state.index.all("Node")
    assert len(nodes) == 2
    k3s1 = state.index.get("Node", None, "k3s1")
    assert k3s1 is not None and k3s1.condition("Ready")["status"] == "True"  # type: ignore[index]


def test_tarball_reads_members_and_refuses_path_traversal(tmp_path: Path) -> None:
    tar_path = tmp_path / "snap.tar.gz"
    with tarfile.open(tar_path, "w:gz") as tar:
        for name, obj in (
            ("snap/nodes.json", _list(node("k3s1"))),
            ("../evil.json", _list(node("evil"))),
            ("/abs.json", _list(node("abs"))),
        ):
            data = json.dumps(obj).encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    state = SnapshotSource([tar_path]).load()
    assert [n.name for n in state.index.all("Node")] == ["k3s1"]
    unsafe = [e for e in state.errors if "unsafe path" in e.message]
    assert len(unsafe) == 2 and any("../evil.json" in e.location for e in unsafe)
    assert not (tmp_path.parent / "evil.json").exists()


def test_bad_files_are_one_line_errors_and_the_rest_loads(tmp_path: Path) -> None:
    (tmp_path / "good.json").write_text(json.dumps(node("k3s1")))
    (tmp_path / "truncated.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: {a: [1,\n"
    )
    (tmp_path / "truncated.json").write_text('{"apiVersion": "v1", "kind": "Pod", "metad')
    (tmp_path / "binary.yaml").write_bytes(b"\x00\x01\x02kind: Pod")
    (tmp_path / "notk8s.yaml").write_text("- just\n- a list\n")
    (tmp_path / "nokind.yaml").write_text("apiVersion: v1\nmetadata: {name: x}\n")
    (tmp_path / "noname.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {}\n")
    (tmp_path / "empty.yaml").write_text("")
    state = SnapshotSource([tmp_path], max_file_bytes=1024 * 1024).load()
    assert [n.name for n in state.index.all("Node")] == ["k3s1"]
    by_file = {Path(e.location).name: e for e in state.errors}
    assert by_file["truncated.yaml"].line is not None and "invalid YAML" in by_file["truncated.yaml"].message
    assert by_file["truncated.json"].line == 1 and "invalid JSON" in by_file["truncated.json"].message
    assert "binary" in by_file["binary.yaml"].message
    assert "object without kind" in by_file["nokind.yaml"].message
    assert "without metadata.name" in by_file["noname.yaml"].message
    assert "empty file" in by_file["empty.yaml"].message
    assert all("\n" not in str(e) for e in state.errors)


def test_huge_file_is_skipped_with_a_message(tmp_path: Path) -> None:
    (tmp_path / "nodes.json").write_text(json.dumps(node("k3s1")))
    huge = tmp_path / "huge.json"
    with huge.open("wb") as fh:  # sparse 200 MB file: the size check must fire before any read
        fh.seek(200 * 1024 * 1024)
        fh.write(b"\n")
    state = SnapshotSource([tmp_path]).load()
    assert len(state.index) == 1
    assert any("too large (200 MB" in str(e) and "huge.json" in str(e) for e in state.errors)


def test_empty_directory_and_missing_path_raise_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no Kubernetes objects"):
        SnapshotSource([tmp_path]).load()
    with pytest.raises(SourceError, match="no such file"):
        SnapshotSource([tmp_path / "nope.json"]).load()


def test_manifest_sets_capture_time_and_kind_status(tmp_path: Path) -> None:
    (tmp_path / "nodes.json").write_text(json.dumps(_list(node("k3s1"))))
    (tmp_path / MANIFEST_NAME).write_text(
        json.dumps(
            {
                "schema": "homelabctl.snapshot/v1",
                "capturedAt": "2025-06-16T03:00:00Z",
                "serverVersion": "v1.32.5+k3s1",
                "kinds": {
                    "captured": ["Node", "Pod"],
                    "forbidden": {"Secret": "forbidden: cannot list secrets"},
                },
            }
        )
    )
    state = SnapshotSource([tmp_path]).load()
    assert state.reference_time.isoformat() == "2025-06-16T03:00:00+00:00"
    assert state.availability("Pod").readable  # captured, just empty
    assert state.availability("Secret").state == "forbidden"
    assert state.availability("Deployment.apps").state == "absent"


def test_secret_values_never_stay_in_memory(tmp_path: Path) -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {
            "name": "s",
            "namespace": "default",
            "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": '{"data":{"password":"c3VwZXJzZWNyZXQ="}}'
            },
        },
        "data": {"password": "c3VwZXJzZWNyZXQ="},
        "stringData": {"token": "supersecret-token"},
    }
    (tmp_path / "s.json").write_text(json.dumps(secret))
    state = SnapshotSource([tmp_path]).load()
    dumped = json.dumps([r.raw for r in state.index])
    assert "c3VwZXJzZWNyZXQ=" not in dumped and "supersecret" not in dumped
    loaded = state.index.get("Secret", "default", "s")
    assert loaded is not None and loaded.data["password"].startswith("homelabctl-redacted:len=11")


# -- property tests: the parser never raises, whatever bytes it is given ------------------------------
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=2048))
def test_parse_documents_never_raises_on_bytes(content: bytes) -> None:
    errors: list[LoadError] = []
    docs = list(parse_documents(content, "fuzz.yaml", errors))
    assert all(isinstance(e, LoadError) for e in errors)
    assert isinstance(docs, list)


_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20))
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["apiVersion", "kind", "metadata", "items", "spec"]), _values, max_size=5
        ),
        max_size=5,
    )
)
def test_arbitrary_yaml_documents_load_or_become_errors(
    tmp_path_factory: pytest.TempPathFactory, docs: list[dict[str, Any]]
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "docs.yaml"
    path.write_text(yaml.safe_dump_all([*docs, node("anchor")]))
    state = SnapshotSource([path]).load()
    assert state.index.get("Node", None, "anchor") is not None
    for err in state.errors:
        assert "docs.yaml" in err.location


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_truncating_a_valid_file_anywhere_never_raises(
    tmp_path_factory: pytest.TempPathFactory, cut: str
) -> None:
    text = yaml.safe_dump_all([node("k3s1"), pod("web-1")])
    path = tmp_path_factory.mktemp("trunc") / "cut.yaml"
    path.write_text(text[: len(cut) * 7 % len(text)])
    errors: list[LoadError] = []
    list(parse_documents(path.read_bytes(), str(path), errors))


def test_manifest_at_the_root_of_a_tarball_is_read(tmp_path: Path) -> None:
    tar_path = tmp_path / "capture.tgz"
    manifest = {
        "schema": "homelabctl.snapshot/v1",
        "capturedAt": "2025-06-16T03:00:00Z",
        "kinds": {"captured": ["Node", "Pod"]},
    }
    with tarfile.open(tar_path, "w:gz") as tar:
        for name, obj in ((MANIFEST_NAME, manifest), ("nodes.json", _list(node("k3s1")))):
            data = json.dumps(obj).encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    state = SnapshotSource([tar_path]).load()
    assert state.captured_at is not None and state.availability("Pod").readable
    assert state.errors == []


def test_merge_keeps_the_higher_resource_version_whatever_the_order(tmp_path: Path) -> None:
    newer = node("k3s1")
    newer["metadata"]["resourceVersion"] = "9000"
    older = node("k3s1", ready="False")
    older["metadata"]["resourceVersion"] = "120"
    (tmp_path / "new.json").write_text(json.dumps(newer))
    (tmp_path / "old.json").write_text(json.dumps(older))
    state = SnapshotSource([tmp_path / "new.json", tmp_path / "old.json"]).load()
    k3s1 = state.index.get("Node", None, "k3s1")
    assert k3s1 is not None and k3s1.metadata["resourceVersion"] == "9000"


def test_an_empty_typed_list_means_captured_and_empty(tmp_path: Path) -> None:
    (tmp_path / "nodes.json").write_text(json.dumps(_list(node("k3s1"))))
    (tmp_path / "pvcs.json").write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaimList",
                "items": [],
                "metadata": {"resourceVersion": "1"},
            }
        )
    )
    (tmp_path / "deploys.json").write_text(
        json.dumps({"apiVersion": "apps/v1", "kind": "DeploymentList", "items": []})
    )
    state = SnapshotSource([tmp_path]).load()
    assert state.availability("PersistentVolumeClaim").readable
    assert state.availability("Deployment.apps").readable
    assert state.availability("Pod").state == "absent"
