"""A production server (HTTPS=on) refuses to start without its settings; the demo starts
with nothing set; importing the settings creates nothing; old keys keep working while
they are listed in SECRET_KEY_FALLBACKS."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import signing
from django.test import Client

from portal.health import startup
from tests.production_env import PRODUCTION_ENV, TEST_ONLY, production_env

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def run(args: list[str], env: dict[str, str], timeout: int = 60) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and files, fixed arguments
        args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def bare_env(**extra: str) -> dict[str, str]:
    """Nothing of the portal's set: what someone trying the demo has."""
    keep = {"PATH", "HOME", "LANG", "PYTHONPATH"}
    env = {k: v for k, v in os.environ.items() if k in keep and k not in TEST_ONLY}
    env.update(extra)
    return env


def without(name: str) -> dict[str, str]:
    return {k: v for k, v in PRODUCTION_ENV.items() if k != name}


# --- What is missing, named one by one --------------------------------------------------------


def test_a_complete_production_environment_has_no_problem():
    assert startup.problems(PRODUCTION_ENV) == []


def test_without_https_nothing_is_required():
    assert startup.problems({}) == []
    assert startup.problems({"HTTPS": "off"}) == []


@pytest.mark.parametrize("name", sorted(PRODUCTION_ENV.keys() - {"HTTPS"}))
def test_each_missing_setting_is_named_with_what_to_set(name):
    found = startup.problems(without(name))
    assert len(found) == 1
    assert found[0].startswith(f"{name} ")
    assert "Set " in found[0]


@pytest.mark.parametrize("name", sorted(PRODUCTION_ENV.keys() - {"HTTPS"}))
def test_a_blank_setting_counts_as_missing(name):
    found = startup.problems({**PRODUCTION_ENV, name: "  "})
    assert [problem.split()[0] for problem in found] == [name]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "sqlite:///var/portal.sqlite3"),
        ("DATABASE_URL", "mysql://portal@db/portal"),
        ("SITE_URL", "http://mentors.example.org"),
        ("SITE_URL", "https://"),
        ("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]"),
        ("ALLOWED_HOSTS", "*"),
        ("ALLOWED_HOSTS", "mentors.example.org,*"),
    ],
)
def test_demo_stand_ins_are_refused(name, value):
    found = startup.problems({**PRODUCTION_ENV, name: value})
    assert [problem.split()[0] for problem in found] == [name]


@pytest.mark.parametrize(
    "url", ["postgres://p@db/portal", "postgresql://p@db/portal", "POSTGRES://p@db/portal"]
)
def test_postgresql_addresses_are_accepted(url):
    assert startup.problems({**PRODUCTION_ENV, "DATABASE_URL": url}) == []


# --- Every way the portal starts stops, with one plain message ---------------------------------

EVERY_NAME = ["SECRET_KEY", "DATABASE_URL", "SITE_URL", "EMAIL_HOST", "DEFAULT_FROM_EMAIL"]


def assert_refused(result: subprocess.CompletedProcess, names: list[str]) -> None:
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Mentor Portal will not start" in result.stderr
    for name in names:
        assert f"  - {name} " in result.stderr, name


def test_manage_py_check_with_https_and_nothing_else_names_everything_missing(tmp_path):
    env = bare_env(HTTPS="on", PORTAL_VAR_DIR=str(tmp_path / "var"))
    result = run([sys.executable, "manage.py", "check"], env)
    assert_refused(result, [*EVERY_NAME, "ALLOWED_HOSTS"])
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.count("Mentor Portal will not start") == 1
    assert not (tmp_path / "var").exists()


