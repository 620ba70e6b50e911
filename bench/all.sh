#!/usr/bin/env bash
# Every side-by-side comparison of spikelab with its peers, in one run, and
# BENCHMARKS.md's generated section rewritten from it:
#   bench/all.sh [--quick] [--only cuba,cuba-large,force,force4000,ltts,shifting,decolle,ann [--merge]] [--no-md]
# CUBA (4000 neurons, and 4000 to 64 000 neurons in cuba-large) and FORCE
# (N = 2000, and N = 4000 in force4000) against Brian2 (C++ standalone,
# Cython), LTTS against the
# reference NumPy code and Shifting Learning against the reference PyTorch
# code (when LTTS_REF / SHIFTING_REF name their checkouts), olfaction DECOLLE
# and the olfaction ANN against PyTorch. Each comparison alternates its
# configurations; see bench/README.md for what the columns mean.
# --quick: short runs and fewer repetitions, a few minutes in all.
# Installs nothing: needs Go, g++ and /usr/bin/python3 with Brian2, NumPy and
# PyTorch (Debian: apt-get install python3-brian python3-torch); a missing
# peer skips its comparison (the tables say so). Run it on an idle machine
# (load average < 0.5): the tables state the load they were measured at.
set -euo pipefail
cd "$(dirname "$0")/.."
md=1
args=()
for a in "$@"; do
  case "$a" in
    --no-md) md=0 ;;
    *) args+=("$a") ;;
  esac
done
command -v go >/dev/null || { echo "bench/all.sh needs Go" >&2; exit 1; }
mkdir -p bench/out
# The load average before anything of the harness runs (its own build would
# raise it): the tables quote this one.
load0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)
go build -o bench/out/spikelab ./cmd/spikelab
/usr/bin/python3 bench/all.py --out bench/out/results.json ${load0:+--load-before "$load0"} "${args[@]}"
/usr/bin/python3 bench/benchmd.py bench/out/results.json
if ((md)); then
  /usr/bin/python3 bench/benchmd.py bench/out/results.json --md BENCHMARKS.md
  echo "BENCHMARKS.md: generated section rewritten" >&2
fi
