#!/usr/bin/env bash
# tools/gather-deps.sh: copies what the build needs from this machine's Debian packages into the
# git-ignored folder .deps/, for a machine that has CUDA, CMake and ninja but no package registry
# (a lent GPU machine): GoogleTest's sources, Google Benchmark (headers, shared library, CMake
# config), CLI11 and nlohmann-json (headers, CMake configs), and with --with-openblas OpenBLAS for
# the demo. Run it here, then pass .deps along (the device tool's carry: [".deps"]);
# tools/device-check.sh uses it.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
deps=$root/.deps
with_openblas=0
for arg in "$@"; do
  case $arg in
    --with-openblas) with_openblas=1 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "gather-deps: unknown argument '$arg' (expected --with-openblas)" >&2; exit 2 ;;
  esac
done

arch=$(gcc -print-multiarch 2>/dev/null || true)
arch=${arch:-x86_64-linux-gnu}
lib=/usr/lib/$arch

need() {  # need PATH PACKAGE: fail clearly when a package is not installed here
  [ -e "$1" ] || { echo "gather-deps: $1 is missing; apt-get install $2" >&2; exit 1; }
}
need /usr/src/googletest/CMakeLists.txt libgtest-dev
need /usr/include/benchmark/benchmark.h libbenchmark-dev
need "$lib/cmake/benchmark/benchmarkConfig.cmake" libbenchmark-dev
need /usr/include/CLI/CLI.hpp libcli11-dev
need /usr/share/cmake/CLI11/CLI11Config.cmake libcli11-dev
need /usr/include/nlohmann/json.hpp nlohmann-json3-dev
need /usr/share/cmake/nlohmann_json/nlohmann_jsonConfig.cmake nlohmann-json3-dev

rm -rf "$deps"
mkdir -p "$deps/usr/include" "$deps/usr/lib/$arch/cmake" "$deps/usr/share/cmake"

# GoogleTest as sources: built there with whatever compiler that machine has
# (tests/CMakeLists.txt: WEIGHTINIT_GTEST_SOURCE_DIR).
cp -r /usr/src/googletest "$deps/googletest"

# Google Benchmark: the /usr layout is kept, so its CMake config finds its prefix four folders up.
# Real files, no links: the shared library under every name the build or the loader asks for.
cp -r /usr/include/benchmark "$deps/usr/include/"
for f in "$lib"/libbenchmark.so* "$lib"/libbenchmark_main.a; do cp -L "$f" "$deps/usr/lib/$arch/"; done
cp -r "$lib/cmake/benchmark" "$deps/usr/lib/$arch/cmake/"

# CLI11: header-only; its config finds its prefix three folders up (share/cmake/CLI11).
cp -r /usr/include/CLI "$deps/usr/include/"
cp -r /usr/share/cmake/CLI11 "$deps/usr/share/cmake/"

# nlohmann-json (model_io/: the tool's init-model, the tests, the Python module): header-only, its
# config finds its prefix three folders up too. About 1 MB.
cp -r /usr/include/nlohmann "$deps/usr/include/"
cp -r /usr/share/cmake/nlohmann_json "$deps/usr/share/cmake/"

if [ "$with_openblas" = 1 ]; then
  # The demo (examples/demo) finds OpenBLAS with FindBLAS and cblas.h with find_path. The library
  # needs libgfortran and libquadmath at run time; tools/device-check.sh puts this folder on
  # LD_LIBRARY_PATH. About 40 MB.
  need "$lib/openblas-pthread/libopenblas.so" libopenblas-dev
  mkdir -p "$deps/usr/include/$arch"
  cp -r "/usr/include/$arch/openblas-pthread" "$deps/usr/include/$arch/"
  cp -L "$lib/openblas-pthread/libopenblas.so" "$deps/usr/lib/$arch/libopenblas.so.0"
  ln -s libopenblas.so.0 "$deps/usr/lib/$arch/libopenblas.so"
  cp -L "$lib/libgfortran.so.5" "$lib/libquadmath.so.0" "$deps/usr/lib/$arch/"
fi

# nanobind (pure sources and a CMake config) for the Python module (python/), from whichever Python
# here has it (pip install nanobind in a venv: WEIGHTINIT_NANOBIND_PYTHON=<venv>/bin/python).
nanobind_note="nanobind no"
for py in ${WEIGHTINIT_NANOBIND_PYTHON:-} python3 /usr/bin/python3; do
  nb_cmake=$("$py" -m nanobind --cmake_dir 2>/dev/null) || continue
  cp -r "$(dirname "$nb_cmake")" "$deps/nanobind"
  nanobind_note="nanobind $("$py" -c 'import nanobind; print(nanobind.__version__)')"
  break
done

{
  echo "# .deps: gathered by tools/gather-deps.sh on $(hostname) at $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "arch $arch"
  echo "googletest $(sed -n 's/^set(GOOGLETEST_VERSION \(.*\))/\1/p' /usr/src/googletest/CMakeLists.txt)"
  echo "benchmark $(sed -n 's/^set(PACKAGE_VERSION "\(.*\)")/\1/p' "$lib/cmake/benchmark/benchmarkConfigVersion.cmake")"
  echo "CLI11 $(sed -n 's/^set(PACKAGE_VERSION "\(.*\)")/\1/p' /usr/share/cmake/CLI11/CLI11ConfigVersion.cmake)"
  [ "$with_openblas" = 1 ] && echo "openblas yes" || echo "openblas no"
  echo "$nanobind_note"
} > "$deps/MANIFEST"
cat "$deps/MANIFEST"
echo "gather-deps: $(du -sh "$deps" | cut -f1) in $deps"
