"""The staff reports' figures written as plain SQL: the database ceiling of `make bench`.

Only fixed text is put together here (no value from outside), hence the S608 exemption.

Each report lists the statements that give every figure its page shows, as directly as
PostgreSQL allows; the benchmark times them through psycopg and sets the page's time
beside theirs. Parameters: %(start)s and %(end)s bound the month (timestamps),
%(first_day)s and %(last_day)s are its first and last dates.
"""

_MONTH = "s.deleted_at IS NULL AND s.starts_at >= %(start)s AND s.starts_at < %(end)s"

_RUNNING_MENTORS = """
    SELECT DISTINCT m.mentor_id FROM mentoring_match m
    JOIN mentoring_mentor r ON r.id = m.mentor_id AND r.status = 'active'
    WHERE m.start_date <= %(last_day)s AND (m.end_date IS NULL OR m.end_date >= %(first_day)s)
"""

_SILENT_SINCE_DECLARED = """
    SELECT d.mentor_id FROM mentoring_nosessionmonth d
    WHERE d.year = extract(year FROM %(first_day)s::date)
      AND d.month = extract(month FROM %(first_day)s::date)
"""

DASHBOARD = [
    # The month's sessions, hours, late and unreviewed entries.
    f"""SELECT count(*), coalesce(sum(quarter_hours), 0),
               count(*) FILTER (WHERE is_late), count(*) FILTER (WHERE reviewed_at IS NULL)
        FROM mentoring_sessionlog s WHERE {_MONTH}""",
    # Mentors with a running match who logged nothing this month and did not answer
    # "No session this month".
    f"""SELECT count(*) FROM ({_RUNNING_MENTORS}) running
        WHERE NOT EXISTS (SELECT 1 FROM mentoring_sessionlog s
                          JOIN mentoring_match m ON m.id = s.match_id
                          WHERE m.mentor_id = running.mentor_id AND {_MONTH})
          AND running.mentor_id NOT IN ({_SILENT_SINCE_DECLARED})""",
    "SELECT count(*) FROM mentoring_match WHERE status = 'active'",
    # Open concerns, and the five oldest.
    "SELECT count(*) FROM safeguarding_safetyconcern WHERE status <> 'closed'",
    """SELECT c.id, c.raised_at, site.name FROM safeguarding_safetyconcern c
       JOIN mentoring_schoolsite site ON site.id = c.site_id
       WHERE c.status <> 'closed' ORDER BY c.raised_at LIMIT 5""",
    "SELECT count(*) FROM safeguarding_resourceneed WHERE status <> 'closed'",
    "SELECT count(*) FROM support_supportrequest WHERE status IN ('new', 'in_progress')",
    # Active matches whose last two entries are absences, or quiet for 30 days (each
    # match's latest entries are kept on it: portal/mentoring/activity.py).
    """SELECT count(*) FROM mentoring_match m
       WHERE m.status = 'active'
         AND (m.last_session_at < now() - interval '30 days'
              OR (m.last_session_at IS NULL AND m.start_date <= current_date - 30)
              OR (m.last_attendance IN ('mentee_absent', 'mentor_absent')
                  AND m.previous_attendance IN ('mentee_absent', 'mentor_absent')))""",
]

COMPLIANCE = [
    # The figures at the top: mentors listed, and those who declared "no session".
    f"""SELECT count(*), count(*) FILTER (WHERE r.id IN ({_SILENT_SINCE_DECLARED}))
        FROM mentoring_mentor r WHERE r.id IN ({_RUNNING_MENTORS})""",
    # The month's entries of the listed mentors: sessions, hours, late; who logged, who
    # was late (grouped by match first: 86,000 entries become 19,000 matches).
    f"""SELECT count(DISTINCT m.mentor_id), coalesce(sum(a.n), 0), coalesce(sum(a.q), 0),
               coalesce(sum(a.l), 0), count(DISTINCT m.mentor_id) FILTER (WHERE a.l > 0)
        FROM (SELECT s.match_id, count(*) AS n, sum(s.quarter_hours) AS q,
                     count(*) FILTER (WHERE s.is_late) AS l
              FROM mentoring_sessionlog s WHERE {_MONTH} GROUP BY s.match_id) a
        JOIN mentoring_match m ON m.id = a.match_id
        WHERE m.mentor_id IN ({_RUNNING_MENTORS})""",
    # The first page of the table: 50 mentors by name, and their month.
    f"""WITH page AS (
            SELECT r.id, u.full_name, u.email FROM mentoring_mentor r
            JOIN accounts_user u ON u.id = r.user_id
            WHERE r.id IN ({_RUNNING_MENTORS})
            ORDER BY u.full_name, r.id LIMIT 50)
        SELECT page.id, page.full_name, page.email, count(s.id),
               count(s.id) FILTER (WHERE s.attendance = 'met'),
               count(s.id) FILTER (WHERE s.is_late), coalesce(sum(s.quarter_hours), 0)
        FROM page
        LEFT JOIN mentoring_match m ON m.mentor_id = page.id
        LEFT JOIN mentoring_sessionlog s ON s.match_id = m.id AND {_MONTH}
        GROUP BY page.id, page.full_name, page.email
        ORDER BY page.full_name, page.id""",
    # Their "No session this month" answers.
    """SELECT mentor_id, reason, details FROM mentoring_nosessionmonth
       WHERE year = extract(year FROM %(first_day)s::date)
         AND month = extract(month FROM %(first_day)s::date)""",
]

HOURS = [
    # One pass over the month's sessions, grouped by site, type and interaction together;
    # the page's tables (by site, by type, by interaction, total) are sums of these rows.
    f"""SELECT m.site_id, s.type_of_mentoring_id, s.interaction_id, count(*),
               count(*) FILTER (WHERE s.attendance = 'met'), coalesce(sum(s.quarter_hours), 0)
        FROM mentoring_sessionlog s JOIN mentoring_match m ON m.id = s.match_id
        WHERE {_MONTH}
        GROUP BY m.site_id, s.type_of_mentoring_id, s.interaction_id""",
    "SELECT id, name FROM mentoring_schoolsite",
    "SELECT id, label FROM mentoring_choice",
]

REPORTS = {
    "Staff dashboard": DASHBOARD,
    "Compliance, one month": COMPLIANCE,
    "Hours, one month": HOURS,
}
