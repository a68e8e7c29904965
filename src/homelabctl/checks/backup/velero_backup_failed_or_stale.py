from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

from homelabctl import kinds
from homelabctl.checks.backup._common import schedule_interval
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import velero
from homelabctl.model import Finding, Layer, Resource, Severity
from homelabctl.selectors import from_spec
from homelabctl.timeutil import parse_time, short_duration

STALE_FACTOR = 2
FAILED = {
    "Failed": Severity.CRITICAL,
    "FailedValidation": Severity.CRITICAL,
    "PartiallyFailed": Severity.WARNING,
}
FINISHED = {"Completed", "Failed", "FailedValidation", "PartiallyFailed", "Deleting"}


def _backup_line(backup: Resource) -> str:
    status = velero.backup(backup)
    line = (
        f"Backup {backup.name}: phase={status.phase or '(none)'} errors={status.errors} "
        f"warnings={status.warnings} started={status.start_timestamp or '?'} "
        f"completed={status.completion_timestamp or '-'}"
    )
    if status.failure_reason:
        line += f"; failureReason: {' '.join(status.failure_reason.split())[:300]}"
    if status.validation_errors:
        line += "; validationErrors: " + "; ".join(status.validation_errors[:3])
    return line


def _location_line(ctx: CheckContext, schedule: Resource, backup: Resource | None) -> str:
    """The storage location the backups go to, when it is known to be unavailable (the likely cause)."""
    name = (velero.backup(backup).storage_location if backup is not None else "") or velero.schedule(
        schedule
    ).storage_location
    if not ctx.readable(kinds.BACKUP_STORAGE_LOCATION):
        return ""
    if not name:  # no location named: Velero writes to the default one
        name = next(
            (
                b.name
                for b in ctx.index.all(kinds.BACKUP_STORAGE_LOCATION)
                if b.namespace == schedule.namespace and velero.storage_location(b).default
            ),
            "",
        )
        if not name:
            return ""
    bsl = ctx.index.get(kinds.BACKUP_STORAGE_LOCATION, schedule.namespace, str(name))
    if bsl is None:
        return f"storageLocation {name} does not exist"
    if velero.storage_location(bsl).phase == "Unavailable":
        return f"storageLocation {name} is Unavailable (see velero-bsl-unavailable)"
    return ""


@check(
    "velero-backup-failed-or-stale",
    layer=Layer.BACKUP,
    severity=Severity.CRITICAL,
    requires=[kinds.VELERO_SCHEDULE],
    uses=[kinds.VELERO_BACKUP, kinds.BACKUP_STORAGE_LOCATION],
)
def velero_backup_failed_or_stale(ctx: CheckContext) -> Iterator[Finding]:
    """Velero Schedule whose latest backup failed, or whose last good backup is too old.

    For each Schedule, reads the Backups labelled ``velero.io/schedule-name=<schedule>``: the newest
    finished one with phase ``Failed``/``FailedValidation`` is critical, ``PartiallyFailed`` a warning
    (evidence: phase, errors and warnings counts, start and completion time, failureReason, validation
    errors). Separately, the newest usable backup (``Completed``, or ``PartiallyFailed``, which still restores
    most of the data) must be younger than twice the schedule's interval,
    computed from ``spec.schedule`` (cron such as ``0 * * * *`` hourly, ``0 2 * * *`` daily, ``0 3 * * 0``
    weekly, or ``@every 24h``/``@daily``): older is a warning, none at all (once the schedule is older than
    two intervals) critical. Without Backup objects it falls back to ``status.lastBackup``, which says when
    a backup last started but not whether it succeeded. A Schedule in phase ``FailedValidation`` never runs.

    Next step: ``velero backup describe <backup> --details`` and ``velero backup logs <backup>``;
    ``velero schedule describe <schedule>``; check the storage location and the velero pod.
    """
    for schedule in ctx.index.all(kinds.VELERO_SCHEDULE):
        finding = _evaluate(ctx, schedule)
        if finding is not None:
            yield finding


def _evaluate(ctx: CheckContext, schedule: Resource) -> Finding | None:
    label = f"Schedule {schedule.namespace}/{schedule.name}"
    spec = velero.schedule(schedule)
    spec_text = spec.schedule
    if spec.phase == "FailedValidation":
        errors = spec.validation_errors
        return ctx.finding(
            schedule,
            f"{label} failed validation and never runs: {'; '.join(str(e) for e in errors) or 'no detail'}",
            evidence=[
                "status.phase=FailedValidation",
                f"spec.schedule={spec_text!r}",
                *[f"validationError: {e}" for e in errors],
            ],
            hint=f"Fix the Schedule spec in Git, then `velero schedule describe {schedule.name} -n {schedule.namespace}`",
        )
    interval = schedule_interval(spec_text)
    evidence = [
        f"spec.schedule={spec_text!r}"
        + (f" (every ~{short_duration(interval)})" if interval else " (interval not understood)")
    ]
    if spec.paused:
        evidence.append("spec.paused=true")
    backups: Sequence[Resource] = []
    if ctx.readable(kinds.VELERO_BACKUP):
        backups = sorted(
            ctx.index.select(
                kinds.VELERO_BACKUP, schedule.namespace, from_spec({velero.SCHEDULE_LABEL: schedule.name})
            ),
            key=velero.started,
        )
    if backups:
        return _from_backups(ctx, schedule, backups, interval, evidence)
    return _from_last_backup(ctx, schedule, interval, evidence)


