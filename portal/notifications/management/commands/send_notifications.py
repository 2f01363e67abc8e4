"""Send the emails waiting in the outbox.

    manage.py send_notifications            send what is due, then exit
    manage.py send_notifications --loop     keep polling (the production worker)

Safe to run twice or in parallel: each notification is claimed before it is sent (see
portal/notifications/worker.py). With --loop it rides out a database or mail server
that is down, and stops cleanly on SIGTERM or SIGINT after the message in hand.
"""

import contextlib
import logging
import os
import secrets
import signal
import socket
import threading
import time

from django import db
from django.core.management.base import BaseCommand, CommandError

from portal.notifications.worker import DEFAULT_BATCH, DeliveryReport, Unfinished, deliver_due

logger = logging.getLogger("portal.notifications")


class Command(BaseCommand):
    help = "Send the emails waiting in the outbox, then exit (or keep polling with --loop)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="Keep polling until SIGTERM or SIGINT."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=5.0,
            help="Seconds between polls with --loop (default 5).",
        )
        parser.add_argument(
            "--batch",
            type=int,
            default=DEFAULT_BATCH,
            help=f"Notifications claimed at a time (default {DEFAULT_BATCH}).",
        )

    def handle(self, *args, loop: bool, interval: float, batch: int, **options):
        if batch < 1 or interval < 0:
            raise CommandError("--batch must be at least 1 and --interval not negative.")
        self.stopping = False
        # What a batch left when the database was lost: emails the mail server accepted
        # (recorded as sent when it is back, never sent again) and emails not tried
        # (handed back at once). See worker.py.
        self.unfinished = Unfinished()
        # Unique per run: a restarted container may reuse the hostname and the pid.
        worker_id = f"{socket.gethostname()[:50]}:{os.getpid()}:{secrets.token_hex(4)}"
        total = DeliveryReport()
        previous_handlers = self._handle_signals()
        logger.info("send_notifications %s started (loop=%s)", worker_id, loop)
        try:
            while not self.stopping:
                try:
                    if loop:
                        db.close_old_connections()  # past CONN_MAX_AGE or broken
                    self._send_all_due(batch=batch, worker_id=worker_id, total=total)
                except (db.OperationalError, db.InterfaceError) as exc:
                    if not loop:
                        raise CommandError(f"The database is unavailable: {exc}") from exc
                    logger.warning(
                        "database unavailable (%s), trying again in %s s",
                        type(exc).__name__,
                        interval,
                    )
                    # A fresh connection next time. Rows claimed in this batch and not sent
                    # are handed back when the database answers, or claimed again by any
                    # worker once their lease (a minute) runs out.
                    with contextlib.suppress(db.Error):
                        db.connection.close()
                if not loop:
                    break
                self._sleep(interval)
        finally:
            for signum, handler in previous_handlers.items():
                signal.signal(signum, handler)
        self.stdout.write(
            f"Sent {total.sent}, to retry {total.retrying}, failed {total.failed}"
            + (f", handed back {total.released}" if total.released else "")
            + "."
        )

    def _send_all_due(self, *, batch: int, worker_id: str, total: DeliveryReport) -> None:
        while not self.stopping:
            report = deliver_due(
                batch=batch,
                worker_id=worker_id,
                stop=lambda: self.stopping,
                unfinished=self.unfinished,
            )
            for field in ("claimed", "sent", "retrying", "failed", "released", "lost", "deferred"):
                setattr(total, field, getattr(total, field) + getattr(report, field))
            if report.claimed == 0:
                return

    def _handle_signals(self) -> dict:
        if threading.current_thread() is not threading.main_thread():
            return {}  # only the main thread may install handlers (call_command in a thread)
        previous = {}
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, self._on_signal)
        return previous

    def _on_signal(self, signum, frame) -> None:
        logger.info("send_notifications stopping on %s", signal.Signals(signum).name)
        self.stopping = True

    def _sleep(self, seconds: float) -> None:
        # Short naps so that a signal is answered within a fraction of a second.
        deadline = time.monotonic() + seconds
        while not self.stopping and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.2))
