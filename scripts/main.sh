#!/usr/bin/env bash
# The main job: install, run one paper scenario, then regenerate the paper's
# tables and plots into paper_out/. (`python3 -m swarm_fast` is the
# `swarm-fast` command, without relying on the console script being on PATH.)
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet ".[plot]"
python3 -m swarm_fast run baseline --seed 42 --epochs 20 --steps 15
python3 -m swarm_fast paper --out paper_out
