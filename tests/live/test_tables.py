"""Server-side printing, JSONPath, and the small readings behind them, on objects shaped like the API's."""

from __future__ import annotations

import io
import sys
from datetime import timedelta
from typing import Any

import pytest

from homelabctl.kube import node_status_text
from homelabctl.live import jsonpath
from homelabctl.live.kubeclient import describe_transport_error
from homelabctl.live.source import progress_bar
from homelabctl.live.tables import (
    BUILTIN,
    crd_printer,
    human_duration,
    pod_cells,
    selector_string,
)

from factories import NOW, container_status, node, pod, ts


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (-5, "<invalid>"),
        (-1, "0s"),
        (0, "0s"),
        (119, "119s"),
        (120, "2m"),
        (599, "9m59s"),
        (600, "10m"),
        (179 * 60, "179m"),
        (3 * 3600, "3h"),
        (7 * 3600 + 59 * 60, "7h59m"),
        (8 * 3600, "8h"),
        (47 * 3600, "47h"),
        (48 * 3600, "2d"),
        (7 * 86400 + 23 * 3600, "7d23h"),
        (8 * 86400, "8d"),
        (729 * 86400, "729d"),
        (730 * 86400, "2y"),
        (740 * 86400, "2y10d"),
        (8 * 365 * 86400, "8y"),
    ],
)
def test_human_duration_matches_kubectl(seconds: int, text: str) -> None:
    assert human_duration(timedelta(seconds=seconds)) == text


def status(raw: dict[str, Any]) -> str:
    return pod_cells(raw, NOW)[1]


def test_pod_status_column_cases() -> None:
    crash = pod(
        "a",
        statuses=[
            container_status(
                "app",
                "img",
                state="waiting",
                reason="CrashLoopBackOff",
                restarts=7,
                last_terminated={"finishedAt": ts(timedelta(minutes=3))},
            )
        ],
    )
    cells, reason = pod_cells(crash, NOW)
    assert (cells[1], reason, cells[3]) == ("0/1", "CrashLoopBackOff", "7 (3m ago)")

    oom = pod(
        "b", statuses=[container_status("app", "img", state="terminated", reason="OOMKilled", exit_code=137)]
    )
    assert status(oom) == "OOMKilled"
    killed = pod("c", statuses=[container_status("app", "img", state="terminated", reason="", exit_code=137)])
    killed["status"]["containerStatuses"][0]["state"]["terminated"].pop("reason")
    assert status(killed) == "ExitCode:137"

    terminating = pod("d", deletion=timedelta(hours=2))
    assert status(terminating) == "Terminating"
    lost = pod("e", deletion=timedelta(hours=2), status_reason="NodeLost")
    assert status(lost) == "Unknown"
    finished = pod(
        "f",
        phase="Succeeded",
        deletion=timedelta(hours=2),
        statuses=[container_status("app", "img", state="terminated", reason="Completed", exit_code=0)],
    )
    assert status(finished) == "Completed"  # a finished pod being deleted is not "Terminating"

    pending = pod("g", node_name=None, phase="Pending")
    assert status(pending) == "Pending"
    gated = pod(
        "h",
        node_name=None,
        phase="Pending",
        conditions=[{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}],
    )
    assert status(gated) == "SchedulingGated"


def test_pod_init_containers_and_sidecars() -> None:
    init = pod(
        "a",
        phase="Pending",
        statuses=[container_status("app", "img", state="waiting", reason="PodInitializing")],
    )
    init["spec"]["initContainers"] = [{"name": "migrate", "image": "img"}, {"name": "seed", "image": "img"}]
    init["status"]["initContainerStatuses"] = [
        container_status("migrate", "img", state="waiting", reason="CrashLoopBackOff", restarts=4),
        container_status("seed", "img", state="waiting", reason="PodInitializing"),
    ]
    for cond in init["status"]["conditions"]:
        if cond["type"] in ("Initialized", "Ready", "ContainersReady"):
            cond["status"] = "False"
    assert status(init) == "Init:CrashLoopBackOff"
    init["status"]["initContainerStatuses"][0] = container_status(
        "migrate", "img", state="running", ready=False
    )
    assert status(init) == "Init:0/2"

    sidecar = pod("b", statuses=[container_status("app", "img")])
    sidecar["spec"]["initContainers"] = [{"name": "proxy", "image": "envoy", "restartPolicy": "Always"}]
    proxy = container_status("proxy", "envoy")
    sidecar["status"]["initContainerStatuses"] = [proxy]
    cells, reason = pod_cells(sidecar, NOW)
    assert (cells[1], reason) == ("2/2", "Running")


def test_node_status_column() -> None:
    assert node_status_text(node("a")) == "Ready"
    assert node_status_text(node("b", ready="False")) == "NotReady"
    assert node_status_text(node("c", ready="Unknown")) == "NotReady"  # kubectl never prints Unknown for this
    assert node_status_text(node("d", unschedulable=True)) == "Ready,SchedulingDisabled"
    bare = node("e")
    bare["status"]["conditions"] = []
    assert node_status_text(bare) == "Unknown"


