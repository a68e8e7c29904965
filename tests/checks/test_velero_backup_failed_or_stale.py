from __future__ import annotations

from datetime import timedelta

import pytest

from homelabctl import kinds
from homelabctl.checks.backup._common import schedule_interval

from factories_platform import backup, bsl, schedule
from helpers import findings, run_one


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("0 * * * *", timedelta(hours=1)),
        ("0 2 * * *", timedelta(days=1)),
        ("0 3 * * 0", timedelta(days=7)),
        ("0 3 * * SUN", timedelta(days=7)),
        ("*/15 * * * *", timedelta(minutes=15)),
        ("0 */6 * * *", timedelta(hours=6)),
        ("30 1 * * 1-5", timedelta(days=3)),
        ("0 4 1 * *", timedelta(days=31)),
        ("@every 24h", timedelta(hours=24)),
        ("@daily", timedelta(days=1)),
        ("CRON_TZ=Europe/Berlin 0 2 * * *", timedelta(days=1)),
        ("not a schedule", None),
        ("61 * * * *", None),
    ],
)
def test_schedule_interval(spec: str, expected: timedelta | None) -> None:
    assert schedule_interval(spec) == expected


def test_latest_backup_failed_is_critical_with_counts() -> None:
    daily = schedule("daily-critical", "0 2 * * *", location="default")
    objs = [
        daily,
        backup(daily, timedelta(days=1, hours=1)),
        backup(
            daily,
            timedelta(hours=1),
            phase="Failed",
            errors=1,
            failure_reason='rpc error: code = Unknown desc = BackupStorageLocation "default" is unavailable',
        ),
        bsl("default", default=True, phase="Unavailable"),
    ]
    found = findings("velero-backup-failed-or-stale", objs)
    assert len(found) == 1
    f = found[0]
    assert f.object.kind == "Schedule" and f.object.name == "daily-critical"
    assert f.severity.value == "critical"
    assert "latest backup daily-critical-20250616020000 Failed" in f.message and "is unavailable" in f.message
    assert any(
        e.startswith("Backup daily-critical-20250616020000: phase=Failed errors=1 warnings=0")
        for e in f.evidence
    )
    assert any(
        e.startswith("last usable: Backup daily-critical-20250615020000: phase=Completed") for e in f.evidence
    )
    assert "storageLocation default is Unavailable (see velero-bsl-unavailable)" in f.evidence
    assert "velero backup logs daily-critical-20250616020000 -n velero" in f.hint


def test_partially_failed_is_warning() -> None:
    weekly = schedule("weekly-full", "0 3 * * 0", location="b2")
    objs = [weekly, backup(weekly, timedelta(days=1), phase="PartiallyFailed", errors=3, warnings=12)]
    found = findings("velero-backup-failed-or-stale", objs)
    assert found[0].severity.value == "warning"
    assert "PartiallyFailed (3 errors, 12 warnings)" in found[0].message


def test_stale_when_last_success_older_than_twice_the_interval() -> None:
    hourly = schedule("hourly-longhorn", "0 * * * *", location="b2")
    objs = [hourly, backup(hourly, timedelta(hours=5))]
    found = findings("velero-backup-failed-or-stale", objs)
    f = found[0]
    assert f.severity.value == "warning"
    assert "last completed a backup 4h56m ago, more than twice its 60m interval" in f.message
    assert "spec.schedule='0 * * * *' (every ~60m)" in f.evidence


def test_in_progress_backup_does_not_hide_the_last_result() -> None:
    hourly = schedule("hourly-longhorn", "0 * * * *", location="b2")
    objs = [
        hourly,
        backup(hourly, timedelta(hours=1, minutes=1)),
        backup(hourly, timedelta(minutes=1), phase="InProgress"),
    ]
    assert findings("velero-backup-failed-or-stale", objs) == []


def test_without_backups_falls_back_to_last_backup() -> None:
    never = schedule("daily-critical", "0 2 * * *", last_backup=None, age=timedelta(days=10))
    old = schedule("weekly-full", "@every 168h", last_backup=timedelta(days=20), paused=True)
    location = bsl("default", default=True, phase="Unavailable")
    found = {f.object.name: f for f in findings("velero-backup-failed-or-stale", [never, old, location])}
    assert found["daily-critical"].severity.value == "critical"
    assert "never run a backup in 10d" in found["daily-critical"].message
    assert (
        "storageLocation default is Unavailable (see velero-bsl-unavailable)"
        in found["daily-critical"].evidence
    )
    assert found["weekly-full"].severity.value == "warning"
    assert "(the schedule is paused)" in found["weekly-full"].message
    assert any("lastBackup says when a backup started" in e for e in found["weekly-full"].evidence)


def test_failed_validation_schedule() -> None:
    bad = schedule(
        "daily-critical",
        "0 2 * * *",
        phase="FailedValidation",
        last_backup=None,
        validation_errors=["invalid schedule: expected exactly 5 fields, found 6: [0 0 2 * * *]"],
    )
    found = findings("velero-backup-failed-or-stale", [bad])
    assert (
        "failed validation and never runs" in found[0].message
        and "expected exactly 5 fields" in found[0].message
    )


def test_silent_on_fresh_successful_backups() -> None:
    daily = schedule("daily-critical", "0 2 * * *", location="b2")
    hourly = schedule("hourly-longhorn", "0 * * * *", location="b2")
    objs = [
        daily,
        hourly,
        backup(daily, timedelta(hours=1)),
        backup(hourly, timedelta(minutes=30), warnings=2),
    ]
    assert findings("velero-backup-failed-or-stale", objs, captured=[kinds.VELERO_BACKUP]) == []


def test_not_evaluated_without_schedules() -> None:
    assert run_one("velero-backup-failed-or-stale", [bsl("default")]).status == "not_evaluated"
