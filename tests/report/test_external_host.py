"""A finding on an object outside the cluster (``ExternalHost``) goes through reports, renderers and scores."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console

from homelabctl.analysis import analyze
from homelabctl.report.build import validate_report
from homelabctl.report.render_diagnose import render_diagnose_markdown, render_diagnose_tree
from homelabctl.report.render_markdown import render_markdown
from homelabctl.report.render_table import render_table

from factories import event, node, pod, state
from factories_diag import bound_claim, nfs_pv
from factories_infra import claim_volume

# https://github.com/rook/nfs/issues/34 (kubelet FailedMount when the NFS server does not answer)
TIMED_OUT = (
    'MountVolume.SetUp failed for volume "media-nfs" : mount failed: exit status 32 Mounting command: mount '
    "Mounting arguments: -t nfs 192.168.10.5:/volume1/media /var/lib/kubelet/pods/fffe3c67/volumes/"
    "kubernetes.io~nfs/media-nfs Output: mount.nfs: Connection timed out"
)


def _report() -> dict[str, Any]:
    jellyfin = pod("jellyfin-0", "media", node_name="k3s1", phase="Pending", volumes=[claim_volume("media")])
    objs = [
        node("k3s1"),
        nfs_pv("media-nfs", "192.168.10.5", "/volume1/media", claim=("media", "media")),
        bound_claim("media", "media", "media-nfs"),
        jellyfin,
        event(jellyfin, "FailedMount", TIMED_OUT, count=9),
    ]
    data = analyze(state(objs)).report
    data["generated_at"] = "2025-06-16T03:00:00Z"
    return data


def test_external_host_findings_validate_render_and_score() -> None:
    report = _report()
    validate_report(report)
    hosts = [f for f in report["findings"] if f["object"]["kind"] == "ExternalHost"]
    assert [(f["check"], f["object"]) for f in hosts] == [
        ("nfs-server-unreachable", {"kind": "ExternalHost", "namespace": None, "name": "192.168.10.5"})
    ]
    json.dumps(report)
    console = Console(record=True, width=160, color_system=None, force_terminal=False)
    render_table(report, console)
    render_diagnose_tree(report, console)
    text = console.export_text()
    assert "ExternalHost 192.168.10.5" in text
    assert "ExternalHost 192.168.10.5" in render_markdown(report)
    render_diagnose_markdown(report)
    storage = report["scores"]["storage"]
    assert storage["score"] is not None and storage["score"] < 100
