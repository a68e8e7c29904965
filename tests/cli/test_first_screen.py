"""The first screen of `diagnose`: each root cause in <= 6 lines, exact commands, plain when piped."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest
from rich.console import Console

from homelabctl.analysis import analyze
from homelabctl.report.next_steps import exact_steps, first_commands
from homelabctl.report.render_diagnose import render_diagnose_tree
from homelabctl.report.screen import clip, wrap
from homelabctl.sources.snapshot import demo_source


@pytest.fixture(scope="module")
def demo_report() -> dict[str, Any]:
    report: dict[str, Any] = analyze(demo_source().load()).report
    return report


def _blocks(text: str) -> list[list[str]]:
    """Root-cause blocks: from a line "N. ..." to the next blank line."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if re.match(r"\d+\. ", line):
            current = [line]
            blocks.append(current)
        elif not line.strip():
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def test_piped_diagnose_head_25_shows_the_first_cause_with_an_exact_command() -> None:
    proc = subprocess.run(
        f"{sys.executable} -m homelabctl diagnose --demo | head -25",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = proc.stdout.splitlines()
    assert len(lines) == 25
    first = next(i for i, line in enumerate(lines) if line.startswith("1. "))
    assert "k3s1" in lines[first] and "pod network" in lines[first]
    commands = [line.strip() for line in lines[first : first + 6] if line.strip().startswith("$ ")]
    assert commands, lines
    # the crash-looping Cilium pod on k3s1, not "some pod of ds/cilium"
    assert commands[0] == "$ kubectl -n kube-system logs cilium-jc6b2 -c cilium-agent --previous --tail=50"
    shown = [line.strip() for line in lines if line.strip().startswith("$ ")]
    assert not any("ds/" in c or "daemonset/" in c or "<group>" in c for c in shown), shown
    assert not any(ch in proc.stdout for ch in "│╭╰├└─"), "box drawing on a pipe"


def test_each_cause_fits_six_lines_at_80_columns(demo_report: dict[str, Any]) -> None:
    console = Console(record=True, width=81, force_terminal=True, color_system=None)
    render_diagnose_tree(demo_report, console)
    text = console.export_text()
    blocks = _blocks(text)
    assert len(blocks) == len(demo_report["root_causes"])
    for block in blocks:
        assert len(block) <= 6, block
        for line in block:
            assert len(line) <= 80 or line.lstrip().startswith("$ "), line  # commands are never cut
    # no word split across lines: every wrapped prose line ends at a word boundary of the summary
    summary = " ".join(demo_report["root_causes"][0]["summary"].split())
    first = blocks[0]
    head = " ".join(line.strip().removeprefix("1. ").rstrip("…") for line in first[:2])
    assert summary.startswith(head.removesuffix("…").strip()) or head.endswith("…")


def test_plain_output_is_never_wrapped(demo_report: dict[str, Any]) -> None:
    console = Console(record=True, width=60, force_terminal=False, color_system=None)
    render_diagnose_tree(demo_report, console)
    blocks = _blocks(console.export_text())
    for rc, block in zip(demo_report["root_causes"], blocks, strict=True):
        assert block[0].endswith(" ".join(rc["summary"].split()))
        assert len(block) <= 5


def test_verbose_lists_every_symptom(demo_report: dict[str, Any]) -> None:
    console = Console(record=True, width=100, force_terminal=False, color_system=None)
    render_diagnose_tree(demo_report, console, verbose=True)
    text = console.export_text()
    rc = demo_report["root_causes"][0]
    for sid in rc["symptoms"]:
        assert f"  - {sid} " in text
    assert "(DANGEROUS: read it first)" in text or not any(
        s["dangerous"] for r in demo_report["root_causes"] for s in r["next_steps"]
    )


def test_commands_name_the_exact_object(demo_report: dict[str, Any]) -> None:
    by_id = {f["id"]: f for f in demo_report["findings"]}
    by_rule: dict[str, list[str]] = {}
    for rc in demo_report["root_causes"]:
        by_rule.setdefault(rc["rule"], []).extend(s.command or "" for s in first_commands(rc, by_id))
    assert "kubectl get crds | grep -i deviceplugin.intel.com" in by_rule["flux-missing-crd"]
    for commands in by_rule.values():
        for command in commands:
            assert not re.search(r"\blogs (ds|daemonset|deploy|deployment)/", command), command
    workload = [c for c in by_rule.get("workload-down", []) if " logs " in c]
    assert workload and all(re.search(r"logs [a-z0-9-]+-[a-z0-9]{5} -c ", c) for c in workload), workload


def test_logs_on_a_controller_rank_after_exact_commands() -> None:
    # a report from an older version may still say `logs deployment/x`: it lands on an arbitrary pod
    rc = {
        "finding": "F1",
        "symptoms": [],
        "object": {},
        "next_steps": [
            {
                "text": "read",
                "command": "kubectl -n monitoring logs deployment/oauth2-proxy --previous",
                "dangerous": False,
            },
            {
                "text": "watch",
                "command": "kubectl -n monitoring rollout status deploy/oauth2-proxy",
                "dangerous": False,
            },
        ],
    }
    assert [(s.command, s.exact) for s in exact_steps(rc, {})] == [
        ("kubectl -n monitoring rollout status deploy/oauth2-proxy", True),
        ("kubectl -n monitoring logs deployment/oauth2-proxy --previous", False),
    ]


def test_safe_exact_commands_rank_first_and_dangerous_never_on_the_first_screen() -> None:
    rc = {
        "finding": "F1",
        "symptoms": [],
        "confidence": {"evidence": []},
        "object": {"kind": "Node", "name": "n1"},
        "next_steps": [
            {"text": "force", "command": "kubectl delete pod x --force", "dangerous": True},
            {"text": "ping", "command": "curl https://<api-server>:6443/healthz", "dangerous": False},
            {"text": "cordon", "command": "kubectl cordon n1", "dangerous": False},
        ],
    }
    steps = exact_steps(rc, {})
    assert [s.command for s in steps] == [
        "kubectl cordon n1",
        "curl https://<api-server>:6443/healthz",
        "kubectl delete pod x --force",
    ]
    assert [s.command for s in first_commands(rc, {})] == [
        "kubectl cordon n1",
        "curl https://<api-server>:6443/healthz",
    ]


def test_wrapping_never_splits_words() -> None:
    text = "longhorn-system/pvc-04e547f3-a7db-4dbe-93ca-65cb8d6452f7 is faulted: no healthy replica left"
    lines = wrap(text, 30, "   ", "1. ")
    assert all(word in text.split() for line in lines for word in line.replace("1. ", "").split())
    assert clip("alpha beta gamma delta", 12) == "alpha beta…"


def test_verbose_shows_the_chain_when_the_diagnosis_gives_one(demo_report: dict[str, Any]) -> None:
    report = dict(demo_report)
    rc = dict(report["root_causes"][0])
    rc["chain"] = [
        {
            "from": {"kind": "Node", "namespace": None, "name": "k3s1"},
            "edge": "runs-on",
            "to": {"kind": "Pod", "namespace": "media", "name": "sabnzbd-x"},
            "provenance": "spec.nodeName",
        }
    ]
    report["root_causes"] = [rc, *report["root_causes"][1:]]
    plain = Console(record=True, width=100, force_terminal=False, color_system=None)
    render_diagnose_tree(report, plain)
    assert "via:" not in plain.export_text()  # the first screen stays at six lines
    verbose = Console(record=True, width=100, force_terminal=False, color_system=None)
    render_diagnose_tree(report, verbose, verbose=True)
    assert "via: Node k3s1 —runs-on→ Pod media/sabnzbd-x (spec.nodeName)" in verbose.export_text()
