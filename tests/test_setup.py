"""The README's set-up: `bash scripts/main.sh` from a clean clone, with the
system Python (PEP 668 "externally managed" on Debian) first on PATH.

The clean-clone test compiles the Rust core from scratch (1-3 minutes), so
it runs when SWARM_FAST_SETUP_TEST=1, which `.ci/run` sets; the quick tests
of the virtual-environment logic always run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SYSTEM_PYTHON = Path(os.environ.get("CI_SYSTEM_PYTHON", "/usr/bin/python3"))


def _clean_env(bin_dir: Path) -> dict[str, str]:
    """An environment whose only Python is ``bin_dir/python3`` (plus cargo):
    no active virtual environment, conda or pyenv."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONHOME", "PYTHONPATH", "PYENV_VERSION"}
    }
    cargo = shutil.which("cargo")
    path = [str(bin_dir)] + ([str(Path(cargo).parent)] if cargo else []) + ["/usr/bin", "/bin"]
    env["PATH"] = os.pathsep.join(path)
    return env


def _bin_with(tmp_path: Path, python: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(python)
    return bin_dir


def _copy_scripts(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "_venv.sh", project / "scripts")
    return project


needs_system_python = pytest.mark.skipif(
    not SYSTEM_PYTHON.exists(), reason=f"no system Python at {SYSTEM_PYTHON}"
)


@needs_system_python
def test_a_python_without_ensurepip_gets_a_clear_message(tmp_path: Path) -> None:
    """Debian's python3 without the python3-venv package: venv cannot
    bootstrap pip. Simulated by shadowing ensurepip; with no uv or
    virtualenv at hand the script stops with the fix, leaving nothing."""
    project = _copy_scripts(tmp_path)
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "ensurepip.py").write_text("raise ImportError('no ensurepip here')\n")
    env = _clean_env(_bin_with(tmp_path, SYSTEM_PYTHON))
    env["PYTHONPATH"] = str(shadow)
    if shutil.which("uv", path=env["PATH"]):
        pytest.skip("uv on PATH would be used instead")
    proc = subprocess.run(
        ["bash", "-c", "set -euo pipefail; source scripts/_venv.sh; setup_venv"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "cannot create a virtual environment with pip" in proc.stderr
    assert "sudo apt install python3-venv" in proc.stderr
    assert not (project / ".venv").exists()


@needs_system_python
def test_venv_is_created_then_reused_and_never_the_system_python(tmp_path: Path) -> None:
    project = _copy_scripts(tmp_path)
    env = _clean_env(_bin_with(tmp_path, SYSTEM_PYTHON))
    script = (
        "set -euo pipefail; source scripts/_venv.sh; setup_venv; "
        'python -c "import sys; print(sys.prefix)"; command -v python'
    )
    first = subprocess.run(
        ["bash", "-c", script], cwd=project, env=env, capture_output=True, text=True, check=True
    )
    venv = (project / ".venv").resolve()
    assert "creating the virtual environment .venv" in first.stderr
    prefix, python = first.stdout.split()
    assert Path(prefix).resolve() == venv and Path(python).parent.resolve() == venv / "bin"
    second = subprocess.run(
        ["bash", "-c", script], cwd=project, env=env, capture_output=True, text=True, check=True
    )
    assert "using the virtual environment .venv" in second.stderr
    assert "creating" not in second.stderr


def test_a_broken_venv_is_reported_not_replaced(tmp_path: Path) -> None:
    project = _copy_scripts(tmp_path)
    (project / ".venv").mkdir()
    (project / ".venv" / "keep").write_text("user data")
    proc = subprocess.run(
        ["bash", "-c", "set -euo pipefail; source scripts/_venv.sh; setup_venv"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "is not a working virtual environment" in proc.stderr
    assert (project / ".venv" / "keep").exists()


def test_scripts_install_only_into_the_venv() -> None:
    """Every pip call in the scripts runs after setup_venv, through the
    environment's python; nothing upgrades the caller's pip."""
    for name in ("main.sh", "test.sh"):
        text = (ROOT / "scripts" / name).read_text()
        assert "python3 -m pip" not in text and "pip install" not in text, name
        assert text.index("setup_venv") < text.index("install_project"), name
    helper = (ROOT / "scripts" / "_venv.sh").read_text()
    body = helper[helper.index("setup_venv() {") :]
    assert body.index('export PATH="$VIRTUAL_ENV/bin:$PATH"') < body.index("pip install")
    ci = (ROOT / ".ci" / "run").read_text()
    assert "bash scripts/test.sh" in ci and "/usr/bin/python3" in ci


@pytest.mark.skipif(
    os.environ.get("SWARM_FAST_SETUP_TEST") != "1",
    reason="compiles the Rust core from scratch; set SWARM_FAST_SETUP_TEST=1 (.ci/run does)",
)
@needs_system_python
def test_readme_main_command_from_a_clean_clone_with_the_system_python(tmp_path: Path) -> None:
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "checkout", "--quiet", head], cwd=clone, check=True)
    env = _clean_env(_bin_with(tmp_path, SYSTEM_PYTHON))
    env.pop("CARGO_TARGET_DIR", None)
    proc = subprocess.run(
        ["bash", "scripts/main.sh"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"creating the virtual environment .venv with {tmp_path}/bin/python3" in proc.stderr
    assert "Rust core is compiled" in proc.stderr
    assert "Scenario:    baseline (bundled)" in proc.stdout
    assert "157 of 157" in (clone / "paper_out" / "tables.md").read_text()
    for png in ("levers.png", "trajectories.png"):
        assert (clone / "paper_out" / png).stat().st_size > 20_000
    # Nothing went into the system Python.
    check = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import swarm_fast"], env=env, capture_output=True, cwd=tmp_path
    )
    assert check.returncode != 0
    # Run again: the environment is reused.
    again = subprocess.run(
        ["bash", "scripts/main.sh"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert "using the virtual environment .venv" in again.stderr
