from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import events, pv_binding, storage
from homelabctl.model import Finding, Layer, Resource, Severity


def _named_volume(ctx: CheckContext, pvc: Resource) -> tuple[str, str]:
    """(PV name, the binder's words) for a Pending claim: its ``spec.volumeName``, else the PV its
    ``FailedBinding`` event says is bound elsewhere."""
    said = ""
    named = ""
    for ev in ctx.index.events_for(pvc):
        info = events.event(ev)
        found = pv_binding.bound_elsewhere(info.message)
        if found:
            said, named = info.message, found
            break
    return storage.claim(pvc).volume_name or named, said


def _stale(ctx: CheckContext, pvc: Resource, pv: Resource) -> str | None:
    """Why the PV's claimRef keeps ``pvc`` out, or None when it does not (or when it rightly belongs to
    another live claim: then the claim, not the volume, names the wrong thing)."""
    ref = pv_binding.claim_ref(pv)
    phase = pv_binding.volume_phase(pv)
    if ref is None:
        return None
    if (ref.namespace, ref.name) == (pvc.namespace, pvc.name):
        if ref.uid and ref.uid != pvc.uid:
            return (
                f"spec.claimRef names {ref.namespace}/{ref.name} uid {ref.uid}, but the claim of that name now "
                f"has uid {pvc.uid or '?'} (it was deleted and recreated)"
            )
        return None
    holder = ctx.index.get(kinds.PVC, ref.namespace, ref.name)
    if holder is not None and (not ref.uid or holder.uid == ref.uid) and phase != "Released":
        return None
    gone = "no longer exists" if holder is None else "was recreated"
    return f"spec.claimRef names {ref.namespace}/{ref.name} (uid {ref.uid or '?'}), a claim that {gone}"


@check(
    "pv-bound-elsewhere",
    layer=Layer.STORAGE,
    severity=Severity.CRITICAL,
    requires=[kinds.PVC, kinds.PV],
    uses=[kinds.EVENT],
)
def pv_bound_elsewhere(ctx: CheckContext) -> Iterator[Finding]:
    """PersistentVolume whose stale ``claimRef`` keeps the claim that names it Pending.

    Reads Pending claims with ``spec.volumeName`` (or a ``FailedBinding`` event ``volume "x" already bound
    to a different claim``) and that PersistentVolume's ``spec.claimRef`` and phase. The volume is stale when
    its ``claimRef`` carries the uid of an earlier claim of the same name (the namespace or the claim was
    deleted and recreated), or names a claim that no longer exists; a ``Retain`` volume then stays
    ``Released`` and is never bound again. A volume rightly bound to another live claim is not reported
    here (the claim names the wrong volume: ``pvc-not-bound``).

    Why it matters: the claim stays Pending forever and every pod mounting it stays unscheduled, with only
    the binder's event to say why. The data is intact: the fix is on the PV object.

    Next step: check nothing else should own the data, then clear the stale reference:
    ``kubectl patch pv NAME -p '{"spec":{"claimRef":null}}'`` (changes the cluster; the claim binds within
    seconds).
    """
    for pvc in ctx.index.all(kinds.PVC):
        if storage.claim_phase(pvc) != "Pending":
            continue
        name, said = _named_volume(ctx, pvc)
        pv = ctx.index.get(kinds.PV, None, name) if name else None
        if pv is None:
            continue
        why = _stale(ctx, pvc, pv)
        if why is None:
            continue
        evidence = [
            why,
            f"phase={pv_binding.volume_phase(pv) or '?'}, persistentVolumeReclaimPolicy="
            f"{pv_binding.reclaim_policy(pv) or '?'}",
            f"PersistentVolumeClaim {pvc.namespace}/{pvc.name} (uid {pvc.uid or '?'}) is Pending and names it",
        ]
        if said:
            evidence.append(f"FailedBinding: {said}")
        yield ctx.finding(
            pv,
            f"PersistentVolume {pv.name} is held by a stale claimRef, so claim {pvc.namespace}/{pvc.name} "
            "cannot bind to it",
            evidence=evidence,
            hint=(
                f"Check that no other claim should own its data, then clear the stale reference (changes the "
                f'cluster): `kubectl patch pv {pv.name} -p \'{{"spec":{{"claimRef":null}}}}\'`'
            ),
        )
