"""Backups encrypted to public keys with GnuPG, decrypted with a private key at restore.

The server holds only public keys (``BACKUP_GPG_RECIPIENT_FILES``): it writes backups it
can never read back, so a stolen server, or its copies off-site, give no notes about
children. The private key stays offline with the people who restore; ``restore
--identity KEYFILE`` imports it into a throwaway GnuPG home that is removed afterwards.

Every gpg run here uses its own temporary home (``GNUPGHOME``), so the service user needs
no keyring and nothing is left behind; its agent is stopped before the home is removed.
"""

import shutil
import subprocess  # noqa: S404  (fixed argument lists, never a shell)
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# The first bytes of a backup that is not encrypted: SQLite's file header and the
# header of pg_dump's custom format. Anything else is taken to be an OpenPGP message.
PLAIN_MAGIC = {b"SQLite format 3\x00": "sqlite", b"PGDMP": "postgresql"}


class GpgError(RuntimeError):
    """gpg could not encrypt or decrypt; the message says why."""


def plain_kind(path: Path) -> str | None:
    """ "sqlite" or "postgresql" for a backup that is not encrypted, else None."""
    with open(path, "rb") as file:
        head = file.read(16)
    return plain_kind_of(head)


def plain_kind_of(head: bytes) -> str | None:
    for magic, kind in PLAIN_MAGIC.items():
        if head.startswith(magic):
            return kind
    return None


def _gpg() -> str:
    path = shutil.which("gpg")
    if not path:
        raise GpgError("gpg is not installed: apt-get install gnupg")
    return path


def check_recipients(recipient_files: list[Path]) -> list[Path]:
    """The public key files, each readable, or a clear error."""
    if not recipient_files:
        raise GpgError("No public key to encrypt to: set BACKUP_GPG_RECIPIENT_FILES.")
    for path in recipient_files:
        if not Path(path).is_file():
            raise GpgError(f"The public key file {path} does not exist.")
    return [Path(path) for path in recipient_files]


@contextmanager
def throwaway_home(identity: str | Path | None = None) -> Iterator[str]:
    """A private GnuPG home (mode 0700), with the secret key ``identity`` imported
    (a path, or "-" for standard input); removed, agent and all, on the way out."""
    home = tempfile.mkdtemp(prefix="portal-gpg-")
    try:
        if identity is not None:
            source = None if str(identity) == "-" else str(identity)
            if source and not Path(source).is_file():
                raise GpgError(f"The private key file {source} does not exist.")
            command = [_gpg(), "--homedir", home, "--batch", "--quiet", "--import"]
            result = subprocess.run(  # noqa: S603
                [*command, *([source] if source else [])],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode:
                raise GpgError(f"Could not read the private key: {result.stderr.strip()}")
        yield home
    finally:
        gpgconf = shutil.which("gpgconf")
        if gpgconf:
            subprocess.run(  # noqa: S603
                [gpgconf, "--homedir", home, "--kill", "all"], capture_output=True, check=False
            )
        shutil.rmtree(home, ignore_errors=True)


def encrypt_command(recipient_files: list[Path], home: str, *, compress: bool) -> list[str]:
    """gpg reading the backup on standard input and writing the message on standard output.

    pg_dump's custom format is compressed already: compressing again only costs time.
    """
    command = [_gpg(), "--homedir", home, "--batch", "--no-tty", "--quiet", "--encrypt"]
    if not compress:
        command += ["--compress-algo", "none"]
    for path in recipient_files:
        # gpg takes a key given this way as fully valid: no keyring, no trust database.
        command += ["--recipient-file", str(path)]
    return command


def decrypt_command(home: str | None) -> list[str]:
    """gpg decrypting standard input to standard output; ``home`` None is the operator's
    own keyring (GNUPGHOME or ~/.gnupg, a smartcard included)."""
    command = [_gpg(), *(["--homedir", home] if home else []), "--batch", "--quiet"]
    return [*command, "--decrypt"]


def decrypt_error(stderr: str) -> GpgError:
    if "No secret key" in stderr or "no secret key" in stderr:
        return GpgError(
            "This backup is encrypted and the private key is not here: give it with "
            "--identity KEYFILE (see README, Restoring a backup)."
        )
    return GpgError(f"Could not decrypt the backup: {stderr.strip()}")
