"""Writing files safely: `write_atomic`, the one way the package writes a file (models, drawings, pictures).

A reader sees the old file or the whole new one, never a part: the data goes to a temporary file
beside the target, is flushed to disk, and is renamed over it. The new file gets the mode that
`open()` would give it (0666 less the umask), or keeps the mode of the file it replaces; a symbolic
link is written through, to its target; a device, pipe or other special file is never replaced. A
save killed half-way leaves its temporary file behind; the next save of the same file removes it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Callable
from typing import BinaryIO

PathLike = str | os.PathLike[str]
SUFFIX = ".microgradnet-tmp"

__all__ = ["PathLike", "write_atomic"]


def write_atomic(path: PathLike, data: bytes | str | Callable[[BinaryIO], object], *, encoding: str = "utf-8") -> None:
    """Write data (bytes, text, or a function that writes to a binary file) to path atomically."""
    target = _target(os.fspath(path))
    folder, name = os.path.split(target)
    _remove_stale(folder, name)
    mode = _existing_mode(target)
    tmp = os.path.join(folder, f".{name}.{os.getpid()}.{secrets.token_hex(4)}{SUFFIX}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, as for open()
    except OSError as e:
        raise OSError(e.errno, f"cannot write {path}: {e.strerror}") from e
    try:
        with os.fdopen(fd, "wb") as f:
            if callable(data):
                data(f)
            else:
                f.write(data.encode(encoding) if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
            if mode is not None:
                os.fchmod(f.fileno(), mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_folder(folder)


def _target(path: str) -> str:
    """The file to replace: path itself, or where its symbolic links lead; an error for what is no regular file."""
    if not path:
        raise OSError("cannot write to an empty path")
    target = os.path.realpath(path)  # through every link, to the file (which need not exist yet)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        folder = os.path.dirname(target)
        if not os.path.isdir(folder):
            raise FileNotFoundError(f"cannot write {path}: the folder {folder} does not exist") from None
        return target
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(f"cannot write {path}: it is a folder")
    if not stat.S_ISREG(st.st_mode):
        raise OSError(f"cannot write {path}: it is a device, pipe or socket, not a regular file; choose a file name")
    return target


def _existing_mode(target: str) -> int | None:
    """The permission bits of the file about to be replaced (None if there is none)."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        return None


def _remove_stale(folder: str, name: str) -> None:
    """Remove temporary files of this name left by saves whose process has died."""
    prefix = f".{name}."
    try:
        entries = os.listdir(folder)
    except OSError:
        return
    for entry in entries:
        if not (entry.startswith(prefix) and entry.endswith(SUFFIX)):
            continue
        pid = entry[len(prefix) :].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, entry))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another save in this process may be writing it right now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # exists (someone else's), or cannot tell: leave it
    return True


def _sync_folder(folder: str) -> None:
    """Flush the rename to disk where the system allows it (not on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
