"""The portal's own settings, plus the benchmark: its commands and one extra page.

Used by ``make bench`` (``DJANGO_SETTINGS_MODULE=bench.settings``): the same middleware,
database and gunicorn settings as the portal, so the ceiling differs from the real pages
by nothing but the view. ``portal.settings`` never installs this app, so a production
deployment carries no benchmark code.
"""

from portal.settings import *  # noqa: F403
from portal.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.urls"
