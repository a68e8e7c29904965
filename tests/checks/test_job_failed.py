from __future__ import annotations

from datetime import timedelta

import pytest

from homelabctl.checks.workload.job_failed import schedule_interval

from factories_apps import cronjob, failed_job_pod, job
from helpers import findings, run_one


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ("@daily", timedelta(days=1)),
        ("0 * * * *", timedelta(hours=1)),
        ("*/15 * * * *", timedelta(minutes=15)),
        ("0 3 * * *", timedelta(days=1)),
        ("0 */6 * * *", timedelta(hours=6)),
        ("0 4 * * 0", timedelta(days=7)),
        ("0 4 1 * *", timedelta(days=31)),
        ("CRON_TZ=Europe/Berlin 30 2 * * 1-5", timedelta(days=7) / 5),
        ("not a schedule", None),
    ],
)
def test_schedule_interval(schedule: str, expected: timedelta | None) -> None:
    assert schedule_interval(schedule) == expected


def test_cronjob_whose_last_run_failed_reports_the_job_and_pod_exit() -> None:
    cj = cronjob(
        "recyclarr", "media", "0 */6 * * *", last_schedule=timedelta(hours=1), last_success=timedelta(hours=7)
    )
    ok = job("recyclarr-28640160", "media", owner=cj, age=timedelta(hours=7))
    bad = job("recyclarr-28640520", "media", owner=cj, failed=True, age=timedelta(hours=1))
    pod = failed_job_pod(bad, "m4n7q", message="[ERR] Sonarr: 401 Unauthorized")
    found = findings("job-failed", [cj, ok, bad, pod])
    assert [(f.object.kind, f.object.name) for f in found] == [("CronJob", "recyclarr")]
    assert found[0].message == "CronJob media/recyclarr's last run failed"
    text = "\n".join(found[0].evidence)
    assert "schedule='0 */6 * * *' (about every 6h)" in text
    assert "Job recyclarr-28640520: Failed reason=BackoffLimitExceeded" in text
    assert "failed pods=3, backoffLimit=2" in text
    assert "pod recyclarr-28640520-m4n7q container recyclarr terminated reason=Error exitCode=1" in text
    assert "401 Unauthorized" in text
    assert "kubectl logs -n media job/recyclarr-28640520" in found[0].hint


def test_stale_cronjob_without_any_job_left() -> None:
    cj = cronjob(
        "recyclarr", "media", "@daily", last_schedule=timedelta(hours=2), last_success=timedelta(days=5)
    )
    found = findings("job-failed", [cj], captured=["Job.batch"])
    assert found[0].message == "CronJob media/recyclarr has not succeeded for 5d"


def test_failure_superseded_by_a_later_success_and_suspended_cronjobs_are_silent() -> None:
    cj = cronjob("recyclarr", "media", "0 */6 * * *", last_success=timedelta(minutes=30))
    old = job("recyclarr-1", "media", owner=cj, failed=True, age=timedelta(hours=7))
    newer = job("recyclarr-2", "media", owner=cj, age=timedelta(minutes=35))
    paused = cronjob("backup", "default", "@hourly", last_success=timedelta(days=30), suspend=True)
    assert findings("job-failed", [cj, old, newer, paused]) == []


def test_standalone_failed_job() -> None:
    bad = job(
        "authentik-migrate",
        "authentik",
        failed=True,
        reason="DeadlineExceeded",
        message="Job was active longer than specified deadline",
    )
    found = findings("job-failed", [bad])
    assert [(f.object.kind, f.object.name) for f in found] == [("Job", "authentik-migrate")]
    assert "failed (DeadlineExceeded)" in found[0].message


def test_not_evaluated_without_jobs_or_cronjobs() -> None:
    assert run_one("job-failed", []).status == "not_evaluated"


def test_old_standalone_failure_is_info_and_orphaned_cronjob_jobs_are_reported() -> None:
    old = job("authentik-migrate", "authentik", failed=True, age=timedelta(days=30))
    orphan = job("recyclarr-28640520", "media", failed=True)
    orphan["metadata"]["ownerReferences"] = [
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "name": "recyclarr",
            "uid": "0b9f3c1e-5d2a-4e8b-9c7f-1a2b3c4d5e6f",
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    found = findings("job-failed", [old, orphan])
    assert [(f.object.name, f.severity.value) for f in found] == [
        ("authentik-migrate", "info"),
        ("recyclarr-28640520", "warning"),
    ]
