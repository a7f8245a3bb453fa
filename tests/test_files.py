"""write_atomic: the package's one way to write a file: whole or not at all, with the mode a user expects."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from microgradnet.files import SUFFIX, write_atomic


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_writes_bytes_text_and_a_writer(tmp_path: Path) -> None:
    write_atomic(tmp_path / "a.bin", b"\x00\x01")
    write_atomic(tmp_path / "b.txt", "grüße\n")
    write_atomic(tmp_path / "c.bin", lambda f: f.write(b"xyz"))
    assert (tmp_path / "a.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "b.txt").read_text(encoding="utf-8") == "grüße\n"
    assert (tmp_path / "c.bin").read_bytes() == b"xyz"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.bin", "b.txt", "c.bin"]  # no temporary file left


def test_a_new_file_gets_the_mode_open_would_give_it(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "f", b"1")
    finally:
        os.umask(old)
    assert mode(tmp_path / "f") == 0o640  # 0666 less the umask, not mkstemp's private 0600


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "f"
    target.write_bytes(b"old")
    target.chmod(0o644)
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new" and mode(target) == 0o644
    target.chmod(0o600)
    write_atomic(target, b"newer")
    assert mode(target) == 0o600


def test_a_symbolic_link_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_bytes(b"old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_atomic(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "made-through-the-link")
    write_atomic(dangling, b"x")
    assert dangling.is_symlink() and (tmp_path / "made-through-the-link").read_bytes() == b"x"


def test_a_device_a_folder_or_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OSError, match=r"cannot write /dev/null: it is a device, pipe or socket, not a regular file"):
        write_atomic("/dev/null", b"x")
    with pytest.raises(IsADirectoryError, match=r"cannot write .*: it is a folder"):
        write_atomic(tmp_path, b"x")
    with pytest.raises(FileNotFoundError, match=r"the folder .*nowhere does not exist"):
        write_atomic(tmp_path / "nowhere" / "f", b"x")
    with pytest.raises(OSError, match="cannot write to an empty path"):
        write_atomic("", b"x")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        write_atomic(fifo, b"x")


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "model.json"
    target.write_bytes(b"old")

    def broken(f: object) -> None:
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        write_atomic(target, broken)
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["model.json"]


def test_the_next_save_removes_what_a_killed_save_left(tmp_path: Path) -> None:
    target = tmp_path / "model.json"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    left = tmp_path / f".model.json.{dead.stdout.strip()}.abcd1234{SUFFIX}"
    left.write_bytes(b"half")
    other = tmp_path / f".other.json.{dead.stdout.strip()}.abcd1234{SUFFIX}"
    other.write_bytes(b"not ours")
    alive = tmp_path / f".model.json.{os.getppid()}.abcd1234{SUFFIX}"  # a live process's save: left alone
    alive.write_bytes(b"busy")
    write_atomic(target, b"whole")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, other.name, alive.name])
