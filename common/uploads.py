"""An uploaded file kept between the check of an import and the import itself.

An import page is two steps (check, then import) of one uploaded file. Between them the
file is kept in a private temporary folder under its SHA-256, and the page carries a
signed token naming that digest and the person, valid for an hour: nobody else's file can
be named, and the file imported is byte for byte the file that was checked. Files older
than a day are removed whenever another is kept; the import page removes its file once
imported.
"""

import hashlib
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.core import signing

MAX_AGE = 3600
_STALE_AFTER = 86400


@dataclass(frozen=True)
class KeptUploads:
    """The kept files of one import page: its own folder and signing salt."""

    folder_name: str
    salt: str
    max_age: int = MAX_AGE

    def folder(self) -> Path:
        folder = Path(tempfile.gettempdir()) / self.folder_name
        folder.mkdir(mode=0o700, exist_ok=True)
        return folder

    def keep(self, data: bytes, user) -> str:
        """Keep `data` for `user`'s second step; the signed token that names it."""
        folder = self.folder()
        for old in folder.iterdir():
            try:
                if old.stat().st_mtime < time.time() - _STALE_AFTER:
                    old.unlink()
            except OSError:
                pass
        digest = hashlib.sha256(data).hexdigest()
        (folder / digest).write_bytes(data)
        return signing.dumps({"sha": digest, "user": user.pk}, salt=self.salt)

    def kept(self, token: str, user) -> tuple[str, bytes] | None:
        """The digest and bytes of the file `token` names, if it is `user`'s and kept."""
        try:
            payload = signing.loads(token, salt=self.salt, max_age=self.max_age)
        except signing.BadSignature:
            return None
        if not isinstance(payload, dict) or payload.get("user") != user.pk:
            return None
        digest = str(payload.get("sha", ""))
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            return None
        try:
            data = (self.folder() / digest).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != digest:
            return None
        return digest, data

    def drop(self, digest: str) -> None:
        (self.folder() / digest).unlink(missing_ok=True)
