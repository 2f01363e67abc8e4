"""The deploy files a host uses: systemd units, the Procfile, the environment file example
and the scripts beside them. Each command they run must exist, and systemd must accept the
units as written (``systemd-analyze verify``, and ``security`` for their hardening).

The units name /opt/mentor-portal, its .venv and /etc/mentor-portal/portal.env; verify
checks that every program they start exists, so the tests render the units with this
checkout, the test run's virtualenv and the example environment file in their place.
"""

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SERVICES = ["mentor-portal-web", "mentor-portal-worker", "mentor-portal-backup"]
LONG_RUNNING = ["mentor-portal-web", "mentor-portal-worker"]
APP, VENV, ENV_FILE = (
    "/opt/mentor-portal",
    "/opt/mentor-portal/.venv",
    "/etc/mentor-portal/portal.env",
)
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
needs_systemd_analyze = pytest.mark.skipif(
    not SYSTEMD_ANALYZE, reason="systemd-analyze is not installed (apt-get install systemd)"
)


def unit_text(name: str) -> str:
    return (DEPLOY / name).read_text()


def directives(name: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in unit_text(name).splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    """The units with this checkout's paths, as a host would have them installed."""
    folder = tmp_path_factory.mktemp("units")
    venv = Path(sys.prefix)
    for path in DEPLOY.glob("mentor-portal-*"):
        text = (
            path.read_text()
            .replace(ENV_FILE, str(DEPLOY / "portal.env.example"))
            .replace(VENV, str(venv))
            .replace(APP, str(ROOT))
        )
        (folder / path.name).write_text(text)
    return folder


def analyze(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603  (fixed arguments)
        [SYSTEMD_ANALYZE, *args], capture_output=True, text=True, check=False
    )


@needs_systemd_analyze
def test_systemd_accepts_every_unit_without_a_warning(rendered):
    units = sorted(str(path) for path in rendered.iterdir())
    assert len(units) == 4
    result = analyze("verify", *units)
    assert result.returncode == 0, result.stderr
    # verify warns about unknown or misspelt settings on stderr and still succeeds.
    assert result.stderr.strip() == ""


@needs_systemd_analyze
def test_verify_would_catch_a_misspelt_setting(rendered, tmp_path):
    broken = tmp_path / "mentor-portal-web.service"
    broken.write_text((rendered / broken.name).read_text().replace("ProtectSystem", "ProtectSytem"))
    assert "Unknown key" in analyze("verify", str(broken)).stderr


@needs_systemd_analyze
@pytest.mark.parametrize("service", SERVICES)
def test_each_service_is_hardened(rendered, service):
    # systemd's own score of what the service could do if taken over: 0 is locked
    # down, 10 is root with everything. 2 or less is "OK".
    unit = str(rendered / f"{service}.service")
    result = analyze("security", "--offline=yes", "--threshold=20", "--no-pager", unit)
    assert result.returncode == 0, result.stdout[-400:] + result.stderr


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_runs_as_its_own_user_and_writes_only_its_folder(service):
    unit = directives(f"{service}.service")
    assert unit["User"] == ["mentor-portal"] and unit["Group"] == ["mentor-portal"]
    for key, value in {
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "NoNewPrivileges": "yes",
        "ReadWritePaths": "/var/lib/mentor-portal",
        "StateDirectory": "mentor-portal",
        "UMask": "0077",
        "CapabilityBoundingSet": "",
        "EnvironmentFile": ENV_FILE,
        "WorkingDirectory": APP,
    }.items():
        assert unit[key] == [value], key
    # The portal's data folder is the one it may write to.
    assert unit["Environment"] == ["PORTAL_VAR_DIR=/var/lib/mentor-portal"]


@pytest.mark.parametrize("service", LONG_RUNNING)
def test_the_web_server_and_the_worker_come_back_after_a_crash(service):
    unit = directives(f"{service}.service")
    assert unit["Restart"] == ["on-failure"]
    assert unit["WantedBy"] == ["multi-user.target"]


def test_the_backup_runs_nightly_and_then_copies_off_site():
    timer = directives("mentor-portal-backup.timer")
    assert timer["Unit"] == ["mentor-portal-backup.service"]
    assert re.fullmatch(r"\*-\*-\* \d\d:\d\d:\d\d", timer["OnCalendar"][0])
    assert timer["Persistent"] == ["true"]
    backup = directives("mentor-portal-backup.service")
    assert backup["Type"] == ["oneshot"]
    assert backup["ExecStartPost"] == [f"{APP}/deploy/copy-offsite"]


# --- Every command the units and the Procfile start exists -----------------------------


def unit_commands() -> list[list[str]]:
    commands = []
    for service in SERVICES:
        unit = directives(f"{service}.service")
        for key in ("ExecStart", "ExecStartPost"):
            for line in unit.get(key, []):
                commands.append(
                    shlex.split(line.replace(VENV + "/bin/", "").replace(APP + "/", ""))
                )
    return commands


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def procfile_commands() -> list[list[str]]:
    commands = []
    for line in procfile().values():
        for part in line.split("&&"):
            words = shlex.split(part)
            while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
                words = words[1:]  # an environment variable for this command
            commands.append(words)
    return commands


def check_command(words: list[str]) -> None:
    program, *args = words
    if program == "python":
        assert args[0] == "manage.py", words
        assert args[1] in get_commands(), f"no manage.py command {args[1]}"
    elif program == "gunicorn":
        config = ROOT / args[args.index("--config") + 1]
        assert config.is_file(), config
        # The config file runs as gunicorn runs it: plain Python setting names.
        settings = {}
        exec(compile(config.read_text(), str(config), "exec"), settings)  # noqa: S102
        assert settings["worker_class"] and settings["bind"]
        module = args[-1]
        assert (ROOT / (module.replace(".", "/") + ".py")).is_file(), module
    else:
        script = ROOT / program
        assert script.is_file() and os.access(script, os.X_OK), program


@pytest.mark.parametrize("words", unit_commands(), ids=" ".join)
def test_each_unit_command_exists(words):
    check_command(words)


@pytest.mark.parametrize("words", procfile_commands(), ids=" ".join)
def test_each_procfile_command_exists(words):
    check_command(words)


def test_the_procfile_runs_the_web_server_the_worker_and_migrations():
    processes = procfile()
    assert set(processes) == {"release", "web", "worker"}
    assert "manage.py migrate" in processes["release"]
    assert "gunicorn --config gunicorn.conf.py" in processes["web"]
    assert processes["worker"] == "python manage.py run_worker"


# --- The environment file ----------------------------------------------------------------


def example_environment() -> dict[str, str]:
    """The example as sh reads it (deploy/portal-manage sources it)."""
    result = subprocess.run(  # noqa: S603
        ["/bin/sh", "-c", 'set -a; . "$1"; env -0', "sh", str(DEPLOY / "portal.env.example")],
        capture_output=True,
        env={"PATH": "/usr/bin:/bin"},
        check=True,
    )
    pairs = (item.split(b"=", 1) for item in result.stdout.split(b"\0") if b"=" in item)
    return {key.decode(): value.decode() for key, value in pairs}


def keys_of_example() -> list[str]:
    lines = (DEPLOY / "portal.env.example").read_text().splitlines()
    return [line.split("=", 1)[0] for line in lines if line and not line.startswith("#")]


def test_the_example_environment_reads_the_same_in_sh_as_in_systemd():
    values = example_environment()
    # Quoted: an & would end the line in sh; the spaces and <> are the address's own.
    assert values["DATABASE_URL"].endswith("&sslrootcert=/etc/mentor-portal/db-ca.pem")
    assert values["DEFAULT_FROM_EMAIL"] == "Riverbend Mentoring <mentors@example.org>"
    text = (DEPLOY / "portal.env.example").read_text()
    assert not re.search(r"^\s*export ", text, re.M), "systemd does not read export"
    assert not re.search(r"^[^#].*[$`\\]", text, re.M), "$, ` and \\ differ in sh and systemd"


def test_the_example_sets_what_production_requires():
    values = example_environment()
    assert values["HTTPS"] == "on"
    for name in ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "EMAIL_HOST", "DEFAULT_FROM_EMAIL"):
        assert values[name], name
    assert values["SITE_URL"].startswith("https://")
    assert values["BACKUP_GPG_RECIPIENT_FILES"] and values["BACKUP_OFFSITE"]
    assert "sslmode=verify-full" in values["DATABASE_URL"]


