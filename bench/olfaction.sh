#!/usr/bin/env bash
# Side by side on the fly-olfaction DECOLLE control (olfaction-decolle's
# default network: 500 Bernoulli ORN trains -> PN 200 -> KC 500 -> readout
# 10, 60 steps + 10 burn-in per odor, threshold 5, no |W|, batch 32, Adam at
# every step; both sides get these values explicitly): seconds per
# epoch of spikelab and of a PyTorch implementation of the same network
# (bench/olfaction_reference.py, float32 as a PyTorch user would run it).
# Installs nothing; needs Go and PyTorch for /usr/bin/python3
# (apt-get install python3-torch):
#   bench/olfaction.sh [n_train] [epochs] [repetitions]
#
# Four configurations, run in alternation, each `repetitions` times
# (default 3): PyTorch on 1 thread, spikelab --threads 1, PyTorch on 2
# threads, spikelab --threads 2. Each figure is the median over the
# repetitions of the training loop's seconds per epoch (validation after
# each epoch included), wall and process CPU; accuracies are the last
# epoch's validation accuracy (the two sides draw different odors from the
# same distribution). On a machine shared with other jobs compare the
# single-threaded configurations by CPU seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
NTRAIN=${1:-4000}
EPOCHS=${2:-1}
REPS=${3:-3}
/usr/bin/python3 -c 'import torch, numpy' 2>/dev/null || { echo "needs PyTorch and NumPy: apt-get install python3-torch python3-numpy" >&2; exit 1; }
mkdir -p bench/out
go build -o bench/out/spikelab ./cmd/spikelab
res=bench/out/olfaction-results.jsonl
: >"$res"
load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?"; }
load0=$(load)
spikelab() { # threads
  local out=bench/out/olfaction-t$1
  /usr/bin/time -f "%U %S" -o bench/out/olfaction-time bench/out/spikelab run olfaction-decolle --quiet --threads "$1" \
    --set data.n_train="$NTRAIN" --set snn.epochs="$EPOCHS" --set snn.n_pn=200 --set snn.n_kc=500 --set snn.steps=60 \
    --set snn.burn_in=10 --set snn.neuron.threshold=5 --set snn.abs_from_block=9 --out "$out" >/dev/null 2>&1
  /usr/bin/python3 - "$out/metrics.json" bench/out/olfaction-time "$EPOCHS" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
u, s = map(float, open(sys.argv[2]).read().split()[-2:])
e = int(sys.argv[3])
# CPU of the whole process (data generation and output are a small share).
print(json.dumps({"seconds_per_epoch": m["train_seconds"] / e, "cpu_seconds_per_epoch": (u + s) / e,
                  "val_accuracy": m["val_accuracy"]}))
PY
}
ref() { # threads
  /usr/bin/python3 bench/olfaction_reference.py --threads "$1" --n-train "$NTRAIN" --epochs "$EPOCHS" --n-pn 200 --n-kc 500 \
    --steps 60 --burn-in 10 --threshold 5 --abs-from-block 9
}
for ((r = 1; r <= REPS; r++)); do
  echo "{\"config\": \"ref1\", \"m\": $(ref 1)}" >>"$res"
  echo "{\"config\": \"t1\", \"m\": $(spikelab 1)}" >>"$res"
  echo "{\"config\": \"ref2\", \"m\": $(ref 2)}" >>"$res"
  echo "{\"config\": \"t2\", \"m\": $(spikelab 2)}" >>"$res"
done
/usr/bin/python3 - "$res" "$NTRAIN" "$EPOCHS" "$REPS" "$load0" "$(load)" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
ntrain, e, reps, load0, load1 = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
def vals(cfg, key):
    return [r["m"][key] for r in rows if r["config"] == cfg]
def med(cfg, key):
    return statistics.median(vals(cfg, key))
torch = next(r["m"]["torch"] for r in rows if r["config"] == "ref1")
names = {"ref1": "PyTorch %s (float32), 1 thread" % torch, "t1": "spikelab `olfaction-decolle --threads 1` (float64)",
         "ref2": "PyTorch %s (float32), 2 threads" % torch, "t2": "spikelab `olfaction-decolle --threads 2` (float64)"}
r_cpu, r_wall = med("ref1", "cpu_seconds_per_epoch"), med("ref1", "seconds_per_epoch")
print("Fly-olfaction DECOLLE control, %s training odors, %d epoch(s), median of %d runs per row (range in brackets);" % (ntrain, e, reps))
print("load average before / after: %s / %s" % (load0, load1))
print()
print("| configuration | CPU s per epoch | wall s per epoch | PyTorch on 1 thread ÷ this (CPU) | (wall) | validation accuracy |")
print("|---|---|---|---|---|---|")
for cfg in ("ref1", "ref2", "t1", "t2"):
    c, w = med(cfg, "cpu_seconds_per_epoch"), med(cfg, "seconds_per_epoch")
    acc = vals(cfg, "val_accuracy")
    print("| %s | %.2f (%.2f–%.2f) | %.2f (%.2f–%.2f) | %.1f× | %.1f× | %.3f–%.3f |" % (
        names[cfg], c, min(vals(cfg, "cpu_seconds_per_epoch")), max(vals(cfg, "cpu_seconds_per_epoch")),
        w, min(vals(cfg, "seconds_per_epoch")), max(vals(cfg, "seconds_per_epoch")), r_cpu / c, r_wall / w, min(acc), max(acc)))
PY
