#!/usr/bin/env bash
# Builds libzerogym_mujoco.so into artifacts/native/ against the installed MuJoCo (Debian's libmujoco-dev). Silent on
# success; on failure prints the build log and exits 1. Incremental: cmake rebuilds only what changed.
set -euo pipefail
source_dir=$(cd "$(dirname "$0")" && pwd)
output_dir=$(cd "$source_dir/../../../../.." && pwd)/artifacts/native
build_dir=$output_dir/build-mujoco
log=$output_dir/build-mujoco.log
mkdir -p "$output_dir"
: >"$log"

fail() {
  cat "$log" >&2
  echo "build.sh: building libzerogym_mujoco failed (log: $log)" >&2
  exit 1
}

if [[ ! -f $build_dir/CMakeCache.txt ]]; then
  cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_LIBRARY_OUTPUT_DIRECTORY="$output_dir" \
    >>"$log" 2>&1 || fail
fi

cmake --build "$build_dir" --parallel "$(nproc)" >>"$log" 2>&1 || fail
