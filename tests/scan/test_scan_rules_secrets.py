"""Secret and exposure rules: fire on committed secrets/exposed UIs, stay silent once fixed."""

from __future__ import annotations

import base64
from pathlib import Path

from scan_helpers import flux_repo, run_rule

SOPS = """\
sops:
    age:
        - recipient: age1qy5u9cs3rp9c2mv3u5dkd0pl7qjz4vq4rxk8yqz2y5x9e6tq3m8s2q9j7n
          enc: |
            -----BEGIN AGE ENCRYPTED FILE-----
            YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBxV2VsOGxHcHpMVXpzTHdm
            -----END AGE ENCRYPTED FILE-----
    lastmodified: "2025-06-15T21:04:11Z"
    mac: ENC[AES256_GCM,data:Zk9xR2Vh,iv:3tq2pW1o,tag:9fYq1lT6,type:str]
    encrypted_regex: ^(data|stringData)$
    version: 3.8.1
"""
ENC = "ENC[AES256_GCM,data:Qm9vTm9wZQ==,iv:Wq8rT2yU5iO1pA3sD6fG9hJ=,tag:Lk4jH7gF1dS9aP2oI5uY8t==,type:str]"


def secret(name: str, body: str, namespace: str = "monitoring") -> str:
    return f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: {namespace}\ntype: Opaque\n{body}"


def test_plain_secret_reports_keys_and_lengths_never_values(tmp_path: Path) -> None:
    body = f"data:\n  password: {base64.b64encode(b'hunter2hunter2').decode()}\nstringData:\n  token: abcdefghij\n"
    flux_repo(tmp_path, {"cluster/secret.yaml": secret("grafana-admin", body)})
    [found] = run_rule(tmp_path, "plain-secret")
    assert found.message == (
        "Secret monitoring/grafana-admin is committed in plain text (2 readable value(s), no SOPS encryption)"
    )
    assert found.evidence == ("data.password: 14 bytes", "stringData.token: 10 bytes")
    assert found.line == 8 and found.severity.value == "critical"
    assert "hunter2" not in str(found)


def test_plain_secret_silent_on_sops_and_placeholders(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/encrypted.sops.yaml": secret("grafana-admin", f"stringData:\n    password: {ENC}\n")
            + SOPS,
            "cluster/vars.yaml": secret("from-vars", "stringData:\n  password: ${GRAFANA_PASSWORD}\n"),
            "cluster/empty.yaml": secret("filled-later", "data: {}\n"),
        },
    )
    assert run_rule(tmp_path, "plain-secret") == []


SOPS_CONFIG = """\
creation_rules:
  - path_regex: clusters/.*\\.sops\\.yaml$
    encrypted_regex: ^(data|stringData)$
    age: age1qy5u9cs3rp9c2mv3u5dkd0pl7qjz4vq4rxk8yqz2y5x9e6tq3m8s2q9j7n
"""


def test_sops_rule_not_covering(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            ".sops.yaml": SOPS_CONFIG,
            "cluster/apps/minio.sops.yaml": secret("minio", f"stringData:\n    root: {ENC}\n") + SOPS,
        },
    )
    [found] = run_rule(tmp_path, "sops-rule-not-covering")
    assert "No creation rule in .sops.yaml matches cluster/apps/minio.sops.yaml" in found.message
    assert found.severity.value == "warning"


def test_sops_rule_covering_with_wrong_encrypted_regex(tmp_path: Path) -> None:
    config = SOPS_CONFIG.replace("clusters/", "cluster/").replace("^(data|stringData)$", "^(password)$")
    flux_repo(
        tmp_path,
        {
            ".sops.yaml": config,
            "cluster/minio.sops.yaml": secret("minio", f"stringData:\n    root: {ENC}\n") + SOPS,
        },
    )
    [found] = run_rule(tmp_path, "sops-rule-not-covering")
    assert "leaves the Secret's values unencrypted" in found.message
    assert "encrypted_regex '^(password)$' does not match 'data'" in found.evidence


