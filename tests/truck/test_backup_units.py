"""The backup on plugging in a stick, as systemd and udev see it: the unit passes
systemd-analyze verify on the root laid out as an install would (tests/test_systemd_units.py),
runs the real `tourkasse truck backup`, and the udev rule starts it only for the labelled stick."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_systemd_units import (
    AGENT,
    REPO,
    UNITS,
    VENV_TOURKASSE,
    exec_start,
    real_program,
    root,  # noqa: F401  (the laid-out root, a fixture)
    single,
    unit,
    verify,
)

SERVICE = "tourkasse-truck-backup@.service"
RULE = REPO / "config/udev/70-tourkasse-backup.rules"


@pytest.fixture(scope="module")
def backup_root(root: Path) -> Path:  # noqa: F811
    shutil.copy(UNITS / SERVICE, root / "etc/systemd/system" / SERVICE)
    for key in ("ExecStartPre", "ExecStopPost"):
        program = single(SERVICE, "Service", key).split()[0].lstrip("-@:+!")
        target = root / program.lstrip("/")
        if not target.exists():
            shutil.copy2(real_program(program), target)
    return root


def test_the_backup_unit_passes_systemd_analyze_verify(backup_root: Path) -> None:
    assert verify(backup_root, "tourkasse-truck-backup@sdb1.service") == ""


def test_verify_finds_a_broken_backup_unit(backup_root: Path) -> None:
    text = (UNITS / SERVICE).read_text(encoding="utf-8").replace("Type=oneshot", "Type=oneshoot")
    broken = backup_root / "etc/systemd/system/tourkasse-broken@.service"
    broken.write_text(text, encoding="utf-8")
    try:
        said = verify(backup_root, "tourkasse-broken@sdb1.service")
    finally:
        broken.unlink()
    assert "type" in said.lower(), said


def test_it_backs_up_as_the_tills_user_onto_the_mounted_stick_and_unmounts() -> None:
    words = exec_start(SERVICE)
    assert words[0] == VENV_TOURKASSE
    assert words[1:4] == ["truck", "backup", "--config"]
    assert words[words.index("--to") + 1] == "/run/tourkasse-sicherung/%i"
    assert single(SERVICE, "Service", "User") == single(AGENT, "Service", "User") == "tourkasse"
    mount = single(SERVICE, "Service", "ExecStartPre").split()
    assert mount[0] == "+/usr/bin/mount"  # root mounts, the backup itself runs as tourkasse
    assert mount[-2:] == ["/dev/%i", "/run/tourkasse-sicherung/%i"]
    assert "uid=tourkasse" in mount[mount.index("-o") + 1]
    assert "noexec" in mount[mount.index("-o") + 1]
    unmount = single(SERVICE, "Service", "ExecStopPost").split()
    assert unmount[0].lstrip("+-") == "/usr/bin/umount"  # also after a failed backup
    assert unmount[-1] == mount[-1]
    assert single(SERVICE, "Unit", "BindsTo") == "dev-%i.device"  # pulled out: it stops


def test_the_command_of_the_unit_exists() -> None:
    words = exec_start(SERVICE)
    result = subprocess.run(
        [str(real_program(VENV_TOURKASSE)), *words[1:3], "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "--to" in result.stdout and "--config" in result.stdout


def test_the_udev_rule_starts_the_unit_only_for_the_labelled_stick() -> None:
    rules = [
        line
        for line in RULE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(rules) == 1
    keys = dict(re.findall(r'(\S+?)[=!+]=?"([^"]*)"', rules[0]))
    assert keys["ACTION"] == "add"
    assert keys["ENV{ID_FS_LABEL}"] == "TKSICHERUNG"
    assert len("TKSICHERUNG") <= 11  # the most a FAT label holds
    assert keys["ENV{SYSTEMD_WANTS}"] == SERVICE.replace("@.", "@%k.")
    assert keys["TAG"] == "systemd"
    assert "Install" not in unit(SERVICE)  # started by udev only
