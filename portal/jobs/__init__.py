"""Scheduled jobs that run once across every worker and server.

Each job of ``portal/schedule.py`` has a cadence (``cadence.py``); each time it falls due
(a *slot*) it is claimed by one worker, through a row per job and slot under a unique
constraint (``models.JobRun``, ``runs.py``), and run by that worker alone.
"""
