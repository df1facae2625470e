#!/usr/bin/env bash
# Installs Gale's build and test dependencies from Debian 12 packages.
# Idempotent: does nothing (and needs no root) when every package is present.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config clang-format
  # RPC and serialization
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  # storage
  libsqlite3-dev libpqxx-dev
  # HTTP, config, metrics, logging, JSON, CLI, crypto
  libcpp-httplib-dev libyaml-cpp-dev prometheus-cpp-dev libspdlog-dev libfmt-dev
  nlohmann-json3-dev libcli11-dev libssl-dev zlib1g-dev
  # the S3 gateway: checksums with ISA-L (CRC32C) and Boost.CRC (CRC64/NVME),
  # XML request bodies with pugixml
  libisal-dev libboost-dev libpugixml-dev
  # tests (openssl: scripts/gen-dev-certs.sh for the TLS tests; prometheus:
  # promtool for the alert rules; awscli: the S3 gateway's client tests)
  libgtest-dev libgmock-dev openssl shellcheck prometheus awscli
  # PostgreSQL server for the metadata store tests
  postgresql
)

# `install-deps.sh --fuzz` (make fuzz) also installs clang and libFuzzer.
if [ "${1:-}" = "--fuzz" ]; then
  PACKAGES+=(clang libclang-rt-14-dev)
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-deps: missing packages and not root (no sudo): ${missing[*]}" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
