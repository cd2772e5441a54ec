#!/usr/bin/env bash
# Measures nabla (//bench) against the reference programs of ../shared/anchors/
# (libtorch, oneDNN, NumPy) in one session on this machine, and prints per
# workload and thread count the ratio nabla / reference (> 1: nabla faster).
#
#   bash tools/compare_anchors.sh            # install, build, 2 passes at 1 and 2 threads (~20 min)
#   PASSES=1 THREADS=1 bash tools/compare_anchors.sh
#   bash tools/compare_anchors.sh --build    # install and build only
#   bash tools/compare_anchors.sh --table    # the table of the last run again
#
# Environment:
#   ANCHORS_DIR  the anchors' sources, only read (default: ../shared/anchors from the repository root)
#   WORK_DIR     binaries, raw outputs, results.tsv, run.log, table.txt (default: /tmp/nabla_compare_anchors)
#   BAZEL        the Bazel command, e.g. "bazel --output_base=/root/.cache/bazel_bench" (default: bazel)
#   PASSES       how often the whole suite runs; each cell keeps its best pass (default: 2)
#   THREADS      thread counts (default: "1 2")
#   WORKLOADS    a subset of: gemm conv op_overhead mlp_train mlp_infer cnn_train lstm_train dcgan_step
#
# Method: the anchors' own (see their README): per workload and thread count,
# nabla's benchmark then the references, one program at a time, each with
# OMP_NUM_THREADS set, so that both see the same machine state; the median
# of repetitions per program, the best of the passes per cell. libtorch and
# NumPy get run.sh's fastest BLAS set-up: OpenBLAS (OpenMP build) with its
# AVX-512 SkylakeX kernels forced on a CPU that has AVX-512 (OpenBLAS 0.3.21
# does not recognise the anchors' Xeon), and OpenBLAS's own choice on one that
# has not (SkylakeX kernels die there of an illegal instruction; on an AVX2
# AMD EPYC it picks its Zen kernels, as fast as oneDNN's sgemm).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ANCHORS_DIR=$(cd "${ANCHORS_DIR:-$ROOT/../shared/anchors}" && pwd)
WORK_DIR=${WORK_DIR:-${TMPDIR:-/tmp}/nabla_compare_anchors}
read -ra BAZEL_CMD <<<"${BAZEL:-bazel}"
PASSES=${PASSES:-2}
THREADS=${THREADS:-1 2}
WORKLOADS=${WORKLOADS:-gemm conv op_overhead mlp_train mlp_infer cnn_train lstm_train dcgan_step}

LIBDIR=/usr/lib/x86_64-linux-gnu
ANCHOR_ENV=("LD_LIBRARY_PATH=$LIBDIR/openblas-openmp")
grep -qw avx512f /proc/cpuinfo && ANCHOR_ENV+=(OPENBLAS_CORETYPE=SkylakeX)
PY=/usr/bin/python3  # Debian's, with python3-numpy
RESULTS=$WORK_DIR/results.tsv
LOG=$WORK_DIR/run.log
OURS=(mlp_benchmark cnn_benchmark lstm_benchmark dcgan_benchmark op_overhead_benchmark gemm_benchmark conv_benchmark)

install_missing() {
  local packages=(libtorch-dev libopenblas0-openmp libdnnl-dev libblas-dev python3-numpy g++ time) missing=() p
  for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== installing ${missing[*]}"
  # Other apt users may hold the lock for a while: wait rather than fail.
  apt-get -o DPkg::Lock::Timeout=600 update -q
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q "${missing[@]}"
}

# The anchors' build (run.sh's flags and libraries), into WORK_DIR/anchors;
# a binary newer than its source and anchor_util.h is kept.
build_anchor() {
  local out=$WORK_DIR/anchors/$1 src=$ANCHORS_DIR/$2
  shift 2
  if [ -x "$out" ] && [ "$out" -nt "$src" ] && [ "$out" -nt "$ANCHORS_DIR/anchor_util.h" ]; then return 0; fi
  echo "  building $(basename "$out")"
  g++ -O3 -march=native -std=c++17 -Wall "$src" -o "$out" "$@"
}

