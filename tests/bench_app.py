"""The benchmark's app, for the tests of its commands.

``portal.settings`` (the suite's settings, as in production) does not install ``bench``;
``bench.settings`` does. Import ``bench_app`` from here into a test module that calls
``bench_data`` or ``bench`` by name.
"""

import pytest


@pytest.fixture(autouse=True)
def bench_app(settings):
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "bench"]
