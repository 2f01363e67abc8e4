"""Imports: every problem by row and column, nothing saved until the file is right."""

import contextlib
import threading
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.mentoring.models import Match, Mentee, Mentor, ProgramSettings
from portal.staff import imports
from tests.conftest import is_postgres
from tests.page import read_page
from tests.serialized import django_db_setup  # noqa: F401  (see tests/serialized.py)


def upload(client, kind: str, text: str):
    file = SimpleUploadedFile(f"{kind}.csv", text.encode(), content_type="text/csv")
    return client.post(f"/staff/import/{kind}/", {"file": file})


def test_the_template_names_every_column(staff_client):
    response = staff_client.get("/staff/import/mentors/template.csv")
    assert response.status_code == 200
    assert response.content.decode().splitlines()[0] == "email,full_name,phone,status"


def test_a_file_with_errors_saves_nothing_and_lists_each_one(staff_client, site_contact_a):
    text = (
        "email,full_name,phone,status\n"
        "new.one@example.org,New One,,invited\n"
        "not-an-email,Bad Email,,\n"
        "contact-a@example.org,Taken,,\n"
        "new.two@example.org,New Two,,\n"
        "ok@example.org,,,retired\n"
    )
    before = User.objects.count()
    response = upload(staff_client, "mentors", text)
    problems = [(p.row, p.column) for p in response.context["result"].problems]
    assert problems == [
        (3, "email"),
        (4, "email"),
        (6, "full_name"),
        (6, "status"),
    ]
    assert "Nothing was saved" in response.content.decode()
    assert User.objects.count() == before
    # Saving is refused too: the file was not kept.
    staff_client.post("/staff/import/mentors/save/")
    assert User.objects.count() == before


def test_a_valid_file_is_previewed_then_saved_in_one_click(staff_client, school_a):
    text = "email,full_name\nnew.one@example.org,New One\nnew.two@example.org,New Two\n"
    response = upload(staff_client, "mentors", text)
    assert response.context["result"].ok
    assert "Save 2 mentors" in response.content.decode()
    assert not User.objects.filter(email__startswith="new.").exists()
    response = staff_client.post("/staff/import/mentors/save/")
    assert response.status_code == 302
    assert Mentor.objects.filter(user__email__startswith="new.").count() == 2


def test_mentees_then_matches(staff_client, school_a, mentor_a):
    mentees = (
        "first_name,last_initial,school,grade\n"
        "Zoe,Q,Lincoln Elementary,5\n"
        "Yan,r,lincoln elementary,K\n"
    )
    assert upload(staff_client, "mentees", mentees).context["result"].ok
    staff_client.post("/staff/import/mentees/save/")
    assert Mentee.objects.filter(first_name__in=["Zoe", "Yan"]).count() == 2
    matches = (
        "mentor_email,mentee_first_name,mentee_last_initial,school,start_date\n"
        "mentor-a@example.org,Zoe,Q,Lincoln Elementary,2026-09-01\n"
        "mentor-a@example.org,Nobody,X,Lincoln Elementary,2026-09-01\n"
        "mentor-a@example.org,Yan,R,Lincoln Elementary,1 Sept\n"
    )
    response = upload(staff_client, "matches", matches)
    problems = [(p.row, p.column) for p in response.context["result"].problems]
    assert problems == [(3, "mentee_first_name"), (4, "start_date")]
    before = Match.objects.count()
    good = matches.splitlines()[:2]
    assert upload(staff_client, "matches", "\n".join(good) + "\n").context["result"].ok
    staff_client.post("/staff/import/matches/save/")
    assert Match.objects.count() == before + 1


def test_a_file_missing_a_column_says_which(staff_client):
    response = upload(staff_client, "mentees", "first_name,school\nZoe,Lincoln\n")
    problems = [(p.row, p.column) for p in response.context["result"].problems]
    assert problems == [(1, "last_initial"), (1, "grade")]


# --- Text that would break a page or the database (issue 11, item 5) -----------------------

