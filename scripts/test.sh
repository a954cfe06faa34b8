#!/usr/bin/env bash
# The project's whole test suite: builds and installs the package with its
# test extra (swarm-safety 1.9.0 for the live parity tests), then runs the
# core crate's cargo tests and pytest. pytest's "no tests collected" (exit
# 5) fails like any other failure.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --upgrade pip
python3 -m pip install --quiet ".[test]"
cargo test --release -p swarm-core
status=0
python3 -m pytest "$@" || status=$?
if [[ $status -eq 5 ]]; then
  echo "pytest collected no tests: failing" >&2
fi
exit $status
