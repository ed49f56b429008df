#!/usr/bin/env bash
# tools/device-check.sh: everything weightinit checks on a lent GPU machine (an H200, sm_90) in one
# command that never runs longer than the sum of its step limits (535 s by default), and leaves at
# most 8 files in the out folder, so everything it writes comes back from the device tool's $OUT.
# Steps: environment; configure and build for sm_90 (Release); the checks, run side by side
# (correctness only, nothing timed): the GPU suite at full size, compute-sanitizer memcheck and
# initcheck at small sizes (sharded), pytest of python/tests where that folder exists; then alone on
# the GPU, one after the other: weightinit_bench's GPU cases through bench/report, bench/peers.py,
# the CPU cases, one report over all of it. A failed step is recorded and the next one still runs;
# the exit status is non-zero when any step failed or timed out. A GPU step fails when nvidia-smi
# lists a GPU but no test ran on one (all skipped): a vacuous pass is a failure. Every step prints
# its figures to stdout and the run ends with the summary and the benchmark digest, so the tail of
# the output alone tells the story. Without a GPU it configures, builds, shows the GPU suite
# skipping and runs the CPU benchmark cases, which is how it is rehearsed off the device.
#
# Usage: tools/device-check.sh [--cpu-tests] [--examples] [--only STEPS] [OUT_DIR]
#   OUT_DIR      where the files go (default: $OUT, else ./out/device-check); it receives only
#                summary.md, bench.md, bench-gpu.json, bench-cpu.json, peers.json, gpu-tests.xml
#                and logs.tar.gz (every log, nvidia-smi dumps, sanitizer and pytest output)
#   --cpu-tests  also run weightinit_tests_cpu among the checks (off by default: CI runs it on
#                every machine; bounded by the checks' limit)
#   --examples   also build examples/ (the demo; needs a BLAS: tools/gather-deps.sh --with-openblas)
#   --only STEPS comma-separated steps to run after configure and build, for a rerun on a warm
#                machine: gpu-tests, sanitizer-memcheck, sanitizer-initcheck, python-tests,
#                bench-gpu, peers, bench-cpu, report (the others are recorded as "not selected";
#                the budget shrinks to the limits of what runs)
# Step limits (seconds): environment 20, configure 40, build 120, checks 120, bench-gpu 100,
# peers 50, bench-cpu 60, report 10, final 15 (nvidia-smi -q, archive, summary): 535 in all.
# Environment (all optional):
#   WEIGHTINIT_DEVCHECK_BUILD      build folder (default <repo>/build-device-check; git-ignored)
#   WEIGHTINIT_DEVCHECK_ARCH       CUDA architectures (default 90)
#   WEIGHTINIT_DEVCHECK_BUILD_S    the build step's limit (default 120; the budget grows with it)
#   WEIGHTINIT_DEVCHECK_JOBS       build jobs (default nproc)
#   WEIGHTINIT_DEVCHECK_SHARDS     gtest shards per compute-sanitizer tool, run side by side (default 3)
#   WEIGHTINIT_DEVCHECK_MIN_TIME   --benchmark_min_time in seconds (default 0.05)
#   WEIGHTINIT_DEVCHECK_CMAKE_ARGS extra configure arguments (word-split)
#   WEIGHTINIT_DEVCHECK_PYTHON     Python for bench/report, bench/peers.py and pytest (default python3)
# On the lent machine (no package registry there), first run tools/gather-deps.sh here, then:
#   run(command="bash tools/device-check.sh", carry=[".deps"], timeout_s=580)
# docs/PERFORMANCE.md explains the steps and the tables.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${WEIGHTINIT_DEVCHECK_PYTHON:-python3}

