"""The check path drops fields nothing reads; the faithful path (``snapshot serve``) keeps every field."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from homelabctl.k8s.slim import UNREAD_METADATA, UNREAD_POD_STATUS, share_values
from homelabctl.sources.snapshot import SnapshotSource

from factories import pod


def _snapshot(tmp_path: Path) -> Path:
    obj = pod("web-1", "apps", node_name="k3s1")
    obj["metadata"]["managedFields"] = [
        {
            "manager": "kubelet",
            "operation": "Update",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:status": {"f:phase": {}}},
        }
    ]
    obj["status"]["podIP"], obj["status"]["hostIP"] = "10.42.1.7", "192.168.1.21"
    obj["status"]["podIPs"], obj["status"]["hostIPs"] = [{"ip": "10.42.1.7"}], [{"ip": "192.168.1.21"}]
    path = tmp_path / "snap.json"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [obj]}))
    return path


def test_slim_load_drops_managed_fields_and_pod_address_lists_only(tmp_path: Path) -> None:
    path = _snapshot(tmp_path)
    slim = SnapshotSource([path], slim=True).load().index.get("Pod", "apps", "web-1")
    full = SnapshotSource([path]).load().index.get("Pod", "apps", "web-1")
    assert slim is not None and full is not None
    assert "managedFields" in UNREAD_METADATA
    assert "managedFields" not in slim.metadata
    assert full.metadata["managedFields"][0]["manager"] == "kubelet"
    assert "podIPs" not in slim.status and "hostIPs" not in slim.status
    assert full.status["podIPs"] == [{"ip": "10.42.1.7"}] and slim.status["podIP"] == "10.42.1.7"
    assert {k: v for k, v in full.raw.items() if k not in ("metadata", "status")} == {
        k: v for k, v in slim.raw.items() if k not in ("metadata", "status")
    }
    assert {k: v for k, v in full.metadata.items() if k != "managedFields"} == dict(slim.metadata)
    assert {k: v for k, v in full.status.items() if k not in UNREAD_POD_STATUS} == dict(slim.status)


def test_nothing_on_the_check_path_reads_what_the_slim_load_drops() -> None:
    """Only ``snapshot serve`` and the live capture (``live/``), which keep every field, may name them.
    (``managedFields`` is named by the code that drops it or skips it, never read.)"""
    src = Path(__file__).parents[2] / "src" / "homelabctl"
    for path in src.rglob("*.py"):
        if path.parts[-2] == "live" or path.name == "slim.py":
            continue
        text = path.read_text(encoding="utf-8")
        for field in UNREAD_POD_STATUS:
            assert f'"{field}"' not in text and f"'{field}'" not in text, f"{path.name} reads {field}"


def test_slim_load_shares_equal_strings_across_objects_without_changing_them(tmp_path: Path) -> None:
    """Repeated values (namespaces, images, condition statuses) become one string object: in the sections
    redaction walks (a pod's spec) as in the others (metadata, status); the objects read the same."""
    items = [pod(f"web-{i}", "apps", node_name="k3s1") for i in range(3)]
    path = tmp_path / "snap.json"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    slim = [r for r in SnapshotSource([path], slim=True).load().index if r.kind == "Pod"]
    full = [r for r in SnapshotSource([path]).load().index if r.kind == "Pod"]
    for res in full:
        for field in UNREAD_POD_STATUS:
            res.raw["status"].pop(field, None)
    assert [r.raw for r in slim] == [r.raw for r in full]
    first, second = slim[0], slim[1]
    assert first.namespace is second.namespace
    assert first.spec["nodeName"] is second.spec["nodeName"]  # a spec redaction walks: shared on its walk
    image = first.spec["containers"][0]["image"]
    assert image is second.spec["containers"][0]["image"]


_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.sampled_from(["a", "b", "Running", "True"])),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(["x", "y", "z"]), children, max_size=3),
    ),
    max_leaves=40,
)


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


@given(st.dictionaries(st.sampled_from(["metadata", "spec", "status"]), _JSON, max_size=3))
def test_sharing_reaches_every_string_at_every_depth_and_changes_no_value(obj: dict[str, object]) -> None:
    copied = json.loads(json.dumps(obj))  # strings of its own, equal to the original's
    shared: dict[str, str] = {}
    share_values(copied, shared)
    assert copied == obj
    assert all(value is shared[value] for value in _strings(copied))
