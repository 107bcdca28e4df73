#!/usr/bin/env bash
# Set-up on a fresh machine (README: `bash scripts/setup.sh`): Debian's nats-server for the
# compute pool's JetStream transport and its tests, when it is not there yet, then the npm
# packages the lockfile pins. Nothing else is downloaded, now or at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v nats-server >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server
  else
    echo "setup: nats-server is missing and this user cannot apt-get install it; install Debian's nats-server package" >&2
    exit 1
  fi
fi
npm install --no-audit --no-fund
