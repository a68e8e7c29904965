"""Correctness and homelab rules: fire on the seed mistakes, stay silent on the fixed manifests."""

from __future__ import annotations

from pathlib import Path

import pytest
from scan_helpers import flux_repo, run_rule


def release(
    name: str,
    chart: str,
    values: str,
    *,
    version: str | None = "1.0.0",
    namespace: str = "kube-system",
    api: str = "helm.toolkit.fluxcd.io/v2",
) -> str:
    version_line = f'      version: "{version}"\n' if version is not None else ""
    return (
        f"apiVersion: {api}\nkind: HelmRelease\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n"
        f"  interval: 30m\n  chart:\n    spec:\n      chart: {chart}\n{version_line}"
        f"      sourceRef:\n        kind: HelmRepository\n        name: {chart}\n        namespace: flux-system\n"
        f"  values:\n{values}"
    )


def deployment(
    name: str, namespace: str, image: str, *, replicas: int = 1, gpu: int = 0, extra: str = ""
) -> str:
    resources = (
        f"          resources:\n            limits:\n              nvidia.com/gpu: {gpu}\n" if gpu else ""
    )
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n"
        f"  replicas: {replicas}\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n"
        f"      labels:\n        app: {name}\n    spec:\n      containers:\n        - name: {name}\n"
        f"          image: {image}\n{resources}{extra}"
    )


# ---- deprecated-api ---------------------------------------------------------------------------------------


def test_deprecated_api_removed_is_critical_deprecated_is_warning(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/cron.yaml": "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: cleanup\n"
            "spec:\n  schedule: '@daily'\n  jobTemplate: {spec: {template: {spec: {containers: []}}}}\n",
            "cluster/fs.yaml": "apiVersion: flowcontrol.apiserver.k8s.io/v1beta3\nkind: FlowSchema\nmetadata:\n"
            "  name: homelab\n",
            "cluster/hr.yaml": release(
                "grafana", "grafana", "    {}\n", api="helm.toolkit.fluxcd.io/v2beta1"
            ),
        },
    )
    found = {f.object.name: f for f in run_rule(tmp_path, "deprecated-api")}
    assert found["cleanup"].severity.value == "critical"
    assert "Kubernetes 1.32 no longer serves (removed in 1.25)" in found["cleanup"].message
    assert found["homelab"].severity.value == "critical" and "removed in 1.32" in found["homelab"].message
    assert found["grafana"].severity.value == "warning"
    assert "use helm.toolkit.fluxcd.io/v2" in found["grafana"].message


def test_deprecated_api_depends_on_target_version(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/fs.yaml": "apiVersion: flowcontrol.apiserver.k8s.io/v1beta3\nkind: FlowSchema\n"
            "metadata:\n  name: homelab\n"
        },
    )
    [found] = run_rule(tmp_path, "deprecated-api", kube_version="1.30")
    assert found.severity.value == "warning" and "is removed in Kubernetes 1.32" in found.message


def test_deprecated_api_silent_on_current_versions(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/cron.yaml": "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: cleanup\n",
            "cluster/hr.yaml": release("grafana", "grafana", "    {}\n"),
            "cluster/route.yaml": "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r\n",
        },
    )
    assert run_rule(tmp_path, "deprecated-api") == []


# ---- schema-invalid ---------------------------------------------------------------------------------------


def test_schema_invalid_on_builtin_schema_without_echoing_values(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: jellyfin\nspec:\n  ports:\n"
            "    - port: http\n      targetPort: 8096\n",
            "cluster/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  pin: 123456\n",
            "cluster/ks.yaml": "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n"
            "  namespace: flux-system\nspec:\n  interval: 10 minutes\n  path: ./apps\n"
            "  sourceRef: {kind: GitRepository, name: flux-system}\n",
        },
    )
    found = {f.object.name: f for f in run_rule(tmp_path, "schema-invalid")}
    assert found["jellyfin"].message == (
        "Service jellyfin does not validate: spec.ports.0.port: must be an integer, not a string"
    )
    assert found["jellyfin"].line == 7
    assert found["s"].evidence[0] == "stringData.pin: must be a string, not an integer"
    assert "123456" not in str(found["s"])
    apps = found["apps"]
    assert "spec: 'prune' is required" in apps.evidence
    assert any(e.startswith("spec.interval: does not match") for e in apps.evidence)


