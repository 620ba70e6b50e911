#!/usr/bin/env bash
# Side by side on the LTTS 3D trajectory task (N = 500, T = 1000, online):
# seconds per epoch of spikelab's ltts-trajectory and of the reference NumPy
# code. Installs nothing; needs Go, NumPy and tqdm for /usr/bin/python3
# (apt-get install python3-numpy python3-tqdm) and a checkout of the reference:
#   bench/ltts.sh /path/to/LTTS [epochs] [repetitions]
#
# Four configurations, run in alternation, each `repetitions` times (default
# 3): the reference with its BLAS held to one thread (OPENBLAS_NUM_THREADS =
# OMP_NUM_THREADS = MKL_NUM_THREADS = 1, set before NumPy loads), spikelab
# --threads 1, the reference with the BLAS library's default threads (all
# cores), spikelab --threads 2. Each configuration's figure is the median
# over the repetitions of its seconds per epoch, wall and process CPU (all
# threads together). Both sides time their training loop, the per-epoch
# free-running evaluation included, and nothing else. On a machine shared
# with other jobs the wall times measure the other jobs too: compare the
# single-threaded configurations by CPU seconds there. The ratios are the
# reference on one core over each row, by CPU and by wall seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
REF=${1:?usage: bench/ltts.sh /path/to/LTTS [epochs] [repetitions]}
EPOCHS=${2:-10}
REPS=${3:-3}
/usr/bin/python3 -c 'import numpy, tqdm' 2>/dev/null || { echo "needs NumPy and tqdm: apt-get install python3-numpy python3-tqdm" >&2; exit 1; }
mkdir -p bench/out
go build -o bench/out/spikelab ./cmd/spikelab
res=bench/out/ltts-results.jsonl
: >"$res"
load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?"; }
load0=$(load)
for ((r = 1; r <= REPS; r++)); do
  echo "{\"config\": \"ref1\", \"m\": $(/usr/bin/python3 bench/ltts_reference.py --ref "$REF" --epochs "$EPOCHS" --blas-threads 1)}" >>"$res"
  bench/out/spikelab run ltts-trajectory --quiet --threads 1 --set epochs="$EPOCHS" --out bench/out/ltts-t1 >/dev/null 2>&1
  echo "{\"config\": \"t1\", \"m\": $(cat bench/out/ltts-t1/metrics.json | tr -d '\n')}" >>"$res"
  echo "{\"config\": \"refall\", \"m\": $(/usr/bin/python3 bench/ltts_reference.py --ref "$REF" --epochs "$EPOCHS")}" >>"$res"
  bench/out/spikelab run ltts-trajectory --quiet --threads 2 --set epochs="$EPOCHS" --out bench/out/ltts-t2 >/dev/null 2>&1
  echo "{\"config\": \"t2\", \"m\": $(cat bench/out/ltts-t2/metrics.json | tr -d '\n')}" >>"$res"
done
/usr/bin/python3 - "$res" "$EPOCHS" "$REPS" "$load0" "$(load)" "$(nproc)" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
e, reps, load0, load1, ncpu = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
def med(cfg, key):
    return statistics.median(r["m"][key] for r in rows if r["config"] == cfg)
def spread(cfg, key):
    v = [r["m"][key] for r in rows if r["config"] == cfg]
    return "%.3f–%.3f" % (min(v), max(v))
numpy = next(r["m"]["numpy"] for r in rows if r["config"] == "ref1")
names = {"ref1": "reference (NumPy %s), BLAS on 1 thread" % numpy, "t1": "spikelab `ltts-trajectory --threads 1`",
         "refall": "reference (NumPy %s), BLAS default (%s cores)" % (numpy, ncpu), "t2": "spikelab `ltts-trajectory --threads 2`"}
r_cpu, r_wall = med("ref1", "cpu_seconds_per_epoch"), med("ref1", "seconds_per_epoch")
print("LTTS 3D trajectory (N = 500, T = 1000, online), %d epochs, median of %d runs per row (range in brackets);" % (e, reps))
print("load average before / after: %s / %s" % (load0, load1))
print()
print("| configuration | CPU s per epoch | wall s per epoch | reference on 1 core ÷ this (CPU) | (wall) |")
print("|---|---|---|---|---|")
for cfg in ("ref1", "refall", "t1", "t2"):
    c, w = med(cfg, "cpu_seconds_per_epoch"), med(cfg, "seconds_per_epoch")
    print("| %s | %.3f (%s) | %.3f (%s) | %.1f× | %.1f× |" % (names[cfg], c, spread(cfg, "cpu_seconds_per_epoch"), w,
                                                        spread(cfg, "seconds_per_epoch"), r_cpu / c, r_wall / w))
print()
print("final MSE after %d epochs: reference %.4f, spikelab %.4f (different random draws: a sanity check, not a comparison)" %
      (e, med("ref1", "final_mse"), med("t1", "mse")))
PY
