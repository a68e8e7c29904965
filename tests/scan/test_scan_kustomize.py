"""kustomization.yaml trees: followed file by file; rendered with the real kubectl only when needed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from scan_helpers import flux_repo, run

from homelabctl.scan.flux import FluxGraph
from homelabctl.scan.kustomize import kubectl_error
from homelabctl.scan.repo import load_repo

APP = {
    "cluster/kustomization.yaml": "resources:\n  - flux-system/gotk-sync.yaml\n  - ../apps/media\n",
    "apps/media/kustomization.yaml": """\
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        namespace: media
        resources:
          - jellyfin.yaml
        configMapGenerator:
          - name: jellyfin-env
            literals: [TZ=America/New_York]
        patches:
          - target: {kind: Deployment, name: jellyfin}
            patch: |
              - op: add
                path: /metadata/labels/tier
                value: media
        """,
    "apps/media/jellyfin.yaml": """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: jellyfin
          labels: {app: jellyfin}
        spec:
          selector: {matchLabels: {app: jellyfin}}
          template:
            metadata: {labels: {app: jellyfin}}
            spec:
              containers: [{name: jellyfin, image: "jellyfin/jellyfin:10.10.3"}]
        """,
}


def test_plain_following_namespaces_and_generators_without_kubectl(tmp_path: Path) -> None:
    flux_repo(tmp_path, APP)
    graph = FluxGraph(load_repo(tmp_path))
    [root] = graph.kustomizations
    placed = {(p.doc.kind, p.namespace, p.doc.name) for p in root.objects}
    assert ("Deployment", "media", "jellyfin") in placed
    assert [(g.kind, ns, g.name) for g, ns, _ in root.generated] == [("ConfigMap", "media", "jellyfin-env")]
    assert graph.produces("ConfigMap", "media", "jellyfin-env")
    assert graph.kz.tree_needs_render("cluster")


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_render_with_kubectl_and_reuse_the_cache(tmp_path: Path) -> None:
    repo = flux_repo(tmp_path / "repo", APP)
    cache = tmp_path / "cache"
    graph = FluxGraph(load_repo(repo), render=True, cache_dir=cache)
    [result] = graph.kustomizations[0].renders
    assert result.error is None and not result.cached
    deployment = next(o for o in result.objects if o["kind"] == "Deployment")
    assert deployment["metadata"]["labels"]["tier"] == "media"
    assert any(o["metadata"]["name"].startswith("jellyfin-env-") for o in result.objects)
    assert len(list(cache.glob("*.json"))) == 1
    again = FluxGraph(load_repo(repo), render=True, cache_dir=cache).kustomizations[0].renders[0]
    assert again.cached and again.objects == result.objects


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_build_failure_is_a_finding(tmp_path: Path) -> None:
    files = dict(APP)
    # A strategic-merge patch file whose object does not exist fails the build (target selectors do not).
    files["apps/media/kustomization.yaml"] += "  - path: gpu-patch.yaml\n"
    files["apps/media/gpu-patch.yaml"] = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: jellyfin-typo\nspec:\n  replicas: 1\n"
    )
    flux_repo(tmp_path, files)
    report = run(tmp_path, render=True)
    [found] = [f for f in report.findings if f.check == "kustomize-build-failed"]
    assert found.file == "cluster/kustomization.yaml"
    assert "jellyfin-typo" in found.message or "no matches" in found.message
    assert "kustomize-build-failed" not in {
        f.check for f in run(flux_repo(tmp_path / "ok", APP), render=True).findings
    }


def test_missing_kubectl_is_one_error_not_a_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    flux_repo(tmp_path, APP)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    report = run(tmp_path, render=True)
    assert "kustomize-build-failed" not in {f.check for f in report.findings}
    assert [e.message.split(":")[0] for e in report.errors] == ["kubectl not found"]


def test_kubectl_error_lines() -> None:
    klog = (
        'E1123 00:02:44.245683    5762 run.go:72] "command failed" err=<\n'
        "\tmap[string]interface {}(nil): yaml: unmarshal errors:\n"
        '\t  line 10: mapping key "TZ" already defined at line 8\n >\n'
    )
    assert kubectl_error(klog, Path("/r")) == (
        "map[string]interface {}(nil): yaml: unmarshal errors: line 10: mapping "
        'key "TZ" already defined at line 8'
    )
    assert (
        kubectl_error("error: accumulating resources: /r/apps: no such file\n", Path("/r"))
        == "accumulating resources: apps: no such file"
    )
