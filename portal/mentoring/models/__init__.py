"""The records of a mentoring program: settings, schools, people, matches and session logs.

Values are stored so that a bad one cannot exist: hours as a whole number of quarter
hours, one entry per match and start time, zero hours exactly when the pair did not meet.
The database enforces these; forms only explain them.

Each model declares which of its text fields are about a child (CHILD_TEXT_FIELDS) and
which are not (OTHER_TEXT_FIELDS); tests/test_child_text.py holds every text field to one.

program.py: settings and lists; people.py: schools, contacts, mentors, mentees, matches;
sessions.py: session logs and their history; months.py: months without sessions, reminders.
"""

# Every model and value, importable from portal.mentoring.models as before.
from portal.mentoring.models.months import *  # noqa: F403
from portal.mentoring.models.people import *  # noqa: F403
from portal.mentoring.models.program import *  # noqa: F403
from portal.mentoring.models.sessions import *  # noqa: F403
from portal.mentoring.models.summaries import *  # noqa: F403, E402
