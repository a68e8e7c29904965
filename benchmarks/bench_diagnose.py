"""Diagnosis cost: its overhead on `check` at 10,000 objects and how it grows to 50,000.

Prints, in CPU time of this process (steadier than wall time on a shared machine; medians of interleaved runs):
- check (load + checks + scores) and diagnose alone, at each size
- diagnosis overhead = (check + diagnose) / check           (issue target: <= 1.30 at 10,000 objects)
- growth 50k / 10k of diagnose and of check + diagnose      (issue target: <= 5.5)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_snapshot import write_snapshot

from homelabctl.analysis import analyze
from homelabctl.diagnose.engine import diagnose
from homelabctl.k8s.memo import run_scope
from homelabctl.sources.snapshot import SnapshotSource


def measure(total: int, repeats: int) -> tuple[float, float]:
    """Median CPU seconds of (load + check) and of diagnose on the same state."""
    with tempfile.TemporaryDirectory() as tmp:
        path = write_snapshot(Path(tmp) / "snapshot.json", total)
        checks, diags = [], []
        for _ in range(repeats):
            start = time.process_time()
            state = SnapshotSource([path]).load()
            with run_scope():  # one scope for checks and diagnosis, as analyze() has
                run = analyze(state, with_diagnosis=False).run
                checks.append(time.process_time() - start)
                start = time.process_time()
                diagnose(state, run.findings)
                diags.append(time.process_time() - start)
        return statistics.median(checks), statistics.median(diags)


def main(repeats: int = 5) -> None:
    small = measure(10_000, repeats)
    large = measure(50_000, max(repeats // 2, 2))
    for total, (check, diag) in ((10_000, small), (50_000, large)):
        print(
            f"{total:6d} objects: check {check * 1000:7.0f} ms  diagnose {diag * 1000:6.0f} ms  "
            f"overhead {(check + diag) / check:.2f}x (target <= 1.30x)"
        )
    print(
        f"growth 50k/10k: diagnose {large[1] / small[1]:.2f}x, check+diagnose "
        f"{sum(large) / sum(small):.2f}x (target <= 5.5x)"
    )


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "repeats", nargs="?", type=int, default=5, help="rounds at 10,000 objects (default 5)"
    )
    main(parser.parse_args().repeats)
