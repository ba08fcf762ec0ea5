"""Where the embedded store lives, and the secret key that is generated into it.

The data folder is chosen once per process: `--data-dir` on the CLI sets
`CXKEEPER_DATA_DIR` before Django starts, so settings, management commands and the
web server all agree on the same folder.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULT_DATA_DIR = "./cxkeeper-data"
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


def data_dir() -> Path:
    path = Path(os.environ.get("CXKEEPER_DATA_DIR", DEFAULT_DATA_DIR)).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


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
