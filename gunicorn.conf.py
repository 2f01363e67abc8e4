"""gunicorn settings for the demo and for production (override with GUNICORN_* or flags)."""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count())))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = 30
graceful_timeout = 20
accesslog = "-"
# Never log query strings of sign-in or reset links: the path is enough.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Reset and invitation links carry their token in the path: the access log hides it.
logger_class = "portal.security.logging.GunicornLogger"
