"""The file jobs' side of ``manage.py run_worker``: a thread of the worker that runs one
job at a time, so that a export of a million rows (a minute or two) never holds up the
emails and scheduled jobs of the worker's main loop, concern emails first among them.

The thread stops with the worker: on SIGTERM its job goes back to the queue at the next
progress update (runner.py), and the worker waits for that before it exits. A worker
killed with -9 takes the thread with it; its job is taken over once the lease runs out.
"""

import contextlib
import logging
import threading
import time
from collections.abc import Callable

from django import db

from portal.filejobs.runner import run_next

logger = logging.getLogger("portal.worker")


class FileJobThread(threading.Thread):
    def __init__(self, *, worker: str, stop: Callable[[], bool], interval: float):
        super().__init__(name="file-jobs", daemon=True)
        self.worker = worker
        self.stop = stop
        self.interval = max(interval, 0.2)

    def run(self) -> None:
        try:
            while not self.stop():
                ran = None
                try:
                    db.close_old_connections()
                    ran = run_next(worker=self.worker, stop=self.stop)
                except (db.OperationalError, db.InterfaceError) as exc:
                    logger.warning("file jobs: database unavailable (%s)", type(exc).__name__)
                    with contextlib.suppress(db.Error):
                        db.connection.close()
                except Exception:
                    logger.exception("file jobs: unexpected error")
                if ran is None:
                    self._sleep(self.interval)
        finally:
            with contextlib.suppress(db.Error):
                db.connection.close()

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stop() and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.2))
