from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import timedelta

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.workload._common import all_statuses, container_label, current_terminated, first_lines
from homelabctl.checks.workload._common import describe_termination as describe
from homelabctl.k8s import workloads
from homelabctl.model import Finding, Layer, Resource, Severity
from homelabctl.timeutil import parse_go_duration, parse_time, short_duration

OLD_FAILURE = timedelta(days=7)
"""A standalone Job that failed longer ago than this is leftover history: info."""

_MACROS = {
    "@yearly": timedelta(days=365),
    "@annually": timedelta(days=365),
    "@monthly": timedelta(days=31),
    "@weekly": timedelta(days=7),
    "@daily": timedelta(days=1),
    "@midnight": timedelta(days=1),
    "@hourly": timedelta(hours=1),
}


def _count(field: str, size: int) -> int:
    """How many values a cron field matches (roughly: names count as one each)."""
    total = 0
    for part in field.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else 1
        if base in ("*", "?"):
            span = size
        elif "-" in base:
            lo, _, hi = base.partition("-")
            span = int(hi) - int(lo) + 1 if lo.isdigit() and hi.isdigit() else 1
        elif step_text and base.isdigit():
            span = max(1, size - int(base))
        else:
            span = 1
        total += math.ceil(span / step)
    return max(1, total)


def schedule_interval(schedule: str) -> timedelta | None:
    """The longest gap a cron schedule normally leaves between runs, estimated from its fields.

    Exact next-run arithmetic is not needed: staleness is judged against twice this interval.
    """
    text = schedule.strip()
    if text.startswith(("CRON_TZ=", "TZ=")):
        text = text.split(None, 1)[1] if " " in text else ""
    if text in _MACROS:
        return _MACROS[text]
    if text.startswith("@every "):
        return parse_go_duration(text.split(None, 1)[1])
    fields = text.split()
    if len(fields) != 5:
        return None
    minute, hour, dom, month, dow = fields
    wild = ("*", "?")
    if month not in wild:
        return timedelta(days=365) / _count(month, 12)
    if dom not in wild and dow not in wild:
        # Both restricted: cron runs when either matches, so the shorter gap wins.
        return min(timedelta(days=31) / _count(dom, 31), timedelta(days=7) / _count(dow, 7))
    if dom not in wild:
        return timedelta(days=31) / _count(dom, 31)
    if dow not in wild:
        return timedelta(days=7) / _count(dow, 7)
    if hour not in wild:
        return timedelta(hours=24) / _count(hour, 24)
    return timedelta(minutes=60) / _count(minute, 60)


def _job_finished(job: Resource) -> str | None:
    """``Failed`` or ``Complete`` when the job has finished, else None."""
    for type_ in ("Failed", "Complete"):
        if job.is_condition_true(type_):
            return type_
    return None


def _failure_evidence(ctx: CheckContext, job: Resource) -> list[str]:
    cond = job.condition("Failed") or {}
    lines = [
        f"Job {job.name}: Failed reason={cond.get('reason', '?')} at {cond.get('lastTransitionTime', '?')}: "
        f"{first_lines(cond.get('message'), lines=1)}".rstrip(": "),
        f"Job {job.name}: failed pods={workloads.job_state(job).failed}, "
        f"backoffLimit={workloads.job_state(job).backoff_limit}",
    ]
    pods = sorted(ctx.index.children(job, kinds.POD), key=lambda p: p.creation_timestamp or "", reverse=True)
    for pod in pods:
        for cs, is_init in all_statuses(pod):
            term = current_terminated(cs)
            if term and term.get("exitCode") not in (0, None):
                lines.append(f"pod {pod.name} {container_label(cs, is_init)} terminated {describe(term)}")
                return lines
    return lines


