#!/usr/bin/env bash
# tools/device-check.sh: everything weightinit checks on a lent GPU machine (an H200, sm_90), in one
# run that stays under 8 minutes: configure and build for sm_90 (Release), the GPU test suite,
# compute-sanitizer memcheck and initcheck on the GPU tests at small sizes, weightinit_bench through
# bench/report, and bench/peers.py (PyTorch, CuPy, JAX) where Python has them. Every step is timed
# and bounded with `timeout`; a failed step is recorded and the next one still runs; the exit status
# is non-zero when any step failed or timed out. Without a GPU it still configures, builds, shows
# the GPU suite skipping and runs the CPU benchmark cases, which is how it is tested off the device.
#
# Usage: tools/device-check.sh [--cpu-tests] [--examples] [--only STEPS] [OUT_DIR]
#   OUT_DIR      logs, JSON, bench.md and summary.md (default: $OUT, else ./out/device-check)
#   --cpu-tests  also build and run weightinit_tests_cpu (off by default: CI runs it on every
#                machine, and device minutes are scarce)
#   --examples   also build examples/ (the demo; needs a BLAS: tools/gather-deps.sh --with-openblas)
#   --only STEPS comma-separated steps to run after configure and build, for a quick rerun on a
#                warm machine: gpu-tests, bench-gpu, sanitizer-memcheck, sanitizer-initcheck,
#                peers, bench-cpu, report (the others are recorded as "not selected")
# Environment (all optional):
#   WEIGHTINIT_DEVCHECK_BUILD      build folder (default <repo>/build-device-check; git-ignored)
#   WEIGHTINIT_DEVCHECK_ARCH       CUDA architectures (default 90)
#   WEIGHTINIT_DEVCHECK_BUDGET_S   wall-clock budget of the whole run in seconds (default 450)
#   WEIGHTINIT_DEVCHECK_BUILD_S    the build step's own limit in seconds (default 300)
#   WEIGHTINIT_DEVCHECK_JOBS       build jobs (default nproc)
#   WEIGHTINIT_DEVCHECK_MIN_TIME   --benchmark_min_time in seconds (default 0.05)
#   WEIGHTINIT_DEVCHECK_CMAKE_ARGS extra configure arguments (word-split)
#   WEIGHTINIT_DEVCHECK_PYTHON     Python for bench/report and bench/peers.py (default python3)
# On the lent machine (no package registry there), first run tools/gather-deps.sh here and carry
# .deps: run(carry=[".deps"], command="bash tools/device-check.sh", timeout_s=480).
# docs/PERFORMANCE.md explains the tables it writes.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=""
cpu_tests=0
examples=0
only=""
want_only=0
for arg in "$@"; do
  if (( want_only )); then only=$arg want_only=0; continue; fi
  case $arg in
    --only) want_only=1 ;;
    --only=*) only=${arg#--only=} ;;
    --cpu-tests) cpu_tests=1 ;;
    --examples) examples=1 ;;
    -h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "device-check: unknown option '$arg' (see --help)" >&2; exit 2 ;;
    *) [ -z "$out" ] || { echo "device-check: one OUT_DIR only" >&2; exit 2; }; out=$arg ;;
  esac
done
(( want_only )) && { echo "device-check: --only needs a list of steps" >&2; exit 2; }
out=${out:-${OUT:-$root/out/device-check}}
mkdir -p "$out" || exit 2
out=$(cd "$out" && pwd)
build=${WEIGHTINIT_DEVCHECK_BUILD:-$root/build-device-check}
archs=${WEIGHTINIT_DEVCHECK_ARCH:-90}
budget=${WEIGHTINIT_DEVCHECK_BUDGET_S:-450}
jobs=${WEIGHTINIT_DEVCHECK_JOBS:-$(nproc)}
min_time=${WEIGHTINIT_DEVCHECK_MIN_TIME:-0.05}
python=${WEIGHTINIT_DEVCHECK_PYTHON:-python3}
read -r -a extra_cmake <<< "${WEIGHTINIT_DEVCHECK_CMAKE_ARGS:-}"

start_ns=$(date +%s%N)
deadline=$(( $(date +%s) + budget ))
command -v nvcc >/dev/null || export PATH=$PATH:/usr/local/cuda/bin
main_log=$out/device-check.log
: > "$main_log"
say() { echo "device-check: $*" | tee -a "$main_log" >&2; }