# ---- internal: `device-check.sh --collect-env DIR` writes what the environment step reports
# (run under the step's own timeout, so a hanging nvidia-smi or import cannot stretch the run).
if [ "${1:-}" = "--collect-env" ]; then
  dir=$2
  command -v nvcc >/dev/null || export PATH=$PATH:/usr/local/cuda/bin
  if command -v nvidia-smi >/dev/null; then
    listed=$(timeout -k 1 6 nvidia-smi -L 2>&1)
    { echo "$listed"; echo
      timeout -k 1 6 nvidia-smi 2>&1
      timeout -k 1 4 nvidia-smi --format=csv \
        --query-gpu=name,memory.total,driver_version,clocks.max.sm,clocks.max.mem,power.limit,persistence_mode 2>&1
    } > "$dir/nvidia-smi.txt"
    count=$(grep -c '^GPU [0-9]' <<< "$listed")
    echo "$count" > "$dir/gpu-count"
    if (( count > 0 )); then
      sed -n 's/^GPU 0: \(.*\) (UUID.*/\1/p' <<< "$listed" | head -1 > "$dir/gpu-name"
    fi
  else
    echo "nvidia-smi: not found" > "$dir/nvidia-smi.txt"
    echo 0 > "$dir/gpu-count"
  fi
  {
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(hostname)  cores: $(nproc)"
    echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)"
    echo "nvcc: $(timeout 5 nvcc --version 2>/dev/null | tail -1 || echo 'not found')"
    echo "cmake: $(timeout 5 cmake --version 2>/dev/null | head -1 || echo 'not found')"
    echo "ninja: $(timeout 5 ninja --version 2>/dev/null || echo 'not found')"
    echo "python: $(timeout 5 "$python" --version 2>&1 || echo 'not found')"
    timeout -k 1 10 "$python" - <<'EOF' 2>&1 || echo "python packages: not checked (timeout or no python)"
import importlib
for m in ("torch", "cupy", "jax", "pytest"):
    try:
        mod = importlib.import_module(m)
        print("%s: %s" % (m, getattr(mod, "__version__", "?")))
    except Exception as e:  # noqa: BLE001 - report whatever stops the import
        print("%s: not importable (%s)" % (m, type(e).__name__))
EOF
  } > "$dir/environment.log" 2>&1
  exit 0
fi

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
    -h|--help) sed -n '2,40p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "device-check: unknown option '$arg' (see --help)" >&2; exit 2 ;;
    *) [ -z "$out" ] || { echo "device-check: one OUT_DIR only" >&2; exit 2; }; out=$arg ;;
  esac
done
(( want_only )) && { echo "device-check: --only needs a list of steps" >&2; exit 2; }
known=",gpu-tests,sanitizer-memcheck,sanitizer-initcheck,python-tests,bench-gpu,peers,bench-cpu,report,"
for s in ${only//,/ }; do
  [[ $known == *",$s,"* ]] || { echo "device-check: unknown step '$s' in --only (steps:${known//,/ })" >&2; exit 2; }
done
out=${out:-${OUT:-$root/out/device-check}}
mkdir -p "$out" || exit 2
out=$(cd "$out" && pwd)
build=${WEIGHTINIT_DEVCHECK_BUILD:-$root/build-device-check}
archs=${WEIGHTINIT_DEVCHECK_ARCH:-90}
jobs=${WEIGHTINIT_DEVCHECK_JOBS:-$(nproc)}
shards=${WEIGHTINIT_DEVCHECK_SHARDS:-3}
min_time=${WEIGHTINIT_DEVCHECK_MIN_TIME:-0.05}
read -r -a extra_cmake <<< "${WEIGHTINIT_DEVCHECK_CMAKE_ARGS:-}"
command -v nvcc >/dev/null || export PATH=$PATH:/usr/local/cuda/bin

# selected NAME: true unless --only was given without NAME.
selected() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }

# ---- the limits. They add up to the budget, so no step is ever cut short by an earlier one; a
# step's timeout is its limit, or what is left before the final block's reserve if that is less.
declare -A cap=([environment]=20 [configure]=40 [build]=${WEIGHTINIT_DEVCHECK_BUILD_S:-120}
                [checks]=120 [bench-gpu]=100 [peers]=50 [bench-cpu]=60 [report]=10 [final]=15)
budget=$(( cap[environment] + cap[configure] + cap[build] + cap[final] ))
if selected gpu-tests || selected sanitizer-memcheck || selected sanitizer-initcheck ||
   selected python-tests || { (( cpu_tests )) && [ -z "$only" ]; }; then
  budget=$(( budget + cap[checks] ))
fi
for s in bench-gpu peers bench-cpu report; do selected $s && budget=$(( budget + cap[$s] )); done
start_s=$(date +%s)
start_ns=$(date +%s%N)
deadline=$(( start_s + budget ))

