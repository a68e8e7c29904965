"""Graph rules: each fires on a realistic mistake and stays silent on the fixed repo."""

from __future__ import annotations

from pathlib import Path

from scan_helpers import flux_repo, run_rule, write

KS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: {name}
  namespace: flux-system
spec:
  interval: 10m
  path: {path}
  prune: true
  sourceRef:
    kind: {source_kind}
    name: {source}
{extra}"""


def ks(
    name: str, path: str, *, source: str = "flux-system", source_kind: str = "GitRepository", extra: str = ""
) -> str:
    return KS.format(name=name, path=path, source=source, source_kind=source_kind, extra=extra)


HR = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: {name}
  namespace: {namespace}
spec:
  interval: 30m
  chart:
    spec:
      chart: {chart}
      version: 1.2.3
      sourceRef:
        kind: HelmRepository
        name: {repo}
        namespace: flux-system
{extra}"""


def hr(
    name: str, namespace: str = "apps", *, chart: str = "app", repo: str = "charts", extra: str = ""
) -> str:
    return HR.format(name=name, namespace=namespace, chart=chart, repo=repo, extra=extra)


HELM_REPO = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: charts
  namespace: flux-system
spec:
  interval: 12h
  url: https://charts.example.org
"""


def test_ks_path_missing_fires_with_line_and_similar_directory(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/apps.yaml": ks("apps", "./app"),
            "apps/x.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n",
        },
    )
    [found] = run_rule(tmp_path, "ks-path-missing")
    assert found.object.name == "apps" and found.file == "cluster/apps.yaml" and found.line == 8
    assert "'./app' does not exist" in found.message
    assert "similar directories: ./apps" in found.evidence


def test_ks_path_missing_silent_when_path_exists_or_source_is_elsewhere(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/apps.yaml": ks("apps", "./apps"),
            "cluster/remote.yaml": ks("remote", "./deploy", source="other-repo"),
            "apps/x.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n",
        },
    )
    assert run_rule(tmp_path, "ks-path-missing") == []


def test_ks_path_that_is_a_file(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/apps.yaml": ks("apps", "./apps/x.yaml"),
            "apps/x.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n",
        },
    )
    [found] = run_rule(tmp_path, "ks-path-missing")
    assert "is a file, not a directory" in found.message


def test_ks_path_resolved_through_substitution_variables(tmp_path: Path) -> None:
    extra = "  postBuild:\n    substitute:\n      CLUSTER: k3s-home\n"
    flux_repo(tmp_path, {"cluster/apps.yaml": ks("apps", "./clusters/${CLUSTER}", extra=extra)})
    [found] = run_rule(tmp_path, "ks-path-missing")
    assert "./clusters/k3s-home" in found.evidence[0]


def test_kustomize_resource_missing(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/kustomization.yaml": """\
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources:
              - flux-system/gotk-sync.yaml
              - apps
              - monitoring
            configMapGenerator:
              - name: grafana-dashboards
                files:
                  - dashboards/nodes.json
            """,
            "cluster/apps/deploy.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n",
        },
    )
    found = run_rule(tmp_path, "kustomize-resource-missing")
    assert [(f.line, f.message) for f in found] == [
        (
            5,
            "cluster/kustomization.yaml lists resources entry 'apps', which is a directory without a "
            "kustomization.yaml",
        ),
        (6, "cluster/kustomization.yaml lists resources entry 'monitoring', which does not exist"),
        (
            10,
            "cluster/kustomization.yaml lists configMapGenerator.files entry 'dashboards/nodes.json', which does "
            "not exist",
        ),
    ]


def test_kustomize_resource_missing_silent(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/kustomization.yaml": "resources:\n  - flux-system/gotk-sync.yaml\n  - apps\n",
            "cluster/apps/kustomization.yaml": "resources: [deploy.yaml]\npatches:\n  - path: patch.yaml\n",
            "cluster/apps/deploy.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n",
            "cluster/apps/patch.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: apps, labels: {a: b}}\n",
        },
    )
    assert run_rule(tmp_path, "kustomize-resource-missing") == []


def test_ks_depends_on_missing_points_at_other_namespace(tmp_path: Path) -> None:
    infra = ks("infrastructure", "./infra").replace("namespace: flux-system", "namespace: infra")
    flux_repo(
        tmp_path,
        {
            "cluster/apps.yaml": ks("apps", "./apps", extra="  dependsOn:\n    - name: infrastructure\n"),
            "cluster/infra.yaml": infra,
            "apps/a.yaml": "",
            "infra/a.yaml": "",
        },
    )
    [found] = run_rule(tmp_path, "ks-depends-on-missing")
    assert found.object.name == "apps" and found.line == 14
    assert "flux-system/infrastructure" in found.message
    assert "defined in another namespace: infra/infrastructure" in found.evidence


def test_ks_depends_on_silent(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/apps.yaml": ks("apps", "./apps", extra="  dependsOn:\n    - name: infrastructure\n"),
            "cluster/infra.yaml": ks("infrastructure", "./infra"),
            "apps/a.yaml": "",
            "infra/a.yaml": "",
        },
    )
    assert run_rule(tmp_path, "ks-depends-on-missing") == []


def test_source_ref_missing(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {"cluster/media.yaml": ks("media", "./media", source="media-apps", source_kind="OCIRepository")},
    )
    [found] = run_rule(tmp_path, "source-ref-missing")
    assert "OCIRepository flux-system/media-apps" in found.message and found.line == 10


def test_source_ref_silent_with_oci_source(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/media.yaml": ks("media", "./media", source="media-apps", source_kind="OCIRepository"),
            "cluster/oci.yaml": """\
            apiVersion: source.toolkit.fluxcd.io/v1beta2
            kind: OCIRepository
            metadata:
              name: media-apps
              namespace: flux-system
            spec:
              interval: 5m
              url: oci://ghcr.io/sudoflux/media-apps
              ref:
                tag: 1.4.0
            """,
        },
    )
    assert run_rule(tmp_path, "source-ref-missing") == []


def test_helmrelease_chart_source_missing_and_silent(tmp_path: Path) -> None:
    flux_repo(tmp_path, {"cluster/app.yaml": hr("app")})
    [found] = run_rule(tmp_path, "helmrelease-chart-source-missing")
    assert found.object.name == "app" and "HelmRepository flux-system/charts" in found.message
    assert "flux create source helm charts" in found.hint
    (tmp_path / "cluster/repo.yaml").write_text(HELM_REPO)
    assert run_rule(tmp_path, "helmrelease-chart-source-missing") == []


def test_helmrelease_depends_on_missing_and_silent(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/repo.yaml": HELM_REPO,
            "cluster/app.yaml": hr("authentik", extra="  dependsOn:\n    - name: postgresql\n"),
        },
    )
    [found] = run_rule(tmp_path, "helmrelease-depends-on-missing")
    assert "apps/postgresql" in found.message
    (tmp_path / "cluster/db.yaml").write_text(hr("postgresql"))
    assert run_rule(tmp_path, "helmrelease-depends-on-missing") == []


VALUES_FROM = """\
  valuesFrom:
    - kind: Secret
      name: authentik-secret
      valuesKey: values.yaml
    - kind: ConfigMap
      name: authentik-optional
      optional: true
