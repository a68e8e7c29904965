"""`snapshot serve` under load: 600 requests from 300 parallel clients, as kubectl and scripts send them.

The server runs as `homelabctl snapshot serve` in its own process (the embedded demo by default). 300 client
threads each send 2 requests on their own connection, all released at once by a barrier: lists (JSON and
Table), gets, discovery. Every request must be answered 200; prints the latency percentiles.
Issue target: every request OK and p99 < 1 s on the project's CI machine (2 shared cores).

    python benchmarks/bench_serve.py [--snapshot PATH] [--clients 300] [--per-client 2]
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

TARGET_P99 = 1.0
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
PATHS = [
    ("/api/v1/pods?limit=500", TABLE),
    ("/apis/apps/v1/deployments?limit=500", "application/json"),
    ("/api/v1/namespaces/kube-system/pods", "application/json"),
    ("/api", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"),
    ("/api/v1/nodes", TABLE),
    ("/api/v1/events?limit=500", "application/json"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshot", type=Path, default=None, help="snapshot to serve (default: the demo)")
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--per-client", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        kubeconfig = Path(tmp) / "kubeconfig"
        what = [str(args.snapshot)] if args.snapshot else ["--demo"]
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "homelabctl",
                "snapshot",
                "serve",
                *what,
                "--port",
                "0",
                "--kubeconfig-out",
                str(kubeconfig),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 60
            while not kubeconfig.exists():
                if server.poll() is not None or time.monotonic() > deadline:
                    err = server.stderr.read().decode() if server.stderr else ""
                    raise SystemExit(f"snapshot serve did not start: {err}")
                time.sleep(0.05)
            time.sleep(0.2)
            url = next(
                line.split("server: ", 1)[1].strip()
                for line in kubeconfig.read_text().splitlines()
                if "server: " in line
            )
            return _load(urlsplit(url), args.clients, args.per_client)
        finally:
            server.terminate()
            server.wait(timeout=10)


def _load(url: object, clients: int, per_client: int) -> int:
    host, port = url.hostname, url.port  # type: ignore[attr-defined]
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def client(n: int) -> None:
        barrier.wait()
        conn = http.client.HTTPConnection(host, port, timeout=30)
        try:
            for i in range(per_client):
                path, accept = PATHS[(n + i) % len(PATHS)]
                started = time.perf_counter()
                try:
                    conn.request("GET", path, headers={"Accept": accept})
                    response = conn.getresponse()
                    response.read()
                    elapsed = time.perf_counter() - started
                    with lock:
                        latencies.append(elapsed)
                        if response.status != 200:
                            failures.append(f"{path}: HTTP {response.status}")
                except OSError as exc:
                    with lock:
                        failures.append(f"{path}: {exc}")
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    total = clients * per_client
    ok = total - len(failures)
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else float("nan")

    print(f"snapshot serve: {total} requests from {clients} parallel clients in {wall:.2f} s")
    print(f"  OK: {ok}/{total}" + (f"  failures: {failures[:5]}" if failures else ""))
    print(
        f"  latency p50 {pct(0.50) * 1000:.0f} ms  p90 {pct(0.90) * 1000:.0f} ms  p99 {pct(0.99) * 1000:.0f} ms  "
        f"max {ordered[-1] * 1000 if ordered else float('nan'):.0f} ms  mean "
        f"{statistics.fmean(ordered) * 1000 if ordered else float('nan'):.0f} ms"
    )
    passed = ok == total and pct(0.99) < TARGET_P99
    print(f"  target: every request OK and p99 < {TARGET_P99:.0f} s: {'met' if passed else 'NOT met'}")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
