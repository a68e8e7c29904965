"""Which cluster objects make up an app of the inventory, and the Status column they add up to.

An app is matched by (1) the workloads named in ``workloads:``, else (2) workloads in its namespace whose
name or ``app.kubernetes.io/name`` / ``app`` / ``app.kubernetes.io/instance`` label is the app's id, plus
(3) whatever runs behind the Services of the HTTPRoute serving its URL. Status:

- **Running**: every matched workload has its desired replicas ready (a CronJob: not suspended, last run
  did not fail);
- **Degraded**: some ready, some not;
- **Down**: workloads exist but none is ready (or scaled to 0, or only a failing HelmRelease exists);
- **Not deployed**: nothing in the cluster matches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import msgspec

from homelabctl import kinds
from homelabctl.inventory.model import App
from homelabctl.k8s import conditions, pods, services, storage, workloads
from homelabctl.kube import pod_is_finished, pod_is_ready, pod_template_spec, pods_of, workload_replicas
from homelabctl.model import ObjectRef, Resource
from homelabctl.paperwork.cluster import (
    WORKLOAD_KINDS,
    pod_claims,
    route_backend_services,
    routes_by_hostname,
)
from homelabctl.sources.base import ClusterState

AppState = Literal["Running", "Degraded", "Down", "Not deployed"]
MATCH_LABELS = ("app.kubernetes.io/name", "app", "app.kubernetes.io/instance")
STATUS_ICON: dict[str, str] = {"Running": "✅", "Degraded": "⚠️", "Down": "❌", "Not deployed": "➖"}
_KIND_GK = {
    "Deployment": kinds.DEPLOYMENT,
    "StatefulSet": kinds.STATEFULSET,
    "DaemonSet": kinds.DAEMONSET,
    "CronJob": kinds.CRONJOB,
    "Job": kinds.JOB,
    "Pod": kinds.POD,
}


class AppObjects(msgspec.Struct):
    workloads: list[Resource] = msgspec.field(default_factory=list)
    pods: list[Resource] = msgspec.field(default_factory=list)
    routes: list[Resource] = msgspec.field(default_factory=list)
    services: list[Resource] = msgspec.field(default_factory=list)
    claims: list[Resource] = msgspec.field(default_factory=list)
    releases: list[Resource] = msgspec.field(default_factory=list)

    @property
    def refs(self) -> set[ObjectRef]:
        return {
            r.ref
            for group in (self.workloads, self.pods, self.routes, self.services, self.claims, self.releases)
            for r in group
        }


class AppStatus(msgspec.Struct, frozen=True):
    state: AppState
    detail: str

    @property
    def icon(self) -> str:
        return STATUS_ICON[self.state]


class AppView(msgspec.Struct):
    """An app with its objects, status and the findings that name one of its objects."""

    app: App
    objects: AppObjects
    status: AppStatus
    findings: list[Mapping[str, Any]] = msgspec.field(default_factory=list)


class AppResolver:
    """Resolves apps to objects; one resolver per state, shared, since resolutions are cached."""

    def __init__(self, state: ClusterState) -> None:
        self.state = state
        self.index = state.index
        self._routes = routes_by_hostname(state)
        # (namespace, name-or-label-value) → workloads: one pass here instead of one per app.
        self._candidates: dict[tuple[str | None, str], list[Resource]] = {}
        for gk in WORKLOAD_KINDS:
            for workload in self.index.all(gk):
                keys = {workload.name} | {workload.labels[k] for k in MATCH_LABELS if workload.labels.get(k)}
                for key in keys:
                    self._candidates.setdefault((workload.namespace, key), []).append(workload)
        self._claims_by_ns: dict[str | None, list[Resource]] = {}
        for claim in self.index.all(kinds.PVC):
            self._claims_by_ns.setdefault(claim.namespace, []).append(claim)
        self._cache: dict[tuple[str, str, str | None, tuple[str, ...]], AppObjects] = {}

    def resolve(self, app: App) -> AppObjects:
        key = (app.namespace, app.slug, app.host, tuple(app.workloads))
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._resolve(app)
        return cached

    def _resolve(self, app: App) -> AppObjects:
        objs = AppObjects()
        if app.workloads:
            for item in app.workloads:
                kind, _, name = item.partition("/")
                found = self.index.get(_KIND_GK[kind], app.namespace, name)
                if found is not None:
                    objs.workloads.append(found)
        else:
            objs.workloads.extend(self._candidates.get((app.namespace, app.slug), []))
        if app.host:
            objs.routes = sorted(self._routes.get(app.host, []), key=lambda r: (r.namespace or "", r.name))
        for route in objs.routes:
            for svc in route_backend_services(self.state, route):
                if svc not in objs.services:
                    objs.services.append(svc)
        if not app.workloads:
            for svc in objs.services:
                for pod in self.index.select(kinds.POD, svc.namespace, services.selector(svc)):
                    workload = self.workload_of(pod)
                    if workload is not None and workload not in objs.workloads:
                        objs.workloads.append(workload)
                    elif workload is None and pod not in objs.pods:
                        objs.pods.append(pod)
        objs.workloads.sort(key=lambda w: (w.gk, w.name))
        for workload in objs.workloads:
            if workload.kind == "Pod":
                objs.pods.append(workload)
                continue
            objs.pods.extend(p for p in pods_of(self.index, workload) if p not in objs.pods)
        claim_names: set[str] = set()
        for workload in objs.workloads:
            claim_names.update(pod_claims(pod_template_spec(workload)))
            for template in storage.volume_claim_templates(workload):
                prefix = f"{template.name}-{workload.name}-"
                claim_names.update(
                    c.name for c in self._claims_by_ns.get(app.namespace, []) if c.name.startswith(prefix)
                )
        for pod in objs.pods:
            claim_names.update(pod_claims(pod.spec))
        objs.claims = [
            c
            for name in sorted(claim_names)
            if (c := self.index.get(kinds.PVC, app.namespace, name)) is not None
        ]
        for gk in (kinds.HELM_RELEASE, kinds.FLUX_KUSTOMIZATION):
            release = self.index.get(gk, app.namespace, app.slug)
            if release is not None:
                objs.releases.append(release)
        return objs

    def workload_of(self, pod: Resource) -> Resource | None:
        """The outermost Deployment/StatefulSet/DaemonSet/CronJob above a pod. Not simply the top owner: an
        operator's custom resource (a ``Prometheus``) may own the StatefulSet."""
        found = None
        for owner in self.index.owner_chain(pod):
            if owner.gk in WORKLOAD_KINDS:
                found = owner
        return found

    def view(self, app: App, findings: Sequence[Mapping[str, Any]] = ()) -> AppView:
        objs = self.resolve(app)
        refs = {(r.kind, r.namespace, r.name) for r in objs.refs}
        touching = [
            f
            for f in findings
            if (f["object"]["kind"], f["object"]["namespace"], f["object"]["name"]) in refs
        ]
        return AppView(app, objs, app_status(self.index, objs), touching)


