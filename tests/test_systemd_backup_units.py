"""The hub's nightly backup as systemd units: checked by systemd-analyze verify on a root laid
out as an install would (tests/test_systemd_units.py), and read for what an operator relies
on: 02:30 every night, a missed night made up, the same user and lock-down as the hub, and
the one folder it writes to."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_systemd_units import (
    HUB,
    UNITS,
    VENV_TOURKASSE,
    exec_start,
    real_program,
    root,  # noqa: F401  (the laid-out root, a fixture)
    single,
    unit,
    values,
    verify,
)

SERVICE = "tourkasse-hub-backup.service"
TIMER = "tourkasse-hub-backup.timer"
FOLDER = "/var/backups/tourkasse"
# what only a long-running service has, or what differs by nature of the job
NOT_SHARED = {"Type", "ExecStart", "Restart", "RestartSec", "RestartPreventExitStatus"}


@pytest.fixture(scope="module")
def backup_root(root: Path) -> Path:  # noqa: F811
    for name in (SERVICE, TIMER):
        shutil.copy(UNITS / name, root / "etc/systemd/system" / name)
    program = pre_start()[0]
    target = root / program.lstrip("/")
    if not target.exists():
        shutil.copy2(real_program(program), target)
    return root


def pre_start() -> list[str]:
    words = single(SERVICE, "Service", "ExecStartPre").split()
    assert words[0].startswith("+")  # with full privileges: /var/backups belongs to root
    return [words[0][1:], *words[1:]]


@pytest.mark.parametrize("name", [SERVICE, TIMER])
def test_the_backup_units_pass_systemd_analyze_verify(backup_root: Path, name: str) -> None:
    assert verify(backup_root, name) == ""


def test_verify_finds_a_broken_timer(backup_root: Path) -> None:
    text = (UNITS / TIMER).read_text(encoding="utf-8").replace("02:30:00", "25:30:00")
    broken = backup_root / "etc/systemd/system/tourkasse-broken.timer"
    broken.write_text(text, encoding="utf-8")
    try:
        said = verify(backup_root, broken.name)
    finally:
        broken.unlink()
    assert "calendar" in said.lower(), said


def test_every_night_at_half_past_two_and_a_missed_night_is_made_up() -> None:
    assert single(TIMER, "Timer", "OnCalendar") == "*-*-* 02:30:00"
    assert single(TIMER, "Timer", "Persistent") == "true"
    assert single(TIMER, "Timer", "RandomizedDelaySec") == "5min"
    assert "Unit" not in dict(unit(TIMER)["Timer"])  # starts the service of its own name
    assert values(TIMER, "Install", "WantedBy") == ["timers.target"]
    assert single(SERVICE, "Service", "Type") == "oneshot"
    assert "Install" not in unit(SERVICE)  # started by the timer only


def test_it_runs_as_the_hub_does_and_writes_only_its_folder() -> None:
    hub = {key: value for key, value in unit(HUB)["Service"] if key not in NOT_SHARED}
    backup = dict(unit(SERVICE)["Service"])
    assert {key: backup.get(key) for key in hub} == hub  # user, lock-down, umask
    assert values(SERVICE, "Service", "ReadWritePaths") == [FOLDER]
    assert FOLDER in values(SERVICE, "Unit", "RequiresMountsFor")
    assert pre_start() == [
        "/usr/bin/install", "-d", "-o", "tourkasse", "-g", "tourkasse", "-m", "0750", FOLDER
    ]  # fmt: skip
    words = exec_start(SERVICE)
    assert words[0] == VENV_TOURKASSE
    assert words[1:] == [
        "hub", "backup", "--config", "/etc/tourkasse/hub.toml", "--to", FOLDER, "--keep", "14"
    ]  # fmt: skip


def test_the_backup_command_of_the_unit_exists() -> None:
    done = subprocess.run(
        [str(real_program(VENV_TOURKASSE)), *exec_start(SERVICE)[1:3], "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "--keep" in done.stdout and "--to" in done.stdout