def test_every_variable_of_the_example_is_read_by_something():
    scripts = [DEPLOY / "copy-offsite", DEPLOY / "portal-manage"]
    readers = [ROOT / "gunicorn.conf.py", *scripts, *(ROOT / "portal").rglob("*.py")]
    source = "\n".join(path.read_text() for path in readers)
    known_outside = {"RCLONE_CONFIG"}  # rclone's own
    unread = [key for key in keys_of_example() if key not in source and key not in known_outside]
    assert unread == []


# --- The scripts beside the units --------------------------------------------------------

FAKE_RCLONE = """#!/bin/sh
printf '%s\\n' "$@" > "$(dirname "$0")/rclone.args"
"""


def run_script(name: str, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [str(DEPLOY / name), *args], capture_output=True, text=True, env=env, check=False
    )


def test_the_off_site_copy_sends_only_encrypted_backups_and_never_replaces_one(tmp_path):
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "rclone").write_text(FAKE_RCLONE)
    (tools / "rclone").chmod(0o755)
    env = {
        "PATH": f"{tools}:/usr/bin:/bin",
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
        "BACKUP_OFFSITE": "offsite:riverbend",
    }
    result = run_script("copy-offsite", env)
    assert result.returncode == 0, result.stderr
    args = (tools / "rclone.args").read_text().splitlines()
    assert args == [
        "copy",
        "--immutable",
        "--include",
        "portal-*.gpg",
        str(tmp_path / "var" / "backups"),
        "offsite:riverbend",
    ]


