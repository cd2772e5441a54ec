#!/usr/bin/env bash
# Fuzzes the safetensors parser of //checkpoint with libFuzzer for a bounded
# time:
#   bash checkpoint/fuzz_safetensors.sh [SECONDS]      (default 60)
# Builds checkpoint/fuzz_safetensors.cc outside Bazel (whose GCC toolchain
# has no libFuzzer) with clang -fsanitize=fuzzer,address,undefined; needs
# Debian's clang and libclang-rt-14-dev. Exits non-zero when the fuzzer
# finds a crash, leaving the input that caused it in the work directory it
# prints.
set -euo pipefail

seconds="${1:-60}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${TMPDIR:-/tmp}/nabla-fuzz-safetensors"
mkdir -p "$work/corpus"
cd "$repo"

command -v clang++ >/dev/null || { echo "fuzz_safetensors.sh: needs clang++: apt-get install clang libclang-rt-14-dev" >&2; exit 1; }

# The parser, the file reading under it (//io, with zlib) and the tensor
# library (not their tests or benchmarks). Built without -fopenmp, so the
# loops run serially; the tensor library's omp_* calls link to libgomp.
mapfile -t sources < <(ls checkpoint/fuzz_safetensors.cc checkpoint/safetensors.cc checkpoint/internal/json_structure.cc \
  io/file.cc tensor/*.cc tensor/internal/*.cc | grep -v -e '_test\.cc$' -e '_benchmark\.cc$')
echo "fuzz_safetensors: building $work/fuzz_safetensors"
clang++ -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -I. -isystem /usr/include/eigen3 "${sources[@]}" -o "$work/fuzz_safetensors" -ldnnl -lz -lgomp

# Seeds: small valid files (8-byte little-endian header length, JSON header
# padded with spaces, data).
seed() {  # seed NAME HEADER DATA-printf-escapes
  local header="$2"
  local length=${#header}
  printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x\\x00\\x00\\x00\\x00' $((length & 255)) $((length >> 8 & 255)) \
    $((length >> 16 & 255)) $((length >> 24 & 255)))" > "$work/corpus/$1"
  printf '%s' "$header" >> "$work/corpus/$1"
  printf "$3" >> "$work/corpus/$1"
}
seed known '{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I64","shape":[],"data_offsets":[8,16]}}    ' \
  '\x00\x00\x80\x3f\x00\x00\x00\xc0\x07\x00\x00\x00\x00\x00\x00\x00'
seed f64 '{"c":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}} ' '\0\0\0\0\0\0\xe0\x3f\0\0\0\0\0\0\xf4\xbf'
seed empties '{"e":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]},"s":{"dtype":"I64","shape":[],"data_offsets":[0,8]}}' \
  '\x01\x00\x00\x00\x00\x00\x00\x00'
seed empty '{}      ' ''

echo "fuzz_safetensors: fuzzing for ${seconds}s"
cd "$work"
./fuzz_safetensors -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=2048 -print_final_stats=1 corpus