MENTORS = "email,full_name,phone,status\n"
MENTEES = "first_name,last_initial,school,grade\n"
MATCHES = "mentor_email,mentee_first_name,mentee_last_initial,school,start_date\n"


def problems_of(response) -> list[tuple[int, str]]:
    assert response.status_code == 200
    return [(p.row, p.column) for p in response.context["result"].problems]


def test_a_value_longer_than_the_csv_readers_own_limit_is_reported_by_row_and_column(
    staff_client,
):
    response = upload(staff_client, "mentors", MENTORS + f"long@example.org,{'x' * 200_000},,\n")
    assert problems_of(response) == [(2, "full_name")]
    assert "at most 150 characters; it has 200,000" in response.content.decode()


@pytest.mark.parametrize(
    ("kind", "header", "cells", "column", "limit"),
    [
        ("mentors", MENTORS, ["{}", "Pat Lee", "", ""], "email", 254),
        ("mentors", MENTORS, ["pat@example.org", "{}", "", ""], "full_name", 150),
        ("mentors", MENTORS, ["pat@example.org", "Pat Lee", "{}", ""], "phone", 40),
        ("mentees", MENTEES, ["{}", "D", "Lincoln Elementary", "4"], "first_name", 60),
        ("mentees", MENTEES, ["Zoe", "D", "{}", "4"], "school", 120),
        (
            "matches",
            MATCHES,
            ["mentor-a@example.org", "{}", "D", "Lincoln Elementary", "2026-09-01"],
            "mentee_first_name",
            60,
        ),
        (
            "matches",
            MATCHES,
            ["{}", "Jane", "D", "Lincoln Elementary", "2026-09-01"],
            "mentor_email",
            254,
        ),
    ],
)
def test_a_value_longer_than_its_database_column_is_reported_in_the_preview(
    staff_client, mentor_a, kind, header, cells, column, limit
):
    # An email of the right shape, one character too long for the column.
    too_long = ("a" * (limit - 11) + "@example.org") if "email" in column else "9" * (limit + 1)
    row = ",".join(too_long if cell == "{}" else cell for cell in cells)
    response = upload(staff_client, kind, header + row + "\n")
    assert problems_of(response) == [(2, column)]
    assert f"at most {limit} characters" in response.content.decode()
    assert too_long not in response.content.decode()  # not echoed back in a message


@pytest.mark.parametrize("character", ["\x00", "\x0b", "\x0c", "\x1b", "\x7f"])
def test_control_characters_in_a_mentees_file_never_reach_the_database(
    staff_client, school_a, character
):
    text = MENTEES + f"Zo{character}e,{character}Q,Lincoln Elementary{character},5\n"
    response = upload(staff_client, "mentees", text)
    assert response.context["result"].ok, response.context["result"].problems
    staff_client.post("/staff/import/mentees/save/")
    mentee = Mentee.objects.get(site=school_a, grade="5")
    assert mentee.first_name == ("Zo e" if character in "\x0b\x0c" else "Zoe")
    assert mentee.last_initial == "Q"


def test_control_characters_in_a_mentors_file_never_reach_the_database(staff_client, db):
    text = MENTORS + "pat\x00@example.org,Pat\x00 Lee\x0b,(312)\x00 555-0100,\n"
    assert upload(staff_client, "mentors", text).context["result"].ok
    staff_client.post("/staff/import/mentors/save/")
    user = User.objects.get(email="pat@example.org")
    assert (user.full_name, user.phone) == ("Pat Lee", "(312) 555-0100")


def test_a_file_saved_by_excel_in_windows_1252_is_read(staff_client, school_a):
    file = SimpleUploadedFile(
        "mentees.csv", (MENTEES + "José,N,Lincoln Elementary,3\n").encode("cp1252")
    )
    response = staff_client.post("/staff/import/mentees/", {"file": file})
    assert response.context["result"].ok
    staff_client.post("/staff/import/mentees/save/")
    assert Mentee.objects.filter(first_name="José").count() == 1


