"""The dependencies are locked: every package pinned, with hashes, installed with
``--require-hashes``, and the lock files agree with what they were made from."""

import re
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent

LOCKS = ("requirements.txt", "requirements-dev.txt")
SOURCES = {"requirements.in": "requirements.txt", "requirements-dev.in": "requirements-dev.txt"}


def _entries(text: str) -> list[str]:
    """Requirement entries of a pip requirements file, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    lines = (line.split(" #")[0].strip() for line in joined.splitlines())
    return [line for line in lines if line and not line.startswith(("#", "-r", "-c"))]


def _locked(name: str) -> dict[str, str]:
    pins = {}
    for entry in _entries((ROOT / name).read_text()):
        requirement = Requirement(entry.split(" --hash")[0])
        (spec,) = requirement.specifier
        pins[canonicalize_name(requirement.name)] = spec.version
    return pins


@pytest.mark.parametrize("name", LOCKS)
def test_every_locked_package_is_pinned_exactly_with_hashes(name):
    entries = _entries((ROOT / name).read_text())
    assert len(entries) > 10
    for entry in entries:
        requirement = Requirement(entry.split(" --hash")[0])
        assert [s.operator for s in requirement.specifier] == ["=="], entry
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", entry), f"no hash: {entry}"


@pytest.mark.parametrize("source", SOURCES)
def test_each_direct_dependency_is_pinned_and_locked_at_that_version(source):
    locked = _locked(SOURCES[source])
    for entry in _entries((ROOT / source).read_text()):
        requirement = Requirement(entry)
        (spec,) = requirement.specifier
        assert spec.operator == "==", entry
        assert locked[canonicalize_name(requirement.name)] == spec.version, entry


def test_the_test_tools_run_on_the_same_versions_the_portal_runs_with():
    runtime, dev = _locked("requirements.txt"), _locked("requirements-dev.txt")
    assert {name: dev.get(name) for name in runtime} == runtime


def test_installs_check_the_hashes():
    makefile = (ROOT / "Makefile").read_text()
    installs = [line for line in makefile.splitlines() if "-r requirements" in line]
    assert installs
    assert "PIP_LOCKED := $(PIP) install --require-hashes" in makefile
    assert all("$(PIP_LOCKED)" in line for line in installs), installs


def test_the_installed_packages_are_the_locked_ones():
    """The environment the tests run in is the one the lock describes (``make test``
    reinstalls when a lock file changes)."""
    wrong = {}
    for name, version in _locked("requirements-dev.txt").items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            wrong[name] = (version, installed)
    assert not wrong