def test_sops_rule_silent_when_covered_or_no_sops_config(tmp_path: Path) -> None:
    files = {"cluster/minio.sops.yaml": secret("minio", f"stringData:\n    root: {ENC}\n") + SOPS}
    flux_repo(tmp_path / "a", {".sops.yaml": SOPS_CONFIG.replace("clusters/", "cluster/"), **files})
    assert run_rule(tmp_path / "a", "sops-rule-not-covering") == []
    flux_repo(tmp_path / "b", files)
    assert run_rule(tmp_path / "b", "sops-rule-not-covering") == []


KS_MONITORING = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: monitoring
  namespace: flux-system
spec:
  interval: 10m
  path: ./monitoring
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
"""


def test_ks_decryption_missing(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/monitoring.yaml": KS_MONITORING,
            "monitoring/oauth2.sops.yaml": secret("oauth2-proxy", f"stringData:\n    x: {ENC}\n") + SOPS,
        },
    )
    [found] = run_rule(tmp_path, "ks-decryption-missing")
    assert found.object.name == "monitoring"
    assert found.evidence == ("no spec.decryption", "encrypted: monitoring/oauth2.sops.yaml")


def test_ks_decryption_silent_with_sops_provider(tmp_path: Path) -> None:
    ks = KS_MONITORING + "  decryption:\n    provider: sops\n    secretRef:\n      name: sops-age\n"
    flux_repo(
        tmp_path,
        {
            "cluster/monitoring.yaml": ks,
            "monitoring/oauth2.sops.yaml": secret("oauth2-proxy", f"stringData:\n    x: {ENC}\n") + SOPS,
        },
    )
    assert run_rule(tmp_path, "ks-decryption-missing") == []


def test_secret_in_text_finds_keys_tokens_passwords_masked(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "scripts/restore.sh": "#!/bin/sh\nexport GITLAB_TOKEN=glpat-Xk29fjQ0zP3mLw8vTb1c\n"
            "curl -H 'Authorization: Bearer xoxb-2048-4096-AbCdEfGhIjKlMn' https://hooks\n",
            "keys/age.txt": "# created: 2025-06-01\nAGE-SECRET-KEY-1QQPZ8Z9X6R3U5DFT0GDJN4YV3MZ8L2CRWPZKZ6QF0T3W9H7E4Q2SXK5JHN\n",
            "docs/ssh.md": "Node access key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n",
            "cluster/app.yaml": """\
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: paperless
              namespace: apps
            spec:
              selector: {matchLabels: {app: paperless}}
              template:
                metadata: {labels: {app: paperless}}
                spec:
                  containers:
                    - name: paperless
                      image: ghcr.io/paperless-ngx/paperless-ngx:2.13.5
                      args: ["--db-password=Sup3rS3cretDb"]
                      env:
                        - name: PAPERLESS_DBPASS
                          value: paperless-db-2025
                        - name: PAPERLESS_SECRET_KEY
                          valueFrom: {secretKeyRef: {name: paperless, key: secret-key}}
            """,
        },
    )
    found = run_rule(tmp_path, "secret-in-text")
    got = {(f.file, f.line, f.evidence[0]) for f in found}
    assert got == {
        ("cluster/app.yaml", 14, "line 14: Sup3********"),
        ("cluster/app.yaml", 17, "PAPERLESS_DBPASS: pape********"),
        ("docs/ssh.md", 2, "line 2: BEGIN OPENSSH PRIVATE KEY (key body not shown)"),
        ("keys/age.txt", 2, "line 2: AGE-********"),
        ("scripts/restore.sh", 2, "line 2: glpa********"),
        ("scripts/restore.sh", 3, "line 3: xoxb********"),
    }
    deployment = next(f for f in found if f.line == 17)
    assert deployment.object.kind == "Deployment" and deployment.object.name == "paperless"


def test_secret_in_text_silent_on_references_placeholders_and_secrets(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "README.md": "Set `password: <your-password>` and `DB_PASSWORD=${DB_PASSWORD}`; token in $GITHUB_TOKEN.\n",
            "cluster/values.yaml": """\
            apiVersion: helm.toolkit.fluxcd.io/v2
            kind: HelmRelease
            metadata: {name: grafana, namespace: monitoring}
            spec:
              interval: 30m
              chart: {spec: {chart: grafana, version: 8.8.2, sourceRef: {kind: HelmRepository, name: grafana}}}
              values:
                admin:
                  existingSecret: grafana-admin
                  passwordKey: admin-password
                passwordSecretRef: grafana-admin
            """,
            "cluster/encrypted.sops.yaml": secret(
                "grafana-admin", f"stringData:\n    admin-password: {ENC}\n"
            )
            + SOPS,
            "cluster/plain.yaml": secret("left-to-plain-secret", "stringData:\n  password: hunter2hunter2\n"),
            ".sops.yaml": SOPS_CONFIG,
        },
    )
    assert run_rule(tmp_path, "secret-in-text") == []


ROUTE = """\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: {name}
  namespace: {namespace}