def test_a_file_that_is_not_text_gets_a_message(staff_client):
    file = SimpleUploadedFile("mentees.csv", b"first_name\x81\x8d\x8f\x90\x9d\n")
    response = staff_client.post("/staff/import/mentees/", {"file": file})
    assert response.status_code == 200
    assert "could not be read as text" in response.content.decode()


# --- Repeating an import adds nothing twice (issue 11, item 6) -------------------------------


def preview_notes(response) -> dict[int, str]:
    """Row number -> why it will be skipped; the preview shows each reason."""
    result = response.context["result"]
    assert result.ok, result.problems
    text = read_page(response).text
    assert all(reason in text for reason in result.skipped.values())
    return dict(result.skipped)


def test_uploading_the_same_mentees_file_twice_adds_each_child_once(staff_client, school_a):
    text = MENTEES + "Zoe,Q,Lincoln Elementary,5\nYan,R,Lincoln Elementary,K\n"
    upload(staff_client, "mentees", text)
    staff_client.post("/staff/import/mentees/save/")
    assert Mentee.objects.filter(site=school_a).count() == 2

    # The same children, typed differently: case and spaces do not make a new child.
    again = MENTEES + " zoe ,q,LINCOLN  ELEMENTARY,5\nYan,R,Lincoln Elementary,k\n"
    response = upload(staff_client, "mentees", again)
    assert preview_notes(response) == {
        2: "Already in the portal: will be skipped",
        3: "Already in the portal: will be skipped",
    }
    assert "Nothing new to save" in read_page(response).text
    response = staff_client.post("/staff/import/mentees/save/", follow=True)
    assert Mentee.objects.filter(site=school_a).count() == 2
    assert (
        "Added 0 mentees. Skipped 2 rows already in the portal or repeated in the file."
        in read_page(response).text
    )


def test_a_mentee_in_another_grade_or_school_is_a_new_child(staff_client, school_a, school_b):
    upload(staff_client, "mentees", MENTEES + "Zoe,Q,Lincoln Elementary,5\n")
    staff_client.post("/staff/import/mentees/save/")
    text = (
        MENTEES
        + "Zoe,Q,Lincoln Elementary,5\nZoe,Q,Lincoln Elementary,6\nZoe,Q,Roosevelt Middle,5\n"
    )
    response = upload(staff_client, "mentees", text)
    assert preview_notes(response) == {2: "Already in the portal: will be skipped"}
    response = staff_client.post("/staff/import/mentees/save/", follow=True)
    assert (
        "Added 2 mentees. Skipped 1 row already in the portal or repeated in the file."
        in read_page(response).text
    )
    assert Mentee.objects.filter(first_name="Zoe").count() == 3


def test_a_row_repeated_in_the_file_is_saved_once(staff_client, school_a):
    text = (
        MENTEES
        + "Zoe,Q,Lincoln Elementary,5\nYan,R,Lincoln Elementary,K\nZOE,q,Lincoln Elementary,5\n"
    )
    response = upload(staff_client, "mentees", text)
    assert preview_notes(response) == {4: "Same as row 2: will be skipped"}
    assert "Save 2 mentees" in read_page(response).text
    staff_client.post("/staff/import/mentees/save/")
    assert Mentee.objects.filter(first_name__iexact="zoe").count() == 1


def test_uploading_the_same_matches_file_twice_adds_each_match_once(
    staff_client, mentor_a, match_a
):
    Mentee.objects.create(first_name="Zoe", last_initial="Q", site=match_a.site, grade="5")
    text = MATCHES + "mentor-a@example.org,Zoe,Q,Lincoln Elementary,2026-09-01\n"
    assert upload(staff_client, "matches", text).context["result"].ok
    staff_client.post("/staff/import/matches/save/")
    assert Match.objects.filter(mentee__first_name="Zoe").count() == 1

    again = text + "MENTOR-A@example.org,zoe,q,lincoln elementary,2026-09-01\n"
    again += "mentor-a@example.org,Zoe,Q,Lincoln Elementary,2027-01-15\n"
    response = upload(staff_client, "matches", again)
    assert preview_notes(response) == {
        2: "Already in the portal: will be skipped",
        3: "Same as row 2: will be skipped",
    }
    response = staff_client.post("/staff/import/matches/save/", follow=True)
    assert (
        "Added 1 match. Skipped 2 rows already in the portal or repeated in the file."
        in read_page(response).text
    )
    starts = Match.objects.filter(mentee__first_name="Zoe").values_list("start_date", flat=True)
    assert sorted(d.isoformat() for d in starts) == ["2026-09-01", "2027-01-15"]


