"""Addresses that many tests visit, written as people see them in the address bar: a
changed URL is a broken bookmark, so tests name paths, never ``reverse()``."""

SIGN_IN = "/accounts/sign-in/"
MENTOR_HOME = "/mentor/"
NEW_SESSION = "/sessions/new/"
CONCERNS = "/concerns/"
STAFF_HOME = "/accounts/staff/"
