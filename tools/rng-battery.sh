#!/usr/bin/env bash
# tools/rng-battery.sh: dieharder on what users get: the words `weightinit bits` writes, as one long
# stream and as many streams interleaved word by word (--streams K: word j of streams N .. N+K-1,
# then word j+1, ...: the tensors of a model, one stream each, at the same element index).
#
#   tools/rng-battery.sh [quick|full] [TOOL] [OUT_DIR] [both|one|interleaved]
#
# quick (CI, under 3 minutes on 2 cores): a fixed subset of fast tests; full: dieharder -a. Both
# use -Y 1 (a WEAK p-value is retested with more samples until it passes or fails). Logs go to
# OUT_DIR (default build/rng-battery); the exit status is 1 when any test FAILED, else 0. The last
# argument picks the streams (default both; one or interleaved alone lets two cores run the two
# full runs side by side, each with its own OUT_DIR).
set -euo pipefail
mode=${1:-quick}
tool=${2:-build/weightinit}
out=${3:-build/rng-battery}
which=${4:-both}
case $which in both|one|interleaved) ;; *) echo "rng-battery: the streams are both, one or interleaved, not '$which'" >&2; exit 2 ;; esac
command -v dieharder >/dev/null || { echo "rng-battery: dieharder is not installed (apt-get install dieharder)" >&2; exit 2; }
[ -x "$tool" ] || { echo "rng-battery: $tool is not an executable weightinit tool" >&2; exit 2; }
mkdir -p "$out"

# diehard birthdays, operm5, count-1s (bytes), runs, STS monobit, RGB lagged sums,
# DAB byte distribution and DCT: each a few seconds on stdin.
quick_tests=(0 1 9 15 100 203 205 206)
seed=20261201

# feed NAME BITS-ARGS...: the words to dieharder's stdin, one test list or -a.
run() {
  local name=$1; shift
  local log="$out/$mode-$name.txt"
  echo "== $name: $tool bits --seed $seed --count inf $* | dieharder -g 200 ..." | tee "$log"
  if [ "$mode" = full ]; then
    "$tool" bits --seed "$seed" --count inf "$@" | dieharder -g 200 -a -Y 1 >>"$log" 2>&1 || true
  else
    for d in "${quick_tests[@]}"; do
      local t0=$SECONDS
      "$tool" bits --seed "$seed" --count inf "$@" | dieharder -g 200 -d "$d" -Y 1 >>"$log" 2>&1 || true
      echo "# -d $d: $((SECONDS - t0)) s" >>"$log"
    done
  fi
  # With -Y 1 every WEAK result is retested with more samples until it passes or fails, so the
  # PASSED and FAILED lines are the verdicts and the WEAK lines the retests on the way.
  local passed weak failed
  passed=$(grep -c 'PASSED' "$log" || true)
  weak=$(grep -c 'WEAK' "$log" || true)
  failed=$(grep -c 'FAILED' "$log" || true)
  echo "$name: $passed passed, $failed failed ($weak WEAK results retested) (log: $log)" |
    tee -a "$out/$mode-summary.txt"
  [ "$failed" -eq 0 ]
}

: >"$out/$mode-summary.txt"
status=0
if [ "$which" != interleaved ]; then run one-stream --stream 0 || status=1; fi
if [ "$which" != one ]; then run 64-streams-interleaved --stream 0 --streams 64 || status=1; fi
exit $status