def test_uploading_the_same_mentors_file_twice_adds_each_mentor_once(staff_client, mentor_a):
    text = MENTORS + "new.one@example.org,New One,,\nMentor-A@Example.org,Already Here,,\n"
    response = upload(staff_client, "mentors", text)
    assert preview_notes(response) == {3: "Already in the portal: will be skipped"}
    staff_client.post("/staff/import/mentors/save/")
    response = upload(staff_client, "mentors", text)
    assert len(preview_notes(response)) == 2
    staff_client.post("/staff/import/mentors/save/")
    assert User.objects.filter(email="new.one@example.org").count() == 1
    assert User.objects.get(email="mentor-a@example.org").full_name == "Mentor Jane"


def test_an_email_of_someone_who_is_not_a_mentor_is_a_problem(staff_client, staff_user):
    response = upload(staff_client, "mentors", MENTORS + "staff@example.org,Robin Ellis,,\n")
    assert problems_of(response) == [(2, "email")]


def test_the_audit_trail_counts_what_was_added_and_skipped(staff_client, staff_user, school_a):
    upload(staff_client, "mentees", MENTEES + "Zoe,Q,Lincoln Elementary,5\n")
    staff_client.post("/staff/import/mentees/save/")
    upload(
        staff_client,
        "mentees",
        MENTEES + "Zoe,Q,Lincoln Elementary,5\nYan,R,Lincoln Elementary,K\n",
    )
    staff_client.post("/staff/import/mentees/save/")
    event = AuditEvent.objects.filter(action="import.mentees").order_by("pk").last()
    assert event.actor == staff_user
    assert event.new_values == {"added": 1, "skipped": 1}


@pytest.mark.parametrize("persona", ["mentor_a", "site_contact_a"])
def test_mentors_and_site_contacts_cannot_import(client, request, persona, school_a):
    client.force_login(request.getfixturevalue(persona))
    response = upload(client, "mentees", MENTEES + "Zoe,Q,Lincoln Elementary,5\n")
    assert response.status_code in (403, 404)
    assert client.post("/staff/import/mentees/save/").status_code in (403, 404)
    assert not Mentee.objects.filter(first_name="Zoe").exists()


# --- The same file saved twice at once ------------------------------------------------------


@pytest.mark.skipif(
    not is_postgres(), reason="SQLite serializes writers; the race needs PostgreSQL"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_file_saved_twice_at_once_adds_each_row_once(staff_user, school_a):
    """Each save waits for the other one's check, if it can: without the lock both checks
    find nothing and both save."""
    ProgramSettings.load()
    text = MENTEES + "Zoe,Q,Lincoln Elementary,5\nYan,R,Lincoln Elementary,K\n"
    both_checked = threading.Barrier(2, timeout=2)
    real_check = imports.import_check

    def check_then_wait(**kwargs):
        result = real_check(**kwargs)
        # A broken barrier: the other save is waiting for this one to finish.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait()
        return result

    results: list = [None, None]

    def save(index: int):
        try:
            results[index] = imports.import_save(kind_name="mentees", text=text, user=staff_user)
        except Exception as error:  # the test reports it
            results[index] = error
        finally:
            connection.close()

    with mock.patch.object(imports, "import_check", check_then_wait):
        threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert sorted((r.added, r.skipped) for r in results) == [(0, 2), (2, 0)], results
    assert Mentee.objects.filter(site=school_a).count() == 2
