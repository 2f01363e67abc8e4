def test_the_mentor_home_lists_the_match_and_the_site_contact(client_a):
    page = client_a.get("/mentor/").content.decode()
    assert "Jane D." in page
    assert "Dana Whitfield" in page
    assert "Log a session" in page
