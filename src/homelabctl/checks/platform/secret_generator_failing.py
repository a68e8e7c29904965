from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check, first_pod_lines
from homelabctl.model import Finding, Layer, Lifecycle, Severity


@check(
    "secret-generator-failing",
    layer=Layer.PLATFORM,
    severity=Severity.CRITICAL,
    requires=[kinds.SECRET],
    any_of=[kinds.SEALED_SECRET, kinds.EXTERNAL_SECRET],
    uses=[kinds.POD, kinds.SECRET_STORE, kinds.CLUSTER_SECRET_STORE],
    lifecycle=Lifecycle.PREVIEW,
)
def secret_generator_failing(ctx: CheckContext) -> Iterator[Finding]:
    """SealedSecret or ExternalSecret that fails and has never written its Secret.

    Reads each Bitnami ``SealedSecret`` whose ``Synced`` condition is False (the controller's ``no key could
    decrypt secret (KEY)`` when the data was sealed with another controller's key, or for another namespace or
    name under the default strict scope), and each ``ExternalSecret`` whose ``Ready`` condition is False while
    its SecretStore or ClusterSecretStore is Ready (a store that is not is reported by ``secret-store-not-ready``).
    Fires when the Secret it should write (``spec.template.metadata.name`` or ``spec.target.name``, else its own
    name) does not exist; critical when a pod needs that Secret (volume, ``env[].valueFrom``, ``envFrom``),
    a warning otherwise. Secret values are never read.

    Why it matters: the pods that need the Secret fail with ``secret "NAME" not found``
    (``CreateContainerConfigError`` or ``FailedMount``), which points at the app; the Secret is missing because
    the object that should make it cannot.

    Next step: for a SealedSecret, seal the Secret again for its namespace and name with the cluster's current
    certificate (``kubeseal --fetch-cert``; ``kubeseal --namespace NS``); for an ExternalSecret, ``kubectl
    describe externalsecret`` and fix the remote key or property it asks for.
    """
    # Imported here: evaluated only where SealedSecrets or ExternalSecrets exist; each module imported costs
    # every run memory.
    from homelabctl.k8s import secret_generators

    pods_read = ctx.readable(kinds.POD)
    for unwritten in secret_generators.unwritten_secrets(ctx.index):
        ref = unwritten.generator
        waiting = secret_generators.pods_waiting(ctx.index, unwritten) if pods_read else []
        evidence = [
            unwritten.condition,
            f"Secret {ref.namespace}/{unwritten.secret} does not exist",
            *first_pod_lines(
                (f"pod {p.namespace}/{p.name} needs Secret {unwritten.secret}" for p in waiting), len(waiting)
            ),
        ]
        obj = ctx.index.get(
            kinds.SEALED_SECRET if ref.kind == "SealedSecret" else kinds.EXTERNAL_SECRET,
            ref.namespace,
            ref.name,
        )
        hint = (
            f"Seal the Secret again for namespace {ref.namespace} and name {unwritten.secret} with the cluster's "
            "current certificate (`kubeseal --fetch-cert`, `kubeseal --namespace NS --name NAME`)"
            if ref.kind == "SealedSecret"
            else f"`kubectl -n {ref.namespace} describe externalsecret {ref.name}` and fix the remote key it asks for"
        )
        yield ctx.finding(
            obj if obj is not None else ref,
            f"{ref.kind} {ref.namespace}/{ref.name} cannot write Secret {unwritten.secret}"
            + (f": {len(waiting)} pod(s) need it" if waiting else ""),
            evidence=evidence,
            severity=None if waiting else Severity.WARNING,
            hint=hint,
        )
