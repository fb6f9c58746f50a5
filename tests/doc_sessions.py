"""Run a Markdown guide's commands as a reader would, so the guide cannot drift from the tool.

A guide marks what is run by its fenced blocks' info strings:
- ```` ```console ````: `$ command` lines run in bash in one working folder, in
  order; the lines after a command are its expected output (stdout and
  stderr together), where a line `...` stands for any lines and `...` inside a
  line for any text. A command with no lines after it must only succeed; a
  command must exit 0 unless its expected output starts with `error:`.
- ```` ```console server ````: each command is a server; it is started on a free
  port, must answer HTTP on it, and is stopped.
- ```` ```<lang> file=PATH ````: the block's text is written to PATH, as the
  reader would save it from their editor.
Other blocks are shown, not run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^```(\S*)(.*)$")
COMMAND_TIMEOUT = 900


@dataclass(frozen=True)
class Block:
    kind: str  # "console", "server" or "file"
    text: str
    line: int  # where the block starts in the guide, for messages
    path: str = ""


def blocks(markdown: str) -> list[Block]:
    """The guide's runnable blocks, in order."""
    found: list[Block] = []
    lines = markdown.splitlines()
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        lang, rest = match.group(1), match.group(2).split()
        end = index + 1
        while not lines[end].startswith("```"):
            end += 1
        text = "\n".join(lines[index + 1 : end]) + "\n"
        files = [word.removeprefix("file=") for word in rest if word.startswith("file=")]
        if files:
            found.append(Block("file", text, index + 1, files[0]))
        elif lang == "console":
            found.append(Block("server" if "server" in rest else "console", text, index + 1))
        index = end + 1
    return found


def commands(block: Block) -> list[tuple[str, list[str]]]:
    """(command, expected output lines) of a console block; `\\` continues a command."""
    pairs: list[tuple[str, list[str]]] = []
    lines = block.text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.startswith("$ "):
            raise ValueError(f"line {block.line + index + 1}: output before any `$ ` command")
        command = line[2:]
        while command.endswith("\\"):
            index += 1
            command = command[:-1] + lines[index].strip()
        index += 1
        expected = []
        while index < len(lines) and not lines[index].startswith("$ "):
            expected.append(lines[index])
            index += 1
        pairs.append((command, expected))
    return pairs


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether the actual output fits the expected lines, `...` standing for anything."""
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head.strip() == "...":
        return any(matches(rest, actual[skip:]) for skip in range(len(actual) + 1))
    if not actual:
        return False
    pattern = ".*".join(re.escape(part) for part in head.rstrip().split("..."))
    return re.fullmatch(pattern, actual[0].rstrip()) is not None and matches(rest, actual[1:])


def environment() -> dict[str, str]:
    """The reader's shell: this venv's `wargame` first on PATH, a 100-column terminal."""
    bin_dir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "COLUMNS": "100",
        "NO_COLOR": "1",
        "TERM": "dumb",
    }


def run_guide(guide: Path, folder: Path) -> int:
    """Run every runnable block of `guide` in `folder`; returns how many commands ran.

    Raises AssertionError naming the guide's line at the first difference.
    """
    ran = 0
    for block in blocks(guide.read_text(encoding="utf-8")):
        if block.kind == "file":
            target = folder / block.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.text, encoding="utf-8")
            continue
        for command, expected in commands(block):
            if block.kind == "server":
                serve(command, folder)
            else:
                run_command(command, expected, folder, f"{guide.name}:{block.line}")
            ran += 1
    return ran


def run_command(command: str, expected: list[str], folder: Path, where: str) -> None:
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=folder,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )
    output = done.stdout.rstrip("\n").splitlines()
    failing = bool(expected) and expected[0].startswith("error:")
    assert (done.returncode != 0) == failing, (
        f"{where}: `{command}` exited {done.returncode}:\n{done.stdout}"
    )
    if expected:
        assert matches(expected, output), (
            f"{where}: `{command}` printed\n{done.stdout}\nwhere the guide shows\n"
            + "\n".join(expected)
        )


def serve(command: str, folder: Path, timeout: float = 120.0) -> None:
    """Start a server command on a free port, check it answers, stop it."""
    from browser import free_port

    port = free_port()
    server = subprocess.Popen(
        ["bash", "-c", f"exec {command} --port {port}"],
        cwd=folder,
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"http://localhost:{port}/", timeout=5) as page:
                    assert page.status == 200, f"`{command}` answered {page.status}"
                    return
            except OSError:
                assert server.poll() is None, f"`{command}` stopped with {server.returncode}"
                assert time.monotonic() < deadline, f"`{command}` did not answer in {timeout} s"
                time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=20)
