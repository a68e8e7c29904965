"""longhorn-node-blocks-volumes: the only Longhorn node a volume's tags admit, with scheduling disabled,
is the cause of that volume and of what waits for it."""

from __future__ import annotations

from typing import Any

from homelabctl.analysis import analyze

from factories import node, state
from factories_infra import longhorn_node, longhorn_volume, pvc

PRECHECK = "precheck new replica failed: nodes are unavailable"


def _objects(*, allow: bool) -> list[dict[str, Any]]:
    lh = longhorn_node("k3s3", allow_scheduling=allow)
    lh["spec"]["tags"] = ["storage"]
    vol = longhorn_volume(
        pvc("frigate-media", "home"),
        robustness="unknown",
        state="detached",
        replicas=1,
        scheduled_message=PRECHECK,
        workload="frigate",
        pod_status="Pending",
    )
    vol["spec"]["nodeSelector"] = ["storage"]
    return [node("k3s1"), node("k3s3"), longhorn_node("k3s1"), lh, vol]


def test_the_sole_candidate_node_is_the_cause_of_the_volume() -> None:
    report = analyze(state(_objects(allow=False))).report
    top = report["root_causes"][0]
    assert top["object"] == {"kind": "Node", "namespace": "longhorn-system", "name": "k3s3"}
    assert top["rule"] == "longhorn-node-blocks-volumes"
    volume = next(f for f in report["findings"] if f["check"] == "longhorn-volume-degraded")
    assert volume["id"] in top["symptoms"]


def test_a_node_that_takes_replicas_is_not_named() -> None:
    causes = analyze(state(_objects(allow=True))).report["root_causes"]
    assert all(c["object"]["name"] != "k3s3" for c in causes)