work=$(mktemp -d "${TMPDIR:-/tmp}/weightinit-device-check.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
: > "$work/device-check.log"
say() { echo "device-check: $*" | tee -a "$work/device-check.log"; }
elapsed() { awk "BEGIN{printf \"%.1f\", ($(date +%s%N) - $start_ns) / 1e9}"; }

# ---- the out folder: these names only (each [A-Za-z0-9._-], none in a subfolder).
out_files=(summary.md bench.md bench-gpu.json bench-cpu.json peers.json gpu-tests.xml logs.tar.gz)
# A rerun into the same folder must not leave an older run's file looking like this run's.
for f in "${out_files[@]}"; do rm -f "$out/$f" "$out/.$f.part"; done
# publish SRC NAME: copy SRC to OUT/NAME atomically (a temporary name beside it, then rename).
publish() { [ -s "$1" ] && cp "$1" "$out/.$2.part" && mv -f "$out/.$2.part" "$out/$2"; }
# bounded N: N seconds, or fewer so that a command between steps cannot run past the deadline
# (at least 1 s). Steps get their time from limit(); this bounds what runs between them.
bounded() {
  local left=$(( deadline - $(date +%s) - 2 ))
  (( left < N_MIN )) && left=$N_MIN
  echo $(( $1 < left ? $1 : left ))
}
N_MIN=1
archive() {  # every log of $work as OUT/logs.tar.gz, refreshed after each step
  timeout -k 1 "$(bounded 3)" tar -czf "$out/.logs.tar.gz.part" -C "$work" --exclude='*.json' . 2>/dev/null &&
    mv -f "$out/.logs.tar.gz.part" "$out/logs.tar.gz"
}

# ---- the summary: one row per step, rewritten after every step so a killed run still leaves one.
names=() statuses=() times=() keys=()
failed=0
device=0 device_line="none" gpu_count=0
revision="commit unknown"
write_summary() {
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
    echo "Total $(elapsed) s of a ${budget} s budget (the sum of the step limits)."
    echo "Files: ${out_files[*]}; every log is in logs.tar.gz (tar -xzf logs.tar.gz)."
  } > "$work/summary.md"
  publish "$work/summary.md" summary.md
}
record() {  # record NAME STATUS MILLISECONDS KEY
  names+=("$1") statuses+=("$2") times+=("$3") keys+=("$4")
  case $2 in FAIL|TIMEOUT) failed=1 ;; esac
  say "$(printf '[%6s s] %-20s %-7s %6.1f s  %s' "$(elapsed)" "$1" "$2" "$(awk "BEGIN{print $3/1000}")" "$4")"
  write_summary
  archive
}
# excerpt NAME: the end of a failed step's log on stdout, so the reply's tail shows why.
excerpt() {
  [ -f "$work/$1.log" ] || return 0
  tail -n 12 "$work/$1.log" | cut -c1-200 | sed "s/^/    $1 | /"
}

# limit NAME: the timeout for NAME now (0 when under 10 s are left: the step is not started).
limit() {
  local left=$(( deadline - $(date +%s) - cap[final] ))
  local c=${cap[$1]}
  local t=$(( c < left ? c : left ))
  (( t < 10 )) && t=0
  echo "$t"
}
# step NAME LIMIT CMD...: CMD under `timeout`, killed LIMIT seconds after it starts at the latest
# (TERM at LIMIT-5, KILL 5 s later); output to $work/NAME.log. Sets step_rc (124: timed out) and
# step_ms.
step_rc=0 step_ms=0
step() {
  local name=$1 t=$2
  shift 2
  echo "\$ $*" > "$work/$name.log"
  local t0
  t0=$(date +%s%N)
  timeout -k 5 $(( t - 5 )) "$@" >> "$work/$name.log" 2>&1
  step_rc=$?
  step_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  (( step_rc == 137 )) && step_rc=124
  (( step_rc == 124 )) && echo "device-check: killed after ${t}s" >> "$work/$name.log"
  return 0
}
# step_bg NAME LIMIT CMD...: step in the background; its rc and ms land in $work/NAME.rc.
step_bg() {
  local name=$1
  ( step "$@"; echo "$step_rc $step_ms" > "$work/$name.rc" ) &
}
# collect NAME: step_rc and step_ms of a finished background step.
collect() {
  read -r step_rc step_ms < "$work/$1.rc" 2>/dev/null || { step_rc=1 step_ms=0; }
}
not_started() { record "$1" SKIP 0 "not started: the ${budget} s budget is spent"; }

