#!/usr/bin/env bash
# The project's whole test suite: installs the package with its test extra
# (swarm-safety 1.9.0 for the live parity tests) into the project's virtual
# environment .venv (created if missing, reused otherwise; nothing is
# installed outside it), then runs the core crate's cargo tests and pytest
# (extra arguments go to pytest). pytest's "no tests collected" (exit 5)
# fails like any other failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
setup_venv
install_project "[test]"
say "cargo test -p swarm-core"
cargo test --release -p swarm-core
say "pytest $*"
status=0
python -m pytest "$@" || status=$?
if [[ $status -eq 5 ]]; then
  echo "pytest collected no tests: failing" >&2
fi
exit $status
