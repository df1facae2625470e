#!/usr/bin/env bash
# Installs the npm packages of the S3 gateway's client tests (the AWS SDK for
# JavaScript v3, pinned by tests/js/package-lock.json) into tests/js/node_modules
# (gitignored). Run by scripts/install-deps.sh. Idempotent: with that lock
# already installed it does nothing and uses no network.
set -euo pipefail
cd "$(dirname "$0")/../tests/js"

stamp=node_modules/.gale-installed-lock
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "install-npm-test-deps: npm not found (scripts/install-deps.sh installs it)" >&2
  exit 1
fi

echo "install-npm-test-deps: installing tests/js/package-lock.json"
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
echo "$lock_sum" >"$stamp"
