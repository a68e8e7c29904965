"""CronJob runs: what runs now, and what may stop a run that never ends."""

from __future__ import annotations

import msgspec

from homelabctl.k8s._raw import Obj, mapping, mappings, opt_integer, section, text


class Runs(msgspec.Struct, frozen=True):
    concurrency_policy: str
    """``Allow`` (the default), ``Forbid`` (skip a schedule while a run is active) or ``Replace``."""
    active_deadline_seconds: int | None
    """``spec.jobTemplate.spec.activeDeadlineSeconds``: None lets a run hang for ever."""
    active: tuple[str, ...]
    """Names of the Jobs running now (``status.active``)."""


def runs(cronjob: Obj) -> Runs:
    spec = section(cronjob, "spec")
    job_spec = mapping(mapping(spec.get("jobTemplate")).get("spec"))
    return Runs(
        text(spec.get("concurrencyPolicy"), "Allow") or "Allow",
        opt_integer(job_spec.get("activeDeadlineSeconds")),
        tuple(
            text(ref.get("name"))
            for ref in mappings(section(cronjob, "status").get("active"))
            if text(ref.get("name"))
        ),
    )


def job_start_time(job: Obj) -> str:
    """``status.startTime`` of a Job ("" before it started)."""
    return text(section(job, "status").get("startTime"))
