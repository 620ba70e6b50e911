#!/usr/bin/env bash
# Mutation testing with go-gremlins/gremlins v0.6.0 (not part of CI).
#
#   bench/mutation.sh [pkg ...]      default: neuron synapse connect learn
#
# For each package it runs `gremlins unleash` on that package's tests only
# (one worker, one test CPU, niced), with a per-mutant timeout of
# TIMEOUT_COEF (default 10; 3 timed out 45 of the first 109 synapse mutants
# on a loaded 2-core VM) × the package's own test time, and writes
# bench/mutation/<pkg>.json (gremlins' machine-readable report) and
# bench/mutation/<pkg>.log. Efficacy = killed / (killed + lived): the
# covered mutants. GREMLINS overrides the command (e.g. an installed
# `gremlins`). Packages are paths relative to the module root
# (systems/maes works). EXCLUDE is a space-separated list of file regexps
# gremlins skips (its -E), e.g. to mutate only a system's metric file:
# (gremlins matches them against the file name; checked with --dry-run)
#   EXCLUDE='(^|/)(estimate|learnt|maes|maes_fit|maes_readout|maes_replay|maes_spectrum|maes_train|maes_variability|network|presets|seed)\.go$' \
#     bench/mutation.sh systems/maes      # 153 mutants of maes_metrics.go only
# ONLY is the friendlier form for one package: a space-separated list of the
# package's files to mutate; every other non-test file of the package is
# excluded (e.g. ONLY='maes_metrics.go maes_fit.go learnt.go'). SHORT=1 runs
# the package's tests with -short (GOFLAGS=-short), which skips the long
# learning runs: mutants are then judged by the fast tests only, so the
# efficacy is a lower bound.
# See TESTING.md for the last results.
set -euo pipefail
cd "$(dirname "$0")/.."
GREMLINS=${GREMLINS:-"go run github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0"}
COEF=${TIMEOUT_COEF:-10}
out=bench/mutation
mkdir -p "$out"
pkgs=("$@")
read -r -a ex <<<"${EXCLUDE:-}"
if [ -n "${ONLY:-}" ]; then
	[ $# -eq 1 ] || { echo "ONLY needs exactly one package" >&2; exit 2; }
	for f in "$1"/*.go; do
		b=$(basename "$f")
		case "$b" in *_test.go) continue ;; esac
		keep=0
		for o in $ONLY; do [ "$o" = "$b" ] && keep=1; done
		[ $keep -eq 1 ] || ex+=("(^|/)${b//./\\.}\$")
	done
fi
[ "${SHORT:-0}" = 1 ] && export GOFLAGS="${GOFLAGS:-} -short"
excl=()
for e in "${ex[@]}"; do excl+=(-E "$e"); done
[ ${#pkgs[@]} -eq 0 ] && pkgs=(neuron synapse connect learn)
for p in "${pkgs[@]}"; do
	name=${p//\//_}
	echo "== $p"
	start=$(date +%s)
	# shellcheck disable=SC2086
	nice -n 10 $GREMLINS unleash ${DRY:+--dry-run} --workers 1 --test-cpu 1 --timeout-coefficient "$COEF" "${excl[@]}" \
		-o "$out/$name.json" "./$p" 2>&1 | tee "$out/$name.log" | grep -E "^(Killed|Lived|Timed out|Not covered|Not viable|Mutator|Test efficacy|Mutant coverage)" || true
	echo "$p: $(($(date +%s) - start)) s"
done
