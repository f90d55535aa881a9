"""Feed bodies kept as files, plain and gzipped, by what they were made from; no Flask.

A streamed feed is written to files as it is sent; once complete, they are renamed into place
and every worker of the server sends them again from the disk (sendfile) while the data stays
the same: no worker holds a body in memory, and a poll without validators costs no rebuild.
Their name comes from the feed's ETag and the database's data version (which triggers bump on
any change to the sessions, venues, schools or families), so a file is never sent for another
state. The files least used lately go when the folder passes its size.
"""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

GZIP_LEVEL = 5
READ_SIZE = 1024 * 1024
USED_S = 60  # a file used this recently is never removed
ABANDONED_S = 3600  # a part older than this was left by a worker that stopped mid-stream


class FeedFiles:
    """A folder of complete feed bodies, named by key, kept under max_bytes."""

    def __init__(self, folder: str | os.PathLike, max_bytes: int):
        self.folder = Path(folder)
        self.max_bytes = max_bytes

    def found(self, key: str, gzipped: bool) -> tuple[Path, int] | None:
        """Return the file of the body kept under key (gzipped or not) and its size, or None.

        The file is marked as used now: the folder is trimmed of the files least used, never of
        one used in the last USED_S seconds (so never of one about to be read).
        """
        path = self._path(key, gzipped)
        try:
            os.utime(path)
            return path, path.stat().st_size
        except OSError:  # not kept, or removed meanwhile
            return None

    def read(self, path: Path) -> Iterator[bytes]:
        """Yield the bytes of a kept file, a megabyte at a time (the file is opened once iterated)."""
        with open(path, "rb") as kept:
            while chunk := kept.read(READ_SIZE):
                yield chunk

    def kept_while_sent(self, key: str, chunks: Iterator[bytes]) -> Iterator[bytes]:
        """Yield the chunks, writing them (and their gzip) to the files of key once all are sent."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            plain = tempfile.NamedTemporaryFile(dir=self.folder, prefix=".part-", delete=False)
            packed = tempfile.NamedTemporaryFile(dir=self.folder, prefix=".part-", delete=False)
        except OSError as error:  # a full or read-only disk: send without keeping
            log.warning("Feed not kept as a file: %s", error)
            yield from chunks
            return
        packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        complete = False
        try:
            for chunk in chunks:
                yield chunk
                plain.write(chunk)
                packed.write(packer.compress(chunk))
            packed.write(packer.flush())
            complete = True
        finally:
            plain.close()
            packed.close()
            if complete:
                os.replace(plain.name, self._path(key, False))
                os.replace(packed.name, self._path(key, True))
                self._trim()
            else:  # the client left, or the stream failed: nothing is kept
                for name in (plain.name, packed.name):
                    Path(name).unlink(missing_ok=True)
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    def _path(self, key: str, gzipped: bool) -> Path:
        name = hashlib.sha256(key.encode()).hexdigest()[:40]
        return self.folder / (name + (".ics.gz" if gzipped else ".ics"))

    def _trim(self) -> None:
        """Remove the oldest complete files while the folder is over its size."""
        files, now = [], time.time()
        for path in self.folder.iterdir():
            try:
                found = path.stat()
            except OSError:  # removed meanwhile by another worker
                continue
            if path.name.startswith(".part-"):
                if found.st_mtime < now - ABANDONED_S:
                    path.unlink(missing_ok=True)
                continue
            files.append((found.st_mtime, found.st_size, path))
        total = sum(size for _, size, _ in files)
        for used, size, path in sorted(files, key=lambda f: f[0]):
            if total <= self.max_bytes or used > now - USED_S:
                break
            path.unlink(missing_ok=True)
            total -= size
