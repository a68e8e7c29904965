"""Readings shared by the platform checks: Flux conditions and CLI commands, cert-manager and Gateway API refs."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from homelabctl import kinds
from homelabctl.k8s import certmanager, events, flux, meta
from homelabctl.k8s.certmanager import issuer_for
from homelabctl.k8s.conditions import Condition, condition
from homelabctl.k8s.refs import source_failure
from homelabctl.lazyre import LazyPattern
from homelabctl.model import Resource
from homelabctl.timeutil import parse_go_duration, parse_time, short_duration

FLUX_KINDS: tuple[str, ...] = (
    kinds.FLUX_KUSTOMIZATION,
    kinds.HELM_RELEASE,
    kinds.GIT_REPOSITORY,
    kinds.HELM_REPOSITORY,
    kinds.OCI_REPOSITORY,
)
FLUX_SOURCE_KINDS: tuple[str, ...] = (kinds.GIT_REPOSITORY, kinds.HELM_REPOSITORY, kinds.OCI_REPOSITORY)

# Not in the kinds catalogue: cert-manager's ACME objects, read only to explain why issuance is stuck.
CERTIFICATE_REQUEST = f"CertificateRequest.{kinds.CERT_MANAGER}"
ACME_CHALLENGE = "Challenge.acme.cert-manager.io"

# The flux CLI names its subcommands differently from the kinds.
_FLUX_CLI = {
    "Kustomization": "kustomization",
    "HelmRelease": "helmrelease",
    "GitRepository": "source git",
    "HelmRepository": "source helm",
    "OCIRepository": "source oci",
}


def flux_cli(res: Resource, verb: str) -> str:
    """``flux reconcile helmrelease authentik -n authentik --with-source`` and friends."""
    noun = _FLUX_CLI.get(res.kind, res.kind.lower())
    cmd = f"flux {verb} {noun} {res.name}"
    if res.namespace:
        cmd += f" -n {res.namespace}"
    if verb == "reconcile" and res.kind in ("Kustomization", "HelmRelease"):
        cmd += " --with-source"
    return cmd


def flux_logs_cmd(res: Resource) -> str:
    return f"flux logs --kind={res.kind} --name={res.name}" + (
        f" -n {res.namespace}" if res.namespace else ""
    )


def one_line(text: object, limit: int = 240) -> str:
    """Controller messages carry whole kustomize/helm outputs; a finding message wants one short line."""
    flat = " ".join(str(text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def innermost_error(message: object, limit: int = 200) -> str:
    """The last two links of a wrapped Go error ("...: order is in "errored" state: <cause>: <detail>").

    cert-manager and Helm wrap the cause at the end; a one-line summary must keep the end, not the start.
    """
    parts = " ".join(str(message or "").split()).split(": ")
    return one_line(": ".join(parts[-2:]) if len(parts) > 2 else ": ".join(parts), limit)


def condition_text(cond: Condition, limit: int = 600) -> str:
    """``Ready=False reason=InstallFailed: <message>`` (the message flattened and bounded)."""
    text = f"{cond.type or '?'}={cond.status or '?'} reason={cond.reason or '?'}"
    message = one_line(cond.message, limit)
    return f"{text}: {message}" if message else text


def condition_age(cond: Condition, now: datetime) -> timedelta | None:
    since = parse_time(cond.last_transition_time)
    return now - since if since else None


def since_text(cond: Condition, now: datetime) -> str:
    age = condition_age(cond, now)
    return f" for {short_duration(age)}" if age is not None else ""


def is_suspended(res: Resource) -> bool:
    return flux.suspended(res)


def flux_interval(res: Resource) -> timedelta | None:
    return parse_go_duration(flux.interval(res))


def flux_timeout(res: Resource) -> timedelta | None:
    return parse_go_duration(flux.timeout(res))


def generation_lag(res: Resource) -> str:
    """Evidence when the controller has not yet looked at the latest spec (status describes an older one)."""
    generation = meta.generation(res)
    observed = meta.observed_generation(res)
    if generation is not None and observed is not None and observed < generation:
        return f"status.observedGeneration={observed} < metadata.generation={generation} (status is for an older spec)"
    return ""


def depends_on(res: Resource) -> list[tuple[str, str]]:
    """``spec.dependsOn`` as (namespace, name); the namespace defaults to the object's own."""
    return flux.depends_on(res)


_DEPENDENCY_RE = LazyPattern(r"dependency '([^'/]+)/([^']+)'")


def dependency_in_message(message: str) -> tuple[str, str] | None:
    """Flux writes ``dependency 'flux-system/infra-controllers' is not ready``."""
    match = _DEPENDENCY_RE.search(message)
    return (match.group(1), match.group(2)) if match else None


_NO_MATCH_RE = LazyPattern(r'no matches for kind \\?"([^"\\]+)\\?" in version \\?"([^"\\]+)\\?"')


def missing_kinds_in_message(message: str) -> list[tuple[str, str]]:
    """(kind, apiVersion) pairs from ``no matches for kind "X" in version "g/v"`` (kubectl, SSA, Helm)."""
    found: list[tuple[str, str]] = []
    for match in _NO_MATCH_RE.finditer(message):
        pair = (match.group(1), match.group(2))
        if pair not in found:
            found.append(pair)
    return found


def latest_warning_event(index: Any, res: Resource) -> str:
    """The newest Warning event on the object, ``reason (xN): message``; empty when none."""
    newest: events.Event | None = None
    for obj in index.events_for(res):
        event = events.event(obj)
        if event.type != "Warning":
            continue
        if newest is None or event.last_seen > newest.last_seen:
            newest = event
    if newest is None:
        return ""
    return f"event {newest.reason or '?'} (x{newest.count}): {one_line(newest.message, 300)}"


def cert_names(cert: Resource) -> list[str]:
    return certmanager.dns_names(cert)


FETCHING_SOURCE_KINDS: tuple[str, ...] = (*FLUX_SOURCE_KINDS, kinds.BUCKET, kinds.HELM_CHART)
"""Every source-controller kind: each fetches from somewhere and may fail to."""


def source_fetch_failure(res: Resource) -> tuple[str, Condition] | None:
    """(failure class, the condition saying so) when a Flux source cannot fetch for a reason on the way to,
    or at, its origin (credentials, host key, not found, DNS, TLS, network); None otherwise. ``flux-source-failed``
    reports these and ``flux-not-ready`` leaves them to it."""
    if res.gk not in FETCHING_SOURCE_KINDS:
        return None
    for type_, bad in (("FetchFailed", "True"), ("Ready", "False")):
        cond = condition(res, type_)
        if cond is None or cond.status != bad:
            continue
        klass = source_failure(cond.message)
        if klass is not None:
            return klass, cond
    return None


def certificates_by_issuer(index: Any) -> dict[tuple[str, str | None, str], list[str]]:
    """``namespace/name`` of the Certificates each Issuer/ClusterIssuer signs, keyed by (kind, namespace, name)."""
    users: dict[tuple[str, str | None, str], list[str]] = {}
    for cert in index.all(kinds.CERTIFICATE):
        _, issuer, _ = issuer_for(index, cert)
        if issuer is not None:
            users.setdefault((issuer.kind, issuer.namespace, issuer.name), []).append(
                f"{cert.namespace}/{cert.name}"
            )
    return users
