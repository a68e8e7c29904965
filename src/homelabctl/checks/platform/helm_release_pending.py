from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from homelabctl import kinds
from homelabctl.checks.platform._common import condition_text, flux_cli, flux_timeout
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import conditions, helmreleases, meta
from homelabctl.k8s.refs import HELM_LOCKED
from homelabctl.model import Finding, Layer, Resource, Severity
from homelabctl.timeutil import parse_time, short_duration

HELM_SECRET_TYPE = "helm.sh/release.v1"
PENDING = ("pending-install", "pending-upgrade", "pending-rollback")
MIN_PENDING = timedelta(minutes=15)
"""A release can legitimately be pending while Helm waits for its resources; beyond this (and beyond the
HelmRelease's own timeout) nothing is working on it any more."""


def _version(secret: Resource) -> int:
    try:
        return int(str(secret.labels.get("version") or "0"))
    except ValueError:
        return 0


def latest_release_secrets(ctx: CheckContext) -> dict[tuple[str | None, str], Resource]:
    """(storage namespace, release name) → the Secret of the release's newest revision."""
    latest: dict[tuple[str | None, str], Resource] = {}
    for secret in ctx.index.all(kinds.SECRET):
        if secret.labels.get("owner") != "helm" or not secret.labels.get("name"):
            continue
        if meta.field(secret, "type") not in (HELM_SECRET_TYPE, None):
            continue
        key = (secret.namespace, str(secret.labels["name"]))
        if key not in latest or _version(secret) > _version(latest[key]):
            latest[key] = secret
    return latest


def _modified_at(secret: Resource) -> datetime | None:
    """Helm writes ``modifiedAt`` (unix seconds) on each revision it updates; else the creation time."""
    stamp = str(secret.labels.get("modifiedAt") or "")
    if stamp.isdigit():
        return datetime.fromtimestamp(int(stamp), tz=UTC)
    return parse_time(secret.creation_timestamp)


def release_key(hr: Resource) -> tuple[str | None, str]:
    """Where helm-controller stores the release: ``spec.storageNamespace`` (default: the HelmRelease's
    namespace) and ``spec.releaseName`` (default: ``<targetNamespace>-<name>`` or ``<name>``)."""
    found = helmreleases.release_storage(hr)
    storage = found.storage_namespace or hr.namespace or ""
    name = found.release_name
    if not name:
        target = found.target_namespace
        name = f"{target}-{hr.name}" if target and target != hr.namespace else hr.name
    return storage or None, name


@check(
    "helm-release-pending",
    layer=Layer.PLATFORM,
    severity=Severity.CRITICAL,
    any_of=[kinds.HELM_RELEASE, kinds.SECRET],
)
def helm_release_pending(ctx: CheckContext) -> Iterator[Finding]:
    """Helm release locked in pending-install/pending-upgrade/pending-rollback.

    Reads the Secrets Helm stores releases in (type ``helm.sh/release.v1``, labels ``owner=helm``, ``name``,
    ``status``, ``version``; only labels are read, the release payload stays redacted) and keeps the newest
    revision of each release; reads HelmReleases' conditions for helm-controller's
    ``another operation (install/upgrade/rollback) is in progress``. Fires when the newest revision has
    been ``pending-*`` for longer than 15 minutes and the HelmRelease's ``spec.timeout``, or when a
    HelmRelease reports the lock. The finding names the HelmRelease that installs the release (by
    ``spec.releaseName``/``storageNamespace`` and their defaults), else the Secret itself.

    Why it matters: a controller or ``helm`` process killed mid-operation leaves the release pending and
    every later upgrade fails at once with "another operation is in progress": the chart never updates
    again and the failures look like chart problems.

    Next step: make sure nothing is running (``helm -n NS history RELEASE``), then roll back to the last
    deployed revision (``helm -n NS rollback RELEASE``) or delete the pending revision's Secret, and
    ``flux reconcile helmrelease NAME -n NS --force``.
    """
    pending = [
        (key, secret)
        for key, secret in sorted(
            latest_release_secrets(ctx).items(), key=lambda kv: (kv[0][0] or "", kv[0][1])
        )
        if str(secret.labels.get("status") or "") in PENDING
    ]
    locks = {id(hr): found for hr in ctx.index.all(kinds.HELM_RELEASE) if (found := _lock(hr))}
    if not pending and not locks:
        return  # the usual cluster: no release pending, none locked, no release name to work out
    releases = {release_key(hr): hr for hr in ctx.index.all(kinds.HELM_RELEASE)}
    reported: set[tuple[str | None, str]] = set()
    for key, secret in pending:
        status = str(secret.labels.get("status") or "")
        hr = releases.get(key)
        created = _modified_at(secret)
        age = ctx.now - created if created is not None else None
        allowed = max(flux_timeout(hr) or timedelta(0), MIN_PENDING) if hr is not None else MIN_PENDING
        if age is not None and age <= allowed:
            continue
        reported.add(key)
        yield _finding(ctx, key, secret, hr, status, age)
    for key, hr in releases.items():
        if key in reported:
            continue
        lock = locks.get(id(hr))
        if lock:
            yield _finding(ctx, key, None, hr, "locked", None, locked_text=condition_text(lock[0], 400))


def _lock(hr: Resource) -> list[conditions.Condition]:
    """The conditions of a HelmRelease that report helm-controller's release lock."""
    found = conditions.with_message(hr, HELM_LOCKED)
    return [c for c in found if c.status != "True"] if found else []


def _finding(
    ctx: CheckContext,
    key: tuple[str | None, str],
    secret: Resource | None,
    hr: Resource | None,
    status: str,
    age: timedelta | None,
    *,
    locked_text: str = "",
) -> Finding:
    namespace, release = key
    evidence = []
    if secret is not None:
        evidence.append(
            f"Secret {secret.namespace}/{secret.name}: status={status} version={secret.labels.get('version')}"
            + (f", for {short_duration(age)}" if age is not None else "")
        )
    if locked_text:
        evidence.append(locked_text)
    if hr is not None:
        ready = conditions.condition(hr, "Ready")
        if ready is not None and not locked_text:
            evidence.append(condition_text(ready, 400))
        evidence.append(f"installed by HelmRelease {hr.namespace}/{hr.name}")
    elif secret is not None:
        evidence.append("no HelmRelease manages this release (installed with the helm CLI)")
    hint = (
        f"Check nothing is still running (`helm -n {namespace} history {release}`), then "
        f"`helm -n {namespace} rollback {release}` (or delete the pending revision's Secret"
        + (f" {secret.name}" if secret is not None else "")
        + ")"
    )
    if hr is not None:
        hint += f", then `{flux_cli(hr, 'reconcile').replace(' --with-source', '')} --force`"
    what = f"is stuck in {status}" if status != "locked" else "is locked by another Helm operation"
    return ctx.finding(
        hr if hr is not None else secret,  # type: ignore[arg-type]
        f"Helm release {namespace}/{release} {what}"
        + (f" for {short_duration(age)}" if age is not None else "")
        + ": every upgrade fails until it is unlocked",
        evidence=evidence,
        hint=hint,
    )
