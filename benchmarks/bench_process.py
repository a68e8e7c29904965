"""What a user waits for: whole `homelabctl` processes against a bare `json.load` process, same run.

Every variant is a fresh process (interpreter start, imports, load, checks, diagnosis, rendering, exit), so
the figures include what in-process benchmarks hide. Variants run interleaved, `--repeats` rounds, and the
table shows medians and the ratio to the baseline measured in the same rounds, in wall time and in CPU time
(user + system of the child: the machine is shared and noisy; CPU ratios survive that best, wall seconds
least).

    python benchmarks/bench_process.py                 # 1k, 10k and 50k objects
    python benchmarks/bench_process.py --sizes 10000 --repeats 7

Printed per size: `json.load` (baseline), `check -o json`, `check` (default table) to a pipe, `check` on a
terminal (a pseudo-terminal, 120 columns), `diagnose`, peak RSS of `check -o json` against the snapshot's
size on disk; then the 50k/10k growth and `homelabctl --help`. Targets (issue 12): check -o json ≤ 2.5×,
default output to a pipe ≤ 3.5×, 50k ≤ 5.5× the time of 10k, peak memory ≤ 6× the snapshot on disk,
`--help` ≤ 150 ms.
"""

from __future__ import annotations

import argparse
import os
import pty
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_snapshot import write_snapshot

PY = sys.executable
BASELINE = "import json,sys\nwith open(sys.argv[1],'rb') as f: json.load(f)"
CHILD_ENV = dict(os.environ)
"""Children run as an installed homelabctl does: with its bytecode cached (pip compiles it at install time).
With PYTHONDONTWRITEBYTECODE set, as on some CI machines, every run would recompile ~300 modules (~0.3 s) and
the figures would measure the compiler. The cache goes to a temporary PYTHONPYCACHEPREFIX, not the tree."""
CHILD_ENV.pop("PYTHONDONTWRITEBYTECODE", None)


def homelabctl_command() -> list[str]:
    """What a user runs: the console script pip installed beside this interpreter (``python -m homelabctl``
    also imports runpy and importlib.util, ~1% of a 10k run), else ``python -m homelabctl``."""
    script = Path(PY).with_name("homelabctl")
    return [str(script)] if script.is_file() else [PY, "-m", "homelabctl"]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_pipe(argv: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one child writing to a pipe we drain. CPU time is what
    stays comparable when other processes share the machine; wall time is what a user waits for."""
    cpu = _cpu()
    start = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False, env=CHILD_ENV)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}")
    return elapsed, _cpu() - cpu


def _run_tty(argv: list[str], columns: int = 120) -> float:
    """Wall time of one child whose stdout is a pseudo-terminal (what an interactive user sees)."""
    env = {**CHILD_ENV, "COLUMNS": str(columns), "LINES": "50"}
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execvpe(argv[0], argv, env)
    try:
        while True:
            try:
                if not os.read(fd, 65536):
                    break
            except OSError:
                break
    finally:
        os.close(fd)
        os.waitpid(pid, 0)
    return time.perf_counter() - start


def _peak_rss_kib(argv: list[str]) -> int:
    """Peak RSS of one child, read from its own /proc VmHWM through a tiny wrapper (ru_maxrss is inherited)."""
    wrapper = (
        "import os,subprocess,sys\n"
        "p=subprocess.Popen(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL)\n"
        "_,status,ru=os.wait4(p.pid,0)\n"
        "print(ru.ru_maxrss)\n"
    )
    out = subprocess.run(
        [PY, "-c", wrapper, *argv], capture_output=True, text=True, check=True, env=CHILD_ENV
    ).stdout
    return int(out.strip() or 0)


def bench_size(total: int, repeats: int, workdir: Path) -> dict[str, float]:
    path = write_snapshot(workdir / f"snapshot-{total}.json", total)
    cli = homelabctl_command()
    variants: dict[str, list[str]] = {
        "json.load": [PY, "-c", BASELINE, str(path)],
        "check -o json": [*cli, "check", "--snapshot", str(path), "-o", "json"],
        "check (pipe)": [*cli, "check", "--snapshot", str(path)],
        "diagnose (pipe)": [*cli, "diagnose", "--snapshot", str(path)],
    }
    tty_variant = [*cli, "check", "--snapshot", str(path)]
    times: dict[str, list[float]] = {name: [] for name in [*variants, "check (terminal)"]}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    for argv in variants.values():  # warm-up: page cache and bytecode cache, not timed
        _run_pipe(argv)
    for _ in range(repeats):
        for name, argv in variants.items():
            wall, used = _run_pipe(argv)
            times[name].append(wall)
            cpu[name].append(used)
        times["check (terminal)"].append(_run_tty(tty_variant))
    med = {name: statistics.median(values) for name, values in times.items()}
    cpu_med = {name: statistics.median(values) for name, values in cpu.items()}
    base = med["json.load"]
    cpu_base = cpu_med["json.load"]
    size_mib = path.stat().st_size / 2**20
    rss_mib = _peak_rss_kib(variants["check -o json"]) / 1024
    base_rss_mib = _peak_rss_kib(variants["json.load"]) / 1024
    print(f"\n{total:,} objects, {size_mib:.1f} MiB on disk, medians of {repeats} interleaved runs")
    print(f"  {'variant':22s} {'wall s':>8s} {'× json.load':>12s} {'CPU s':>8s} {'× json.load':>12s}")
    for name, value in med.items():
        line = f"  {name:22s} {value:8.3f} {value / base:12.2f}"
        if name in cpu_med:
            line += f" {cpu_med[name]:8.3f} {cpu_med[name] / cpu_base:12.2f}"
        print(line)
    print(
        f"  peak RSS of check -o json: {rss_mib:.1f} MiB = {rss_mib / size_mib:.2f}× the snapshot on disk "
        f"(the json.load process alone: {base_rss_mib:.1f} MiB = {base_rss_mib / size_mib:.2f}×)"
    )
    med.update({f"{name} (CPU)": value for name, value in cpu_med.items()})
    return med


def bench_help(repeats: int) -> float:
    _run_pipe([*homelabctl_command(), "--help"])  # warm-up
    runs, bare = [], []
    for _ in range(repeats):  # interleaved, like the rest
        runs.append(_run_pipe([*homelabctl_command(), "--help"])[0])
        bare.append(_run_pipe([PY, "-c", "pass"])[0])
    help_s, bare_s = statistics.median(runs), statistics.median(bare)
    print(f"\nhomelabctl --help: {help_s * 1000:.0f} ms (a bare `python -c pass`: {bare_s * 1000:.0f} ms)")
    return help_s


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 50_000])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        CHILD_ENV["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        for total in args.sizes:
            results[total] = bench_size(total, args.repeats, Path(tmp))
    if 10_000 in results and 50_000 in results:
        for name in ("check -o json", "check (pipe)", "check -o json (CPU)", "check (pipe) (CPU)"):
            growth = results[50_000][name] / results[10_000][name]
            print(f"\n50k / 10k, {name}: {growth:.2f}× (linear is 5×)")
    bench_help(args.repeats)


if __name__ == "__main__":
    main()
