"""`homelabctl watch` on a 10,000-object cluster: idle CPU, change-to-report latency, memory.

The cluster is a generated 10,000-object snapshot served as a timeline (snapshot serve's API with a
TimelineFeed) by a separate process, as an API server would be; the watch (store, watchers, evaluator,
HTTP endpoints) runs in this process, exactly as `homelabctl watch` wires it. Prints:

- startup: connect, list every kind, first evaluation (until /readyz answers 200)
- idle CPU: this process's CPU time over a quiet period, as a share of one core (issue target: ~0)
- change latency: a node goes NotReady on the server (timed from when the server serves the change) → the
  node shows NotReady in /api/report (target ≤ 2 s)
- memory: resident set size added by the watch over the same process before it started, vs the snapshot's
  size on disk (target ≤ 3×)

    python benchmarks/bench_watch.py [--objects N] [--idle SECONDS] [--changes N]
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

SERVER = r"""
import copy, json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from gen_snapshot import write_snapshot
from homelabctl.model import Resource
from homelabctl.sources.base import ClusterState
from homelabctl.sources.index import ClusterIndex
from homelabctl.sources.snapshot import SnapshotSource
from homelabctl.watch.timeline import TimelineServer

path = write_snapshot(Path(sys.argv[1]), int(sys.argv[3]))
state = SnapshotSource([path]).load()
with TimelineServer(state) as server:
    print(json.dumps({"url": server.url, "bytes": path.stat().st_size, "objects": len(state.index)}), flush=True)
    nodes = sorted((r for r in state.index.all("Node")), key=lambda r: r.name)
    for line in sys.stdin:
        step = int(line)
        target = nodes[step % len(nodes)].name
        objects = []
        for res in state.index:
            raw = res.raw
            if res.kind == "Node":
                raw = copy.deepcopy(dict(raw))
                for cond in raw["status"]["conditions"]:
                    if cond["type"] == "Ready":
                        cond["status"] = "Unknown" if raw["metadata"]["name"] == target else "True"
            objects.append(Resource.from_raw(raw))
        server.advance(ClusterState(index=ClusterIndex(objects), source=state.source, captured_at=state.captured_at))
        print(json.dumps({"node": target}), flush=True)
"""

LOAD = r"""
import gc, sys, tempfile
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from gen_snapshot import write_snapshot
from homelabctl.analysis import analyze
import homelabctl.diagnose.engine
from homelabctl.sources.snapshot import SnapshotSource
tmp = tempfile.mkdtemp()
path = write_snapshot(Path(tmp) / "s.json", int(sys.argv[1]))
def rss():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS:")).split()[1]) * 1024
gc.collect()
base = rss()
state = SnapshotSource([path]).load()
report = analyze(state).report
gc.collect()
print(rss() - base)
"""


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def report(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url + "/api/report", timeout=10) as response:
        data: dict[str, Any] = json.loads(response.read())
        return data


def status(url: str, path: str) -> int:
    try:
        with urllib.request.urlopen(url + path, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--idle", type=float, default=20.0)
    parser.add_argument("--changes", type=int, default=5)
    args = parser.parse_args()

    from homelabctl.engine import required_kinds, select_checks
    from homelabctl.live.server import kubeconfig_for
    from homelabctl.watch.history import History
    from homelabctl.watch.http import HttpThread
    from homelabctl.watch.live import connect_watch
    from homelabctl.watch.metrics import WatchMetrics
    from homelabctl.watch.service import WatchService

    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen(
            [
                sys.executable,
                "-c",
                SERVER,
                str(Path(tmp) / "snapshot.json"),
                str(Path(__file__).parent),
                str(args.objects),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert server.stdin is not None and server.stdout is not None
        info = json.loads(server.stdout.readline())
        kubeconfig = Path(tmp) / "kubeconfig"
        kubeconfig.write_text(kubeconfig_for(info["url"]), encoding="utf-8")
        specs = select_checks()
        # imported lazily by the watch: code, not cluster data, so loaded before the baseline
        importlib.import_module("kubernetes.client")
        importlib.import_module("homelabctl.diagnose.engine")
        gc.collect()
        baseline = rss_bytes()

        started = time.perf_counter()
        metrics = WatchMetrics()
        history = History(Path(tmp) / "watch.db")
        live = connect_watch(required_kinds(specs), kubeconfig=kubeconfig)
        service = WatchService(
            live.store, specs, history=history, incidents=Path(tmp) / "watch.db", metrics=metrics
        )
        http = HttpThread(service).start()
        live.start()
        service.start()
        try:
            while status(http.url, "/readyz") != 200:
                time.sleep(0.05)
            startup = time.perf_counter() - started
            first = service.current
            assert first is not None
            objects = first.report["summary"]["objects"]

            time.sleep(2.0)  # let the first evaluation's garbage settle
            cpu0, wall0 = time.process_time(), time.perf_counter()
            evaluations0 = service.evaluations
            time.sleep(args.idle)
            idle_cpu = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
            idle_evaluations = service.evaluations - evaluations0

            latencies: list[float] = []
            for step in range(args.changes):
                server.stdin.write(f"{step}\n")
                server.stdin.flush()
                # timed from when the API server has the change (the simulated server's own diffing of
                # 10,000 objects is not the watch's latency)
                node = json.loads(server.stdout.readline())["node"]
                sent = time.perf_counter()
                while True:
                    nodes = {n["name"]: n["status"] for n in report(http.url)["nodes"]}
                    if nodes.get(node) == "NotReady":
                        break
                    time.sleep(0.02)
                latencies.append(time.perf_counter() - sent)
            gc.collect()
            memory = rss_bytes() - baseline
            evaluation = service.current.seconds if service.current else float("nan")
        finally:
            live.stop()
            service.stop()
            http.stop()
            history.close()
            server.stdin.close()
            server.wait(timeout=30)

    size = info["bytes"]
    loaded = subprocess.run(
        [sys.executable, "-c", LOAD, str(args.objects), str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        check=True,
    )
    check_memory = int(loaded.stdout.split()[0])
    print(f"cluster: {objects} objects served by a separate process; snapshot {size / 1e6:.1f} MB on disk")
    print(f"startup (connect, list {len(required_kinds(specs))} kinds, first evaluation): {startup:.2f} s")
    print(
        f"idle CPU over {args.idle:.0f} s with no change: {idle_cpu * 100:.2f} % of one core "
        f"({idle_evaluations} evaluations)"
    )
    print(
        f"change → /api/report: median {statistics.median(latencies):.2f} s, max {max(latencies):.2f} s "
        f"over {len(latencies)} changes (target ≤ 2 s); one evaluation {evaluation:.2f} s"
    )
    print(
        f"memory added by the watch: {memory / 1e6:.0f} MB = {memory / size:.2f}× the snapshot "
        f"(target ≤ 3×); `check --snapshot` on the same file adds {check_memory / 1e6:.0f} MB "
        f"({check_memory / size:.2f}×)"
    )


if __name__ == "__main__":
    main()