# ---- the summary: one row per step, rewritten after every step so a killed run still leaves one.
names=() statuses=() times=() keys=()
if rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null); then
  revision="commit $rev"
  git -C "$root" diff --quiet HEAD -- 2>/dev/null || revision+=" with uncommitted changes"
else
  revision="commit unknown (not a git checkout)"
fi
failed=0
write_summary() {
  local total=$(( ($(date +%s%N) - start_ns) / 1000000 ))
  {
    echo "# weightinit device check"
    echo
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname); device: $device_line"
    echo "$revision; build $build (CUDA architectures $archs)"
    echo
    echo "| step | status | time | key figures |"
    echo "|---|---|---:|---|"
    local i
    for i in "${!names[@]}"; do
      printf '| %s | %s | %.1f s | %s |\n' "${names[$i]}" "${statuses[$i]}" \
        "$(awk "BEGIN{print ${times[$i]}/1000}")" "${keys[$i]//|/\\|}"
    done
    echo
    printf 'Total %.1f s (budget %d s). Logs: <step>.log beside this file; benchmark tables: bench.md.\n' \
      "$(awk "BEGIN{print $total/1000}")" "$budget"
  } > "$out/summary.md"
}
record() {  # record NAME STATUS MILLISECONDS KEY
  names+=("$1") statuses+=("$2") times+=("$3") keys+=("$4")
  case $2 in FAIL|TIMEOUT) failed=1 ;; esac
  say "$1: $2 ($(awk "BEGIN{printf \"%.1f\", $3/1000}") s) $4"
  write_summary
}

# step NAME CAP_SECONDS CMD...: runs CMD under `timeout`, output to OUT/NAME.log. Sets step_rc
# (124 when it timed out) and step_ms. The timeout is CAP or what is left of the budget, whichever
# is less; with under 10 s left the step does not start (step_rc=-1).
step_rc=0 step_ms=0
step() {
  local name=$1 cap=$2
  shift 2
  local left=$(( deadline - $(date +%s) - 5 ))
  if (( left < 10 )); then step_rc=-1 step_ms=0; return; fi
  local t=$(( cap < left ? cap : left ))
  say "$name: timeout ${t}s: $*"
  echo "\$ $*" > "$out/$name.log"
  local t0
  t0=$(date +%s%N)
  timeout --kill-after=10 "$t" "$@" >> "$out/$name.log" 2>&1
  step_rc=$?
  step_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  (( step_rc == 137 )) && step_rc=124
  (( step_rc == 124 )) && echo "device-check: killed after ${t}s" >> "$out/$name.log"
}
budget_spent() { record "$1" SKIP 0 "not started: the ${budget}s budget is spent"; }
# selected NAME: true unless --only was given without NAME (then NAME is recorded as not selected).
selected() {
  [ -z "$only" ] && return 0
  [[ ",$only," == *",$1,"* ]] && return 0
  record "$1" SKIP 0 "not selected (--only $only)"
  return 1
}

# gtest counts from a log: "N passed, N skipped, N failed".
gtest_counts() {
  local log=$1 p s f
  p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
  s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
  f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
  echo "${p:-0} passed, ${s:-0} skipped, ${f:-0} failed"
}

# ---- 1. environment: nvidia-smi first, then the tools.
t0=$(date +%s%N)
device=0
device_line="none"
if command -v nvidia-smi >/dev/null; then
  { timeout 30 nvidia-smi; echo; timeout 30 nvidia-smi -L
    fields=name,memory.total,driver_version,clocks.max.sm,clocks.max.mem,power.limit,persistence_mode
    timeout 30 nvidia-smi --format=csv --query-gpu=$fields
  } > "$out/nvidia-smi.txt" 2>&1
  if timeout 30 nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
    device=1
    device_line="$(timeout 30 nvidia-smi --query-gpu=name,memory.total,driver_version \
                     --format=csv,noheader 2>/dev/null | head -1)"
  else
    device_line="none (nvidia-smi lists no GPU)"
  fi
else
  echo "nvidia-smi: not found" > "$out/nvidia-smi.txt"
  device_line="none (no nvidia-smi)"
