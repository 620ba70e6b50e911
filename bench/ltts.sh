#!/usr/bin/env bash
# Side by side on the LTTS 3D trajectory task (N = 500, T = 1000, online):
# seconds per epoch of spikelab's ltts-trajectory and of the reference NumPy
# code. Installs nothing; needs Go, NumPy and tqdm for /usr/bin/python3
# (apt-get install python3-numpy python3-tqdm) and a checkout of the reference:
#   bench/ltts.sh /path/to/LTTS [epochs]
set -euo pipefail
cd "$(dirname "$0")/.."
REF=${1:?usage: bench/ltts.sh /path/to/LTTS [epochs]}
EPOCHS=${2:-10}
/usr/bin/python3 -c 'import numpy, tqdm' 2>/dev/null || { echo "needs NumPy and tqdm: apt-get install python3-numpy python3-tqdm" >&2; exit 1; }
mkdir -p bench/out
go build -o bench/out/spikelab ./cmd/spikelab
ref=$(/usr/bin/python3 bench/ltts_reference.py --ref "$REF" --epochs "$EPOCHS")
for th in 1 2; do
  bench/out/spikelab run ltts-trajectory --quiet --threads $th --set epochs="$EPOCHS" --out bench/out/ltts-t$th >/dev/null
done
/usr/bin/python3 - "$ref" bench/out/ltts-t1/metrics.json bench/out/ltts-t2/metrics.json "$EPOCHS" <<'PY'
import json, sys
ref = json.loads(sys.argv[1]); m1 = json.load(open(sys.argv[2])); m2 = json.load(open(sys.argv[3])); e = int(sys.argv[4])
print("| LTTS 3D trajectory, %d epochs | s per epoch | ratio to reference |" % e)
print("|---|---|---|")
r = ref["seconds_per_epoch"]
for name, m in (("spikelab, 1 thread", m1), ("spikelab, 2 threads", m2)):
    s = m["wall_seconds"] / e
    print("| %s | %.3f | %.1fx faster |" % (name, s, r / s))
print("| reference (NumPy %s) | %.3f | |" % (ref["numpy"], r))
PY
