"""flux-suspended-in-git: fires on a suspension written into the repository, silent when there is none."""

from __future__ import annotations

from pathlib import Path

from scan_helpers import flux_repo, run_rule

HR = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: jellyfin
  namespace: media
spec:
  interval: 30m
{suspend}  chart:
    spec:
      chart: jellyfin
      sourceRef:
        kind: HelmRepository
        name: jellyfin
        namespace: flux-system
"""
KUSTOMIZE = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - jellyfin.yaml
"""


def test_fires_on_a_suspended_helmrelease_in_git(tmp_path: Path) -> None:
    repo = flux_repo(tmp_path, {"cluster/media/jellyfin.yaml": HR.format(suspend="  suspend: true\n")})
    [finding] = run_rule(repo, "flux-suspended-in-git")
    assert finding.object.kind == "HelmRelease" and finding.object.name == "jellyfin"
    assert finding.file == "cluster/media/jellyfin.yaml" and finding.line == 1
    assert "spec.suspend: true" in finding.evidence and "flux resume" in finding.message


def test_silent_when_nothing_is_suspended(tmp_path: Path) -> None:
    repo = flux_repo(
        tmp_path,
        {
            "cluster/media/jellyfin.yaml": HR.format(suspend="  suspend: false\n"),
            "cluster/media/other.yaml": HR.format(suspend="").replace("jellyfin", "sonarr"),
            # kustomize's own Kustomization kind is not a Flux object
            "cluster/media/kustomization.yaml": KUSTOMIZE,
        },
    )
    assert run_rule(repo, "flux-suspended-in-git") == []