spec:
  parentRefs:
    - name: main-gateway
      namespace: networking
  hostnames:
    - {name}.fletcherlabs.net
  rules:
    - backendRefs:
        - name: {backend}
          port: {port}
{filters}"""


def route(name: str, namespace: str, backend: str, port: int, filters: str = "") -> str:
    return ROUTE.format(name=name, namespace=namespace, backend=backend, port=port, filters=filters)


def test_admin_ui_without_auth_fires_for_prometheus_longhorn_and_hubble(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/prometheus.yaml": route(
                "prometheus", "monitoring", "kube-prometheus-stack-prometheus", 9090
            ),
            "cluster/longhorn.yaml": route("longhorn", "longhorn-system", "longhorn-frontend", 80),
            "cluster/hubble.yaml": route("hubble", "kube-system", "hubble-ui", 80),
            "cluster/ingress.yaml": """\
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: alertmanager
              namespace: monitoring
            spec:
              rules:
                - host: alertmanager.fletcherlabs.net
                  http:
                    paths:
                      - path: /
                        pathType: Prefix
                        backend:
                          service:
                            name: alertmanager-operated
                            port: {number: 9093}
            """,
        },
    )
    found = run_rule(tmp_path, "admin-ui-without-auth")
    assert sorted(f.message for f in found) == [
        "HTTPRoute kube-system/hubble publishes the Hubble UI (Service kube-system/hubble-ui:80) with no auth "
        "proxy in front",
        "HTTPRoute longhorn-system/longhorn publishes the Longhorn UI (Service longhorn-system/longhorn-frontend:80) "
        "with no auth proxy in front",
        "HTTPRoute monitoring/prometheus publishes the Prometheus (Service monitoring/kube-prometheus-stack-prometheus"
        ":9090) with no auth proxy in front",
        "Ingress monitoring/alertmanager publishes the Alertmanager (Service alertmanager-operated) with no auth "
        "in front",
    ]
    prometheus = next(f for f in found if f.object.name == "prometheus")
    assert prometheus.line == 14 and "hostnames: prometheus.fletcherlabs.net" in prometheus.evidence


def test_admin_ui_silent_behind_oauth2_proxy_security_policy_or_annotations(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/prometheus.yaml": route("prometheus", "monitoring", "oauth2-proxy", 80),
            "cluster/grafana.yaml": route("grafana", "monitoring", "kube-prometheus-stack-grafana", 80),
            "cluster/longhorn.yaml": route("longhorn", "longhorn-system", "longhorn-frontend", 80),
            "cluster/policy.yaml": """\
            apiVersion: gateway.envoyproxy.io/v1alpha1
            kind: SecurityPolicy
            metadata:
              name: longhorn-oidc
              namespace: longhorn-system
            spec:
              targetRefs:
                - group: gateway.networking.k8s.io
                  kind: HTTPRoute
                  name: longhorn
              oidc:
                provider:
                  issuer: https://authentik.fletcherlabs.net/application/o/longhorn
                clientID: longhorn
                clientSecret:
                  name: longhorn-oidc
            """,
            "cluster/ingress.yaml": """\
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: alertmanager
              namespace: monitoring
              annotations:
                nginx.ingress.kubernetes.io/auth-url: https://oauth2.fletcherlabs.net/oauth2/auth
                nginx.ingress.kubernetes.io/auth-signin: https://oauth2.fletcherlabs.net/oauth2/start
            spec:
              rules:
                - host: alertmanager.fletcherlabs.net
                  http:
                    paths:
                      - path: /
                        pathType: Prefix
                        backend: {service: {name: alertmanager-operated, port: {number: 9093}}}
            """,
        },
    )
    assert run_rule(tmp_path, "admin-ui-without-auth") == []


def test_admin_ui_recognised_by_service_selector(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/route.yaml": route("metrics", "monitoring", "metrics-ui", 9090),
            "cluster/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: metrics-ui\n  namespace: monitoring\n"
            "spec:\n  selector:\n    app.kubernetes.io/name: prometheus\n  ports:\n    - port: 9090\n",
        },
    )
    [found] = run_rule(tmp_path, "admin-ui-without-auth")
    assert "publishes the Prometheus" in found.message


def o2p_release(values: str) -> str:
    return f"""\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: oauth2-proxy
  namespace: monitoring
