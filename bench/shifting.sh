#!/usr/bin/env bash
# Side by side on the Iris 5-fold protocol: spikelab's shifting-iris and the
# reference PyTorch code. Installs nothing; needs Go, PyTorch for
# /usr/bin/python3 (apt-get install python3-torch) and a checkout of the
# reference repository:  bench/shifting.sh /path/to/Shifting-Learning [seeds]
set -euo pipefail
cd "$(dirname "$0")/.."
REF=${1:?usage: bench/shifting.sh /path/to/Shifting-Learning [seeds]}
SEEDS=${2:-3}
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "needs PyTorch: apt-get install python3-torch" >&2; exit 1; }
mkdir -p bench/out
go build -o bench/out/spikelab ./cmd/spikelab
ref=$(/usr/bin/python3 bench/shifting_iris_reference.py --ref "$REF" --seeds "$SEEDS")
bench/out/spikelab run shifting-iris --quiet --set runs="$SEEDS" --threads 1 --out bench/out/shifting-iris >/dev/null
/usr/bin/python3 - "$ref" bench/out/shifting-iris/metrics.json "$SEEDS" <<'PY'
import json, sys
ref = json.loads(sys.argv[1]); m = json.load(open(sys.argv[2])); seeds = int(sys.argv[3])
ms = 1000 * m["wall_seconds"] / (seeds * 5 * 400)
print("| Iris 5-fold, %d seeds | accuracy (mean ± sd) | ms per epoch |" % seeds)
print("|---|---|---|")
print("| spikelab shifting-iris (1 thread) | %.1f ± %.1f %% | %.3f |" % (100*m["accuracy_mean"], 100*m["accuracy_std"], ms))
print("| reference (PyTorch %s) | %.1f ± %.1f %% | %.2f |" % (ref["torch"], 100*ref["accuracy_mean"], 100*ref["accuracy_sd"], ref["ms_per_epoch"]))
print()
print("spikelab is %.0fx faster per epoch." % (ref["ms_per_epoch"] / ms))
PY
