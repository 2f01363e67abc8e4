#!/usr/bin/env python
"""Django's command-line utility for Mentor Portal."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from portal.health import startup

    # A production server missing its settings stops with one plain message (no
    # traceback); the demo gets its var/ folder and key, which importing the settings
    # never creates.
    startup.exit_if_unsafe()
    startup.prepare_local_files()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