fi
deps_note="no .deps (system packages)"
if [ -f "$root/.deps/MANIFEST" ]; then
  deps_arch=$(sed -n 's/^arch //p' "$root/.deps/MANIFEST")
  export LD_LIBRARY_PATH=$root/.deps/usr/lib/${deps_arch:-x86_64-linux-gnu}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  deps_note=".deps ($(grep -E '^(googletest|benchmark|CLI11) ' "$root/.deps/MANIFEST" | tr '\n' ' ' | sed 's/ $//'))"
fi
sanitizer=$(command -v compute-sanitizer || true)
for c in "$(dirname "$(command -v nvcc 2>/dev/null || echo /usr/local/cuda/bin/nvcc)")/compute-sanitizer" \
         "${CUDA_HOME:-/usr/local/cuda}/compute-sanitizer/compute-sanitizer" \
         /usr/local/cuda/bin/compute-sanitizer /usr/local/cuda/compute-sanitizer/compute-sanitizer; do
  [ -z "$sanitizer" ] && [ -x "$c" ] && sanitizer=$c
done
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(hostname)  cores: $(nproc)"
  echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)"
  echo "nvcc: $(nvcc --version 2>/dev/null | tail -1 || echo 'not found')"
  echo "cmake: $(cmake --version 2>/dev/null | head -1 || echo 'not found')"
  echo "ninja: $(ninja --version 2>/dev/null || echo 'not found')"
  echo "compute-sanitizer: ${sanitizer:-not found}"
  echo "python: $("$python" --version 2>&1 || echo 'not found')"
  timeout 60 "$python" - <<'EOF' 2>&1 || true
import importlib
for m in ("torch", "cupy", "jax"):
    try:
        mod = importlib.import_module(m)
        print("%s: %s" % (m, getattr(mod, "__version__", "?")))
    except Exception as e:  # noqa: BLE001 - report whatever stops the import
        print("%s: not importable (%s)" % (m, type(e).__name__))
EOF
  echo "dependencies: $deps_note"
  [ -f "$root/.deps/MANIFEST" ] && cat "$root/.deps/MANIFEST"
} > "$out/environment.log" 2>&1
record environment PASS $(( ($(date +%s%N) - t0) / 1000000 )) \
  "device: $device_line; $(sed -n 's/^nvcc: //p' "$out/environment.log"); $deps_note"

# ---- 2. configure (Release, sm_90 unless told otherwise; .deps when present).
cfg=(-S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CUDA_ARCHITECTURES=$archs"
     -DWEIGHTINIT_BUILD_TESTS=ON -DWEIGHTINIT_BUILD_BENCH=ON -DWEIGHTINIT_BUILD_TOOLS=ON
     "-DWEIGHTINIT_BUILD_EXAMPLES=$([ $examples = 1 ] && echo ON || echo OFF)")
if [ -d "$root/.deps/usr" ]; then
  # Config packages (benchmark, CLI11, OpenBLAS) under .deps/usr come before the system's;
  # GoogleTest is built from .deps/googletest only where find_package(GTest) finds none.
  cfg+=("-DCMAKE_PREFIX_PATH=$root/.deps/usr" "-DWEIGHTINIT_GTEST_SOURCE_DIR=$root/.deps/googletest")
fi
cfg+=("${extra_cmake[@]}")
step configure 120 cmake "${cfg[@]}"
if (( step_rc == -1 )); then budget_spent configure
else
  cache=$build/CMakeCache.txt
  gtest_from=$(sed -n 's/^GTest_DIR:PATH=//p' "$cache" 2>/dev/null)
  if [ -z "$gtest_from" ] || [[ $gtest_from == *NOTFOUND ]]; then
    gtest_from="sources $(sed -n 's/^WEIGHTINIT_GTEST_SOURCE_DIR:PATH=//p' "$cache" 2>/dev/null)"
  fi
  key="benchmark: $(sed -n 's/^benchmark_DIR:PATH=//p' "$cache" 2>/dev/null); CLI11: $(sed -n 's/^CLI11_DIR:PATH=//p' "$cache" 2>/dev/null); GTest: $gtest_from"
  case $step_rc in 0) record configure PASS "$step_ms" "$key" ;;
                   124) record configure TIMEOUT "$step_ms" "see configure.log" ;;
                   *) record configure FAIL "$step_ms" "cmake exit $step_rc; see configure.log" ;; esac
fi

