"""Benchmark `homelabctl scan` against a bare PyYAML C-loader parse of the same files, as whole processes.

A user runs ``homelabctl scan PATH`` as a process: interpreter start, imports, reading, rules, output.
So each side is timed as a process (median of several runs): a ``python -c`` that reads every .yaml
file and ``yaml.load_all(..., Loader=yaml.CSafeLoader)``, against ``homelabctl scan PATH`` (the table).
Two generated Flux repositories:

- real-size: about 250 YAML files (bootstrap, sources, app Kustomizations; Deployments, Services,
  HTTPRoutes, PVCs, ConfigMaps, HelmReleases, SOPS Secrets; two kustomizations rendered by kubectl) with
  the scripts and docs a homelab repository has. Target: scan <= 2.5 x parse.
- 5,000 YAML documents (3,761 files). Target: scan <= 2 x parse.

The in-process timings (scan with a warm or cold kustomize cache, ``--no-render``) follow for the big one.
Run: ``python benchmarks/bench_scan.py [--docs 5000] [--runs 5]``.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from homelabctl.scan.config import RepoConfig
from homelabctl.scan.engine import scan
from homelabctl.scan.registry import ScanOptions

SYNC = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m0s
  ref:
    branch: main
  url: ssh://git@github.com/example/homelab
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 10m0s
  path: ./clusters/k3s-home
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
"""
ENC = "ENC[AES256_GCM,data:Qm9vTm9wZQ==,iv:Wq8rT2yU5iO1pA3sD6fG9hJ=,tag:Lk4jH7gF1dS9aP2oI5uY8t==,type:str]"
SOPS = """sops:
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


def flux_ks(name: str, path: str, depends: str | None = None) -> str:
    dep = f"  dependsOn:\n    - name: {depends}\n" if depends else ""
    return (
        f"---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: {name}\n"
        f"  namespace: flux-system\nspec:\n  interval: 10m\n  path: {path}\n  prune: true\n{dep}"
        f"  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  decryption:\n    provider: sops\n"
        f"    secretRef:\n      name: sops-age\n"
    )


def app_docs(name: str, ns: str, i: int) -> dict[str, str]:
    deployment = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels:
    app.kubernetes.io/name: {name}
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {name}
    spec:
      containers:
        - name: {name}
          image: ghcr.io/example/{name}:1.{i % 20}.{i % 7}
          ports:
            - containerPort: 8080
              name: http
          env:
            - name: TZ
              value: Europe/Berlin
            - name: DATABASE_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {name}-db
                  key: password
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              memory: 512Mi
          volumeMounts:
            - name: config
              mountPath: /config
      volumes:
        - name: config
          persistentVolumeClaim:
            claimName: {name}-config
"""
    service = f"""\
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector:
    app.kubernetes.io/name: {name}
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: {name}
spec:
  parentRefs:
    - name: main-gateway
      namespace: networking
  hostnames:
    - {name}.example.org
  rules:
    - backendRefs:
        - name: {name}
          port: 80
"""
    storage = f"""\
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: {name}-config
spec:
  accessModes: ["ReadWriteOnce"]
  storageClassName: longhorn
  resources:
    requests:
      storage: 5Gi
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}-settings
data:
  LOG_LEVEL: info
  FEATURES: "search,thumbnails"
"""
    secret = f"""\
apiVersion: v1
kind: Secret
metadata:
    name: {name}-db
type: Opaque
stringData:
    password: {ENC}
{SOPS}"""
    release = f"""\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: {name}-redis
spec:
  interval: 30m
  chart:
    spec:
      chart: redis
      version: 20.6.{i % 9}
      sourceRef:
        kind: HelmRepository
        name: bitnami
        namespace: flux-system
  values:
    architecture: standalone
    auth:
      existingSecret: {name}-db
    master:
      persistence:
        storageClass: longhorn
        size: 2Gi
"""
    return {
        "deployment.yaml": deployment,
        "service.yaml": service,
        "storage.yaml": storage,
        "secret.sops.yaml": secret,
        "redis.yaml": release,
    }