# test_counts FILE: "TOTAL SKIPPED FAILED RAN" from a gtest or pytest (JUnit) XML report; RAN =
# test cases that ran and were not skipped. Empty when the file is missing or unreadable.
test_counts() {
  [ -s "$1" ] || return 0
  timeout -k 1 "$(bounded 5)" "$python" - "$1" <<'EOF' 2>/dev/null && return 0
import sys, xml.etree.ElementTree as ET
t = s = f = 0
for tc in ET.parse(sys.argv[1]).iter("testcase"):
    t += 1
    if (tc.find("skipped") is not None or tc.get("result") in ("skipped", "suppressed")
            or tc.get("status") == "notrun"):
        s += 1
    elif tc.find("failure") is not None or tc.find("error") is not None:
        f += 1
print(t, s, f, t - s)
EOF
  local t s f  # no Python: count the elements
  t=$(grep -c '<testcase' "$1"); s=$(grep -c '<skipped' "$1"); f=$(grep -c '<failure' "$1")
  echo "$t $s $f $(( t - s ))"
}

# judge_tests NAME PREFIX XML...: records a test step from step_rc and its XML reports, PREFIX
# before the counts (judge_fail=1 beforehand forces a FAIL, e.g. for sanitizer errors). The
# vacuous-pass rule: when nvidia-smi lists a GPU, a run in which no test ran (every one skipped, or
# none found) FAILs however the runner exited; without a listed GPU it is a SKIP.
judge_fail=0
judge_tests() {
  local name=$1 prefix=$2 x tot=0 skp=0 fl=0 ran=0 have=0
  shift 2
  for x in "$@"; do
    local c
    c=$(test_counts "$x")
    [ -n "$c" ] || continue
    have=1
    read -r a b d e <<< "$c"
    tot=$(( tot + a )) skp=$(( skp + b )) fl=$(( fl + d )) ran=$(( ran + e ))
  done
  local counts="$ran ran, $skp skipped, $fl failed of $tot"
  (( have )) || counts="no test report (the runner crashed, was killed or found nothing)"
  counts="$prefix$counts"
  local reason
  reason=$(grep -h -m1 -o 'no CUDA device ([^)]*)' "$work/$name"*.log 2>/dev/null | head -1)
  if (( step_rc == 124 )); then
    record "$name" TIMEOUT "$step_ms" "$counts before the kill"
  elif (( ran == 0 && device )); then
    record "$name" FAIL "$step_ms" "vacuous: nvidia-smi lists $gpu_count GPU(s) but no test ran on one ($counts${reason:+; $reason}; exit $step_rc)"
  elif (( step_rc != 0 )); then
    record "$name" FAIL "$step_ms" "exit $step_rc; $counts; $(grep -h -m3 -o '^\[  FAILED  \] [A-Za-z][^ ]*' "$work/$name"*.log 2>/dev/null | sed 's/^\[  FAILED  \] //' | tr '\n' ' ')"
  elif (( judge_fail )); then
    record "$name" FAIL "$step_ms" "$counts"
  elif (( ran == 0 )); then
    record "$name" SKIP "$step_ms" "$counts: no GPU listed${reason:+; $reason}"
  else
    record "$name" PASS "$step_ms" "$counts"
  fi
  judge_fail=0
  [ "${statuses[-1]}" = FAIL ] || [ "${statuses[-1]}" = TIMEOUT ] && excerpt "$name" || true
}

say "weightinit device check: budget ${budget} s (the sum of the step limits), out $out"

# ---- 1. environment: nvidia-smi first, then the tools.
t=$(limit environment)
step environment "$t" bash "$root/tools/device-check.sh" --collect-env "$work"
gpu_count=$(cat "$work/gpu-count" 2>/dev/null || echo 0)
if (( gpu_count > 0 )); then
  device=1
  device_line="$gpu_count GPU(s) listed by nvidia-smi: $(cat "$work/gpu-name" 2>/dev/null)"
elif grep -q 'not found' "$work/nvidia-smi.txt" 2>/dev/null; then
  device_line="none (no nvidia-smi)"
else
  device_line="none (nvidia-smi lists no GPU)"
fi
if rev=$(timeout 5 git -C "$root" rev-parse --short HEAD 2>/dev/null); then
  revision="commit $rev"
  timeout 5 git -C "$root" diff --quiet HEAD -- 2>/dev/null || revision+=" with uncommitted changes"
fi
deps_note="no .deps (system packages)"
if [ -f "$root/.deps/MANIFEST" ]; then
  deps_arch=$(sed -n 's/^arch //p' "$root/.deps/MANIFEST")
  export LD_LIBRARY_PATH=$root/.deps/usr/lib/${deps_arch:-x86_64-linux-gnu}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  deps_note=".deps ($(grep -E '^(googletest|benchmark|CLI11) ' "$root/.deps/MANIFEST" | tr '\n' ' ' | sed 's/ $//'))"
  cat "$root/.deps/MANIFEST" >> "$work/environment.log"
