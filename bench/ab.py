"""A/B speed check of two spikelab binaries on the spikelab side of every
benchmark (bench/run.sh's CUBA and FORCE runs, bench/ltts.sh's
ltts-trajectory, bench/shifting.sh's shifting-iris) and on maes-replay, in
strict alternation on the same machine.

    python3 bench/ab.py OLD_BINARY NEW_BINARY [REPS]

For each configuration it prints the median over REPS runs (default 5) of
the configuration's speed metric for A (old) and B (new), and B/A. Metrics
are times (lower is better) except sim_seconds_per_cpu_second. Uses only
the standard library.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

CONFIGS = [
    # name, experiment, --set values, threads, metric
    ("cuba 1 thread", "cuba", [], 1, "wall_seconds"),
    ("force-sine", "force-sine", [], 1, "loop_seconds"),
    ("ltts-trajectory 30 epochs", "ltts-trajectory", ["epochs=30"], 1, "cpu_seconds_per_epoch"),
    ("shifting-iris 10 seeds", "shifting-iris", [], 1, "wall_seconds"),
    ("maes-replay", "maes-replay", [], 1, "sim_seconds_per_cpu_second"),
]


def run(binary, exp, sets, threads, out):
    cmd = [binary, "run", exp, "--quiet", "--threads", str(threads), "--out", out]
    for s in sets:
        cmd += ["--set", s]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(os.path.join(out, "metrics.json")) as f:
        return json.load(f)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    a, b = sys.argv[1], sys.argv[2]
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    tmp = tempfile.mkdtemp(prefix="spikelab-ab-")
    print(f"A = {a}\nB = {b}\n{reps} alternating runs each; medians\n")
    print("| configuration | metric | A | B | B/A |")
    print("|---|---|---|---|---|")
    for name, exp, sets, threads, metric in CONFIGS:
        va, vb = [], []
        for r in range(reps):
            for tag, binary, vals in (("a", a, va), ("b", b, vb)):
                m = run(binary, exp, sets, threads, os.path.join(tmp, f"{exp}-{tag}{r}"))
                if metric not in m:
                    sys.exit(f"{exp}: metric {metric} missing from {binary}'s metrics.json")
                vals.append(m[metric])
        ma, mb = statistics.median(va), statistics.median(vb)
        print(f"| {name} | {metric} | {ma:.4g} | {mb:.4g} | {mb / ma:.3f} |", flush=True)


if __name__ == "__main__":
    main()