def generate(root: Path, target_docs: int, rendered: int) -> int:
    """Write the repository; returns the number of YAML documents written."""
    docs = 0

    def put(rel: str, text: str) -> None:
        nonlocal docs
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        docs += sum(1 for part in text.split("\n---\n") if part.strip())

    put("clusters/k3s-home/flux-system/gotk-sync.yaml", SYNC)
    put("clusters/k3s-home/flux-system/kustomization.yaml", "resources:\n  - gotk-sync.yaml\n")
    put(
        "clusters/k3s-home/sources.yaml",
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: bitnami\n"
        "  namespace: flux-system\nspec:\n  interval: 12h\n  url: https://charts.bitnami.com/bitnami\n",
    )
    put(
        ".sops.yaml",
        "creation_rules:\n  - path_regex: .*\\.sops\\.yaml$\n    encrypted_regex: ^(data|stringData)$\n"
        "    age: age1qy5u9cs3rp9c2mv3u5dkd0pl7qjz4vq4rxk8yqz2y5x9e6tq3m8s2q9j7n\n",
    )
    i = 0
    stacks: list[str] = []
    while docs < target_docs:
        stack = f"stack-{i // 25:03d}"
        if stack not in stacks:
            stacks.append(stack)
            put(
                f"clusters/k3s-home/{stack}.yaml",
                flux_ks(stack, f"./apps/{stack}", stacks[-2] if len(stacks) > 1 else None),
            )
        name = f"app-{i:04d}"
        ns = f"ns-{i // 25:03d}"
        files = app_docs(name, ns, i)
        for fname, text in files.items():
            put(f"apps/{stack}/{name}/{fname}", text)
        kustomization = (
            f"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: {ns}\n"
            f"resources:\n" + "".join(f"  - {f}\n" for f in files)
        )
        if i < rendered:
            kustomization += (
                f"configMapGenerator:\n  - name: {name}-env\n    literals: [MODE=production]\n"
                f"patches:\n  - target: {{kind: Deployment, name: {name}}}\n    patch: |\n"
                f"      - op: replace\n        path: /spec/replicas\n        value: 2\n"
            )
        put(f"apps/{stack}/{name}/kustomization.yaml", kustomization)
        i += 1
    return docs


SCRIPTS = {
    "scripts/join-node.sh": "#!/usr/bin/env bash\nset -euo pipefail\ncurl -sfL https://get.k3s.io | "
    'K3S_URL=https://10.20.0.10:6443 K3S_TOKEN="${K3S_TOKEN:?}" sh -s - agent\n',
    "scripts/setup-oauth.sh": "#!/usr/bin/env bash\nCLIENT_SECRET=$(openssl rand -hex 32)\n"
    "COOKIE_SECRET=$(openssl rand -base64 32 | head -c 32)\n",
    "docs/authentik.md": "# Authentik\n\n- Username: akadmin\n- Password: Strong password (save securely!)\n",
    "docs/backup.md": "# Backups\n\n```ini\n[default]\naws_access_key_id = <B2 key ID>\n"
    "aws_secret_access_key = <B2 application key>\n```\n" + "Restore notes.\n" * 200,
    "README.md": "# homelab\n\n" + "Flux + K3s. See docs/.\n" * 100,
}


def crd(group: str, kind: str, fanout: int = 7, depth: int = 3) -> str:
    """A vendored CRD bundle the size real ones have (a few thousand lines of openAPIV3Schema)."""

    def props(level: int, indent: str) -> str:
        out = ""
        for i in range(fanout):
            name = f"field{level}{i}"
            if level < depth:
                out += (
                    f"{indent}{name}:\n{indent}  description: {kind} setting {name}, see the upstream docs.\n"
                    f"{indent}  type: object\n{indent}  properties:\n" + props(level + 1, indent + "    ")
                )
            else:
                kind_ = ("string", "integer", "boolean")[i % 3]
                out += (
                    f"{indent}{name}:\n{indent}  description: {kind} value {name}.\n{indent}  type: {kind_}\n"
                )
        return out

    plural = kind.lower() + "s"
    return (
        f"---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n"
        f"  name: {plural}.{group}\nspec:\n  group: {group}\n  names:\n    kind: {kind}\n"
        f"    plural: {plural}\n  scope: Namespaced\n  versions:\n    - name: v1\n      served: true\n"
        f"      storage: true\n      schema:\n        openAPIV3Schema:\n          type: object\n"
        f"          properties:\n            spec:\n              type: object\n              properties:\n"
        + props(1, "                ")
    )