# ---- 3. build only what the run needs; -k 0 so one broken target does not stop the others.
targets=(weightinit_tests_gpu weightinit_bench weightinit_cli)
(( cpu_tests )) && targets+=(weightinit_tests_cpu)
step build "${WEIGHTINIT_DEVCHECK_BUILD_S:-300}" cmake --build "$build" -j "$jobs" --target "${targets[@]}" -- -k 0
if (( step_rc == -1 )); then budget_spent build
else
  built=0
  for t in tests/weightinit_tests_gpu bench/weightinit_bench weightinit; do [ -x "$build/$t" ] && built=$((built + 1)); done
  case $step_rc in 0) record build PASS "$step_ms" "${#targets[@]} targets, -j $jobs" ;;
                   124) record build TIMEOUT "$step_ms" "$built of 3 binaries built; see build.log" ;;
                   *) record build FAIL "$step_ms" "ninja exit $step_rc, $built of 3 binaries built; first error: $(grep -m1 -E 'error|FAILED' "$out/build.log" | cut -c1-160)" ;; esac
fi
gpu_tests=$build/tests/weightinit_tests_gpu
bench=$build/bench/weightinit_bench

# ---- 4. the CPU suite, only when asked.
if ! selected cpu-tests; then :
elif (( cpu_tests )); then
  if [ -x "$build/tests/weightinit_tests_cpu" ]; then
    step cpu-tests 240 "$build/tests/weightinit_tests_cpu" --gtest_brief=1
    if (( step_rc == -1 )); then budget_spent cpu-tests
    else
      case $step_rc in 0) record cpu-tests PASS "$step_ms" "$(gtest_counts "$out/cpu-tests.log")" ;;
                       124) record cpu-tests TIMEOUT "$step_ms" "$(gtest_counts "$out/cpu-tests.log") before the kill" ;;
                       *) record cpu-tests FAIL "$step_ms" "$(gtest_counts "$out/cpu-tests.log")" ;; esac
    fi
  else record cpu-tests FAIL 0 "weightinit_tests_cpu not built"; fi
else
  record cpu-tests SKIP 0 "not requested (CI runs it on every machine; --cpu-tests runs it here)"
fi

# ---- 5. the GPU suite, full sizes (the 2^32-element bf16 test included).
if ! selected gpu-tests; then :
elif [ -x "$gpu_tests" ]; then
  step gpu-tests 150 "$gpu_tests" "--gtest_output=xml:$out/gpu-tests.xml"
  if (( step_rc == -1 )); then budget_spent gpu-tests
  else
    counts=$(gtest_counts "$out/gpu-tests.log")
    if (( step_rc == 0 )) && (( ! device )) && [[ $counts == "0 passed"* ]]; then
      reason=$(grep -m1 -o 'no CUDA device ([^)]*)' "$out/gpu-tests.log" || echo "no CUDA device")
      record gpu-tests SKIP "$step_ms" "$counts: every test skipped, $reason"
    else
      case $step_rc in 0) record gpu-tests PASS "$step_ms" "$counts" ;;
                       124) record gpu-tests TIMEOUT "$step_ms" "$counts before the kill" ;;
                       *) record gpu-tests FAIL "$step_ms" "$counts; failing: $(sed -n 's/^\[  FAILED  \] \([A-Za-z].*\)/\1/p' "$out/gpu-tests.log" | head -3 | tr '\n' ' ')" ;; esac
    fi
  fi
else record gpu-tests FAIL 0 "weightinit_tests_gpu not built"; fi

# ---- 6. GPU benchmark cases through bench/report (first: the figures nobody has yet).
bench_report() {  # bench_report NAME CAP FILTER
  local name=$1 cap=$2 filter=$3
  selected "$name" || return
  if [ ! -x "$bench" ]; then record "$name" FAIL 0 "weightinit_bench not built"; return; fi
  step "$name" "$cap" "$python" "$root/bench/report" "$bench" "--benchmark_filter=$filter" \
    "--benchmark_min_time=$min_time" --out "$out/$name.json" --key-figures "$out/$name.key"
  if (( step_rc == -1 )); then budget_spent "$name"; return; fi
  local key
  key=$(cat "$out/$name.key" 2>/dev/null || echo "no figures")
  case $step_rc in 0) record "$name" PASS "$step_ms" "$key" ;;
                   124) record "$name" TIMEOUT "$step_ms" "killed; raise the budget or the min time is too long" ;;
                   *) record "$name" FAIL "$step_ms" "exit $step_rc: $(tail -1 "$out/$name.log" | cut -c1-160)" ;; esac
}
if (( device )); then bench_report bench-gpu 180 '^BM_GPU_'
elif selected bench-gpu; then record bench-gpu SKIP 0 "no device: the GPU cases register only with one"; fi