spec:
  interval: 30m
  chart:
    spec:
      chart: oauth2-proxy
      version: 7.7.1
      sourceRef:
        kind: HelmRepository
        name: oauth2-proxy
        namespace: flux-system
  values:
{values}"""


def test_cookie_secret_length_fires_on_167_bytes_and_on_values(tmp_path: Path) -> None:
    cookie = base64.b64encode(b"x" * 167).decode()
    flux_repo(
        tmp_path,
        {
            "cluster/secret.yaml": secret("oauth2-proxy", f"data:\n  cookie-secret: {cookie}\n"),
            "cluster/release.yaml": o2p_release("    config:\n      cookieSecret: not-sixteen-bytes\n"),
        },
    )
    found = run_rule(tmp_path, "oauth2-proxy-cookie-secret-length")
    assert sorted(f.message for f in found) == [
        "oauth2-proxy cookie secret in Secret oauth2-proxy data.cookie-secret is 167 bytes; oauth2-proxy needs 16, "
        "24 or 32",
        "oauth2-proxy cookie secret in values config.cookieSecret is 17 bytes; oauth2-proxy needs 16, 24 or 32",
    ]
    assert all("x" * 20 not in str(f) for f in found)


def test_cookie_secret_length_silent_on_valid_and_encrypted(tmp_path: Path) -> None:
    url_b64_32 = base64.urlsafe_b64encode(bytes(range(32))).decode()
    raw_16 = "0123456789abcdef"
    flux_repo(
        tmp_path,
        {
            "cluster/secret.yaml": secret("oauth2-proxy", f"stringData:\n  cookie-secret: {url_b64_32}\n"),
            "cluster/release.yaml": o2p_release(
                f"    config:\n      cookieSecret: {raw_16}\n    extraArgs:\n      cookie-secret: {ENC}\n"
            ),
            "cluster/enc.sops.yaml": secret("o2p", f"stringData:\n    cookie-secret: {ENC}\n") + SOPS,
        },
    )
    assert run_rule(tmp_path, "oauth2-proxy-cookie-secret-length") == []


def test_cookie_secret_in_container_args(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/deploy.yaml": """\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: oauth2-proxy, namespace: monitoring}
        spec:
          selector: {matchLabels: {app: oauth2-proxy}}
          template:
            metadata: {labels: {app: oauth2-proxy}}
            spec:
              containers:
                - name: oauth2-proxy
                  image: quay.io/oauth2-proxy/oauth2-proxy:v7.7.1
                  args: ["--provider=oidc", "--cookie-secret=tooshort"]
        """
        },
    )
    [found] = run_rule(tmp_path, "oauth2-proxy-cookie-secret-length")
    assert "is 8 bytes" in found.message and found.line == 12