def test_schema_invalid_uses_crds_from_the_repo(tmp_path: Path) -> None:
    crd = """\
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: ippools.cilium.io
        spec:
          group: cilium.io
          names: {kind: CiliumLoadBalancerIPPool, plural: ciliumloadbalancerippools}
          scope: Cluster
          versions:
            - name: v2alpha1
              served: true
              storage: true
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    spec:
                      type: object
                      required: [blocks]
                      properties:
                        blocks:
                          type: array
                          items: {type: object, properties: {cidr: {type: string}}}
                        serviceSelector: {type: object, nullable: true}
                        port: {x-kubernetes-int-or-string: true}
        """
    flux_repo(
        tmp_path,
        {
            "cluster/crd.yaml": crd,
            "cluster/bad.yaml": "apiVersion: cilium.io/v2alpha1\nkind: CiliumLoadBalancerIPPool\nmetadata:\n  name: bad\n"
            "spec:\n  cidrs: [192.168.10.224/28]\n",
            "cluster/good.yaml": "apiVersion: cilium.io/v2alpha1\nkind: CiliumLoadBalancerIPPool\nmetadata:\n  name: good\n"
            "spec:\n  blocks: [{cidr: 192.168.10.224/28}]\n  serviceSelector: null\n  port: http\n",
        },
    )
    [found] = run_rule(tmp_path, "schema-invalid")
    assert found.object.name == "bad" and "spec: 'blocks' is required" in found.message
    assert "schema: CRD ippools.cilium.io (cluster/crd.yaml)" in found.evidence


def test_schema_invalid_silent_on_valid_and_substituted(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/app.yaml": deployment("jellyfin", "media", "jellyfin/jellyfin:10.10.3").replace(
                "replicas: 1", "replicas: ${REPLICAS}"
            ),
            "cluster/ks.yaml": "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n"
            "  namespace: flux-system\nspec:\n  interval: 10m0s\n  prune: true\n  path: ./apps\n"
            "  sourceRef: {kind: GitRepository, name: flux-system}\n",
            "apps/x.yaml": "",
        },
    )
    assert run_rule(tmp_path, "schema-invalid") == []


# ---- renamed-chart-value ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "fires"),
    [
        ("7.7.1", True),
        ("6.24.1", True),
        (None, True),
        ("*", True),
        (">=3.0.0", True),
        ("3.3.2", False),
        ("3.x", False),
        ("~3.2", False),
    ],
)
def test_renamed_oauth2_proxy_service_port(tmp_path: Path, version: str | None, fires: bool) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/o2p.yaml": release(
                "oauth2-proxy",
                "oauth2-proxy",
                "    service:\n      port: 4180\n",
                version=version,
                namespace="monitoring",
            )
        },
    )
    found = run_rule(tmp_path, "renamed-chart-value")
    assert bool(found) is fires
    if fires:
        assert "sets service.port" in found[0].message and "use service.portNumber" in found[0].message
        assert found[0].line == (18 if version is not None else 17)


def test_renamed_chart_value_silent_on_new_key_and_info_for_cert_manager(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/o2p.yaml": release(
                "oauth2-proxy", "oauth2-proxy", "    service:\n      portNumber: 4180\n", version="7.7.1"
            ),
            "cluster/cm.yaml": release(
                "cert-manager", "cert-manager", "    installCRDs: true\n", version="v1.16.2"
            ),
        },
    )
    [found] = run_rule(tmp_path, "renamed-chart-value")
    assert found.object.name == "cert-manager" and found.severity.value == "info"
    assert "deprecates" in found.message


# ---- yaml-duplicate-key / yaml-1.1-trap -------------------------------------------------------------------


def test_yaml_duplicate_key(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: env\ndata:\n"
            "  TZ: UTC\n  LANG: C\n  TZ: America/New_York\n"
        },
    )
    [found] = run_rule(tmp_path, "yaml-duplicate-key")
    assert found.line == 8 and "lines 6 and 8" in found.message


def test_yaml_duplicate_key_silent_with_merge_keys(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: env\n"
            "defaults: &d {TZ: UTC}\ndata:\n  <<: *d\n  LANG: C\n"
        },
    )
    assert run_rule(tmp_path, "yaml-duplicate-key") == []