fi
sanitizer=$(command -v compute-sanitizer || true)
for c in "$(dirname "$(command -v nvcc 2>/dev/null || echo /usr/local/cuda/bin/nvcc)")/compute-sanitizer" \
         "${CUDA_HOME:-/usr/local/cuda}/compute-sanitizer/compute-sanitizer" \
         /usr/local/cuda/bin/compute-sanitizer /usr/local/cuda/compute-sanitizer/compute-sanitizer; do
  [ -z "$sanitizer" ] && [ -x "$c" ] && sanitizer=$c
done
echo "compute-sanitizer: ${sanitizer:-not found}" >> "$work/environment.log"
env_key="device: $device_line; $(sed -n 's/^nvcc: //p' "$work/environment.log"); $(grep -E '^(torch|cupy|jax|pytest):' "$work/environment.log" | sed 's/ (.*)//' | tr '\n' ' ' | sed 's/ $//'); $deps_note"
if (( step_rc == 0 )); then record environment PASS "$step_ms" "$env_key"
else record environment FAIL "$step_ms" "exit $step_rc (124: timed out); $env_key"; fi

# ---- 2. configure (Release, sm_90 unless told otherwise; .deps when present).
cfg=(-S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CUDA_ARCHITECTURES=$archs"
     -DWEIGHTINIT_BUILD_TESTS=ON -DWEIGHTINIT_BUILD_BENCH=ON -DWEIGHTINIT_BUILD_TOOLS=ON
     "-DWEIGHTINIT_BUILD_EXAMPLES=$([ $examples = 1 ] && echo ON || echo OFF)")
if [ -d "$root/.deps/usr" ]; then
  # Config packages (benchmark, CLI11, OpenBLAS) under .deps/usr come before the system's;
  # GoogleTest is built from .deps/googletest only where find_package(GTest) finds none.
  cfg+=("-DCMAKE_PREFIX_PATH=$root/.deps/usr" "-DWEIGHTINIT_GTEST_SOURCE_DIR=$root/.deps/googletest")
fi
# The Python module (python/) for the python-tests step, where nanobind (.deps/nanobind from
# tools/gather-deps.sh, else the Python's own) and Python's headers are there; otherwise that step
# fails at its import, and nothing else changes.
py_module=0
nb_dir=$root/.deps/nanobind/cmake
[ -d "$nb_dir" ] || nb_dir=$("$python" -m nanobind --cmake_dir 2>/dev/null)
if [ -n "$nb_dir" ] && [ -d "$root/python" ] && "$python" -c 'import os, sysconfig; assert os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h"))' 2>/dev/null; then
  py_module=1
  cfg+=(-DWEIGHTINIT_BUILD_PYTHON=ON "-DPython_EXECUTABLE=$(command -v "$python")" "-Dnanobind_DIR=$nb_dir")
fi
cfg+=("${extra_cmake[@]}")
t=$(limit configure)
if (( t == 0 )); then not_started configure
else
  step configure "$t" cmake "${cfg[@]}"
  cache=$build/CMakeCache.txt
  gtest_from=$(sed -n 's/^GTest_DIR:PATH=//p' "$cache" 2>/dev/null)
  if [ -z "$gtest_from" ] || [[ $gtest_from == *NOTFOUND ]]; then
    gtest_from="sources $(sed -n 's/^WEIGHTINIT_GTEST_SOURCE_DIR:PATH=//p' "$cache" 2>/dev/null)"
  fi
  key="benchmark: $(sed -n 's/^benchmark_DIR:PATH=//p' "$cache" 2>/dev/null); CLI11: $(sed -n 's/^CLI11_DIR:PATH=//p' "$cache" 2>/dev/null); GTest: $gtest_from"
  case $step_rc in 0) record configure PASS "$step_ms" "$key" ;;
                   124) record configure TIMEOUT "$step_ms" "see configure.log"; excerpt configure ;;
                   *) record configure FAIL "$step_ms" "cmake exit $step_rc; see configure.log"; excerpt configure ;; esac
fi