@check(
    "job-failed",
    layer=Layer.WORKLOAD,
    severity=Severity.WARNING,
    any_of=[kinds.JOB, kinds.CRONJOB],
    uses=[kinds.POD],
)
def job_failed(ctx: CheckContext) -> Iterator[Finding]:
    """Job failed, or CronJob whose last run failed or that has not succeeded for too long.

    Reads Jobs' ``Failed`` condition (``BackoffLimitExceeded``, ``DeadlineExceeded``) with the failed
    pod's termination, and for CronJobs ``status.lastScheduleTime``/``lastSuccessfulTime`` against the
    schedule: no success for more than twice the schedule's interval is stale. A CronJob's jobs are
    reported on the CronJob (one finding, the last run's failure as evidence), and a failure that a later
    successful run superseded is not reported. Suspended CronJobs are skipped. A standalone Job that
    failed more than a week ago is info (leftover history, e.g. an old Helm hook).

    Next step: ``kubectl logs -n NS job/NAME`` (or the failed pod with ``--previous``), then
    ``kubectl create job -n NS --from=cronjob/NAME NAME-manual`` to retry once fixed.
    """
    for cronjob in ctx.index.all(kinds.CRONJOB):
        cron = workloads.cronjob_state(cronjob)
        if cron.suspended:
            continue
        schedule = cron.schedule
        interval = schedule_interval(schedule)
        last_success = parse_time(cron.last_successful_time)
        last_schedule = parse_time(cron.last_schedule_time)
        jobs = sorted(ctx.index.children(cronjob, kinds.JOB), key=lambda j: j.creation_timestamp or "")
        finished = [j for j in jobs if _job_finished(j)]
        last = finished[-1] if finished else None
        last_failed = last is not None and _job_finished(last) == "Failed"
        if last_failed and last is not None and last_success is not None:
            failed_at = parse_time((last.condition("Failed") or {}).get("lastTransitionTime"))
            last_failed = failed_at is None or failed_at > last_success
        stale = False
        if interval is not None:
            limit = max(2 * interval, interval + timedelta(hours=1))
            reference = last_success or parse_time(cronjob.creation_timestamp)
            stale = reference is not None and ctx.now - reference > limit and last_schedule is not None
        if not (last_failed or stale):
            continue
        evidence = [
            f"schedule={schedule!r}" + (f" (about every {short_duration(interval)})" if interval else ""),
            f"lastScheduleTime={cron.last_schedule_time or 'never'}, "
            f"lastSuccessfulTime={cron.last_successful_time or 'never'}",
        ]
        if last_failed and last is not None:
            evidence.extend(_failure_evidence(ctx, last))
        if stale and last_success is not None:
            message = (
                f"CronJob {cronjob.namespace}/{cronjob.name} has not succeeded for "
                f"{short_duration(ctx.now - last_success)}"
            )
        elif stale:
            message = f"CronJob {cronjob.namespace}/{cronjob.name} has never succeeded"
        else:
            message = f"CronJob {cronjob.namespace}/{cronjob.name}'s last run failed"
        target = last.name if last_failed and last is not None else cronjob.name
        yield ctx.finding(
            cronjob,
            message,
            evidence=evidence,
            hint=(
                f"`kubectl logs -n {cronjob.namespace} job/{target}`; once fixed, "
                f"`kubectl create job -n {cronjob.namespace} --from=cronjob/{cronjob.name} {cronjob.name}-manual`"
            ),
        )
    for job in ctx.index.all(kinds.JOB):
        owner = ctx.index.owner(job)
        if owner is not None and owner.kind == "CronJob":
            continue  # reported on the CronJob above
        if _job_finished(job) != "Failed":
            continue
        failed_at = parse_time((job.condition("Failed") or {}).get("lastTransitionTime"))
        old = failed_at is not None and ctx.now - failed_at > OLD_FAILURE
        yield ctx.finding(
            job,
            f"Job {job.namespace}/{job.name} failed ({(job.condition('Failed') or {}).get('reason', 'Failed')})",
            evidence=_failure_evidence(ctx, job),
            hint=(
                f"`kubectl logs -n {job.namespace} job/{job.name}`; a Job does not retry after it failed: "
                f"delete and recreate it (or let Flux/Helm re-run it) once fixed"
            ),
            severity=Severity.INFO if old else None,
        )
