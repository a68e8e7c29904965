"""The dashboard: cluster text escaped, root causes first; and the real page in headless Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from homelabctl.analysis import analyze
from homelabctl.watch.dashboard import render_dashboard
from homelabctl.watch.history import CauseRecord, cause_key

from .conftest import NODE, Timeline
from .test_timeline import get, running, wait_until

HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def _record(cause: dict[str, Any], started: str) -> CauseRecord:
    obj = cause["object"]
    return CauseRecord(
        1,
        cause_key(cause),
        cause["rule"],
        cause["layer"],
        "critical",
        obj["kind"],
        obj.get("namespace"),
        obj["name"],
        cause["summary"],
        "",
        started,
        started,
        started,
        None,
        7,
    )


def test_root_causes_come_first_with_how_long(timeline: Timeline) -> None:
    report = analyze(timeline.terminating).report
    now = datetime(2025, 6, 16, 3, 0, tzinfo=UTC)
    record = _record(report["root_causes"][0], "2025-06-12T22:14:09Z")
    page = render_dashboard(report, [record], [record], now)
    assert (
        page.index("Root causes")
        < page.index("Scores")
        < page.index("Timeline of root causes")
        < page.index("Findings (")
    )
    assert "for 3 d 4 h" in page and "incident #7" in page
    assert "kubectl" in page  # next steps come with their commands
    assert "<script" not in page and "http" not in page.split("</head>")[0].replace(
        "http-equiv", ""
    )  # no assets


def test_cluster_text_is_escaped(timeline: Timeline) -> None:
    report = analyze(timeline.terminating).report
    report["root_causes"][0]["summary"] = HOSTILE
    report["findings"][0]["message"] = HOSTILE
    report["findings"][0]["evidence"] = [HOSTILE]
    report["source"]["name"] = HOSTILE
    record = _record(report["root_causes"][0], "2025-06-12T22:14:09Z")
    page = render_dashboard(report, [record], [record], datetime(2025, 6, 16, tzinfo=UTC))
    assert "<img" not in page and "<script" not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert page.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;") >= 4


def test_waiting_page_before_the_first_evaluation() -> None:
    page = render_dashboard(
        None, [], [], datetime.now(UTC) - timedelta(seconds=1), status="reading the cluster"
    )
    assert "Waiting for the first evaluation" in page and "reading the cluster" in page


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium; .ci/run does)")
    return found


def test_dashboard_in_headless_chromium(timeline: Timeline, tmp_path: Path) -> None:
    """The page as a browser renders it: the root cause's text is in the DOM; a screenshot is kept."""
    browser = chromium()
    with running(timeline.node_down, tmp_path, []) as run:
        wait_until(
            lambda: run.service.current is not None and run.service.current.report["root_causes"],
            what="first evaluation",
        )
        url = run.http.url + "/"
        assert get(url)[0] == 200
        profile = tmp_path / "chromium-profile"
        env = {**os.environ, "HOME": str(tmp_path)}
        common = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            "--no-first-run",
            "--hide-scrollbars",
        ]
        dom = subprocess.run(
            [*common, "--dump-dom", url], capture_output=True, text=True, timeout=120, env=env, check=False
        )
        assert dom.returncode == 0, dom.stderr[-2000:]
        summary = run.service.current.report["root_causes"][0]["summary"]  # type: ignore[union-attr]
        assert f"Node {NODE} is Unknown" in summary
        assert summary in dom.stdout
        assert "for 3 d 4 h" in dom.stdout
        screenshot = tmp_path / "dashboard.png"
        shot = subprocess.run(
            [*common, f"--screenshot={screenshot}", "--window-size=1280,1600", url],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=False,
        )
        assert shot.returncode == 0, shot.stderr[-2000:]
        assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 10_000
        print(f"dashboard screenshot: {screenshot}")


def test_the_page_says_when_the_watch_is_failing(timeline: Timeline, tmp_path: Path) -> None:
    with running(timeline.healthy, tmp_path, []) as run:
        wait_until(lambda: run.service.current is not None, what="first evaluation")
        assert "watch error" not in get(run.http.url + "/")[1]
        run.metrics.watch_error("Pod", "stream")
        run.metrics.watch_error("Pod", "stream")
        page = get(run.http.url + "/")[1]
        assert "2 watch error(s) in the last 5 min, the data may be stale: Pod (stream)" in page
        assert (
            'homelabctl_watch_errors_total{kind="Pod",reason="stream"} 2.0'
            in get(run.http.url + "/metrics")[1]
        )
