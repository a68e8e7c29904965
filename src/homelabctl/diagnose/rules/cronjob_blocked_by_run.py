"""Cause rule ``cronjob-blocked-by-run``."""

from __future__ import annotations

from homelabctl import kinds
from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.k8s import cronjobs
from homelabctl.model import Finding, Layer


@cause_rule("cronjob-blocked-by-run", layer=Layer.WORKLOAD, rank=0, causes={"job-failed"})
def cronjob_blocked_by_run(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A CronJob with ``concurrencyPolicy: Forbid`` whose run never ends skips every later schedule.

    Applies when a CronJob has not succeeded for too long while a Job it started is still active: with
    ``Forbid`` the controller skips each schedule (``JobAlreadyActive``, "prior execution is running"), so
    one hung run (a lock, a dead connection) stops the whole schedule. The CronJob is the object to fix:
    read the hung run, end it, and give the job template an ``activeDeadlineSeconds`` so the next hang ends
    on its own.
    """
    cronjob = ctx.resource(cause.object)
    if cronjob is None or cronjob.kind != "CronJob":
        return None
    runs = cronjobs.runs(cronjob)
    if runs.concurrency_policy != "Forbid" or not runs.active:
        return None
    ns = cronjob.namespace or "default"
    job_name = runs.active[0]
    job = ctx.index.get(kinds.JOB, ns, job_name)
    started = cronjobs.job_start_time(job) if job is not None else ""
    since = f" since {started}" if started else ""
    deadline = (
        f"activeDeadlineSeconds={runs.active_deadline_seconds}"
        if runs.active_deadline_seconds is not None
        else "no activeDeadlineSeconds"
    )
    steps = [NextStep(f"read why run {job_name} hangs", f"kubectl -n {ns} logs job/{job_name} --tail=50")]
    if runs.active_deadline_seconds is None:
        steps.append(
            NextStep(
                f"give CronJob {cronjob.name}'s job template an activeDeadlineSeconds below its schedule "
                "interval, so a hung run is ended by the controller"
            )
        )
    steps.append(
        NextStep(
            f"end the hung run {job_name} so the next schedule starts (its work so far is lost)",
            f"kubectl -n {ns} delete job {job_name}",
            dangerous=True,
        )
    )
    return Explanation(
        set(),
        f"{cause.message}: run {job_name} has been active{since} and concurrencyPolicy Forbid skips every "
        "schedule while it runs",
        [*cause.evidence, f"status.active: {', '.join(runs.active)}; concurrencyPolicy=Forbid, {deadline}"],
        steps,
    )