def test_service_columns() -> None:
    row = BUILTIN["Service"].row
    lb: dict[str, Any] = {
        "metadata": {"name": "gw", "creationTimestamp": ts(timedelta(days=1))},
        "spec": {
            "type": "LoadBalancer",
            "clusterIP": "10.43.1.2",
            "clusterIPs": ["10.43.1.2"],
            "ports": [{"port": 443, "nodePort": 31443, "protocol": "TCP"}],
        },
        "status": {"loadBalancer": {}},
    }
    assert row(lb, NOW)[1:6] == ["LoadBalancer", "10.43.1.2", "<pending>", "443:31443/TCP", "24h"]
    lb["status"]["loadBalancer"]["ingress"] = [{"ip": "192.168.10.224", "ipMode": "VIP"}]
    assert row(lb, NOW)[3] == "192.168.10.224"
    headless = {
        "metadata": {"name": "db"},
        "spec": {"clusterIP": "None", "clusterIPs": ["None"], "ports": []},
    }
    assert row(headless, NOW)[1:5] == ["ClusterIP", "None", "<none>", "<none>"]


def test_selector_string_is_sorted_by_key() -> None:
    selector = {
        "matchLabels": {"tier": "web", "app": "shop"},
        "matchExpressions": [
            {"key": "env", "operator": "In", "values": ["prod", "dev"]},
            {"key": "legacy", "operator": "DoesNotExist"},
        ],
    }
    assert selector_string(selector) == "app=shop,env in (dev,prod),!legacy,tier=web"


def test_jsonpath_subset() -> None:
    obj = {
        "status": {
            "conditions": [
                {"type": "Ready", "status": "False", "message": "no"},
                {"type": "Stalled", "status": "True"},
            ],
            "addresses": [{"value": "10.0.0.1"}, {"value": "10.0.0.2"}],
        },
        "spec": {"hostnames": ["a.example", "b.example"], "a/b": 1},
    }
    assert jsonpath.find(obj, '.status.conditions[?(@.type=="Ready")].status') == ["False"]
    assert jsonpath.find(obj, ".status.conditions[?(@.type=='Stalled')].status") == ["True"]
    assert jsonpath.find(obj, '.status.conditions[?(@.type!="Ready")].type') == ["Stalled"]
    assert jsonpath.find(obj, "{.status.addresses[*].value}") == ["10.0.0.1", "10.0.0.2"]
    assert jsonpath.find(obj, ".status.addresses[-1].value") == ["10.0.0.2"]
    assert jsonpath.find(obj, ".spec['a/b']") == [1]
    assert jsonpath.find(obj, ".spec.hostnames") == [["a.example", "b.example"]]
    assert jsonpath.find(obj, ".spec.missing.deeper") == []
    assert jsonpath.find(obj, "..recursive") == []  # unsupported: an empty cell, not a crash


def test_crd_printer_column_types() -> None:
    printer = crd_printer(
        [
            {"name": "Ready", "type": "string", "jsonPath": '.status.conditions[?(@.type=="Ready")].status'},
            {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},
            {"name": "Default", "type": "boolean", "jsonPath": ".spec.default"},
            {"name": "Hosts", "type": "string", "jsonPath": ".spec.hostnames"},
            {"name": "Last", "type": "date", "jsonPath": ".status.lastTime"},
            {"name": "Missing", "type": "string", "jsonPath": ".status.nothing"},
        ]
    )
    assert [c.name for c in printer.columns] == [
        "Name",
        "Ready",
        "Replicas",
        "Default",
        "Hosts",
        "Last",
        "Missing",
    ]
    obj = {
        "metadata": {"name": "x"},
        "spec": {"replicas": 2, "default": True, "hostnames": ["h.example"]},
        "status": {"conditions": [{"type": "Ready", "status": "True"}], "lastTime": ts(timedelta(minutes=5))},
    }
    assert printer.row(obj, NOW) == ["x", "True", 2, True, '["h.example"]', "5m", None]
    assert [c.name for c in crd_printer([]).columns] == ["Name", "Age"]


def test_transport_errors_read_as_one_phrase() -> None:
    import http.client

    import urllib3.exceptions as u3

    refused = u3.NewConnectionError(
        None,  # type: ignore[arg-type]
        "Failed to establish a new connection: [Errno 111] Connection refused",
    )
    assert describe_transport_error(u3.MaxRetryError(None, "/version", refused)) == "connection refused"  # type: ignore[arg-type]
    dns = u3.NameResolutionError("k3s.example.invalid", None, OSError("Name or service not known"))  # type: ignore[arg-type]
    assert describe_transport_error(u3.MaxRetryError(None, "/", dns)).startswith("DNS lookup failed")  # type: ignore[arg-type]
    read = u3.ReadTimeoutError(None, "/", "Read timed out. (read timeout=10)")  # type: ignore[arg-type]
    assert (
        describe_transport_error(u3.MaxRetryError(None, "/", read))  # type: ignore[arg-type]
        == "no answer before the request timeout"
    )
    closed = u3.ProtocolError("Connection aborted.", http.client.RemoteDisconnected("closed"))
    assert describe_transport_error(closed) == "the server closed the connection without answering"
    tls = u3.SSLError("certificate verify failed: unable to get local issuer certificate")
    assert describe_transport_error(
        u3.MaxRetryError(None, "/", tls)  # type: ignore[arg-type]
    ).startswith("TLS error: certificate verify")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    pipe = io.StringIO()
    monkeypatch.setattr(sys, "stderr", pipe)
    with progress_bar(True, 3, "Reading https://k3s:6443") as advance:
        advance("pods")
    assert pipe.getvalue() == ""
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress_bar(False, 3, "Reading") as advance:
        advance("pods")
    assert terminal.getvalue() == ""
    with progress_bar(True, 3, "Reading https://k3s:6443") as advance:
        advance("pods")
    assert "Reading https://k3s:6443" in terminal.getvalue()
