"""Fixtures for watch: the styx timeline (healthy → node NotReady → pods Terminating → node back), built from
the node-notready scenario snapshot, and a local HTTP receiver for notifications."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast

import pytest

from homelabctl.model import Resource
from homelabctl.sources.base import ClusterState
from homelabctl.sources.index import ClusterIndex
from homelabctl.sources.snapshot import SnapshotSource

SCENARIO = Path(__file__).parents[1] / "scenarios" / "node-notready-stuck-terminating"
NODE = "styx"
CAPTURED = "2025-06-16T03:00:00Z"


def _with(state: ClusterState, objects: list[dict[str, Any]]) -> ClusterState:
    return ClusterState(
        index=ClusterIndex(Resource.from_raw(o) for o in objects),
        source=state.source,
        kind_status=dict(state.kind_status),
        captured_at=state.captured_at,
        server_version=state.server_version,
    )


def _healthy_node(raw: dict[str, Any]) -> dict[str, Any]:
    node = copy.deepcopy(raw)
    node["spec"].pop("taints", None)
    for cond in node["status"]["conditions"]:
        if cond["type"] == "NetworkUnavailable":
            continue
        cond["lastHeartbeatTime"] = CAPTURED
        if cond["type"] == "Ready":
            cond.update(
                status="True",
                reason="KubeletReady",
                message="kubelet is posting ready status",
                lastTransitionTime="2025-06-10T08:00:00Z",
            )
        else:
            cond.update(
                status="False",
                reason=f"KubeletHas{'No' if cond['type'] != 'PIDPressure' else 'Sufficient'}{cond['type']}",
                message="kubelet is healthy",
                lastTransitionTime="2025-06-10T08:00:00Z",
            )
    return node


def _running_pod(raw: dict[str, Any]) -> dict[str, Any]:
    pod = copy.deepcopy(raw)
    for key in ("deletionTimestamp", "deletionGracePeriodSeconds"):
        pod["metadata"].pop(key, None)
    conditions = [c for c in pod["status"].get("conditions", []) if c["type"] != "DisruptionTarget"]
    for cond in conditions:
        if cond["type"] == "Ready":
            cond.update(status="True", lastTransitionTime="2025-06-10T08:02:26Z")
    pod["status"]["conditions"] = conditions
    return pod


def _settled(raw: dict[str, Any]) -> dict[str, Any]:
    """Workload controllers' status once every pod is back: all replicas ready."""
    obj = copy.deepcopy(raw)
    status = obj.get("status") or {}
    if obj["kind"] == "DaemonSet":
        desired = status.get("desiredNumberScheduled", 0)
        status.update(numberReady=desired, numberAvailable=desired, updatedNumberScheduled=desired)
        status.pop("numberUnavailable", None)
    elif obj["kind"] in ("Deployment", "StatefulSet", "ReplicaSet"):
        replicas = (obj.get("spec") or {}).get("replicas", 1)
        status.update(
            replicas=replicas, readyReplicas=replicas, availableReplicas=replicas, updatedReplicas=replicas
        )
        status.pop("unavailableReplicas", None)
    return obj


@dataclass
class Timeline:
    healthy: ClusterState
    node_down: ClusterState
    terminating: ClusterState
    recovered: ClusterState
    stuck_pods: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def timeline() -> Timeline:
    """The real capture of the incident (styx NotReady three days, eight pods stuck Terminating) and the
    states around it: before, as the node drops, and after it comes back (the pods finally deleted)."""
    incident = SnapshotSource([SCENARIO / "snapshot.yaml", SCENARIO / "homelabctl-manifest.json"]).load()
    raws = [copy.deepcopy(dict(r.raw)) for r in incident.index]
    on_styx = {
        r["metadata"]["name"] for r in raws if r["kind"] == "Pod" and r["spec"].get("nodeName") == NODE
    }
    stuck = sorted(
        n
        for n in on_styx
        if any(
            r["metadata"].get("deletionTimestamp")
            for r in raws
            if r["kind"] == "Pod" and r["metadata"]["name"] == n
        )
    )

    def node_event(raw: dict[str, Any]) -> bool:
        return cast("bool", raw["kind"] == "Event" and raw.get("involvedObject", {}).get("name") == NODE)

    def fixed(raw: dict[str, Any]) -> dict[str, Any]:
        if raw["kind"] == "Node" and raw["metadata"]["name"] == NODE:
            return _healthy_node(raw)
        if raw["kind"] == "Pod" and raw["metadata"]["name"] in on_styx:
            return _running_pod(raw)
        return _settled(raw)

    def replaced(raw: dict[str, Any]) -> dict[str, Any]:
        """What the controllers create once the kubelet confirms the old pod gone: a new uid, and a new name
        unless a StatefulSet owns it."""
        pod = copy.deepcopy(raw)
        meta = pod["metadata"]
        meta["uid"] = meta["uid"][:-4] + "beef"
        if not any(o.get("kind") == "StatefulSet" for o in meta.get("ownerReferences", [])):
            meta["name"] = meta["name"][:-5] + "q7x2z"
        meta["creationTimestamp"] = CAPTURED
        return pod

    healthy = [fixed(r) for r in raws if not node_event(r)]
    node_down = [
        (_running_pod(r) if r["kind"] == "Pod" and r["metadata"]["name"] in on_styx else r) for r in raws
    ]
    recovered = [
        replaced(fixed(r)) if r["kind"] == "Pod" and r["metadata"]["name"] in stuck else fixed(r)
        for r in raws
        if not node_event(r)
    ]
    return Timeline(
        _with(incident, healthy), _with(incident, node_down), incident, _with(incident, recovered), stuck
    )


@dataclass
class Receiver:
    url: str
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    status: int = 200
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def json_bodies(self, path: str | None = None) -> list[Any]:
        return [
            json.loads(body)
            for p, headers, body in self.requests
            if (path is None or p == path) and headers.get("Content-Type") == "application/json"
        ]

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.requests) >= count, timeout)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A local HTTP server on 127.0.0.1 that records every POST (path, headers, body)."""
    holder: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            rec = holder[0]
            with rec.arrived:  # recorded before the answer: a client that got its answer finds it recorded
                rec.requests.append((self.path, dict(self.headers), body))
                rec.arrived.notify_all()
            self.send_response(rec.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder.append(Receiver(f"http://127.0.0.1:{server.server_address[1]}"))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield holder[0]
    server.shutdown()
    server.server_close()
