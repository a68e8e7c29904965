"""`check` on the live path vs `check --snapshot`, on the same files, side by side in one run.

The snapshot (the embedded demo by default) is served by `homelabctl snapshot serve` in its own process,
as an API server would be, and `homelabctl check` reads it through the kubernetes client. Prints:

- the CLI, end to end (interpreter start, imports, read, checks, JSON report): what a person waits for
- the read alone (source.load + analyze in a warm process): the live read path's own cost

Medians of interleaved repetitions, so a noisy neighbour hits both paths alike. Issue target: live < 2×.

    python benchmarks/bench_live.py [--snapshot PATH] [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from homelabctl.analysis import analyze
from homelabctl.engine import required_kinds, select_checks
from homelabctl.live.source import LiveSource
from homelabctl.sources.snapshot import SnapshotSource, demo_snapshot_path

TARGET = 2.0


def _timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def _cli(*args: str, env: dict[str, str]) -> Callable[[], object]:
    def run() -> object:
        done = subprocess.run(
            [sys.executable, "-m", "homelabctl", "check", *args, "-o", "json"],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
        if done.returncode not in (0, 1):
            raise SystemExit(f"check {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
        return json.loads(done.stdout)

    return run


def _serve(snapshot: Path, kubeconfig: Path) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "homelabctl",
            "snapshot",
            "serve",
            str(snapshot),
            "--port",
            "0",
            "--kubeconfig-out",
            str(kubeconfig),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not kubeconfig.exists():
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(
                f"snapshot serve did not start: {server.stderr.read().decode() if server.stderr else ''}"
            )
        time.sleep(0.05)
    return server


def _findings(report: object) -> set[tuple[str, str]]:
    assert isinstance(report, dict)
    return {(f["check"], json.dumps(f["object"], sort_keys=True)) for f in report["findings"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--snapshot", type=Path, default=None, help="snapshot to serve (default: the demo)")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    snapshot: Path = args.snapshot or demo_snapshot_path()

    with tempfile.TemporaryDirectory() as tmp:
        kubeconfig = Path(tmp) / "kubeconfig"
        server = _serve(snapshot, kubeconfig)
        # Like an installed package: bytecode cached (outside the tree), whatever PYTHONDONTWRITEBYTECODE says.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        try:
            offline_cli = _cli("--snapshot", str(snapshot), env=env)
            live_cli = _cli("--kubeconfig", str(kubeconfig), env=env)
            same = _findings(offline_cli()) == _findings(live_cli())  # also warms both paths' bytecode caches

            specs = select_checks()
            kinds = required_kinds(specs)
            live_source = LiveSource(kubeconfig=kubeconfig)

            def offline_read() -> object:
                return analyze(SnapshotSource([snapshot]).load(kinds), specs)

            def live_read() -> object:
                return analyze(live_source.load(kinds), specs)

            variants = {
                "cli --snapshot": offline_cli,
                "cli live": live_cli,
                "read --snapshot": offline_read,
                "read live": live_read,
            }
            times: dict[str, list[float]] = {name: [] for name in variants}
            for _ in range(args.repeats):
                for name, func in variants.items():
                    times[name].append(_timed(func))
            objects = len(SnapshotSource([snapshot]).load().index)
        finally:
            server.terminate()
            server.wait(timeout=10)

    med = {name: statistics.median(values) for name, values in times.items()}
    cli_ratio = med["cli live"] / med["cli --snapshot"]
    read_ratio = med["read live"] / med["read --snapshot"]
    print(f"snapshot: {snapshot} ({objects} objects), {args.repeats} repetitions, medians")
    print(f"  check --snapshot (CLI, end to end)   {med['cli --snapshot'] * 1000:8.0f} ms")
    print(f"  check live       (CLI, end to end)   {med['cli live'] * 1000:8.0f} ms")
    print(
        f"  ratio live / snapshot                {cli_ratio:8.2f}x   (target < {TARGET:g}x: "
        f"{'met' if cli_ratio < TARGET else 'MISSED'})"
    )
    print(f"  read+checks --snapshot (warm)        {med['read --snapshot'] * 1000:8.1f} ms")
    print(f"  read+checks live       (warm)        {med['read live'] * 1000:8.1f} ms")
    print(f"  ratio live / snapshot (warm)         {read_ratio:8.2f}x")
    print(f"  same findings on both paths: {'yes' if same else 'NO'}")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