# ---- 3. build only what the run needs; -k 0 so one broken target does not stop the others.
targets=(weightinit_tests_gpu weightinit_bench weightinit_cli)
(( cpu_tests )) && targets+=(weightinit_tests_cpu)
(( py_module )) && targets+=(weightinit_python_core)
t=$(limit build)
if (( t == 0 )); then not_started build
else
  step build "$t" cmake --build "$build" -j "$jobs" --target "${targets[@]}" -- -k 0
  built=0
  for b in tests/weightinit_tests_gpu bench/weightinit_bench weightinit; do [ -x "$build/$b" ] && built=$((built + 1)); done
  case $step_rc in
    0) record build PASS "$step_ms" "${#targets[@]} targets, -j $jobs, $(grep -c '^\[' "$work/build.log") build edges" ;;
    124) record build TIMEOUT "$step_ms" "$built of 3 binaries built; see build.log"; excerpt build ;;
    *) record build FAIL "$step_ms" "ninja exit $step_rc, $built of 3 binaries built; first error: $(grep -m1 -E 'error|FAILED' "$work/build.log" | cut -c1-160)"; excerpt build ;;
  esac
fi
gpu_tests=$build/tests/weightinit_tests_gpu
bench=$build/bench/weightinit_bench

# ---- 4. the checks, side by side: nothing here is timed, so they may share the GPU and the cores.
# Each is bounded by the checks' limit; each is recorded as its own row.
t=$(limit checks)
bg=()
if (( t == 0 )); then :
else
  if selected gpu-tests && [ -x "$gpu_tests" ]; then
    step_bg gpu-tests "$t" "$gpu_tests" "--gtest_output=xml:$work/gpu-tests.xml"
    bg+=(gpu-tests)
  fi
  for tool in memcheck initcheck; do
    name=sanitizer-$tool
    selected "$name" && (( device )) && [ -n "$sanitizer" ] && [ -x "$gpu_tests" ] || continue
    for ((i = 0; i < shards; i++)); do
      # Small sizes (tests/gpu/gpu_test.hpp: up to 4097 elements; the 2^32-element test skips).
      step_bg "$name-$i" "$t" env WEIGHTINIT_GPU_TEST_SMALL=1 GTEST_TOTAL_SHARDS="$shards" GTEST_SHARD_INDEX="$i" \
        "$sanitizer" --tool "$tool" --error-exitcode 86 --print-limit 20 "$gpu_tests" \
        '--gtest_filter=-DeviceFillLarge.*' --gtest_brief=1 "--gtest_output=xml:$work/$name-$i.xml"
    done
    bg+=("$name")
  done
  if selected python-tests && [ -d "$root/python/tests" ]; then
    step_bg python-tests "$t" env "PYTHONPATH=$build/python:$root/python${PYTHONPATH:+:$PYTHONPATH}" \
      "WEIGHTINIT_BUILD_DIR=$build" PYTHONUNBUFFERED=1 "$python" -m pytest -q -p no:cacheprovider \
      "--junitxml=$work/python-tests.xml" "$root/python/tests"
    bg+=(python-tests)
  fi
  if (( cpu_tests )) && [ -z "$only" ] && [ -x "$build/tests/weightinit_tests_cpu" ]; then
    step_bg cpu-tests "$t" "$build/tests/weightinit_tests_cpu" --gtest_brief=1 "--gtest_output=xml:$work/cpu-tests.xml"
    bg+=(cpu-tests)
  fi
  (( ${#bg[@]} )) && say "checks side by side (limit ${t} s each): ${bg[*]}"
  wait
fi
# gpu-tests
if ! selected gpu-tests; then record gpu-tests SKIP 0 "not selected (--only $only)"
elif (( t == 0 )); then not_started gpu-tests
elif [ ! -x "$gpu_tests" ]; then record gpu-tests FAIL 0 "weightinit_tests_gpu not built"
else
  collect gpu-tests
  judge_tests gpu-tests "" "$work/gpu-tests.xml"
  publish "$work/gpu-tests.xml" gpu-tests.xml
fi
# the sanitizers: one row per tool over its shards
for tool in memcheck initcheck; do
  name=sanitizer-$tool
  if ! selected "$name"; then record "$name" SKIP 0 "not selected (--only $only)"; continue; fi
  if (( t == 0 )); then not_started "$name"; continue; fi
  if (( ! device )); then record "$name" SKIP 0 "skipped: no GPU listed"; continue; fi
  if [ -z "$sanitizer" ]; then record "$name" SKIP 0 "skipped: compute-sanitizer not found (unverified)"; continue; fi
  if [ ! -x "$gpu_tests" ]; then record "$name" FAIL 0 "weightinit_tests_gpu not built"; continue; fi
  rc=0 ms=0 xmls=()
  for ((i = 0; i < shards; i++)); do
    collect "$name-$i"
    (( step_rc == 124 )) && rc=124
    (( step_rc != 0 && rc == 0 )) && rc=$step_rc
    (( step_ms > ms )) && ms=$step_ms
    xmls+=("$work/$name-$i.xml")
  done
  errs=$(cat "$work/$name"-*.log 2>/dev/null | grep -o 'ERROR SUMMARY: [0-9]* error' | awk '{s += $3} END {print s + 0}')
  step_rc=$rc step_ms=$ms
  # Under the sanitizer too: a listed GPU on which no test ran is a failure, not "0 errors".
  (( errs > 0 )) && judge_fail=1
  judge_tests "$name" "$errs sanitizer errors ($shards shards side by side, time of the slowest); " "${xmls[@]}"
done
if ! selected python-tests; then record python-tests SKIP 0 "not selected (--only $only)"
elif [ ! -d "$root/python/tests" ]; then record python-tests SKIP 0 "no python/tests folder"
elif (( t == 0 )); then not_started python-tests
else
  collect python-tests
  if (( step_rc == 5 )); then record python-tests FAIL "$step_ms" "pytest collected no tests in python/tests"; excerpt python-tests
  else judge_tests python-tests "" "$work/python-tests.xml"; fi
fi
if (( cpu_tests )) && [ -z "$only" ]; then
  if (( t == 0 )); then not_started cpu-tests
  elif [ ! -x "$build/tests/weightinit_tests_cpu" ]; then record cpu-tests FAIL 0 "weightinit_tests_cpu not built"
  else collect cpu-tests; judge_tests cpu-tests "" "$work/cpu-tests.xml"; fi
fi

# ---- 5. timed steps, alone on the GPU and the cores, one after the other.
# bench_step NAME FILTER: weightinit_bench's cases through bench/report, JSON to OUT/NAME.json.
bench_step() {
  local name=$1 filter=$2 t
  t=$(limit "$name")
  if (( t == 0 )); then not_started "$name"; return; fi
  if [ ! -x "$bench" ]; then record "$name" FAIL 0 "weightinit_bench not built"; return; fi
  # bench/report stops the benchmark 15 s before the step's limit and still tabulates the cases
  # that finished (exit status 3), so a slow run keeps its figures.
  step "$name" "$t" "$python" "$root/bench/report" "$bench" "--benchmark_filter=$filter" \
    "--benchmark_min_time=$min_time" --out "$work/$name.json" --no-all --markdown "$work/$name.md" \
    --key-figures "$work/$name.key" --brief "$work/$name.brief" --time-limit $(( t - 15 ))
  publish "$work/$name.json" "$name.json"
  local key
  key=$(cat "$work/$name.key" 2>/dev/null || echo "no figures")
  case $step_rc in
    0) if [[ $key == *"case errors"* ]]; then record "$name" FAIL "$step_ms" "$key"
       else record "$name" PASS "$step_ms" "$key"; fi ;;
    3) record "$name" TIMEOUT "$step_ms" "$key" ;;
    124) record "$name" TIMEOUT "$step_ms" "killed at the ${t} s limit; partial JSON kept"; excerpt "$name" ;;
    *) if grep -q 'GPU cases not registered' "$work/$name.log" && (( device )); then
         record "$name" FAIL "$step_ms" "vacuous: nvidia-smi lists $gpu_count GPU(s) but weightinit_bench registered no GPU case: $(grep -m1 -o 'no CUDA device ([^)]*)' "$work/$name.log")"
       else
         record "$name" FAIL "$step_ms" "exit $step_rc: $(tail -1 "$work/$name.log" | cut -c1-160)"; excerpt "$name"
       fi ;;
  esac
  [ -s "$work/$name.brief" ] && sed 's/^/    /' "$work/$name.brief"
  return 0
}
if ! selected bench-gpu; then record bench-gpu SKIP 0 "not selected (--only $only)"
elif (( device )); then
  bench_step bench-gpu '^BM_GPU_'
  # bench.md now, from the GPU figures alone; the report step rewrites it over everything.
  publish "$work/bench-gpu.md" bench.md