def test_a_backup_without_an_off_site_copy_fails_loudly(tmp_path):
    result = run_script("copy-offsite", {"PATH": "/usr/bin:/bin"})
    assert result.returncode == 1
    assert "BACKUP_OFFSITE is not set: the backups stay on this server only." in result.stderr
    env = {"PATH": str(tmp_path), "BACKUP_OFFSITE": "offsite:x"}  # no rclone on it
    result = subprocess.run(  # noqa: S603
        ["/bin/sh", str(DEPLOY / "copy-offsite")], capture_output=True, text=True, env=env
    )
    assert result.returncode == 1 and "rclone is not installed" in result.stderr


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("runuser"), reason="needs root")
def test_portal_manage_runs_a_command_with_the_environment_file(tmp_path):
    env_file = tmp_path / "portal.env"
    env_file.write_text(
        'DEFAULT_FROM_EMAIL="Riverbend Mentoring <mentors@example.org>"\n'
        f"SQLITE_PATH={tmp_path / 'portal.sqlite3'}\n"
        f"PORTAL_VAR_DIR={tmp_path / 'var'}\n"
    )
    env = {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",  # runuser lives in sbin
        "PORTAL_ENV_FILE": str(env_file),
        "PORTAL_USER": "root",
        "PORTAL_PYTHON": sys.executable,
    }
    code = "from django.conf import settings; print(settings.DEFAULT_FROM_EMAIL)"
    result = run_script("portal-manage", env, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Riverbend Mentoring <mentors@example.org>"


def test_portal_manage_says_when_it_cannot_read_the_environment_file(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "PORTAL_ENV_FILE": str(tmp_path / "missing.env")}
    result = run_script("portal-manage", env, "check")
    assert result.returncode == 1
    assert "Cannot read" in result.stderr
