#!/usr/bin/env bash
# The main job: install, run one paper scenario, then regenerate the paper's
# tables and plots into paper_out/.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet ".[plot]"
swarm-fast run baseline --seed 42 --epochs 20 --steps 15
swarm-fast paper --out paper_out
