"""Run the background exports and imports waiting, then exit.

    manage.py run_file_jobs

``run_worker`` runs them as they come (in a thread of its own); this runs them once, in
the foreground, for an operator or the benchmark (whose worker memory is this process's:
``-v 2`` prints its peak, VmHWM).
Claims and leases are the same, so it may run beside workers.
"""

import os
import secrets
import socket

from django.core.management.base import BaseCommand

from portal.filejobs.runner import run_until_idle


class Command(BaseCommand):
    help = "Run the background exports and imports that are waiting, then exit."

    def handle(self, *args, **options):
        worker = f"{socket.gethostname()[:50]}:{os.getpid()}:{secrets.token_hex(4)}:once"
        ran = run_until_idle(worker=worker)
        self.stdout.write(f"Ran {ran} file job{'' if ran == 1 else 's'}.")
        if options["verbosity"] >= 2 and (peak := peak_memory()):
            self.stdout.write(f"Peak memory (VmHWM): {peak}")


def peak_memory() -> str:
    """This process's peak resident memory, from /proc (Linux); "" elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""
