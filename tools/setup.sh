#!/usr/bin/env bash
# Installs everything nabla's build, tests, examples and benchmarks need on a
# Debian 12 machine, as root. Idempotent: a second run installs nothing and
# finishes in a second or two.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
case "${1:-}" in
  -h|--help)  # before anything is installed
    echo "usage: bash tools/setup.sh [--data_dir DIR]   (the options go to fetch_data.sh:)"
    bash "$here/fetch_data.sh" --help
    exit 0 ;;
esac

packages=(
  bazel-bootstrap     # Bazel 4.2.3, WORKSPACE mode
  g++
  python3             # .ci/run reads the test results with it
  libeigen3-dev       # Eigen: fallback kernels, vectorised element-wise math
  libdnnl-dev         # oneDNN 2.6: GEMM and, later, convolution primitives
  libgtest-dev
  libgmock-dev
  libbenchmark-dev
  libstb-dev          # stb_image: image files
  zlib1g-dev          # gzip-compressed IDX files
  nlohmann-json3-dev  # nlohmann/json: safetensors headers (//checkpoint), MNIST JSON (//data)
  libgflags-dev       # the examples' command-line flags
  libabsl-dev         # absl::InlinedVector: tensor shapes without heap allocations
  gnuplot-nox         # the examples' loss and accuracy curves (PNG)
  clang               # libFuzzer targets of the parsers (tools/fuzz_data.sh)
  libclang-rt-14-dev
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  ((EUID == 0)) || { echo "setup: run as root to install ${missing[*]}" >&2; exit 1; }
  apt-get update -q ||
    { echo "setup: apt-get update failed; check the network and the sources in /etc/apt" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" ||
    { echo "setup: apt-get install failed for: ${missing[*]}" >&2; exit 1; }
else
  echo "setup: all ${#packages[@]} packages already installed"
fi

if [[ -f "$here/fetch_data.sh" ]]; then
  bash "$here/fetch_data.sh" "$@"
fi
echo "setup: done"
