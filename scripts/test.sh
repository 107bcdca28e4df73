#!/usr/bin/env bash
# The project's one test command (README: `npm test`): Solidity unit/fuzz/invariant tests
# through Hardhat, then the TypeScript suites through vitest, then one closing line that
# totals both ("N passed, N failed"). Exits non-zero if either runner failed.
set -uo pipefail
cd "$(dirname "$0")/.."
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

npx hardhat test solidity 2>&1 | tee "$logs/sol.txt"
sol_rc=${PIPESTATUS[0]}
npx vitest run 2>&1 | tee "$logs/ts.txt"
ts_rc=${PIPESTATUS[0]}

strip() { sed -r 's/\x1B\[[0-9;]*[A-Za-z]//g' "$1"; }
sol_pass=$(strip "$logs/sol.txt" | grep -Eo '^ *[0-9]+ passing' | grep -Eo '[0-9]+' | tail -1)
sol_fail=$(strip "$logs/sol.txt" | grep -Eo '^ *[0-9]+ failing' | grep -Eo '[0-9]+' | tail -1)
ts_line=$(strip "$logs/ts.txt" | grep -E '^ *Tests ' | tail -1)
ts_pass=$(echo "$ts_line" | grep -Eo '[0-9]+ passed' | grep -Eo '[0-9]+')
ts_fail=$(echo "$ts_line" | grep -Eo '[0-9]+ failed' | grep -Eo '[0-9]+')
ts_skip=$(echo "$ts_line" | grep -Eo '[0-9]+ skipped' | grep -Eo '[0-9]+')
passed=$(( ${sol_pass:-0} + ${ts_pass:-0} ))
failed=$(( ${sol_fail:-0} + ${ts_fail:-0} ))
echo
echo "solidity: ${sol_pass:-0} passed, ${sol_fail:-0} failed (exit $sol_rc); typescript: ${ts_pass:-0} passed, ${ts_fail:-0} failed, ${ts_skip:-0} skipped (exit $ts_rc)"
echo "Tests: $passed passed, $failed failed"
if [ "$sol_rc" -ne 0 ] || [ "$ts_rc" -ne 0 ]; then exit 1; fi