"""


def test_values_from_missing_fires_on_secret_nothing_creates(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/repo.yaml": HELM_REPO,
            "cluster/authentik.yaml": hr("authentik", "authentik", extra=VALUES_FROM),
        },
    )
    [found] = run_rule(tmp_path, "values-from-missing")
    assert found.message == (
        "HelmRelease authentik/authentik reads values from Secret authentik/authentik-secret, "
        "which nothing in the repo creates"
    )
    assert found.evidence == ("spec.valuesFrom[0]: Secret/authentik-secret (key values.yaml)",)
    assert found.line == 17


def test_values_from_wrong_namespace_still_fires(tmp_path: Path) -> None:
    secret = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: authentik-secret\n  namespace: default\n"
        "stringData:\n  values.yaml: ENC[AES256_GCM,data:x,type:str]\n"
    )
    flux_repo(
        tmp_path,
        {
            "cluster/authentik.yaml": hr("authentik", "authentik", extra=VALUES_FROM),
            "cluster/secret.yaml": secret,
        },
    )
    assert len(run_rule(tmp_path, "values-from-missing")) == 1


def test_values_from_silent_with_generator_sealed_or_external_secret(tmp_path: Path) -> None:
    for producer in (
        {
            "cluster/kustomization.yaml": "resources: [flux-system/gotk-sync.yaml, authentik.yaml]\nnamespace: authentik\n"
            "secretGenerator:\n  - name: authentik-secret\n    envs: [authentik.env]\n",
            "cluster/authentik.env": "AUTHENTIK_SECRET_KEY=${SECRET}\n",
        },
        {
            "cluster/sealed.yaml": "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n"
            "  name: authentik-secret\n  namespace: authentik\nspec:\n  encryptedData: {}\n"
        },
        {
            "cluster/external.yaml": "apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata:\n"
            "  name: authentik\n  namespace: authentik\nspec:\n  target:\n"
            "    name: authentik-secret\n"
        },
    ):
        root = tmp_path / str(len(list(tmp_path.iterdir())))
        flux_repo(
            root, {"cluster/authentik.yaml": hr("authentik", "authentik", extra=VALUES_FROM), **producer}
        )
        assert run_rule(root, "values-from-missing") == [], producer


def test_substitute_from_missing(tmp_path: Path) -> None:
    extra = "  postBuild:\n    substituteFrom:\n      - kind: ConfigMap\n        name: cluster-vars\n"
    flux_repo(tmp_path, {"cluster/apps.yaml": ks("apps", "./apps", extra=extra), "apps/a.yaml": ""})
    [found] = run_rule(tmp_path, "values-from-missing")
    assert "substitutes variables from ConfigMap flux-system/cluster-vars" in found.message
    (tmp_path / "cluster/vars.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-vars\n  namespace: flux-system\n"
        "data:\n  DOMAIN: example.org\n"
    )
    assert run_rule(tmp_path, "values-from-missing") == []


def test_dependency_cycle_of_three_reported_once(tmp_path: Path) -> None:
    def dep(name: str) -> str:
        return f"  dependsOn:\n    - name: {name}\n"

    flux_repo(
        tmp_path,
        {
            "cluster/a.yaml": ks("crds", "./a", extra=dep("apps")),
            "cluster/b.yaml": ks("infrastructure", "./a", extra=dep("crds")),
            "cluster/c.yaml": ks("apps", "./a", extra=dep("infrastructure")),
            "a/x.yaml": "",
        },
    )
    [found] = run_rule(tmp_path, "dependency-cycle")
    assert found.object.name == "apps"
    assert found.evidence == (
        "dependsOn cycle: flux-system/apps → flux-system/infrastructure → "
        "flux-system/crds → flux-system/apps",
    )


def test_dependency_cycle_silent_on_a_chain_and_on_helmrelease_chain(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/a.yaml": ks("crds", "./a"),
            "cluster/b.yaml": ks("infrastructure", "./a", extra="  dependsOn:\n    - name: crds\n"),
            "cluster/c.yaml": ks(
                "apps", "./a", extra="  dependsOn:\n    - name: infrastructure\n    - name: crds\n"
            ),
            "cluster/hr.yaml": hr("velero", extra="  dependsOn:\n    - name: minio\n")
            + "---\n"
            + hr("minio"),
            "a/x.yaml": "",
        },
    )
    assert run_rule(tmp_path, "dependency-cycle") == []


def test_helmrelease_cycle(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/hr.yaml": hr("a", extra="  dependsOn:\n    - name: b\n")
            + "---\n"
            + hr("b", extra="  dependsOn:\n    - name: a\n")
        },
    )
    [found] = run_rule(tmp_path, "dependency-cycle")
    assert "HelmReleases a, b" in found.message


def test_orphan_yaml_once_per_directory_and_silent_when_reached(tmp_path: Path) -> None:
    ns = "apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n"
    flux_repo(
        tmp_path,
        {
            "cluster/apps.yaml": ks("apps", "./apps"),
            "apps/kustomization.yaml": "resources: [media.yaml]\n",
            "apps/media.yaml": ns % "media",
            "apps/old-bazarr.yaml": ns % "bazarr",
            "apps/old-whisparr.yaml": ns % "whisparr",
            "docs/example.yaml": ns % "example",
            "docs/notes.yaml": "title: not a manifest\n",
            ".github/workflows/ci.yaml": "on: [push]\njobs: {}\n",
        },
    )
    found = run_rule(tmp_path, "orphan-yaml")
    assert [(f.object.name, f.message.split(" ")[0]) for f in found] == [("./apps", "2"), ("./docs", "1")]
    assert found[0].evidence[0] == "files: old-bazarr.yaml, old-whisparr.yaml"
    (tmp_path / "apps/kustomization.yaml").write_text(
        "resources: [media.yaml, old-bazarr.yaml, old-whisparr.yaml]\n"
    )
    (tmp_path / "docs/example.yaml").unlink()
    assert run_rule(tmp_path, "orphan-yaml") == []


def test_orphan_yaml_in_plain_kustomize_repo(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "base/kustomization.yaml": "resources: [a.yaml]\n",
            "base/a.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n",
            "base/b.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n",
        },
    )
    [found] = run_rule(tmp_path, "orphan-yaml")
    assert found.file == "base/b.yaml"


def test_unreached_kustomizations_are_not_judged(tmp_path: Path) -> None:
    flux_repo(tmp_path, {"drafts/apps.yaml": ks("apps", "./nowhere")})
    assert run_rule(tmp_path, "ks-path-missing") == []
    assert [f.object.name for f in run_rule(tmp_path, "orphan-yaml")] == ["./drafts"]