def add_real_world_weight(root: Path) -> None:
    """What makes a real homelab repository heavier than its app manifests: vendored CRD bundles (the
    Gateway API, cert-manager, Longhorn, Velero...) and a few long Helm values files."""
    kinds = [
        ("gateway.networking.k8s.io", "HTTPRoute"),
        ("cert-manager.io", "Certificate"),
        ("longhorn.io", "Volume"),
        ("velero.io", "Backup"),
        ("monitoring.coreos.com", "Prometheus"),
        ("cilium.io", "CiliumNetworkPolicy"),
    ]
    (root / "infrastructure/crds").mkdir(parents=True, exist_ok=True)
    for group, kind in kinds:
        (root / f"infrastructure/crds/{kind.lower()}.yaml").write_text(crd(group, kind))
    (root / "infrastructure/crds/kustomization.yaml").write_text(
        "resources:\n" + "".join(f"  - {kind.lower()}.yaml\n" for _g, kind in kinds)
    )
    rules = "".join(
        f'              - alert: Rule{i}\n                expr: up{{job="job-{i}"}} == 0\n'
        f"                for: 5m\n                labels: {{severity: warning}}\n"
        f"                annotations:\n                  summary: Target job-{i} is down\n"
        for i in range(250)
    )
    (root / "infrastructure/monitoring.yaml").write_text(
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: kube-prometheus-stack\n"
        "  namespace: monitoring\nspec:\n  interval: 30m\n  chart:\n    spec:\n      chart: kube-prometheus-stack\n"
        "      version: 66.2.1\n      sourceRef:\n        kind: HelmRepository\n        name: bitnami\n"
        "        namespace: flux-system\n  values:\n    additionalPrometheusRulesMap:\n      homelab:\n"
        "        groups:\n          - name: homelab\n            rules:\n" + rules
    )
    (root / "infrastructure/kustomization.yaml").write_text("resources:\n  - crds\n  - monitoring.yaml\n")
    (root / "clusters/k3s-home/infrastructure.yaml").write_text(flux_ks("infrastructure", "./infrastructure"))


PARSE_ONLY = """
import sys, yaml
from pathlib import Path
count = 0
for path in sorted(Path(sys.argv[1]).rglob("*.yaml")):
    for doc in yaml.load_all(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader):
        count += doc is not None
print(count)
"""


