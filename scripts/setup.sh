#!/usr/bin/env bash
# Installs the Debian packages qnn builds with, and only those that are missing (no network when nothing is).
set -euo pipefail

packages=(cmake g++ make libgtest-dev libbenchmark-dev libcli11-dev nlohmann-json3-dev)
# The Python module (python/): pybind11, the headers and NumPy of Debian's /usr/bin/python3, pytest for `make test`.
packages+=(pybind11-dev python3-dev python3-numpy python3-pytest)
# MPI (docs/mpi.md): data-parallel training and the distributed state vector; qnn builds without it too.
packages+=(libopenmpi-dev openmpi-bin)
# `setup.sh --fuzz`: also Clang with libFuzzer and its OpenMP runtime (make fuzz).
if [[ ${1:-} == --fuzz ]]; then packages+=(clang libclang-rt-14-dev libomp-dev); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# OpenMP ships with g++ (libgomp); nothing else is needed at run time.
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "qnn setup: installing ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "qnn setup: run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
