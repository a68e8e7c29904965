"""control-plane-datastore-slow: controllers of several workloads quote etcd's errors through the API server.

Termination messages as controllers write them when their lease write times out (client-go's leaderelection;
https://github.com/k3s-io/k3s/issues/2853, https://github.com/k3s-io/k3s/issues/8956).
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from homelabctl.k8s.datastore_errors import etcd_error_line

from factories import node
from factories_apps import DATASTORE_KLOG as KLOG
from factories_apps import DATASTORE_ZAP as ZAP
from factories_apps import datastore_timeout_cluster as cluster
from factories_apps import lease_losing_controller as controller
from helpers import findings


def test_fires_on_the_only_control_plane_node() -> None:
    [finding] = findings("control-plane-datastore-slow", cluster())
    assert (finding.object.kind, finding.object.name) == ("Node", "k3s-master1")
    assert finding.layer.value == "node" and finding.severity.value == "critical"
    assert "2 controller(s) on 2 node(s)" in finding.message
    assert (
        "k3s-master1 is the only control-plane node: the API server writes to its datastore"
        in finding.evidence
    )
    assert "journalctl -u k3s" in finding.hint


def test_silent_when_one_controller_alone_quotes_it() -> None:
    objs = [
        node("k3s-master1", control_plane=True),
        *controller("cert-manager", "cert-manager", "k3s2", KLOG, ago=timedelta(minutes=5)),
    ]
    assert findings("control-plane-datastore-slow", objs) == []


def test_silent_on_terminations_of_hours_ago() -> None:
    assert findings("control-plane-datastore-slow", cluster(ago=timedelta(hours=5))) == []


def test_on_the_cluster_when_several_nodes_run_the_control_plane() -> None:
    objs = [*cluster(), node("k3s-master2", control_plane=True)]
    [finding] = findings("control-plane-datastore-slow", objs)
    assert (finding.object.kind, finding.object.name) == ("Cluster", "cluster")


def test_etcd_error_line_quotes_the_line_that_names_the_error() -> None:
    assert etcd_error_line(ZAP).startswith(
        '{"level":"error","msg":"Failed to update lock optimitically: etcdserver'
    )
    assert "leader election lost" not in etcd_error_line(ZAP)
    assert etcd_error_line("leader election lost") == ""


@given(st.text(max_size=300))
def test_etcd_error_line_answers_only_etcd_errors(message: str) -> None:
    line = etcd_error_line(message)
    assert line == "" or "etcdserver: " in line
