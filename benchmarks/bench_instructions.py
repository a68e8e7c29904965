"""Instructions of whole processes, counted by valgrind's callgrind: deterministic, unlike time on a shared
machine (the same tree twice gives the same count to within a few dozen instructions), so a change worth 1%
shows as 1%. What decides an A/B question; `bench_process.py` says what a user waits for.

    python benchmarks/bench_instructions.py                  # check -o json on 10,000 objects vs json.load
    python benchmarks/bench_instructions.py --size 50000 --command diagnose

Needs `valgrind` and `setarch` (Debian: apt-get install valgrind). Hash randomisation and address-space
layout are pinned (PYTHONHASHSEED=0, setarch -R), and bytecode is compiled before counting, as an installed
homelabctl's is. Each process runs once to warm the bytecode (and the module cache) and once counted.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_process import BASELINE, CHILD_ENV, PY, homelabctl_command
from gen_snapshot import write_snapshot

_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def instructions(argv: list[str]) -> int:
    """Instructions one run of ``argv`` executes (user space, the whole process)."""
    env = {**CHILD_ENV, "PYTHONHASHSEED": "0"}
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    counted = subprocess.run(
        ["setarch", "-R", "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    found = _COLLECTED.search(counted.stderr)
    if found is None:
        raise SystemExit(f"callgrind printed no count for {argv[:3]}: {counted.stderr[-300:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=10_000, help="objects in the generated snapshot")
    parser.add_argument("--command", default="check", choices=("check", "diagnose"))
    args = parser.parse_args()
    missing = [tool for tool in ("valgrind", "setarch") if shutil.which(tool) is None]
    if missing:
        raise SystemExit(f"needs {' and '.join(missing)} (Debian: apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as tmp:
        CHILD_ENV["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        path = write_snapshot(Path(tmp) / f"snapshot-{args.size}.json", args.size)
        size_mib = os.path.getsize(path) / 2**20
        base = instructions([PY, "-c", BASELINE, str(path)])
        ours = instructions([*homelabctl_command(), args.command, "--snapshot", str(path), "-o", "json"])
    print(f"{args.size:,} objects, {size_mib:.1f} MiB, instructions (callgrind)")
    print(f"  json.load process          {base / 1e9:8.3f} × 10⁹")
    print(
        f"  {args.command} -o json{' ' * (17 - len(args.command))}{ours / 1e9:8.3f} × 10⁹   {ours / base:.2f}×"
    )


if __name__ == "__main__":
    main()
