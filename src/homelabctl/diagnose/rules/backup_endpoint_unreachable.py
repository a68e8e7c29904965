"""Cause rule ``backup-endpoint-unreachable``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.graph import external, in_cluster_service
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.k8s import graphrefs, refs
from homelabctl.model import Finding, Layer

_HOST_SIDE = frozenset({refs.SOURCE_UNREACHABLE, refs.SOURCE_TLS})


@cause_rule("backup-endpoint-unreachable", layer=Layer.BACKUP, rank=0, causes={"velero-bsl-unavailable"})
def backup_endpoint_unreachable(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """An off-site object store that does not answer is the cause of its backup location and schedules.

    Applies when the BackupStorageLocation's ``s3Url`` is outside the cluster and Velero's error is a
    network failure on the way to it (timeout, no route, refused, TLS): the object to fix is the
    ``ExternalHost`` (the provider, the ISP route, the firewall), not Velero. Credentials the cluster holds
    (403, InvalidAccessKeyId) stay on the location. An in-cluster store (MinIO) is a workload instead.
    """
    res = ctx.resource(cause.object)
    if res is None or res.kind != "BackupStorageLocation":
        return None
    url = graphrefs.s3_url(res)
    host = refs.url_host(url)
    if not host or in_cluster_service(url, res.namespace) is not None:
        return None
    if refs.source_failure(" ".join((cause.message, *cause.evidence))) not in _HOST_SIDE:
        return None
    return Explanation(
        set(),
        f"{cause.message}: the object store {host} does not answer from the cluster",
        list(cause.evidence),
        [
            NextStep(
                "test the endpoint from a node", f"curl -sSI {url if '://' in url else f'https://{host}'}"
            ),
            NextStep("check the provider's status page and the route out (DNS, firewall, ISP)"),
            NextStep(
                "after it answers, confirm the location is Available",
                f"velero backup-location get {res.name} -n {res.namespace}",
            ),
        ],
        object=external(host),
    )