build_anchors() {
  mkdir -p "$WORK_DIR/anchors"
  echo "== building the anchors (g++ -O3 -march=native; ~20 s per libtorch program)"
  local torch=(-isystem /usr/include/torch/csrc/api/include -ltorch -ltorch_cpu -lc10) builds=() failed=0 p build
  for p in mlp_train mlp_infer cnn_train lstm_train dcgan_step op_overhead gemm_torch conv_torch; do
    builds+=("$p $p.cpp ${torch[*]}")
  done
  builds+=("gemm_dnnl gemm_dnnl.cpp -fopenmp -ldnnl -lblas" "conv_dnnl conv_dnnl.cpp -fopenmp -ldnnl")
  for build in "${builds[@]}"; do  # two compiles at a time: the machine has two cores
    while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n || failed=1; done
    # shellcheck disable=SC2086
    build_anchor $build &
  done
  while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || failed=1; done
  [ $failed -eq 0 ] || { echo "building the anchors failed" >&2; exit 1; }
}

# Copies the binaries out of bazel-bin, which a later build may replace mid-run.
build_ours() {
  local targets=() bin p
  for p in "${OURS[@]}"; do targets+=("//bench:$p"); done
  mkdir -p "$WORK_DIR/nabla"
  (cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo "(no git)") >"$WORK_DIR/nabla/version"
  echo "== building //bench (${BAZEL_CMD[*]} build -c opt)"
  (cd "$ROOT" && "${BAZEL_CMD[@]}" build -c opt "${targets[@]}")
  bin=$(cd "$ROOT" && "${BAZEL_CMD[@]}" info -c opt bazel-bin 2>/dev/null)
  for p in "${OURS[@]}"; do cp -f "$bin/bench/$p" "$WORK_DIR/nabla/"; done
}

busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

# timed THREADS OUT CMD...: runs CMD with OMP_NUM_THREADS=THREADS, stdout to
# OUT, stderr to the log; prints the cores other processes used meanwhile
# (machine busy time minus the program's own CPU time, per second).
timed() {
  local threads=$1 out=$2 b0 b1
  shift 2
  echo "-- [$threads thr] $*" >>"$LOG"
  b0=$(busy_ticks)
  /usr/bin/time -f '%e %U %S' -o "$WORK_DIR/.time" env OMP_NUM_THREADS="$threads" timeout 600 "$@" \
    >"$out" 2>>"$LOG" || echo "   FAILED: $*" | tee -a "$LOG" >&2
  b1=$(busy_ticks)
  awk -v b0="$b0" -v b1="$b1" -v hz="$(getconf CLK_TCK)" 'NR == 1 && $1 > 0 {
      o = ((b1 - b0) / hz - ($2 + $3)) / $1; printf "%.2f", (o < 0 ? 0 : o) }' "$WORK_DIR/.time"
}

# ours WORKLOAD THREADS PASS PROGRAM FAMILY: the program's benchmarks of FAMILY at THREADS.
ours() {
  local workload=$1 threads=$2 pass=$3 program=$4 family=$5 json=$WORK_DIR/.ours.json others
  others=$(timed "$threads" "$WORK_DIR/.out" "$WORK_DIR/nabla/$program" \
    "--benchmark_filter=^${family}[A-Za-z0-9]*/threads:$threads/" --benchmark_out="$json" --benchmark_out_format=json)
  cat "$WORK_DIR/.out" >>"$LOG"
  [ -s "$json" ] || return 0
  medians_of "$json" "$workload" "$pass" "$others" | tee -a "$RESULTS" | cut -f2-7 | sed 's/^/   /'
  rm -f "$json"
}

# Google Benchmark's JSON -> one results row per median counter:
# source, workload, variant (run name without thread count and method), threads, value, unit, pass, others.
medians_of() {
  "$PY" - "$@" <<'EOF'
import json, sys
path, workload, run_pass, others = sys.argv[1:]
method = ("threads", "min_time", "min_warmup_time", "repeats", "iterations", "real_time", "manual_time", "process_time")
fields = {"name", "family_index", "per_family_instance_index", "run_name", "run_type", "repetitions",
          "repetition_index", "threads", "aggregate_name", "aggregate_unit", "iterations", "real_time", "cpu_time",
          "time_unit", "label", "error_occurred", "error_message"}
for run in json.load(open(path))["benchmarks"]:
    if run.get("aggregate_name") != "median":
        continue
    parts = run["run_name"].split("/")
    threads = next(p.split(":")[1] for p in parts if p.startswith("threads:"))
    variant = "/".join(p for p in parts if p.split(":")[0] not in method)
    for unit, value in run.items():
        if unit not in fields:
            print("\t".join(["nabla", workload, variant, threads, "%.4g" % value, unit, run_pass, others]))
EOF
}