def test_yaml_11_traps_where_strings_are_required(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: env\n  labels:\n    backup: yes\n"
            "data:\n  HWACCEL: on\n  COUNTRY: NO\n  UMASK: 0022\n  FLAG: n\n",
            "cluster/hr.yaml": release("app", "app", "    image:\n      tag: 1e10\n    enabled: yes\n"),
        },
    )
    found = run_rule(tmp_path, "yaml-1.1-trap")
    assert sorted((f.line, f.evidence[0]) for f in found) == [
        (6, "line 6: backup: yes"),
        (8, "line 8: HWACCEL: on"),
        (9, "line 9: COUNTRY: NO"),
        (10, "line 10: UMASK: 0022"),
        (11, "line 11: FLAG: n"),
        (18, "line 18: tag: 1e10"),
    ]
    umask = next(f for f in found if f.line == 10)
    assert "read as int 18 (octal)" in umask.message and umask.hint == 'Quote it: UMASK: "0022"'
    tag = next(f for f in found if f.line == 18)
    assert "float 1e+10" in tag.message


def test_yaml_11_traps_silent_when_quoted_or_meant_as_bool(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/cm.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: env\ndata:\n  HWACCEL: "on"\n'
            "  UMASK: '0022'\n",
            "cluster/hr.yaml": release(
                "app",
                "app",
                "    persistence:\n      enabled: yes\n    mode: 0644\n".replace(
                    "mode: 0644", "defaultMode: 0644"
                ),
            ),
        },
    )
    assert run_rule(tmp_path, "yaml-1.1-trap") == []


# ---- homelab ----------------------------------------------------------------------------------------------

LONGHORN_WRONG = "    csi:\n      kubeletRootDir: /var/lib/kubelet\n"


def test_longhorn_kubelet_root_dir_fires_on_k3s(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/longhorn.yaml": release(
                "longhorn", "longhorn", LONGHORN_WRONG, namespace="longhorn-system"
            )
        },
    )
    [found] = run_rule(tmp_path, "longhorn-kubelet-root-dir")
    assert "csi.kubeletRootDir to /var/lib/kubelet" in found.message and found.line == 18
    assert found.severity.value == "critical"
    assert any(e.startswith("repo targets K3s: ") for e in found.evidence)


def test_longhorn_kubelet_root_dir_in_driver_deployer_manifest(tmp_path: Path) -> None:
    extra = "          env:\n            - name: KUBELET_ROOT_DIR\n              value: /var/lib/kubelet\n"
    flux_repo(
        tmp_path,
        {
            "cluster/deployer.yaml": deployment(
                "longhorn-driver-deployer",
                "longhorn-system",
                "longhornio/longhorn-manager:v1.6.2",
                extra=extra,
            )
        },
    )
    [found] = run_rule(tmp_path, "longhorn-kubelet-root-dir")
    assert "env KUBELET_ROOT_DIR=/var/lib/kubelet" in found.message
    assert "Deployment longhorn-system/longhorn-driver-deployer uses" in found.message


def test_longhorn_kubelet_root_dir_in_a_manifest_install_in_another_namespace(tmp_path: Path) -> None:
    """Longhorn's manifests installed into a namespace of the operator's choosing are still Longhorn's, by their
    images; another workload there mounting the kubelet's directory (a log shipper) is not."""
    extra = "          env:\n            - name: KUBELET_ROOT_DIR\n              value: /var/lib/kubelet\n"
    flux_repo(
        tmp_path,
        {
            "cluster/deployer.yaml": deployment(
                "longhorn-driver-deployer",
                "storage",
                "docker.io/longhornio/longhorn-manager:v1.6.2",
                extra=extra,
            ),
            "cluster/shipper.yaml": deployment("shipper", "storage", "fluent/fluent-bit:3.0", extra=extra),
        },
    )
    [found] = run_rule(tmp_path, "longhorn-kubelet-root-dir")
    assert found.message.startswith("Deployment storage/longhorn-driver-deployer uses env KUBELET_ROOT_DIR")


