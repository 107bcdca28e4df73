#!/usr/bin/env bash
# Set-up on a fresh machine (README: `bash scripts/setup.sh`): Debian's nats-server (the compute
# pool's JetStream transport and its tests), openssl (the local RFC 3161 time-stamping authority)
# chromium (the Forge page's browser tests, driven by playwright-core: no browser download) and
# curl (the README's by-hand walk calls the gateway with it), when they are not there yet, then the npm packages the lockfile pins. Nothing else is
# downloaded, now or at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v nats-server >/dev/null 2>&1 || missing+=(nats-server)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  else
    echo "setup: ${missing[*]} missing and this user cannot apt-get install them; install these Debian packages" >&2
    exit 1
  fi
fi
npm install --no-audit --no-fund
