# Sourced by main.sh and test.sh (from the repository root). Finds a Python
# >= 3.9, creates or reuses the project's virtual environment (.venv, or
# $SWARM_FAST_VENV) and puts it first on PATH. Everything the scripts install
# goes into that environment: the system Python (PEP 668 "externally
# managed" on Debian and Ubuntu), a pyenv or a conda Python are only used to
# create it and are never modified.
#
# Environment: PYTHON picks the interpreter (default: python3, then python);
# SWARM_FAST_VENV the environment's folder.

say() { printf '==> %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

VENV="${SWARM_FAST_VENV:-.venv}"

_find_python() {
  local candidate
  for candidate in ${PYTHON:-python3 python}; do
    if command -v "$candidate" >/dev/null 2>&1; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

_make_venv() {
  local py="$1"
  if "$py" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    "$py" -m venv "$VENV" && return 0
    rm -rf "$VENV"
  fi
  # Debian and Ubuntu ship venv's pip bootstrap (ensurepip) separately.
  if command -v uv >/dev/null 2>&1; then
    say "$py has no ensurepip; creating $VENV with uv"
    uv venv --quiet --seed --python "$py" "$VENV" && return 0
    rm -rf "$VENV"
  fi
  if "$py" -m virtualenv --version >/dev/null 2>&1; then
    say "$py has no ensurepip; creating $VENV with virtualenv"
    "$py" -m virtualenv --quiet "$VENV" && return 0
    rm -rf "$VENV"
  fi
  local v
  v="$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  die "$py cannot create a virtual environment with pip (its ensurepip module is missing).
  Debian/Ubuntu: sudo apt install python3-venv   (or python${v}-venv)
  or install uv (https://docs.astral.sh/uv/) or virtualenv, or point PYTHON= at another Python,
  then run this script again."
}

setup_venv() {
  if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    say "using the virtual environment $VENV ($("$VENV/bin/python" --version 2>&1))"
  else
    if [[ -e "$VENV" ]]; then
      die "$VENV exists but is not a working virtual environment with pip; remove it (rm -rf $VENV) and run this script again"
    fi
    local py
    py="$(_find_python)" || die "no Python found: install Python >= 3.9 (or set PYTHON=/path/to/python)"
    "$py" -c 'import sys; sys.exit(sys.version_info < (3, 9))' ||
      die "$py is Python $("$py" -c 'import sys; print(sys.version.split()[0])'); swarm_fast needs >= 3.9 (set PYTHON=/path/to/python3.X)"
    say "creating the virtual environment $VENV with $py ($("$py" --version 2>&1))"
    _make_venv "$py"
  fi
  VIRTUAL_ENV="$(cd "$VENV" && pwd)"
  export VIRTUAL_ENV
  export PATH="$VIRTUAL_ENV/bin:$PATH"
  unset PYTHONHOME CONDA_PREFIX
  hash -r
  # Old pips (< 22) cannot build from pyproject.toml reliably: upgrade pip,
  # inside the virtual environment only.
  if ! python -c 'import sys, pip; sys.exit(int(pip.__version__.split(".")[0]) < 22)'; then
    say "upgrading pip inside $VENV"
    python -m pip install --quiet --upgrade pip
  fi
}

# Runs a command, printing how long it has been running every 15 s, so a
# quiet compile does not look like a hang.
with_progress() {
  local what="$1"
  shift
  "$@" &
  local pid=$! start=$SECONDS status=0
  local next=$((SECONDS + 15))
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if ((SECONDS >= next)) && kill -0 "$pid" 2>/dev/null; then
      say "$what: still working ($((SECONDS - start)) s)"
      next=$((next + 15))
    fi
  done
  wait "$pid" || status=$?
  return "$status"
}

# Installs the project (with optional extras, e.g. "[plot]") into .venv; the
# Rust core compiles on the way.
install_project() {
  local extras="${1:-}"
  command -v cargo >/dev/null 2>&1 ||
    die "cargo (Rust) not found: install it from https://rustup.rs, then run this script again"
  say "installing swarm_fast${extras} into $VENV: dependencies from PyPI, then the Rust core is compiled (the first build takes 1-2 minutes; later ones reuse target/)"
  with_progress "pip install .${extras}" python -m pip install --quiet --disable-pip-version-check ".${extras}"
  say "installed swarm_fast $(python -c 'import swarm_fast; print(swarm_fast.__version__)') into $VENV"
}
