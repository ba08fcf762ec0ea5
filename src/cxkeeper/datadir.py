"""Where the embedded store lives, and the secret key that is generated into it.

The data folder is chosen once per process: `--data-dir` on the CLI sets
`CXKEEPER_DATA_DIR` before Django starts, so settings, management commands and the
web server all agree on the same folder.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cxkeeper.core.datafolder import DEFAULT_DATA_DIR, STORE_FILE

__all__ = ["DEFAULT_DATA_DIR", "SECRET_KEY_FILE", "STORE_FILE", "data_dir", "private_files", "secret_key"]

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


def data_dir() -> Path:
    """The data folder, private to the account that runs cxkeeper (0700): it holds the
    database, raw uploads and error reports, which are nobody else's to read."""
    path = Path(os.environ.get("CXKEEPER_DATA_DIR", DEFAULT_DATA_DIR)).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def private_files() -> None:
    """Files cxkeeper creates from now on are readable by its own account only (umask 077)."""
    os.umask(0o077)


def secret_key(folder: Path) -> str:
    """The SECRET_KEY from the environment, else from the data folder (created on first run).

    Generated per installation so that no secret ever lives in the repository.
    """
    if os.environ.get("CXKEEPER_SECRET_KEY"):
        return os.environ["CXKEEPER_SECRET_KEY"]
    key_path = folder / SECRET_KEY_FILE
    if not key_path.exists():
        key = secrets.token_urlsafe(50)
        # O_EXCL: two processes starting at once must not write two different keys.
        try:
            fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(key)
    return key_path.read_text().strip()
