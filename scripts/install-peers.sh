#!/usr/bin/env bash
# Installs the Debian packages the side-by-side benchmarks (and the safetensors check in the tests) compare against:
# PyTorch (python3-torch), numpy (python3-numpy) and OpenBLAS (libopenblas0-pthread; without it PyTorch and numpy use
# the reference BLAS, about 1 GFLOP/s). Does nothing when they are there; needs root (or prints the command).
set -euo pipefail
missing=()
/usr/bin/python3 -c 'import torch' 2>/dev/null || missing+=(python3-torch)
/usr/bin/python3 -c 'import numpy' 2>/dev/null || missing+=(python3-numpy)
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || missing+=(libopenblas0-pthread)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "hypha: installing ${missing[*]} (apt-get)..." >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } >&2
else
  echo "hypha: missing ${missing[*]}; run: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