# ---- 7. compute-sanitizer at small sizes (WEIGHTINIT_GPU_TEST_SMALL, tests/gpu/gpu_test.hpp): sizes
# stop at 4097 elements and the 2^32-element test is filtered out (it also skips itself there).
for tool in memcheck initcheck; do
  name=sanitizer-$tool
  selected "$name" || continue
  if (( ! device )); then record "$name" SKIP 0 "skipped: no device"; continue; fi
  if [ -z "$sanitizer" ]; then record "$name" SKIP 0 "skipped: compute-sanitizer not found"; continue; fi
  if [ ! -x "$gpu_tests" ]; then record "$name" FAIL 0 "weightinit_tests_gpu not built"; continue; fi
  step "$name" 100 env WEIGHTINIT_GPU_TEST_SMALL=1 "$sanitizer" --tool "$tool" --error-exitcode 86 \
    --print-limit 20 "$gpu_tests" '--gtest_filter=-DeviceFillLarge.*' --gtest_brief=1
  if (( step_rc == -1 )); then budget_spent "$name"; continue; fi
  errs=$(grep -o 'ERROR SUMMARY: [0-9]* error' "$out/$name.log" | awk '{s += $3} END {print s + 0}')
  key="$errs sanitizer errors; tests $(gtest_counts "$out/$name.log")"
  case $step_rc in 0) record "$name" PASS "$step_ms" "$key" ;;
                   124) record "$name" TIMEOUT "$step_ms" "$key before the kill" ;;
                   *) record "$name" FAIL "$step_ms" "exit $step_rc; $key" ;; esac
done

# ---- 8. peers: PyTorch, CuPy, JAX on the same sizes (each skipped when absent).
if ! selected peers; then :
elif command -v "$python" >/dev/null; then
  step peers 120 "$python" "$root/bench/peers.py" --json "$out/peers.json"
  if (( step_rc == -1 )); then budget_spent peers
  else
    key=$(grep '^peers:' "$out/peers.log" | tail -1 | sed 's/^peers: //')
    case $step_rc in
      0) if [[ $key == skipped* ]]; then record peers SKIP "$step_ms" "$key"; else record peers PASS "$step_ms" "$key"; fi ;;
      124) record peers TIMEOUT "$step_ms" "killed; partial table in peers.log" ;;
      *) record peers FAIL "$step_ms" "exit $step_rc: ${key:-$(tail -1 "$out/peers.log" | cut -c1-160)}" ;;
    esac
  fi
else record peers SKIP 0 "skipped: $python not found"; fi

# ---- 9. CPU benchmark cases (the host's cores; the quiet-machine CPU figures are taken elsewhere).
bench_report bench-cpu 150 '^BM_CPU_'

# ---- 10. one report over everything measured.
jsons=()
for f in "$out/bench-gpu.json" "$out/bench-cpu.json"; do [ -s "$f" ] && jsons+=(--json "$f"); done
if ! selected report; then :
elif (( ${#jsons[@]} )); then
  peers_arg=()
  [ -s "$out/peers.json" ] && peers_arg=(--peers "$out/peers.json")
  step report 30 "$python" "$root/bench/report" "${jsons[@]}" "${peers_arg[@]}" --markdown "$out/bench.md" \
    --key-figures "$out/report.key"
  if (( step_rc == -1 )); then budget_spent report
  elif (( step_rc == 0 )); then record report PASS "$step_ms" "bench.md: $(cat "$out/report.key" 2>/dev/null)"
  else record report FAIL "$step_ms" "exit $step_rc: $(tail -1 "$out/report.log" | cut -c1-160)"; fi
else
  record report SKIP 0 "no benchmark JSON to tabulate"
fi

if (( device )); then
  timeout 30 nvidia-smi -q -d CLOCK,PERFORMANCE,TEMPERATURE > "$out/nvidia-smi-end.txt" 2>&1 || true
fi
write_summary
say "summary: $out/summary.md"
cat "$out/summary.md"
exit $failed
