#!/usr/bin/env bash
# Side-by-side speed benchmark of spikelab against Brian2 on the same networks.
#   bench/run.sh            full: 5 repetitions of CUBA (1 s) and 3 of FORCE LIF sine (15 s)
#   bench/run.sh --quick    2 repetitions of CUBA, 1 of a 3-s FORCE run
# It installs nothing: it needs Go, /usr/bin/python3 with Brian2 and NumPy
# (Debian: apt-get install python3-brian), and for Brian2's C++ standalone target, g++.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-/usr/bin/python3}
if ! "$PY" -c 'import brian2, numpy' 2>/dev/null; then
  echo "bench/run.sh needs Brian2 and NumPy for $PY: apt-get install python3-brian" >&2
  exit 1
fi
command -v go >/dev/null || { echo "bench/run.sh needs Go" >&2; exit 1; }
mkdir -p bench/out
go build -o bench/out/spikelab ./cmd/spikelab
exec "$PY" bench/harness.py "$@"
