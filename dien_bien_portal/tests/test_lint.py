"""`make lint` refuses what the layout forbids (docs/architecture.md): the import contracts
of pyproject.toml ([tool.importlinter]) and ruff's rules. Each check runs the tools of this
virtualenv on a copy of the project's Python files, with one forbidden line added there;
the working tree is never touched."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from plans.tests.environment import require

ROOT = Path(__file__).resolve().parents[2]
# The tools installed beside this interpreter (requirements-dev.txt); not resolved, so a
# virtualenv whose python links to the system one still finds its own bin/.
BIN = Path(sys.executable).parent
SKIPPED_DIRS = {".venv", ".git", "media", "node_modules", "__pycache__"}


def copy_project(dest: Path) -> Path:
    """The project's .py files and pyproject.toml, at the same relative paths under dest."""
    for dirpath, dirnames, filenames in os.walk(ROOT):
        # Hidden folders are caches and tool state (.ruff_cache, .import_linter_cache…).
        dirnames[:] = [d for d in dirnames if d not in SKIPPED_DIRS and not d.startswith(".")]
        relative = Path(dirpath).relative_to(ROOT)
        for name in filenames:
            if name.endswith(".py") or (name == "pyproject.toml" and relative == Path(".")):
                (dest / relative).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(dirpath) / name, dest / relative / name)
    return dest


@pytest.fixture
def project(tmp_path):
    return copy_project(tmp_path / "project")


def tool(name: str) -> Path:
    path = BIN / name
    require(path.exists(), f"{name} is not installed in this virtualenv (make install-dev)")
    return path


def run(command: list, cwd: Path) -> tuple[int, str]:
    env = dict(os.environ)
    # Only the copy's packages may be found, and plain text comes out.
    for name in ("PYTHONPATH", "FORCE_COLOR"):
        env.pop(name, None)
    env["NO_COLOR"] = "1"
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout + result.stderr


def lint_imports(project: Path) -> tuple[int, str]:
    return run([tool("lint-imports"), "--no-logo", "--no-cache"], project)


def contract_name(project: Path, contract_id: str) -> str:
    config = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    return next(contract["name"] for contract in contracts if contract["id"] == contract_id)


def one_line(output: str) -> str:
    """The report with its wrapping undone (it is wrapped to the terminal's width)."""
    return " ".join(output.split())


def append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\n{line}\n")


def test_the_current_code_keeps_every_import_contract(project):
    status, output = lint_imports(project)
    assert status == 0, output
    assert "BROKEN" not in output
    assert " 0 broken" in one_line(output)


@pytest.mark.parametrize(
    ("module", "line", "contract_id", "message"),
    [
        # plans is the bottom layer: it imports no other project package.
        ("plans/models.py", "import workspace.views", "layers", "plans is not allowed to import workspace"),
        ("plans/models.py", "from tasks import models", "layers", "plans is not allowed to import tasks"),
        (
            "documents/excel.py",
            "import workspace.views",
            "layers",
            "documents is not allowed to import workspace",
        ),
        (
            "workspace/views.py",
            "import tasks.tasks",
            "workspace-no-tasks-deploy",
            "workspace is not allowed to import tasks",
        ),
    ],
)
def test_a_forbidden_import_breaks_its_contract(project, module, line, contract_id, message):
    append(project / module, f"{line}  # forbidden")

    status, output = lint_imports(project)

    assert status != 0, output
    assert f"{contract_name(project, contract_id)} BROKEN" in one_line(output), output
    assert message in output, output


def test_ruff_reports_an_unused_import(project):
    (project / "plans" / "lint_probe.py").write_text("import os\n", encoding="utf-8")

    status, output = run([tool("ruff"), "check", "--no-cache", "plans/lint_probe.py"], project)

    assert status == 1, output
    assert "F401" in output, output
