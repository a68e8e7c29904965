"""`homelabctl incident ...` end to end: the AAR comes out exactly as the seed's, JSON, $EDITOR, --from-check."""

from __future__ import annotations

import json
import sqlite3
import stat
import sys
from pathlib import Path

from syrupy.assertion import SnapshotAssertion

from factories_paperwork import RunCli
from homelabctl.incidents.store import IncidentStore

# The first AAR of the seed's CLUSTER-SETUP log (001), emoji decoded. The seed has a trailing space after
# "**Contributing Factors:**"; trailing whitespace is not compared.
SEED_AAR = """\
### AAR: k3s1 Networking Failure (June 14, 2025)

**1. What Happened:** Node k3s1 lost connectivity to cluster services, causing Longhorn pods to crash repeatedly. Initially misdiagnosed as K3s v1.32.5 CSI driver bug.

**2. Timeline:**
- Detection: Longhorn pods in CrashLoopBackOff with "context deadline exceeded"
- Initial diagnosis: Assumed CSI driver incompatibility
- Investigation: Discovered all nodes had CSI drivers registered
- Root cause found: k3s1 networking issue
- Resolution: Cordoned k3s1, allowed self-recovery, verified with canary pod

**3. Root Cause Analysis:**
- **Direct Cause:** Network service failure on k3s1 (specific trigger unknown)
- **Contributing Factors:**
  - Lack of node-level network monitoring
  - CSI error messages masked underlying network issue

**4. What Went Well / What Could Be Improved:**
- ✅ **Well:** Node isolation prevented cluster-wide impact
- ✅ **Well:** Discovered and fixed unrelated issues (MinIO secrets, VSL config)
- ⚠️ **Improve:** Started with application layer (CSI) instead of network layer
- ⚠️ **Improve:** No automated alerting for node network health

**5. Action Items & Lessons Learned:**
- **Action:** Investigate k3s1 logs for root cause (Owner: AI Team, Priority: P1)
- **Action:** Create node network health monitoring (Owner: AI Team, Priority: P2)
- **Action:** Update troubleshooting guides to check connectivity first (Owner: AI Team, Complete)
- **Lesson:** Always verify Layer 3/4 connectivity before debugging application protocols
- **Lesson:** Node-specific issues can present as cluster-wide symptoms
"""


