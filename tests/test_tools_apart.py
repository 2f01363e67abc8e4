"""The benchmark and the load test are tools: the product installs and imports neither.

``bench/`` sits beside ``portal/`` with its own settings; production runs on
``portal.settings``, whose apps and addresses carry no benchmark code.
"""

import ast
import importlib
from pathlib import Path

import portal.settings as production

PORTAL = Path(production.BASE_DIR) / "portal"


def is_bench(module: str) -> bool:
    return module == "bench" or module.startswith("bench.")


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_the_production_settings_install_no_benchmark():
    assert not [app for app in production.INSTALLED_APPS if is_bench(app) or ".bench" in app]
    assert production.ROOT_URLCONF == "portal.urls"


def test_no_module_of_the_portal_imports_the_benchmark():
    importers = {
        str(path.relative_to(PORTAL.parent)): sorted(filter(is_bench, imported_modules(path)))
        for path in sorted(PORTAL.rglob("*.py"))
    }
    assert {path: names for path, names in importers.items() if names} == {}
    assert not (PORTAL / "bench").exists()


def test_the_benchmark_settings_are_the_portals_plus_its_app_and_ceiling():
    bench_settings = importlib.import_module("bench.settings")
    assert [*production.INSTALLED_APPS, "bench"] == bench_settings.INSTALLED_APPS
    assert bench_settings.ROOT_URLCONF == "bench.urls"
    assert bench_settings.DATABASES == production.DATABASES
    assert bench_settings.MIDDLEWARE == production.MIDDLEWARE
