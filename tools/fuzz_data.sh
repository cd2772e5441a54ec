#!/usr/bin/env bash
# Fuzzes the IDX and CSV parsers of //data with libFuzzer for a bounded time:
#   bash tools/fuzz_data.sh [SECONDS]      (default 60)
# Builds data/fuzz_parsers.cc outside Bazel (whose GCC toolchain has no
# libFuzzer) with clang -fsanitize=fuzzer,address,undefined; needs Debian's
# clang and libclang-rt-14-dev. Exits non-zero when the fuzzer finds a crash,
# leaving the input that caused it in the work directory it prints.
set -euo pipefail

seconds="${1:-60}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${TMPDIR:-/tmp}/nabla-fuzz-data"
mkdir -p "$work/corpus"
cd "$repo"

for tool in clang++ gzip; do
  command -v "$tool" >/dev/null || { echo "fuzz_data.sh: needs $tool: apt-get install clang libclang-rt-14-dev" >&2; exit 1; }
done

# The parsers and the tensor library under them (not its tests or benchmarks).
mapfile -t sources < <(ls data/fuzz_parsers.cc data/csv.cc data/idx.cc data/internal/file_io.cc \
  tensor/*.cc tensor/internal/*.cc 2>/dev/null | grep -v -e '_test\.cc$' -e '_benchmark\.cc$')
echo "fuzz_data: building $work/fuzz_parsers"
clang++ -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -I. -isystem /usr/include/eigen3 "${sources[@]}" -o "$work/fuzz_parsers" -lz -ldnnl

# Seeds: the first byte picks the parser (see data/fuzz_parsers.cc).
printf '\x00\x00\x00\x08\x03\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x02\x01\x02\x03\x04' > "$work/corpus/idx-images"
printf '\x01\x00\x00\x08\x01\x00\x00\x00\x02\x07\x09' > "$work/corpus/idx-labels"
printf '\x02a,"b c",label\n1.5,-2e3,cat\n3,4,dog\n' > "$work/corpus/csv"
printf '\x033;1;2\r\n4;5;6\r\n' > "$work/corpus/csv-no-header"
printf '\x042,2,x,y\n1,2,0\n3,4,1\n' > "$work/corpus/sklearn"
{ printf '\x00'; printf '\x00\x00\x08\x01\x00\x00\x00\x01\x05' | gzip -c; } > "$work/corpus/idx-gzip"

echo "fuzz_data: fuzzing for ${seconds}s"
cd "$work"
./fuzz_parsers -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=2048 -print_final_stats=1 corpus
