"""Installing the course: on Colab the setup cell adds the course package once per version and nothing else;
the requirements are ranges Colab's own packages satisfy; the version has one source."""

import importlib.metadata
import re
import sys
import types
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from helpers import config
from helpers.tools.authoring import setup_cell_source

ROOT = Path(__file__).resolve().parent.parent
DEV_TOOLS = {"jupyterlab", "ipykernel", "ipywidgets", "pytest", "nbval"}


def colab_versions():
    """{package: version} that Google Colab ships, from constraints-colab.txt (which `make test-colab` installs)."""
    lines = (ROOT / "constraints-colab.txt").read_text().splitlines()
    return {canonicalize_name(line.split("==")[0]): line.split("==")[1].strip()
            for line in lines if "==" in line and not line.startswith("#")}


COLAB = colab_versions()


def test_colab_versions_name_the_course_s_main_libraries():
    """The neighbours a Colab learner's install meets; evaluate and rouge-score are what the course adds."""
    for name in ("torch", "transformers", "tokenizers", "huggingface-hub", "datasets", "pyarrow", "accelerate", "peft",
                 "numpy", "pandas", "scikit-learn", "matplotlib", "ipykernel", "ipywidgets"):
        assert name in COLAB, f"constraints-colab.txt lacks {name}"
    assert "evaluate" not in COLAB and "rouge-score" not in COLAB


def requirements(name):
    lines = (ROOT / name).read_text().splitlines()
    return [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]


def test_runtime_requirements_are_ranges_colab_satisfies():
    runtime = requirements("requirements.txt")
    assert not {r.name for r in runtime} & DEV_TOOLS, "the lab and test tools belong in requirements-dev.txt"
    for requirement in runtime + requirements("requirements-dev.txt"):
        name = canonicalize_name(requirement.name)
        if name in COLAB:
            assert requirement.specifier.contains(COLAB[name], prereleases=True), \
                f"{requirement} would replace Colab's {name} {COLAB[name]}"
    assert all(not str(r.specifier).startswith("==") for r in runtime), "ranges, not pins"
    torch = next(r for r in runtime if r.name == "torch")
    assert "<" not in str(torch.specifier) and "==" not in str(torch.specifier), "never pin torch"


def test_the_package_reads_its_dependencies_and_version_from_one_place():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'dependencies = {file = ["requirements.txt"]}' in pyproject
    assert 'version = {attr = "helpers.config.COURSE_VERSION"}' in pyproject
    assert importlib.metadata.version("llm-course") == config.COURSE_VERSION, "reinstall: pip install -e ."


class FakeColab:
    """Runs the setup cell as Colab would (IPython turns `!pip` into get_ipython().system(...)), recording the
    shell commands instead of running them, with a given course version installed (or none)."""

    def __init__(self, installed):
        self.installed, self.commands = installed, []

    def run(self, monkeypatch, lesson="00"):
        from IPython.core.inputtransformer2 import TransformerManager

        def version(name):
            if name == "llm-course" and self.installed:
                return self.installed
            if name == "llm-course":
                raise importlib.metadata.PackageNotFoundError(name)
            return importlib.metadata.version(name)

        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
        monkeypatch.setattr(importlib.metadata, "version", version)
        shell = types.SimpleNamespace(system=self.commands.append)
        source = TransformerManager().transform_cell(setup_cell_source(lesson))
        source = source.replace("run = helpers.setup(LESSON, course_version=COURSE_VERSION)", "")
        exec(compile(source, "setup cell", "exec"), {"get_ipython": lambda: shell})
        return self.commands


@pytest.mark.parametrize("installed", [None, "0.1.0"])
def test_colab_installs_the_course_when_missing_or_another_version(monkeypatch, installed):
    commands = FakeColab(installed).run(monkeypatch)
    assert commands == ["pip uninstall -q -y llm-course",
                        f'pip install -q "llm-course @ git+{config.REPO_URL}@{config.RELEASE_TAG}"']


def test_colab_installs_the_release_of_the_version_the_notebook_was_written_for():
    """One version: the constant, the installed package, the tag the setup cell installs and the version it checks."""
    assert importlib.metadata.version("llm-course") == config.COURSE_VERSION, "reinstall: pip install -e ."
    for lesson in config.LESSONS:
        cell = setup_cell_source(lesson)
        assert f'COURSE_VERSION = "{config.COURSE_VERSION}"' in cell
        assert re.findall(r"git\+\S+@([^\s\"]+)\"", cell) == [config.RELEASE_TAG], "installs the release's tag"
        assert "@main" not in cell and config.REPO_BRANCH not in cell.split("git+")[1]


def test_colab_skips_the_install_when_this_version_is_there(monkeypatch):
    assert FakeColab(config.COURSE_VERSION).run(monkeypatch) == []


def test_the_install_touches_only_the_course_package():
    cell = setup_cell_source("00")
    pip_lines = [line.strip() for line in cell.splitlines() if line.strip().startswith("!pip")]
    assert len(pip_lines) == 2
    for line in pip_lines:
        assert not re.search(r"-r |--upgrade|-U |--force-reinstall|torch|numpy", line), line
    assert f'COURSE_VERSION = "{config.COURSE_VERSION}"' in cell


@pytest.mark.parametrize("trl_there, expected", [(False, True), (True, False)])
def test_lesson_07_installs_its_optional_part_when_trl_is_missing(monkeypatch, trl_there, expected):
    """The same version of the course, installed earlier without the `align` extra: lesson 07 adds the extra."""
    import importlib.machinery
    import importlib.util

    real = importlib.util.find_spec
    there = importlib.machinery.ModuleSpec("trl", None)  # whether or not TRL is installed where the test runs
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: (there if trl_there else None)
                        if name == "trl" else real(name, *a))
    commands = FakeColab(config.COURSE_VERSION).run(monkeypatch, lesson="07")
    bound = config.EXTRAS["align"]["colab_bound"]  # the smallest step on Colab; make test-colab checks what it moves
    install = f'pip install -q "llm-course[align] @ git+{config.REPO_URL}@{config.RELEASE_TAG}" "{bound}"'
    assert commands == (["pip uninstall -q -y llm-course", install] if expected else [])


def test_the_align_extra_is_declared_once():
    """requirements-align.txt is the extra's one list: pyproject.toml reads it, the Makefile installs it for CI."""
    extra = config.EXTRAS["align"]
    assert extra["requirements"] in (ROOT / "pyproject.toml").read_text()
    assert f"-r {extra['requirements']}" in (ROOT / "Makefile").read_text()
    assert any(line.startswith(extra["module"]) for line in (ROOT / extra["requirements"]).read_text().splitlines())