def _workload_health(index: Any, workload: Resource) -> tuple[str, str]:
    """("ok" | "degraded" | "down", detail) for one workload."""
    if workload.kind == "CronJob":
        if workloads.cronjob_state(workload).suspended:
            return "down", f"CronJob {workload.name} is suspended"
        jobs = sorted(index.children(workload, kinds.JOB), key=lambda j: j.creation_timestamp or "")
        if jobs and jobs[-1].is_condition_true("Failed"):
            return "degraded", f"last run of CronJob {workload.name} failed"
        return (
            "ok",
            f"CronJob {workload.name} scheduled ({workloads.cronjob_state(workload).schedule or '?'})",
        )
    if workload.kind == "Job":
        if workload.is_condition_true("Failed"):
            return "down", f"Job {workload.name} failed"
        return "ok", f"Job {workload.name}"
    if workload.kind == "Pod":
        if pod_is_ready(workload) or pods.phase(workload) == "Succeeded":
            return "ok", f"Pod {workload.name} ready"
        return "down", f"Pod {workload.name} not ready"
    ready, desired = workload_replicas(workload)
    text = f"{workload.kind} {workload.name} {ready}/{desired} ready"
    if desired == 0:
        return "down", f"{workload.kind} {workload.name} scaled to 0"
    if ready >= desired:
        return "ok", text
    return ("degraded" if ready > 0 else "down"), text


def app_status(index: Any, objs: AppObjects) -> AppStatus:
    if not objs.workloads and not objs.pods:
        for release in objs.releases:
            ready = conditions.condition(release, "Ready")
            if ready is None or not ready.is_true:
                message = ((ready.message if ready is not None else "") or "not Ready").splitlines()[0]
                return AppStatus("Down", f"{release.kind} {release.name}: {message}")
            return AppStatus("Down", f"{release.kind} {release.name} is Ready but runs no workloads")
        return AppStatus("Not deployed", "nothing in the cluster matches this app")
    health = [_workload_health(index, w) for w in objs.workloads if w.kind != "Pod"]
    health += [
        _workload_health(index, p) for p in objs.pods if index.owner(p) is None and not pod_is_finished(p)
    ]
    if not health:
        return AppStatus("Down", "no workload found, only finished pods")
    states = {h for h, _ in health}
    detail = "; ".join(d for _, d in health)
    if states == {"ok"}:
        return AppStatus("Running", detail)
    if states == {"down"}:
        return AppStatus("Down", detail)
    return AppStatus("Degraded", detail)
