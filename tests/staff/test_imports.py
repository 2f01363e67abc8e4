"""Imports: every problem by row and column, nothing saved until the file is right."""

from django.core.files.uploadedfile import SimpleUploadedFile

from portal.accounts.models import User
from portal.mentoring.models import Match, Mentee, Mentor


def upload(client, kind: str, text: str):
    file = SimpleUploadedFile(f"{kind}.csv", text.encode(), content_type="text/csv")
    return client.post(f"/staff/import/{kind}/", {"file": file})


def test_the_template_names_every_column(staff_client):
    response = staff_client.get("/staff/import/mentors/template.csv")
    assert response.status_code == 200
    assert response.content.decode().splitlines()[0] == "email,full_name,phone,status"


def test_a_file_with_errors_saves_nothing_and_lists_each_one(staff_client, mentor_a):
    text = (
        "email,full_name,phone,status\n"
        "new.one@example.org,New One,,invited\n"
        "not-an-email,Bad Email,,\n"
        "mentor-a@example.org,Taken,,\n"
        "new.one@example.org,Twice,,\n"
        "ok@example.org,,,retired\n"
    )
    before = User.objects.count()
    response = upload(staff_client, "mentors", text)
    problems = [(p.row, p.column) for p in response.context["result"].problems]
    assert problems == [
        (3, "email"),
        (4, "email"),
        (5, "email"),
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
