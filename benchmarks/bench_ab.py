"""Before and after, in the same rounds: whole `homelabctl` processes of another tree's source (``--before``)
and of this one, against a bare `json.load` process, interleaved.

On a shared machine two runs of `bench_process.py` minutes apart differ by more than most changes do; running
both trees in the same rounds is what attributes a difference to a change.

    git archive main src | tar -x -C /tmp/main      # the tree to compare with
    python benchmarks/bench_ab.py --before /tmp/main/src --sizes 10000 --repeats 5

The "before" processes import homelabctl from ``--before`` (PYTHONPATH comes first on sys.path); the same
interpreter and dependencies run both.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_process import BASELINE, CHILD_ENV, PY, _peak_rss_kib, _run_pipe, homelabctl_command
from gen_snapshot import write_snapshot


def _with_env(argv: list[str], env: dict[str, str]) -> list[str]:
    return ["env", *(f"{k}={v}" for k, v in env.items()), *argv]


def bench(total: int, repeats: int, before: Path, workdir: Path) -> None:
    path = write_snapshot(workdir / f"snapshot-{total}.json", total)
    size_mib = path.stat().st_size / 2**20
    before_env = {"PYTHONPATH": str(before)}
    variants: dict[str, list[str]] = {"json.load": [PY, "-c", BASELINE, str(path)]}
    for label, extra in (("before", before_env), ("after", {})):
        cli = _with_env(homelabctl_command(), extra) if extra else homelabctl_command()
        variants[f"{label} check -o json"] = [*cli, "check", "--snapshot", str(path), "-o", "json"]
        variants[f"{label} check (pipe)"] = [*cli, "check", "--snapshot", str(path)]
    for argv in variants.values():  # warm-up: page cache and bytecode cache, not timed
        _run_pipe(argv)
    wall: dict[str, list[float]] = {name: [] for name in variants}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(repeats):
        for name, argv in variants.items():
            elapsed, used = _run_pipe(argv)
            wall[name].append(elapsed)
            cpu[name].append(used)
    base_wall, base_cpu = statistics.median(wall["json.load"]), statistics.median(cpu["json.load"])
    print(f"\n{total:,} objects, {size_mib:.1f} MiB on disk, medians of {repeats} interleaved rounds")
    print(f"  {'variant':24s} {'wall s':>8s} {'× json.load':>12s} {'CPU s':>8s} {'× json.load':>12s}")
    for name in variants:
        w, c = statistics.median(wall[name]), statistics.median(cpu[name])
        print(f"  {name:24s} {w:8.3f} {w / base_wall:12.2f} {c:8.3f} {c / base_cpu:12.2f}")
    for name in ("json.load", "before check -o json", "after check -o json"):
        rss_mib = _peak_rss_kib(variants[name]) / 1024
        print(f"  peak RSS, {name:22s} {rss_mib:6.0f} MiB = {rss_mib / size_mib:.1f}× the snapshot on disk")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--before", type=Path, required=True, help="the src/ directory of the tree to compare"
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if not (args.before / "homelabctl").is_dir():
        raise SystemExit(f"{args.before}: no homelabctl package there (give the tree's src/ directory)")
    with tempfile.TemporaryDirectory() as tmp:
        CHILD_ENV["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        os.environ.pop("PYTHONPATH", None)
        for total in args.sizes:
            bench(total, args.repeats, args.before.resolve(), Path(tmp))


if __name__ == "__main__":
    main()
