#!/usr/bin/env bash
# Builds libzerogym_torch.so into artifacts/native/. Silent on success; on failure prints the build log and exits 1.
# LIBTORCH_DIR: a libtorch folder to build against instead of Debian's libtorch-dev (for example the torch/ folder
# of a CUDA PyTorch wheel). Incremental: cmake rebuilds only what changed.
set -euo pipefail
source_dir=$(cd "$(dirname "$0")" && pwd)
output_dir=$(cd "$source_dir/../../../.." && pwd)/artifacts/native
build_dir=$output_dir/build
log=$output_dir/build.log
mkdir -p "$output_dir"
: >"$log"

fail() {
  cat "$log" >&2
  echo "build.sh: building libzerogym_torch failed (log: $log)" >&2
  exit 1
}

libtorch=${LIBTORCH_DIR:-}
if [[ -n $libtorch ]]; then
  [[ -d $libtorch ]] || { echo "build.sh: LIBTORCH_DIR=$libtorch is not a directory" >&2; exit 1; }
  libtorch=$(cd "$libtorch" && pwd)
fi

# Configure once per libtorch: a cmake cache remembers the first Torch it found, so another one needs a fresh build
# folder. The folder records which libtorch it was configured for.
if [[ ! -f $build_dir/libtorch-dir || $(<"$build_dir/libtorch-dir") != "$libtorch" ]]; then
  rm -rf "$build_dir"
  cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_LIBRARY_OUTPUT_DIRECTORY="$output_dir" \
    -DLIBTORCH_DIR="$libtorch" >>"$log" 2>&1 || fail
  echo "$libtorch" >"$build_dir/libtorch-dir"
fi

cmake --build "$build_dir" --parallel "$(nproc)" >>"$log" 2>&1 || fail
