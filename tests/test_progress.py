"""Feedback while indexing: a progress bar on a terminal only, a summary unless --quiet."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import sys
import termios
from pathlib import Path

from click.testing import CliRunner

from searcher.cli import main


def on_a_terminal(*args: str) -> tuple[int, str]:
    """Run ``searcher ARGS`` with a 120-column terminal as stdout and stderr."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes searcher
        os.execv(sys.executable, [sys.executable, "-m", "searcher.cli", *args])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    output = b""
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        output += data
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output.decode("utf-8", "replace")


def test_a_terminal_shows_a_progress_bar_and_a_summary(tmp_path: Path, seeds: Path) -> None:
    code, output = on_a_terminal("index", str(seeds), "--index", str(tmp_path / "ix"))
    assert code == 0
    assert "reading" in output and "cleaning" in output and "writing" in output
    assert "5/5 files" in output and "19 articles" in output
    assert "indexed into" in output and "5 new" in output


def test_quiet_shows_nothing_on_a_terminal(tmp_path: Path, seeds: Path) -> None:
    code, output = on_a_terminal("index", str(seeds), "--index", str(tmp_path / "ix"), "-q")
    assert code == 0
    assert output.strip() == ""


def test_no_bar_when_not_on_a_terminal(tmp_path: Path, seeds: Path) -> None:
    result = CliRunner().invoke(main, ["index", str(seeds), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0
    assert "reading" not in result.stderr and "%|" not in result.stderr
    assert "5 new" in result.stdout