# anchor WORKLOAD THREADS PASS CMD...: an anchor program's RESULT rows.
anchor() {
  local workload=$1 threads=$2 pass=$3 others
  shift 3
  others=$(timed "$threads" "$WORK_DIR/.out" env "${ANCHOR_ENV[@]}" PYTHONDONTWRITEBYTECODE=1 "$@" --threads "$threads")
  cat "$WORK_DIR/.out" >>"$LOG"
  awk -v w="$workload" -v p="$pass" -v o="$others" 'BEGIN { FS = OFS = "\t" }
      /^RESULT/ { print "anchor", w, $3, $4, $5, $6, p, o }' "$WORK_DIR/.out" |
    tee -a "$RESULTS" | cut -f2-7 | sed 's/^/   /'
}

measure() {  # WORKLOAD THREADS PASS: nabla's benchmarks, then the references
  local w=$1 t=$2 p=$3 bin=$WORK_DIR/anchors
  echo "== pass $p, $w, $t thread(s)"
  case $w in
    gemm) ours "$w" "$t" "$p" gemm_benchmark BM_Matmul
      anchor "$w" "$t" "$p" "$bin/gemm_torch"
      anchor "$w" "$t" "$p" "$bin/gemm_dnnl" ;;
    conv) ours "$w" "$t" "$p" conv_benchmark BM_Conv2dForward
      anchor "$w" "$t" "$p" "$bin/conv_torch"
      anchor "$w" "$t" "$p" "$bin/conv_dnnl" ;;
    op_overhead) ours "$w" "$t" "$p" op_overhead_benchmark BM_
      anchor "$w" "$t" "$p" "$bin/op_overhead" ;;
    mlp_train) ours "$w" "$t" "$p" mlp_benchmark BM_MlpTrain
      anchor "$w" "$t" "$p" "$bin/mlp_train"
      anchor "$w" "$t" "$p" "$PY" "$ANCHORS_DIR/mlp_train_numpy.py" ;;
    mlp_infer) ours "$w" "$t" "$p" mlp_benchmark BM_MlpInfer
      anchor "$w" "$t" "$p" "$bin/mlp_infer" ;;
    cnn_train) ours "$w" "$t" "$p" cnn_benchmark BM_CnnTrain
      anchor "$w" "$t" "$p" "$bin/cnn_train"
      anchor "$w" "$t" "$p" "$PY" "$ANCHORS_DIR/cnn_train_numpy.py" ;;
    lstm_train) ours "$w" "$t" "$p" lstm_benchmark BM_LstmTrain
      anchor "$w" "$t" "$p" "$bin/lstm_train" ;;
    dcgan_step) ours "$w" "$t" "$p" dcgan_benchmark BM_DcganStep
      anchor "$w" "$t" "$p" "$bin/dcgan_step" ;;
    *) echo "unknown workload $w" >&2; exit 1 ;;
  esac
}

run_all() {
  : >"$RESULTS"
  { echo "# compare_anchors $(date -u +%FT%TZ) on $(hostname), $(nproc) CPUs, anchors from $ANCHORS_DIR"
    echo "# nabla built from $(cat "$WORK_DIR/nabla/version")"; } >"$LOG"
  local p w t
  for p in $(seq 1 "$PASSES"); do
    for w in $WORKLOADS; do
      for t in $THREADS; do measure "$w" "$t" "$p"; done
    done
  done
}

