#!/usr/bin/env bash
# Runs every libFuzzer target of a GALE_FUZZ build for a bounded time each,
# starting from the seeds in tests/fuzz/corpus/NAME and keeping what it finds
# in BUILD/fuzz-corpus/NAME. A crash, leak or timeout stops it with the
# input saved as BUILD/fuzz-artifacts/NAME-*; exit status non-zero.
#
#   scripts/run-fuzzers.sh BUILD_DIR SECONDS_PER_TARGET
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:?usage: $0 BUILD_DIR SECONDS}
seconds=${2:?usage: $0 BUILD_DIR SECONDS}
status=0
for seeds in tests/fuzz/corpus/*/; do
  name=$(basename "$seeds")
  fuzzer="$build/bin/gale_fuzz_$name"
  if [ ! -x "$fuzzer" ]; then
    echo "run-fuzzers: $fuzzer is missing (build target gale_fuzzers)" >&2
    exit 1
  fi
  mkdir -p "$build/fuzz-corpus/$name" "$build/fuzz-artifacts"
  # The shipped example is a seed of the config target too.
  if [ "$name" = config ]; then cp config.yaml.example "$build/fuzz-corpus/$name/"; fi
  echo "== $name: ${seconds}s"
  if ! "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$build/fuzz-artifacts/$name-" \
      "$build/fuzz-corpus/$name" "$seeds"; then
    echo "run-fuzzers: $name found a failing input (see $build/fuzz-artifacts/)" >&2
    status=1
  fi
done
exit $status