def _record_seed_incident(run_cli: RunCli, db: Path) -> None:
    result = run_cli(
        "incident",
        "new",
        "--db",
        str(db),
        "--title",
        "k3s1 Networking Failure",
        "--severity",
        "P1",
        "--date",
        "2025-06-14",
        "--what-happened",
        "Node k3s1 lost connectivity to cluster services, causing Longhorn pods to crash "
        "repeatedly. Initially misdiagnosed as K3s v1.32.5 CSI driver bug.",
        "--timeline",
        'Detection: Longhorn pods in CrashLoopBackOff with "context deadline exceeded"',
        "--timeline",
        "Initial diagnosis: Assumed CSI driver incompatibility",
        "--direct-cause",
        "Network service failure on k3s1 (specific trigger unknown)",
        "--contributing",
        "Lack of node-level network monitoring",
        "--contributing",
        "CSI error messages masked underlying network issue",
        "--well",
        "Node isolation prevented cluster-wide impact",
    )
    assert result.exit_code == 0, result.output
    assert "Recorded incident 1: k3s1 Networking Failure (P1, 2025-06-14)" in result.stdout
    steps = [
        ("--add-timeline", "Investigation: Discovered all nodes had CSI drivers registered"),
        ("--add-timeline", "Root cause found: k3s1 networking issue"),
        ("--add-timeline", "Resolution: Cordoned k3s1, allowed self-recovery, verified with canary pod"),
        ("--add-well", "Discovered and fixed unrelated issues (MinIO secrets, VSL config)"),
        ("--add-improve", "Started with application layer (CSI) instead of network layer"),
        ("--add-improve", "No automated alerting for node network health"),
    ]
    for flag, value in steps:
        assert run_cli("incident", "update", "1", "--db", str(db), flag, value).exit_code == 0
    for text, priority in (
        ("Investigate k3s1 logs for root cause", "P1"),
        ("Create node network health monitoring", "P2"),
        ("Update troubleshooting guides to check connectivity first", "P2"),
    ):
        result = run_cli(
            "incident",
            "update",
            "1",
            "--db",
            str(db),
            "--add-action",
            text,
            "--owner",
            "AI Team",
            "--priority",
            priority,
        )
        assert result.exit_code == 0, result.output
    for lesson in (
        "Always verify Layer 3/4 connectivity before debugging application protocols",
        "Node-specific issues can present as cluster-wide symptoms",
    ):
        assert run_cli("incident", "update", "1", "--db", str(db), "--add-lesson", lesson).exit_code == 0
    assert run_cli("incident", "update", "1", "--db", str(db), "--done", "3").exit_code == 0


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def test_export_reproduces_the_seed_aar_exactly(run_cli: RunCli, tmp_path: Path) -> None:
    db = tmp_path / "incidents.db"
    _record_seed_incident(run_cli, db)
    result = run_cli("incident", "export", "1", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert _lines(result.stdout) == _lines(SEED_AAR)


def test_whole_log_markdown_and_json(run_cli: RunCli, tmp_path: Path, snapshot: SnapshotAssertion) -> None:
    db = tmp_path / "incidents.db"
    _record_seed_incident(run_cli, db)
    result = run_cli(
        "incident",
        "new",
        "--db",
        str(db),
        "--title",
        "Longhorn CSI Complete Failure",
        "--severity",
        "P0",
        "--date",
        "2025-06-15",
        "--what-happened",
        "Longhorn storage system completely failed after kubelet path changes.",
        "--timeline",
        "[June 14 AM] Day shift changed kubelet paths from K3s default to standard",
        "--timeline",
        "[June 15 AM] Fresh Longhorn v1.6.2 installed with correct paths",
        "--direct-cause",
        "Kubelet path change broke CSI socket connections",
        "--contributing",
        "No documentation of K3s-specific requirements",
        "--action",
        "Migrate monitoring to Longhorn storage",
        "--priority",
        "P0",
        "--lesson",
        "K3s uses `/var/lib/rancher/k3s/agent/kubelet` - NEVER change without storage migration",
    )
    assert result.exit_code == 0, result.output
    markdown = run_cli("incident", "export", "--db", str(db)).stdout
    assert markdown.startswith("## AAR Log\n\n### AAR: k3s1 Networking Failure (June 14, 2025)\n")
    assert "- **June 14 AM**: Day shift changed kubelet paths from K3s default to standard" in markdown
    assert "- **Contributing Factors:** No documentation of K3s-specific requirements" in markdown
    assert "- **Action:** Migrate monitoring to Longhorn storage (Priority: P0)" in markdown
    assert markdown == snapshot
    exported = json.loads(run_cli("incident", "export", "--db", str(db), "-o", "json").stdout)
    listed = json.loads(run_cli("incident", "list", "--db", str(db), "-o", "json").stdout)
    assert isinstance(listed, list) and listed == exported
    assert [i["title"] for i in listed] == ["k3s1 Networking Failure", "Longhorn CSI Complete Failure"]
    first = listed[0]
    assert first["schema"] == "homelabctl.incident/v1" and first["severity"] == "P1"
    assert first["action_items"][2] == {
        "text": "Update troubleshooting guides to check connectivity first",
        "owner": "AI Team",
        "priority": "P2",
        "status": "done",
    }
    one = json.loads(run_cli("incident", "export", "2", "--db", str(db), "-o", "json").stdout)
    assert isinstance(one, dict) and one["timeline"][0] == {
        "time": "June 14 AM",
        "text": "Day shift changed kubelet paths from K3s default to standard",
    }


def test_list_show_close_and_env_database(run_cli: RunCli, tmp_path: Path) -> None:
    db = tmp_path / "env.db"
    env = {"HOMELABCTL_DB": str(db)}
    assert run_cli("incident", "list", env=env).stdout.strip() == "No incidents recorded."
    assert run_cli("incident", "list", "-o", "json", env=env).stdout.strip() == "[]"
    run_cli(
        "incident",
        "new",
        "--title",
        "MinIO 0 drives provided",
        "--severity",
        "P2",
        "--date",
        "2025-06-15",
        "--action",
        "Repair MinIO storage",
        "--owner",
        "Josh",
        "--priority",
        "P1",
        env=env,
    )
    table = run_cli("incident", "list", env=env).stdout
    assert "MinIO 0 drives provided" in table and "open" in table and "1/1" in table
    shown = run_cli("incident", "show", "1", env=env)
    assert shown.stdout.startswith("### AAR: MinIO 0 drives provided (June 15, 2025)")
    assert "1. [open] Repair MinIO storage" in shown.stderr
    closed = run_cli("incident", "close", "1", env=env)
    assert "Closed incident 1" in closed.stdout and "1 action item(s) still open" in closed.stdout
    assert (
        json.loads(run_cli("incident", "list", "--status", "closed", "-o", "json", env=env).stdout)[0][
            "status"
        ]
        == "closed"
    )
    assert db.exists()


def test_bad_input_exits_2_with_one_line(run_cli: RunCli, tmp_path: Path) -> None:
    db = str(tmp_path / "i.db")
    missing = run_cli("incident", "update", "7", "--db", db, "--add-timeline", "10:00 x")
    assert missing.exit_code == 2 and missing.stderr.strip() == f"homelabctl: error: no incident 7 in {db}"
    bad_date = run_cli("incident", "new", "--db", db, "--title", "x", "--date", "14/06/2025")
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.stderr
    bad_severity = run_cli("incident", "new", "--db", db, "--title", "x", "--severity", "P9")
    assert bad_severity.exit_code == 2
    run_cli("incident", "new", "--db", db, "--title", "x")
    out_of_range = run_cli("incident", "update", "1", "--db", db, "--done", "2")
    assert out_of_range.exit_code == 2 and "has no action item 2 (it has 0)" in out_of_range.stderr
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("hello " * 1000)
    broken = run_cli("incident", "list", "--db", str(not_a_db))
    assert broken.exit_code == 2 and "not a usable incident database" in broken.stderr


def _editor(tmp_path: Path, body: str) -> str:
    """An $EDITOR that replaces the template with ``body`` (or leaves it unsaved when body is empty)."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\n"
        f"body = {body!r}\n"
        "path = pathlib.Path(sys.argv[1])\n"
        f"pathlib.Path({str(tmp_path / 'template.seen')!r}).write_text(path.read_text())\n"
        "if body:\n    path.write_text(body)\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return f"{sys.executable} {script}"


def test_new_without_title_opens_the_editor_template(run_cli: RunCli, tmp_path: Path) -> None:
    body = (
        "title: Authentik HelmRelease failing\nseverity: P1\ndate: 2025-06-14\n"
        "what_happened: |\n  Flux could not install Authentik.\n"
        'timeline:\n  - "21:05 flux reports secret authentik-secret not found"\n'
        "direct_cause: Missing Secret authentik/authentik-secret\n"
        "action_items:\n  - {text: Add the SOPS secret, owner: AI Team, priority: P0}\n"
        "lessons: [Check valuesFrom refs before merging]\n"
    )
    db = tmp_path / "i.db"
    result = run_cli(
        "incident", "new", "--db", str(db), env={"EDITOR": _editor(tmp_path, body), "VISUAL": ""}
    )
    assert result.exit_code == 0, result.output
    with IncidentStore(db) as store:
        incident = store.get(1)
    assert incident.title == "Authentik HelmRelease failing" and incident.severity == "P1"
    assert incident.timeline[0].time == "21:05" and incident.action_items[0].priority == "P0"
    assert incident.what_happened == "Flux could not install Authentik."


def test_editor_closed_without_saving_records_nothing(run_cli: RunCli, tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    result = run_cli("incident", "new", "--db", str(db), env={"EDITOR": _editor(tmp_path, ""), "VISUAL": ""})
    assert result.exit_code == 2 and "no incident recorded" in result.stderr
    template = (tmp_path / "template.seen").read_text()
    assert "title:" in template and "action_items:" in template and "severity: P2" in template
    with IncidentStore(db) as store:
        assert store.incidents() == []


def test_new_from_check_attaches_root_causes_and_a_redacted_snapshot_reference(
    run_cli: RunCli, tmp_path: Path, seed_snapshot: Path
) -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {"name": "oauth2-proxy", "namespace": "monitoring"},
        "data": {"cookie-secret": "c3VwZXItc2VjcmV0LWNvb2tpZS12YWx1ZS0xMjM0NTY3ODkw"},
    }
    (tmp_path / "secret.json").write_text(json.dumps(secret))
    db = tmp_path / "i.db"
    result = run_cli(
        "incident",
        "new",
        "--db",
        str(db),
        "--from-check",
        "--snapshot",
        str(seed_snapshot),
        "--snapshot",
        str(tmp_path / "secret.json"),
        "--title",
        "k3s1 down again",
        "-o",
        "json",
    )
    assert result.exit_code == 0, result.output
    incident = json.loads(result.stdout)
    assert incident["severity"] == "P1"  # a critical root cause, and no --severity given
    causes = incident["root_causes"]
    assert any(c["object"]["name"] == "k3s1" for c in causes), causes
    assert incident["direct_cause"] == causes[0]["summary"]
    ref = incident["snapshot"]
    assert ref["type"] == "snapshot" and str(seed_snapshot) in ref["paths"]
    assert len(ref["sha256"]) == 64 and ref["objects"] > 50
    again = run_cli(
        "incident",
        "new",
        "--db",
        str(db),
        "--from-check",
        "--snapshot",
        str(seed_snapshot),
        "--snapshot",
        str(tmp_path / "secret.json"),
        "--title",
        "same data",
        "-o",
        "json",
    )
    assert json.loads(again.stdout)["snapshot"]["sha256"] == ref["sha256"]  # same data, same digest
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("i.db*"))
    assert b"super-secret-cookie" not in raw and b"c3VwZXItc2VjcmV0" not in raw
    markdown = run_cli("incident", "export", "1", "--db", str(db)).stdout
    assert "**Evidence:** root causes found by `homelabctl diagnose` on snapshot" in markdown
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_demo_flag_needs_from_check(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("incident", "new", "--db", str(tmp_path / "i.db"), "--title", "x", "--demo")
    assert result.exit_code == 2 and "--from-check" in result.stderr