def test_longhorn_kubelet_root_dir_silent_on_k3s_path_unset_or_other_distro(tmp_path: Path) -> None:
    ok = "    csi:\n      kubeletRootDir: /var/lib/rancher/k3s/agent/kubelet\n"
    flux_repo(
        tmp_path / "a",
        {
            "cluster/l.yaml": release("longhorn", "longhorn", ok),
            "cluster/m.yaml": release("longhorn2", "longhorn", "    {}\n"),
        },
    )
    assert run_rule(tmp_path / "a", "longhorn-kubelet-root-dir") == []
    flux_repo(tmp_path / "b", {"cluster/l.yaml": release("longhorn", "longhorn", LONGHORN_WRONG)})
    assert run_rule(tmp_path / "b", "longhorn-kubelet-root-dir", k3s=False) == []
    flux_repo(
        tmp_path / "c",
        {"clusters/talos-home/l.yaml": release("longhorn", "longhorn", LONGHORN_WRONG), "cluster/x.yaml": ""},
        bootstrap=False,
    )
    assert run_rule(tmp_path / "c", "longhorn-kubelet-root-dir") == []


def test_cilium_gateway_api_flags(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/cilium.yaml": release(
                "cilium", "cilium", "    gatewayAPI:\n      enabled: true\n      enableAlpn: true\n"
            )
        },
    )
    [found] = run_rule(tmp_path, "cilium-gateway-api-flags")
    assert found.message.endswith("without gatewayAPI.enableAppProtocol")


def test_cilium_config_map_flags_and_silent_when_set(tmp_path: Path) -> None:
    cm = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cilium-config\n  namespace: kube-system\ndata:\n"
        '  enable-gateway-api: "true"\n'
    )
    flux_repo(tmp_path / "a", {"cluster/cm.yaml": cm})
    [found] = run_rule(tmp_path / "a", "cilium-gateway-api-flags")
    assert "enable-gateway-api-alpn and enable-gateway-api-app-protocol" in found.message
    flux_repo(
        tmp_path / "b",
        {
            "cluster/cm.yaml": cm
            + '  enable-gateway-api-alpn: "true"\n  enable-gateway-api-app-protocol: "true"\n',
            "cluster/cilium.yaml": release(
                "cilium",
                "cilium",
                "    gatewayAPI:\n      enabled: true\n      enableAlpn: true\n"
                "      enableAppProtocol: true\n",
            ),
        },
    )
    assert run_rule(tmp_path / "b", "cilium-gateway-api-flags") == []


ISSUER = """\
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: letsencrypt
spec:
  acme:
    server: https://acme-v02.api.letsencrypt.org/directory
    privateKeySecretRef: {name: letsencrypt}
    solvers:
%s"""
CERT = """\
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: wildcard
  namespace: networking
spec:
  secretName: wildcard-tls
  issuerRef: {name: letsencrypt, kind: ClusterIssuer}
  dnsNames: ["fletcherlabs.net", "*.fletcherlabs.net"]
"""


def test_wildcard_cert_http01(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/issuer.yaml": ISSUER % "      - http01:\n          ingress: {class: cilium}\n",
            "cluster/cert.yaml": CERT,
        },
    )
    [found] = run_rule(tmp_path, "wildcard-cert-http01")
    assert found.object.name == "wildcard" and "*.fletcherlabs.net" in found.message and found.line == 9


def test_wildcard_cert_silent_with_dns01(tmp_path: Path) -> None:
    solvers = (
        "      - dns01:\n          cloudflare:\n            apiTokenSecretRef: {name: cf, key: token}\n"
        "      - http01:\n          ingress: {class: cilium}\n"
    )
    flux_repo(tmp_path, {"cluster/issuer.yaml": ISSUER % solvers, "cluster/cert.yaml": CERT})
    assert run_rule(tmp_path, "wildcard-cert-http01") == []


TIME_SLICING = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: time-slicing-config
  namespace: gpu-operator
data:
  tesla-t4: |-
    version: v1
    sharing:
      timeSlicing:
        resources:
          - name: nvidia.com/gpu
            replicas: 4
