#!/usr/bin/env bash
# Installs Gale's build and test dependencies from Debian 12 packages.
# Idempotent: does nothing (and needs no root) when every package is present.
# Also installs the tests' npm packages (scripts/install-npm-test-deps.sh).
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config clang-format
  # RPC and serialization
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  # storage
  libsqlite3-dev libpqxx-dev
  # the coordinator's allocator (tcmalloc, see common/allocator.h)
  libgoogle-perftools-dev
  # HTTP, config, metrics, logging, JSON, CLI, crypto
  libcpp-httplib-dev libyaml-cpp-dev prometheus-cpp-dev libspdlog-dev libfmt-dev
  nlohmann-json3-dev libcli11-dev libssl-dev zlib1g-dev
  # the S3 gateway: checksums with ISA-L (CRC32C) and Boost.CRC (CRC64/NVME),
  # XML request bodies with pugixml
  libisal-dev libboost-dev libpugixml-dev
  # tests (openssl: scripts/gen-dev-certs.sh for the TLS tests; prometheus:
  # promtool for the alert rules; the S3 gateway's client tests: awscli,
  # boto3, s3cmd, rclone, restic, and Node.js with npm for the AWS SDK for
  # JavaScript, see scripts/install-npm-test-deps.sh)
  libgtest-dev libgmock-dev openssl shellcheck prometheus awscli
  python3-boto3 s3cmd rclone restic nodejs npm
  # PostgreSQL server for the metadata store tests
  postgresql
)

# `install-deps.sh --fuzz` (make fuzz) also installs clang and libFuzzer.
if [ "${1:-}" = "--fuzz" ]; then
  PACKAGES+=(clang libclang-rt-14-dev)
fi

# A Node.js installed from outside Debian (NodeSource's nodejs, as on the CI
# machines) bundles its own npm and conflicts with Debian's npm package: where
# /usr/bin/node and /usr/bin/npm are both there, they are used as they are.
have_node=0
if [ -x /usr/bin/node ] && [ -x /usr/bin/npm ]; then have_node=1; fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  if [ "$have_node" = 1 ] && { [ "$pkg" = nodejs ] || [ "$pkg" = npm ]; }; then continue; fi
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

# The tests' npm packages (pinned in tests/js/package-lock.json), once npm is
# there. Skipped where the script is absent (docker/Dockerfile copies only this
# one).
npm_test_deps() {
  local script
  script="$(dirname "$0")/install-npm-test-deps.sh"
  if [ -x "$script" ]; then "$script"; fi
}

if [ ${#missing[@]} -eq 0 ]; then
  npm_test_deps
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
npm_test_deps
