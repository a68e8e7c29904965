"""Check time on a 10,000-object snapshot, as ratios measured side by side in one run.

Prints:
- load+check / json.load     (issue target: ≤ 3×): SnapshotSource.load + all checks + scores, no diagnosis
- diagnosis overhead         (issue target: ≤ 1.5×): the same with diagnosis, over without
- peak memory of the check path (tracemalloc), and the snapshot's size on disk
Medians of several interleaved repetitions, so a noisy neighbour hits every variant alike.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_snapshot import write_snapshot

from homelabctl.analysis import analyze
from homelabctl.sources.snapshot import SnapshotSource


def _timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main(total: int = 10_000, repeats: int = 5) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = write_snapshot(Path(tmp) / "snapshot.json", total)

        def bare() -> object:
            with path.open("rb") as fh:
                return json.load(fh)

        def check_only() -> object:
            return analyze(SnapshotSource([path]).load(), with_diagnosis=False)

        def check_and_diagnose() -> object:
            return analyze(SnapshotSource([path]).load(), with_diagnosis=True)

        variants = {"json.load": bare, "check": check_only, "check+diagnose": check_and_diagnose}
        times: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(repeats):
            for name, func in variants.items():
                times[name].append(_timed(func))
        med = {name: statistics.median(values) for name, values in times.items()}

        tracemalloc.start()
        report = check_and_diagnose()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        findings = len(getattr(report, "report", {}).get("findings", []))

        print(f"snapshot: {total} objects, {path.stat().st_size / 1e6:.1f} MB, {findings} findings")
        for name, value in med.items():
            print(f"  {name:16s} median {value * 1000:8.1f} ms")
        print(f"ratio check / json.load          = {med['check'] / med['json.load']:.2f}x  (target <= 3x)")
        print(
            f"ratio check+diagnose / check     = {med['check+diagnose'] / med['check']:.2f}x  (target <= 1.5x)"
        )
        print(f"peak memory (tracemalloc, check+diagnose) = {peak / 1e6:.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
