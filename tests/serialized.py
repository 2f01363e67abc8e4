"""A database ready for ``serialized_rollback``, whatever ran before.

Import ``django_db_setup`` from here into a test module whose tests use
``serialized_rollback=True`` (browser tests, races, fault drills, restore drills).
"""

import pytest


@pytest.fixture
def django_db_setup(request, django_db_setup, django_db_blocker):
    """The test database, emptied for serialized rollback to restore the starting data.

    A transactional test without serialized rollback (elsewhere in the suite) leaves
    content types and permissions that post_migrate recreated with new ids; restoring
    the serialized rows on top of them would collide. Runs before each such test's
    database setup, which then loads the starting data into empty tables.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connections

    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("serialized_rollback")):
        return  # an ordinary test: its transaction is rolled back, nothing to restore
    with django_db_blocker.unblock():
        for alias in connections:
            serialized = hasattr(connections[alias], "_test_serialized_contents")
            if serialized and ContentType.objects.using(alias).exists():
                call_command(
                    "flush",
                    database=alias,
                    interactive=False,
                    verbosity=0,
                    inhibit_post_migrate=True,
                )
