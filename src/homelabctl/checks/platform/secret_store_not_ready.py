from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import conditions, external_secrets
from homelabctl.k8s.events import event
from homelabctl.model import Finding, Layer, Lifecycle, Severity

MAX_LISTED = 5


@check(
    "secret-store-not-ready",
    layer=Layer.PLATFORM,
    severity=Severity.WARNING,
    any_of=[kinds.SECRET_STORE, kinds.CLUSTER_SECRET_STORE],
    uses=[kinds.EXTERNAL_SECRET, kinds.SECRET, kinds.EVENT],
    lifecycle=Lifecycle.PREVIEW,
)
def secret_store_not_ready(ctx: CheckContext) -> Iterator[Finding]:
    """External Secrets store (SecretStore or ClusterSecretStore) that is not Ready: its ExternalSecrets
    cannot sync.

    Reads the store's ``Ready`` condition and its Warning events (``ValidationFailed: ... status 401:
    Invalid bearer token``), the ExternalSecrets whose ``spec.secretStoreRef`` names it (a SecretStore
    serves its own namespace, a ClusterSecretStore every namespace), and whether their target Secrets exist.
    Critical when a target Secret was never written (whatever needs it cannot start), a warning while every
    target still holds its last synced values.

    Why it matters: one revoked or expired provider credential (a 1Password Connect token, a Vault token,
    cloud keys) stops every ExternalSecret behind the store. Secrets already written keep their old values,
    so running apps are fine; a new app, or a rotated value, waits on a Secret that never arrives
    (``secret "NAME" not found``), and the error points at the app rather than at the store.

    Next step: fix the credential the store authenticates with (the Secret its ``spec.provider.*.auth``
    names), then ``kubectl describe clustersecretstore NAME`` until it is Ready; the ExternalSecrets sync on
    their next refresh (or annotate them ``force-sync=$(date +%s)``).
    """
    for gk in (kinds.CLUSTER_SECRET_STORE, kinds.SECRET_STORE):
        for store in ctx.index.all(gk):
            ready = conditions.condition(store, "Ready")
            if ready is None or not ready.is_false:
                continue
            where = f"{store.namespace}/{store.name}" if store.namespace else store.name
            evidence = [f"Ready=False reason={ready.reason or '-'}: {ready.message or '-'}"]
            said = sorted(
                (info for info in (event(e) for e in ctx.index.events_for(store)) if info.type == "Warning"),
                key=lambda info: info.last_seen,
                reverse=True,
            )
            if said:  # the provider's own words (a 401, a timeout) say more than the condition
                evidence.insert(0, f"{said[0].reason}: {said[0].message[:300]} (x{said[0].count})")
            users = external_secrets.users(ctx.index, store)
            stuck = [es for es in users if conditions.condition_status(es, "Ready") == "False"]
            if stuck:
                names = ", ".join(f"{es.namespace}/{es.name}" for es in stuck[:MAX_LISTED])
                more = f" and {len(stuck) - MAX_LISTED} more" if len(stuck) > MAX_LISTED else ""
                evidence.append(f"ExternalSecrets not Ready: {names}{more}")
            missing = external_secrets.unwritten_targets(ctx.index, users)
            for es, target in missing[:MAX_LISTED]:
                evidence.append(
                    f"Secret {es.namespace}/{target} (target of ExternalSecret {es.name}) does not exist"
                )
            yield ctx.finding(
                store,
                f"{store.kind} {where} is not Ready: {len(stuck)} of its {len(users)} ExternalSecret(s) cannot sync"
                + (f", {len(missing)} Secret(s) were never written" if missing else ""),
                evidence=evidence,
                hint=f"Fix the credential the store authenticates with, then: kubectl describe {store.kind.lower()} "
                f"{store.name}{f' -n {store.namespace}' if store.namespace else ''}",
                severity=Severity.CRITICAL if missing else None,
            )
