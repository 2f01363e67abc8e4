"""gunicorn settings for the demo and for production (override with GUNICORN_* or flags)."""

import multiprocessing
import os

from portal.health import startup

# With HTTPS=on and a production setting missing, stop here with one plain message, before
# any worker starts (a worker would stop too, settings.py refuses, but with a traceback).
startup.exit_if_unsafe()

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count())))
# Threaded workers, one thread each. Measured against sync workers with the benchmark's
# load (16 clients, real-size data, back to back): the same requests per second (ceiling
# 895 against 771 and 861; mentor home 99 against 80 and 96). But the worker keeps telling
# the master it is alive while it streams a long export: with --timeout 3, a sync worker
# was killed 37 MB into the 140 MB CSV, a threaded one was still streaming at 69 MB.
# Stuck database calls are bounded by the statement timeout instead.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = 30
graceful_timeout = 20
accesslog = "-"
# Never log query strings of sign-in or reset links: the path is enough.
# The request id (X-Request-ID) joins a line to the portal's own log lines of the request.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss %({x-request-id}o)s'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Reset and invitation links carry their token in the path: the access log hides it.
logger_class = "portal.security.logging.GunicornLogger"
