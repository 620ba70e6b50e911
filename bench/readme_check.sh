#!/usr/bin/env bash
# Re-runs the README's result rows and fails where a printed figure differs
# from what the code produces at the printed precision (timing cells are
# never compared). Usage: bench/readme_check.sh [quick|full]; quick (the
# default, run by CI) takes the cheap rows: force-sine seeds 1–3 (both P
# storages), shifting-xor, shifting-iris, maes-replay (built; nc160 where
# the Maes data are in $SPIKELAB_DATA/maes), maes-readout ABCBA seeds 1–3
# and cuba; full adds maes-readout target=parallel.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-quick}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if SPIKELAB_README_CHECK=$mode go test ./systems/all -run '^TestReadmeNumbers$' -count=1 -timeout 60m -v > "$log" 2>&1; then
	grep -E '^(    --- |--- |ok)' "$log" || true
	exit 0
fi
grep -E -A2 'README|--- (FAIL|SKIP)|^(FAIL|ok)|panic' "$log" | tail -80
echo "README numbers differ from the code (see above)"
exit 1
