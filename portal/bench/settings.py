"""The portal's own settings, plus one extra page: the benchmark's ceiling.

Used only by ``manage.py bench``: the same middleware, database and gunicorn settings as
the portal, so the ceiling differs from the real pages by nothing but the view.
"""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "portal.bench.urls"
