#!/usr/bin/env bash
# The main job: install swarm_fast (with its plot extra) into the project's
# virtual environment .venv (created if missing, reused otherwise; nothing is
# installed outside it), run one paper scenario, then regenerate the paper's
# tables and plots into paper_out/. See scripts/_venv.sh for PYTHON= and
# SWARM_FAST_VENV=.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
setup_venv
install_project "[plot]"
say "running the baseline scenario (seed 42, 20 epochs x 15 steps)"
python -m swarm_fast run baseline --seed 42 --epochs 20 --steps 15
say "regenerating the paper's tables and plots into paper_out/"
python -m swarm_fast paper --out paper_out
say "done: paper_out/tables.md, tables.csv, runs.csv, levers.png, trajectories.png; the environment is $VENV (source $VENV/bin/activate to use swarm-fast)"