else record bench-gpu SKIP 0 "no GPU listed: the GPU cases register only with a CUDA device"; fi

if ! selected peers; then record peers SKIP 0 "not selected (--only $only)"
elif ! command -v "$python" >/dev/null; then record peers SKIP 0 "skipped: $python not found"
else
  t=$(limit peers)
  if (( t == 0 )); then not_started peers
  else
    # peers.py starts no case after limit - 10 s, so it still writes its JSON.
    step peers "$t" env PYTHONUNBUFFERED=1 "PYTHONPATH=$build/python:$root/python${PYTHONPATH:+:$PYTHONPATH}" \
      "$python" "$root/bench/peers.py" --json "$work/peers.json" \
      --time-limit $(( t - 10 ))
    publish "$work/peers.json" peers.json
    key=$(grep '^peers:' "$work/peers.log" | tail -1 | sed 's/^peers: //')
    case $step_rc in
      0) if [[ $key == skipped* ]]; then
           # A listed GPU that the peers' frameworks cannot see is worth a FAIL: the same cause
           # would make our own GPU figures meaningless.
           if (( device )) && [[ $key == *"no CUDA device"* ]]; then record peers FAIL "$step_ms" "GPU listed but: $key"
           else record peers SKIP "$step_ms" "$key"; fi
         else record peers PASS "$step_ms" "$key"; fi ;;
      124) record peers TIMEOUT "$step_ms" "killed at the ${t} s limit; partial table in peers.log"; excerpt peers ;;
      *) record peers FAIL "$step_ms" "exit $step_rc: ${key:-$(tail -1 "$work/peers.log" | cut -c1-160)}"; excerpt peers ;;
    esac
  fi