@pytest.mark.parametrize("name", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"])
def test_manage_py_names_the_one_setting_missing(name):
    env = {k: v for k, v in production_env().items() if k != name}
    result = run([sys.executable, "manage.py", "check"], env)
    assert_refused(result, [name])
    assert result.stderr.count("  - ") == 1
    assert "Traceback" not in result.stderr


def test_the_worker_refuses_too():
    env = {k: v for k, v in production_env().items() if k != "EMAIL_HOST"}
    result = run([sys.executable, "manage.py", "run_worker", "--help"], env)
    assert_refused(result, ["EMAIL_HOST"])
    assert "Traceback" not in result.stderr


def test_gunicorn_refuses_before_starting_a_worker():
    env = {k: v for k, v in production_env().items() if k != "SECRET_KEY"}
    result = run([str(GUNICORN), "--config", "gunicorn.conf.py", "portal.wsgi"], env)
    assert_refused(result, ["SECRET_KEY"])
    assert result.returncode == 1
    assert "Booting worker" not in result.stderr
    assert "Traceback" not in result.stderr


def test_any_other_import_of_the_settings_refuses():
    """A process that imports the settings without manage.py or gunicorn.conf.py (a
    gunicorn started with other flags, a script) stops with the same message."""
    env = {k: v for k, v in production_env().items() if k != "DEFAULT_FROM_EMAIL"}
    result = run([sys.executable, "-c", "import django; django.setup()"], env)
    assert result.returncode != 0
    assert "UnsafeToStart" in result.stderr
    assert "  - DEFAULT_FROM_EMAIL " in result.stderr


def test_a_complete_production_environment_starts():
    result = run([sys.executable, "manage.py", "check"], production_env())
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


# --- The demo, and no side effects on import ----------------------------------------------------


def test_the_demo_starts_with_nothing_set(tmp_path):
    var = tmp_path / "var"
    result = run([sys.executable, "manage.py", "check"], bare_env(PORTAL_VAR_DIR=str(var)))
    assert result.returncode == 0, result.stderr
    # manage.py prepared the demo's folder and a private key for it.
    key = var / "secret_key"
    assert len(key.read_text()) >= 50
    assert key.stat().st_mode & 0o777 == 0o600
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    shown = run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        bare_env(PORTAL_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="portal.settings"),
    )
    assert shown.stdout.strip() == key.read_text().strip()


def test_importing_the_settings_creates_no_folder_and_no_file(tmp_path):
    var = tmp_path / "not-there"
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from django.core.mail import get_connection; "
        "print(settings.SECRET_KEY and settings.DATABASES['default']['NAME'])"
    )
    result = run(
        [sys.executable, "-c", code],
        bare_env(PORTAL_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="portal.settings"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(var / "portal.sqlite3")
    assert not var.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_demo_files_are_made_once_and_kept(tmp_path):
    env = {"PORTAL_VAR_DIR": str(tmp_path / "var")}
    startup.prepare_local_files(env)
    first = startup.read_demo_key(env)
    startup.prepare_local_files(env)
    assert startup.read_demo_key(env) == first


def test_a_production_server_gets_no_demo_files(tmp_path):
    startup.prepare_local_files({"PORTAL_VAR_DIR": str(tmp_path / "a"), "HTTPS": "on"})
    startup.prepare_local_files({"PORTAL_VAR_DIR": str(tmp_path / "b"), "SECRET_KEY": "k" * 50})
    assert list(tmp_path.iterdir()) == []


# --- Key rotation -------------------------------------------------------------------------------

OLD_KEY = "old-key-" + "o" * 50
NEW_KEY = "new-key-" + "n" * 50


def test_the_fallbacks_are_read_from_the_environment():
    code = "from django.conf import settings; print(settings.SECRET_KEY_FALLBACKS)"
    result = run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        production_env(SECRET_KEY_FALLBACKS=f" {OLD_KEY} , older-{OLD_KEY},"),
    )
    assert result.stdout.strip() == str([OLD_KEY, f"older-{OLD_KEY}"])


def test_a_session_and_a_signed_value_made_with_the_old_key_work_while_it_is_a_fallback(
    settings, mentor_a
):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD_KEY, []
    client = Client()
    client.force_login(mentor_a)
    signed = signing.dumps({"mentor": mentor_a.pk}, salt="rotation-test")

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    assert client.get("/mentor/").status_code == 200
    assert client.session[SESSION_KEY] == str(mentor_a.pk)
    assert signing.loads(signed, salt="rotation-test") == {"mentor": mentor_a.pk}


def test_without_the_fallback_the_old_key_is_worth_nothing(settings, mentor_a):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD_KEY, []
    client = Client()
    client.force_login(mentor_a)
    signed = signing.dumps({"mentor": mentor_a.pk}, salt="rotation-test")

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, []
    response = client.get("/mentor/")
    assert response.status_code == 302 and "sign-in" in response["Location"]
    with pytest.raises(signing.BadSignature):
        signing.loads(signed, salt="rotation-test")