"""


def test_gpu_requests_over_time_slicing_capacity(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/ts.yaml": TIME_SLICING,
            "cluster/ai.yaml": deployment("ollama", "ai", "ollama/ollama:0.5.4", gpu=1)
            + "---\n"
            + deployment("automatic1111", "ai", "universonic/sd:1.0", gpu=1, replicas=2),
            "cluster/media.yaml": deployment("jellyfin", "media", "jellyfin/jellyfin:10.10.3", gpu=1)
            + "---\n"
            + deployment("plex", "media", "plexinc/pms-docker:1.41.3", gpu=1),
        },
    )
    [found] = run_rule(tmp_path, "gpu-quota-exceeded")
    assert found.message == (
        "Workloads request 5 nvidia.com/gpu in total but the time-slicing config offers 4 "
        "(4 replicas × 1 GPU)"
    )
    assert "Deployment automatic1111: 1 × 2 replicas" in found.evidence
    assert run_rule(tmp_path, "gpu-quota-exceeded", gpu_count=2) == []


def test_gpu_requests_over_resource_quota_and_silent_within(tmp_path: Path) -> None:
    quota = (
        "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: gpu\n  namespace: ai\nspec:\n  hard:\n"
        '    requests.nvidia.com/gpu: "%d"\n'
    )
    flux_repo(
        tmp_path / "a",
        {
            "cluster/q.yaml": quota % 1,
            "cluster/ai.yaml": deployment("ollama", "ai", "ollama/ollama:0.5.4", gpu=1, replicas=2),
        },
    )
    [found] = run_rule(tmp_path / "a", "gpu-quota-exceeded")
    assert found.message == "Namespace ai requests 2 nvidia.com/gpu but its ResourceQuota gpu allows 1"
    assert found.line == 8
    flux_repo(
        tmp_path / "b",
        {
            "cluster/q.yaml": quota % 2,
            "cluster/ts.yaml": TIME_SLICING,
            "cluster/ai.yaml": deployment("ollama", "ai", "ollama/ollama:0.5.4", gpu=1, replicas=2),
        },
    )
    assert run_rule(tmp_path / "b", "gpu-quota-exceeded") == []


def test_unpinned_chart_and_images(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/hr.yaml": release("grafana", "grafana", "    image:\n      tag: latest\n", version="*"),
            "cluster/app.yaml": deployment("ollama", "ai", "ollama/ollama:latest")
            + "---\n"
            + deployment("whoami", "default", "traefik/whoami"),
        },
    )
    found = run_rule(tmp_path, "unpinned-chart-or-image")
    assert sorted(f.message for f in found) == [
        "Deployment ollama runs 1 unpinned image(s)",
        "Deployment whoami runs 1 unpinned image(s)",
        "HelmRelease kube-system/grafana installs chart grafana with the floating version '*'",
        "HelmRelease kube-system/grafana sets image tag 'latest' at values.image.tag",
    ]
    whoami = next(f for f in found if f.object.name == "whoami")
    assert whoami.evidence == ("containers[0] whoami: traefik/whoami (no tag (pulls :latest))",)


def test_unpinned_silent_on_versions_and_digests(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/hr.yaml": release(
                "grafana", "grafana", "    image:\n      tag: 11.4.0\n", version="8.8.x"
            ),
            "cluster/app.yaml": deployment("ollama", "ai", "ollama/ollama:0.5.4")
            + "---\n"
            + deployment("whoami", "default", "traefik/whoami@sha256:" + "a" * 64)
            + "---\n"
            + deployment("registry", "default", "registry.lan:5000/tools/backup:2025.06"),
        },
    )
    assert run_rule(tmp_path, "unpinned-chart-or-image") == []


def test_important_data_on_local_path(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/pvc.yaml": "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: postgres-data\n"
            "  namespace: authentik\nspec:\n  storageClassName: local-path\n"
            "  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 8Gi}}\n",
            "cluster/loki.yaml": release(
                "loki",
                "loki",
                "    singleBinary:\n      persistence:\n        storageClass: local-path\n",
                namespace="monitoring",
            ),
        },
    )
    found = sorted(run_rule(tmp_path, "important-data-on-local-path"), key=lambda f: f.file or "")
    assert [f.message for f in found] == [
        "HelmRelease monitoring/loki keeps Loki data on local-path (values.singleBinary.persistence.storageClass)",
        "PVC authentik/postgres-data keeps PostgreSQL data on local-path, a single node's disk",
    ]


def test_local_path_silent_for_caches_and_longhorn(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/pvc.yaml": "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: jellyfin-transcode\n"
            "  namespace: media\nspec:\n  storageClassName: local-path\n",
            "cluster/kps.yaml": release(
                "kube-prometheus-stack",
                "kube-prometheus-stack",
                "    prometheus:\n      prometheusSpec:\n        storageSpec:\n"
                "          volumeClaimTemplate:\n            spec:\n"
                "              storageClassName: longhorn\n",
            ),
        },
    )
    assert run_rule(tmp_path, "important-data-on-local-path") == []