fi

if ! selected bench-cpu; then record bench-cpu SKIP 0 "not selected (--only $only)"
else bench_step bench-cpu '^BM_CPU_'; fi

# ---- 6. one report over everything measured: OUT/bench.md.
if selected report; then
  jsons=()
  for f in "$work/bench-gpu.json" "$work/bench-cpu.json"; do [ -s "$f" ] && jsons+=(--json "$f"); done
  t=$(limit report)
  if (( ${#jsons[@]} == 0 )); then record report SKIP 0 "no benchmark JSON to tabulate"
  elif (( t == 0 )); then not_started report
  else
    peers_arg=()
    [ -s "$work/peers.json" ] && peers_arg=(--peers "$work/peers.json")
    step report "$t" "$python" "$root/bench/report" "${jsons[@]}" "${peers_arg[@]}" \
      --markdown "$work/bench.md" --key-figures "$work/report.key" --brief "$work/report.brief"
    if (( step_rc == 0 )); then
      publish "$work/bench.md" bench.md
      record report PASS "$step_ms" "bench.md: $(cat "$work/report.key" 2>/dev/null)"
    else record report FAIL "$step_ms" "exit $step_rc: $(tail -1 "$work/report.log" | cut -c1-160)"; excerpt report; fi
  fi
else record report SKIP 0 "not selected (--only $only)"; fi

# ---- 7. the final block (its 15 s are reserved by limit()): clocks after the run, the summary,
# the archive, and a check of the out folder against the device tool's rules.
if (( device )); then
  timeout -k 1 "$(bounded 5)" nvidia-smi -q -d CLOCK,PERFORMANCE,TEMPERATURE > "$work/nvidia-smi-end.txt" 2>&1 || true
fi
write_summary
archive
t0=$(date +%s%N)
n_files=$(find "$out" -type f | wc -l)
deep=$(find "$out" -mindepth 3 -type f | wc -l)
odd=$(find "$out" -type f -o -type d | sed "s|^$out||" | grep -c '[^A-Za-z0-9._/-]')
extra=$(find "$out" -maxdepth 1 -type f -printf '%f\n' | grep -cvxF -f <(printf '%s\n' "${out_files[@]}"))
if (( n_files <= 8 && deep == 0 && odd == 0 )); then
  record out-files PASS $(( ($(date +%s%N) - t0) / 1000000 )) "$n_files files (at most 8 come back), none deeper than 2 folders, names [A-Za-z0-9._-]$( (( extra )) && echo "; $extra not written by this run")"
else
  record out-files FAIL $(( ($(date +%s%N) - t0) / 1000000 )) "$n_files files, $deep too deep, $odd oddly named: the device tool would drop some"
fi

# ---- the tail of the output: the summary, then the benchmark digest, then the files.
echo
echo "==================== device check: summary ===================="
sed -n '/^| step/,$p' "$work/summary.md"
brief=""
for f in "$work/report.brief" "$work/bench-gpu.brief" "$work/bench-cpu.brief"; do
  [ -s "$f" ] && { brief=$f; break; }
done
if [ -n "$brief" ]; then
  echo
  echo "==================== benchmark digest (bench.md has every table) ===================="
  cat "$brief"
fi
echo
echo "==================== files in $out ===================="
(cd "$out" && find . -type f -printf '%P %s bytes\n' | sort)
echo "device-check: $( (( failed )) && echo FAILED || echo passed) in $(elapsed) s of ${budget} s"
exit $failed