print_table() {
  "$PY" - "$RESULTS" <<'EOF' | tee "$WORK_DIR/table.txt"
import collections, sys

# workload, nabla's variant (benchmark without thread count), unit, shown as, [(reference, anchor variant)].
# An anchor variant ending in " [" matches by prefix (conv_dnnl appends the implementation).
ROWS = [
    *[("gemm", f"BM_Matmul/shape:{i}", "GFLOP/s", s, [("libtorch", f"torch::matmul {s}"), ("dnnl_sgemm", f"dnnl_sgemm {s}")])
      for i, s in enumerate(["sq256", "sq1024", "sq2048", "64x784x256"])],
    *[("conv", f"BM_Conv2dForward/shape:{i}", "GFLOP/s", s,
       [("libtorch", f"torch::conv2d {s}"), ("oneDNN blocked", f"dnnl blocked {s} [")]) for i, s in enumerate(["conv1", "conv2"])],
    ("op_overhead", "BM_AddGradForward", "ns/op", "add_grad_fwd", [("libtorch", "add_grad_fwd")]),
    ("op_overhead", "BM_AddNoGradForward", "ns/op", "add_nograd_fwd", [("libtorch", "add_nograd_fwd")]),
    ("op_overhead", "BM_AddTensorForward", "ns/op", "add on nabla::Tensor", [("libtorch", "add_nograd_fwd")]),
    ("op_overhead", "BM_Chain100", "us/chain", "chain100_fwd_bwd", [("libtorch", "chain100_fwd_bwd")]),
    ("op_overhead", "BM_Chain100", "ns/op", "chain100_fwd_bwd per op", [("libtorch", "chain100_fwd_bwd per op")]),
    ("mlp_train", "BM_MlpTrain/batch:64", "samples/s", "b64", [("libtorch", "libtorch b64"), ("numpy", "numpy b64")]),
    ("mlp_train", "BM_MlpTrain/batch:256", "samples/s", "b256", [("libtorch", "libtorch b256")]),
    ("mlp_infer", "BM_MlpInferLatency", "us", "b1 latency", [("libtorch", "libtorch b1 latency")]),
    ("mlp_infer", "BM_MlpInferThroughput", "samples/s", "b256", [("libtorch", "libtorch b256")]),
    ("cnn_train", "BM_CnnTrain/variant:0", "samples/s", "b64 plain",
     [("libtorch", "libtorch b64 plain"), ("numpy", "numpy b64 plain (im2col)")]),
    ("cnn_train", "BM_CnnTrain/variant:1", "samples/s", "b64 bn_dropout", [("libtorch", "libtorch b64 bn_dropout")]),
    ("lstm_train", "BM_LstmTrain", "seq/s", "seq32 b32 h128", [("libtorch", "libtorch seq32 b32 h128")]),
    ("dcgan_step", "BM_DcganStep", "steps/s", "b64 D+G", [("libtorch", "libtorch b64 D+G")]),
]

def lower_is_better(unit):
    return unit in ("us", "us/chain") or unit.startswith("ns")

best = {}  # (source, workload, variant, unit, threads) -> (value, other processes' cores)
threads_seen = set()
for line in open(sys.argv[1]):
    source, workload, variant, threads, value, unit, _, others = line.rstrip("\n").split("\t")
    key, value = (source, workload, variant, unit, threads), float(value)
    threads_seen.add(threads)
    if key not in best or (value < best[key][0] if lower_is_better(unit) else value > best[key][0]):
        best[key] = (value, float(others or 0))

def lookup(source, workload, variant, unit, threads):
    for (s, w, v, u, t), cell in best.items():
        if (s, w, u, t) == (source, workload, unit, threads) and (v == variant or (variant.endswith("[") and v.startswith(variant))):
            return cell
    return None

def shown(cell):
    return "-" if cell is None else "%.4g%s" % (cell[0], "*" if cell[1] > 0.05 else "")

threads = sorted(threads_seen, key=int)
print("ratio = nabla / reference for rates, reference / nabla for times: > 1 means nabla is faster.")
print("Each cell: the best pass's median; * = other processes used > 0.05 cores meanwhile.")
header = "%-11s %-24s %-9s %-14s" % ("workload", "variant", "unit", "reference")
for t in threads:
    header += " | %11s %11s %6s" % (f"nabla {t}thr", f"ref {t}thr", "ratio")
print(header)
for workload, ours, unit, label, references in ROWS:
    for reference, variant in references:
        cells = [(lookup("nabla", workload, ours, unit, t), lookup("anchor", workload, variant, unit, t)) for t in threads]
        if not any(mine or theirs for mine, theirs in cells):
            continue  # a workload left out of this run
        row = "%-11s %-24s %-9s %-14s" % (workload, label, unit, reference)
        for mine, theirs in cells:
            ratio = "-"
            if mine and theirs and mine[0] > 0 and theirs[0] > 0:
                ratio = "%.2fx" % (theirs[0] / mine[0] if lower_is_better(unit) else mine[0] / theirs[0])
            row += " | %11s %11s %6s" % (shown(mine), shown(theirs), ratio)
        print(row)
EOF
}

case "${1:-}" in
  --table) [ -s "$RESULTS" ] || { echo "no results in $WORK_DIR yet" >&2; exit 1; }; print_table ;;
  --build) install_missing; build_anchors; build_ours ;;
  "")
    start=$(date +%s)
    install_missing
    build_anchors
    build_ours
    run_all
    echo
    print_table
    echo "(total $(( $(date +%s) - start )) s; every measurement in $RESULTS, all output in $LOG)"
    ;;
  *) sed -n '2,17p' "$0" >&2; exit 2 ;;
esac