def process_seconds(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    return time.perf_counter() - start


def compare_processes(label: str, repo: Path, runs: int, cache: Path, target: float) -> float:
    """Median wall time of the parse-only process and of `homelabctl scan` (warm kustomize cache, the
    usual case after the first run; a cold-cache run is shown too)."""
    homelabctl = str(Path(sys.executable).with_name("homelabctl"))
    env = {**os.environ, "HOMELABCTL_CACHE_DIR": str(cache)}
    parse = [sys.executable, "-c", PARSE_ONLY, str(repo)]
    scan_argv = [homelabctl, "scan", str(repo), "--fail-on", "none"]  # the default table, as a user runs it
    process_seconds(scan_argv, env)  # warm the kustomize cache and the OS file cache
    process_seconds(parse, env)
    parse_t, scan_t, cold_t = [], [], []
    for n in range(runs):
        parse_t.append(process_seconds(parse, env))
        scan_t.append(process_seconds(scan_argv, env))
        cold_t.append(
            process_seconds(
                scan_argv, {**env, "HOMELABCTL_CACHE_DIR": str(cache.parent / f"cold-{label}-{n}")}
            )
        )
    p, s_, c = statistics.median(parse_t), statistics.median(scan_t), statistics.median(cold_t)
    print(
        f"{label}: parse-only process {p:.3f} s; `homelabctl scan` process {s_:.3f} s = {s_ / p:.2f} x parse "
        f"(target <= {target:g}); cold kustomize cache {c:.3f} s = {c / p:.2f} x"
    )
    return s_ / p


def parse_only(root: Path) -> int:
    count = 0
    for path in sorted(root.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        for doc in yaml.load_all(text, Loader=yaml.CSafeLoader):
            if doc is not None:
                count += 1
    return count


def timed(func: Callable[[], object], *, gc_enabled: bool = True) -> float:
    """Wall time of ``func()``, starting from a collected heap so one measurement does not pay for the
    garbage of the previous one (the scan pauses the cyclic GC and leaves its cycles behind)."""
    gc.collect()
    if not gc_enabled:
        gc.disable()
    try:
        start = time.perf_counter()
        func()
        return time.perf_counter() - start
    finally:
        gc.enable()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rendered", type=int, default=10, help="kustomizations that need kubectl kustomize")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="homelabctl-bench-scan-"))
    try:
        small = tmp / "real-size"
        generate(small, 320, 2)
        add_real_world_weight(small)
        for rel, text in SCRIPTS.items():
            (small / rel).parent.mkdir(parents=True, exist_ok=True)
            (small / rel).write_text(text)
        size = sum(p.stat().st_size for p in small.rglob("*.yaml"))
        print(
            f"real-size repository: {sum(1 for _ in small.rglob('*.yaml'))} YAML files ({size / 1e6:.1f} MB), "
            f"{sum(1 for p in small.rglob('*') if p.is_file())} files"
        )
        repo = tmp / "repo"
        written = generate(repo, args.docs, args.rendered)
        parsed = parse_only(repo)
        files = sum(1 for _ in repo.rglob("*.yaml"))
        print(
            f"large repository: {written} YAML documents ({parsed} non-empty) in {files} files, "
            f"{args.rendered} kustomizations rendered with kubectl"
            + ("" if shutil.which("kubectl") else " (kubectl not found: not rendered)")
        )
        print(f"median of {args.runs} runs, whole processes:")
        compare_processes("real-size", small, args.runs, tmp / "cache", 2.5)
        compare_processes("5,000 documents", repo, args.runs, tmp / "cache", 2.0)
        config = RepoConfig()
        # Warm-up: imports, rule registration and jsonschema compilation are one-off costs of a process.
        scan(repo, ScanOptions(render=False), config=config)
        parse_only(repo)
        parse_t, parse_nogc_t, cold_t, norender_t, warm_t = [], [], [], [], []
        warm_cache = tmp / "warm-cache"
        scan(repo, ScanOptions(render=True, cache_dir=warm_cache), config=config)
        for n in range(args.runs):
            cold = tmp / f"cold-{n}"
            parse_t.append(timed(lambda: parse_only(repo)))
            parse_nogc_t.append(timed(lambda: parse_only(repo), gc_enabled=False))
            cold_t.append(timed(lambda: scan(repo, ScanOptions(render=True, cache_dir=cold), config=config)))  # noqa: B023
            norender_t.append(timed(lambda: scan(repo, ScanOptions(render=False), config=config)))
            warm_t.append(
                timed(lambda: scan(repo, ScanOptions(render=True, cache_dir=warm_cache), config=config))
            )
        report = scan(repo, ScanOptions(render=False), config=config)
        findings = len(report.findings)
        p = statistics.median(parse_t)
        rows = [
            ("PyYAML CSafeLoader parse", p),
            ("same, cyclic GC paused", statistics.median(parse_nogc_t)),
            ("scan, cold kustomize cache", statistics.median(cold_t)),
            ("scan, warm kustomize cache", statistics.median(warm_t)),
            ("scan --no-render", statistics.median(norender_t)),
        ]
        print(f"in-process, median of {args.runs} runs:")
        for label, seconds in rows:
            print(f"  {label:28} {seconds:7.3f} s   {seconds / p:5.2f} x parse")
        print(f"findings on the generated repo: {findings} (expected 0); input errors: {len(report.errors)}")
        ratio = statistics.median(cold_t) / p
        fair = statistics.median(cold_t) / statistics.median(parse_nogc_t)
        print(
            f"in-process scan/parse ratio (cold cache): {ratio:.2f}; "
            f"against a parse with the GC paused too: {fair:.2f}"
        )
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
