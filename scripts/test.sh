#!/usr/bin/env bash
# The project's one test command (README: `npm test`): Solidity unit/fuzz/invariant
# tests through Hardhat, then the TypeScript suites through vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
npx hardhat test solidity
npx vitest run
