"""serviceaccount-missing: a controller's pods are refused because its ServiceAccount does not exist.

Message as the job-controller writes it (https://github.com/kubernetes/kubernetes/issues/100726).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from checks.helpers import findings

from factories import event, meta
from factories_apps import cronjob, job


def _message(job_name: str) -> str:
    return (
        f'Error creating: pods "{job_name}-" is forbidden: error looking up service account '
        'home/paperless-backup: serviceaccount "paperless-backup" not found'
    )


def _hung_job(owner: dict[str, Any], name: str) -> dict[str, Any]:
    obj = job(name, "home", owner=owner)
    obj["status"] = {"startTime": "2025-06-16T02:00:01Z", "active": 0, "ready": 0}
    return obj


def _objects() -> list[dict[str, Any]]:
    cj = cronjob("paperless-backup", "home", "0 2 * * *", last_success=timedelta(days=3))
    objs: list[dict[str, Any]] = [cj]
    for name in ("paperless-backup-29164440", "paperless-backup-29165880"):
        j = _hung_job(cj, name)
        objs += [j, event(j, "FailedCreate", _message(name), count=299, component="job-controller")]
    return objs


def test_fires_once_on_the_cronjob() -> None:
    [finding] = findings("serviceaccount-missing", _objects())
    assert (finding.object.kind, finding.object.name) == ("CronJob", "paperless-backup")
    assert "ServiceAccount home/paperless-backup" in finding.message
    assert sum("paperless-backup-2916" in e for e in finding.evidence) == 2
    assert "kubectl -n home create serviceaccount paperless-backup" in finding.hint


def test_silent_when_the_account_exists_now() -> None:
    sa = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": meta("paperless-backup", "home", kind="ServiceAccount"),
    }
    assert findings("serviceaccount-missing", [*_objects(), sa], captured=["ServiceAccount"]) == []


def test_silent_once_the_job_finished() -> None:
    objs = _objects()
    done = [o for o in objs if o["kind"] != "Job"] + [
        job(o["metadata"]["name"], "home", failed=True) for o in objs if o["kind"] == "Job"
    ]
    assert findings("serviceaccount-missing", done) == []