def _from_backups(
    ctx: CheckContext,
    schedule: Resource,
    backups: Sequence[Resource],
    interval: timedelta | None,
    evidence: list[str],
) -> Finding | None:
    label = f"Schedule {schedule.namespace}/{schedule.name}"
    finished = [
        b for b in backups if velero.backup(b).phase in FINISHED and velero.backup(b).phase != "Deleting"
    ]
    latest = finished[-1] if finished else None
    # A partially failed backup still restores most of the data: it counts as a recovery point for age.
    usable = [b for b in finished if velero.backup(b).phase in ("Completed", "PartiallyFailed")]
    last_good = usable[-1] if usable else None
    problems: list[tuple[Severity, str]] = []
    latest_status = velero.backup(latest) if latest is not None else None
    if latest is not None and latest_status is not None and latest_status.phase in FAILED:
        phase = latest_status.phase
        reason = latest_status.failure_reason or "; ".join(latest_status.validation_errors[:1])
        detail = (
            f": {' '.join(reason.split())[:160]}"
            if reason
            else f" ({latest_status.errors} errors, {latest_status.warnings} warnings)"
        )
        problems.append((FAILED[phase], f"{label}: latest backup {latest.name} {phase}{detail}"))
        evidence.append(_backup_line(latest))
    stale = _staleness(ctx, schedule, last_good, interval)
    if stale is not None:
        problems.append(stale)
    if not problems:
        return None
    if last_good is not None and last_good is not latest:
        evidence.append("last usable: " + _backup_line(last_good))
    elif last_good is None:
        evidence.append(
            f"no Completed or PartiallyFailed backup among {len(backups)} backup(s) of this schedule"
        )
    location = _location_line(ctx, schedule, latest)
    if location:
        evidence.append(location)
    severity = max((s for s, _ in problems), key=lambda s: s.rank)
    message = problems[0][1]
    if len(problems) > 1:
        message += f"; {problems[1][1].removeprefix(label + ' ')}"
    target = latest.name if latest is not None else schedule.name
    return ctx.finding(
        schedule,
        message,
        evidence=evidence,
        severity=severity,
        hint=(
            f"`velero backup describe {target} --details -n {schedule.namespace}` and "
            f"`velero backup logs {target} -n {schedule.namespace}`; check the storage location and velero pod"
        ),
    )


def _staleness(
    ctx: CheckContext, schedule: Resource, last_good: Resource | None, interval: timedelta | None
) -> tuple[Severity, str] | None:
    if interval is None:
        return None
    allowed = interval * STALE_FACTOR
    label = f"Schedule {schedule.namespace}/{schedule.name}"
    paused = " (the schedule is paused)" if velero.schedule(schedule).paused else ""
    if last_good is not None:
        done = parse_time(velero.backup(last_good).completion_timestamp) or parse_time(
            velero.started(last_good)
        )
        if done is None or ctx.now - done <= allowed:
            return None
        return (
            Severity.WARNING,
            f"{label} last completed a backup {short_duration(ctx.now - done)} ago, more "
            f"than twice its {short_duration(interval)} interval{paused}",
        )
    created = parse_time(schedule.creation_timestamp)
    if created is None or ctx.now - created <= allowed:
        return None
    return (
        Severity.CRITICAL,
        f"{label} has no usable backup {short_duration(ctx.now - created)} after creation{paused}",
    )


def _from_last_backup(
    ctx: CheckContext, schedule: Resource, interval: timedelta | None, evidence: list[str]
) -> Finding | None:
    if interval is None:
        return None
    label = f"Schedule {schedule.namespace}/{schedule.name}"
    allowed = interval * STALE_FACTOR
    spec = velero.schedule(schedule)
    last: datetime | None = parse_time(spec.last_backup)
    paused = " (the schedule is paused)" if spec.paused else ""
    evidence.append(f"status.lastBackup={spec.last_backup or '(none)'}")
    if not ctx.readable(kinds.VELERO_BACKUP):
        evidence.append(
            "Backups not readable: lastBackup says when a backup started, not whether it succeeded"
        )
    location = _location_line(ctx, schedule, None)
    if location:
        evidence.append(location)
    hint = (
        f"`velero schedule describe {schedule.name} -n {schedule.namespace}`; "
        f"check the velero pod (`kubectl -n {schedule.namespace} get pods`)"
    )
    if last is None:
        created = parse_time(schedule.creation_timestamp)
        if created is None or ctx.now - created <= allowed:
            return None
        return ctx.finding(
            schedule,
            f"{label} has never run a backup in {short_duration(ctx.now - created)}{paused}",
            evidence=evidence,
            hint=hint,
        )
    if ctx.now - last <= allowed:
        return None
    return ctx.finding(
        schedule,
        f"{label} last started a backup {short_duration(ctx.now - last)} ago, more than twice its "
        f"{short_duration(interval)} interval{paused}",
        evidence=evidence,
        hint=hint,
        severity=Severity.WARNING,
    )
