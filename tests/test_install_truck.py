"""scripts/install-truck, run for real into an install prefix.

The real script with `--root`: real pip into a real virtual environment, the real
systemd-sysusers and systemctl with --root, and the installed units checked by
systemd-analyze verify in that root. The prefix is laid out as Debian's packages would leave it
(systemd's own units, the programs the units run), as tests/test_systemd_units.py does.

What the user relies on: a second run changes nothing at all (every file's content, mode,
owner and time stamp stay), and an update from a newer checkout replaces Tourkasse but leaves
the journal and their own truck.toml byte for byte as they were.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.test_systemd_units import REPO, SYSTEM_UNITS, parse_unit, real_program, verify

SCRIPT = REPO / "scripts/install-truck"
VENV = "opt/tourkasse/venv"
CONFIG = "etc/tourkasse/truck.toml"
DATA = "var/lib/tourkasse"
TRUCK_UNITS = [
    "tourkasse-till.service",
    "tourkasse-agent.service",
    "tourkasse-power.service",
    "tourkasse-truck-backup@.service",
]
ENV = {**os.environ, "LANG": "C.UTF-8"}


def install(prefix: Path, *args: str, source: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(source / "scripts/install-truck"), "--root", str(prefix), *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=ENV,
    )


def lay_out(prefix: Path) -> None:
    """Debian's part: merged /usr, systemd's units, the programs the truck's units run."""
    (prefix / "usr/bin").mkdir(parents=True)
    (prefix / "usr/lib/systemd").mkdir(parents=True)
    (prefix / "bin").symlink_to("usr/bin")
    (prefix / "lib").symlink_to("usr/lib")
    shutil.copytree(SYSTEM_UNITS, prefix / "usr/lib/systemd/system", symlinks=True)
    for name in TRUCK_UNITS:
        service = dict.fromkeys(["ExecStart", "ExecStartPre", "ExecStopPost"])
        for key, value in parse_unit((REPO / "systemd" / name).read_text()).get("Service", []):
            if key in service:
                program = value.split()[0].lstrip("-@:+!")
                if program.startswith("/opt/tourkasse/"):
                    continue  # made by the install itself
                target = prefix / program.lstrip("/")
                if not target.exists():
                    shutil.copy2(real_program(program), target)


def snapshot(root: Path) -> dict[str, tuple[object, ...]]:
    """Every path below root: type, mode, owner, size, content hash and time stamp."""
    seen: dict[str, tuple[object, ...]] = {}
    for path in [root, *sorted(root.rglob("*"))]:
        info = path.lstat()
        if path.is_symlink():
            content: str = os.readlink(path)
        elif path.is_file():
            content = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            content = ""
        seen[str(path.relative_to(root))] = (
            info.st_mode,
            info.st_uid,
            info.st_gid,
            info.st_size,
            content,
            info.st_mtime_ns,
        )
    return seen


def changes(
    before: dict[str, tuple[object, ...]], after: dict[str, tuple[object, ...]]
) -> list[str]:
    return sorted(
        path for path in before.keys() | after.keys() if before.get(path) != after.get(path)
    )


@pytest.fixture(scope="module")
def truck(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A prefix with the truck installed once; the first run's output."""
    prefix = tmp_path_factory.mktemp("truck")
    lay_out(prefix)
    first = install(prefix)
    assert first.returncode == 0, first.stdout + first.stderr
    return prefix, first.stdout


def tourkasse(prefix: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(prefix / VENV / "bin/tourkasse"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=ENV,
    )


# --- the first run --------------------------------------------------------------------------


def test_the_first_run_says_what_it_made(truck: tuple[Path, str]) -> None:
    _, said = truck
    for made in (
        "angelegt:      /etc/tourkasse/truck.toml",
        "angelegt:      /var/lib/tourkasse (Rechte 0750, tourkasse:tourkasse)",
        "angelegt:      /etc/systemd/system/tourkasse-till.service",
        "eingeschaltet: tourkasse-till.service",
        "gesperrt:      ctrl-alt-del.target",
    ):
        assert made in said, said
    assert re.search(r"angelegt: +/opt/tourkasse/venv \(Tourkasse \d", said), said


def test_the_user_the_data_folder_and_the_config(truck: tuple[Path, str]) -> None:
    prefix, _ = truck
    entry = next(
        line.split(":")
        for line in (prefix / "etc/passwd").read_text().splitlines()
        if line.startswith("tourkasse:")
    )
    uid, gid = int(entry[2]), int(entry[3])
    assert entry[5:] == ["/var/lib/tourkasse", "/usr/sbin/nologin"]
    data = (prefix / DATA).stat()
    assert (data.st_uid, data.st_gid, data.st_mode & 0o7777) == (uid, gid, 0o750)
    config = (prefix / CONFIG).stat()
    # root's, readable by the till's group only: it will hold the hub password
    assert (config.st_uid, config.st_gid, config.st_mode & 0o7777) == (0, gid, 0o640)
    text = (prefix / CONFIG).read_text()
    assert 'journal = "/var/lib/tourkasse/journal.sqlite"' in text
    assert "../var" not in text


def test_the_installed_config_passes_the_check(truck: tuple[Path, str]) -> None:
    prefix, _ = truck
    check = tourkasse(prefix, "truck", "config", "check", "--config", str(prefix / CONFIG))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Konfiguration in Ordnung" in check.stdout


def test_tourkasse_is_on_the_operators_path(truck: tuple[Path, str]) -> None:
    prefix, _ = truck
    link = prefix / "usr/local/bin/tourkasse"
    assert os.readlink(link) == "/opt/tourkasse/venv/bin/tourkasse"
    assert (prefix / VENV / "bin/tourkasse").is_file()


def test_the_units_are_enabled_and_pass_systemd_analyze_verify(truck: tuple[Path, str]) -> None:
    prefix, _ = truck
    system = prefix / "etc/systemd/system"
    assert (system / "graphical.target.wants/tourkasse-till.service").is_symlink()
    assert (system / "multi-user.target.wants/tourkasse-agent.service").is_symlink()
    assert (system / "multi-user.target.wants/tourkasse-power.service").is_symlink()
    assert os.readlink(system / "ctrl-alt-del.target") == "/dev/null"
    assert not list(system.glob("tourkasse-hub*"))  # the hub's units stay off the truck
    logind = (prefix / "etc/systemd/logind.conf.d/tourkasse-kiosk.conf").read_text()
    assert "NAutoVTs=0" in logind and "ReserveVT=0" in logind
    for name in TRUCK_UNITS:
        assert verify(prefix, name.replace("@.", "@sdb1.")) == "", name


# --- the second run -------------------------------------------------------------------------


def test_a_second_run_changes_nothing(truck: tuple[Path, str]) -> None:
    prefix, _ = truck
    before = snapshot(prefix)
    second = install(prefix)
    assert second.returncode == 0, second.stdout + second.stderr
    assert changes(before, snapshot(prefix)) == []
    assert "Nichts geändert" in second.stdout
    reported = re.findall(r"^ {4}(\S+):", second.stdout, flags=re.MULTILINE)
    assert set(reported) <= {"unverändert", "vorhanden", "übersprungen", "geprüft", "Hinweis"}, (
        second.stdout
    )


def test_wrong_usage_is_said_in_german_with_exit_code_2(tmp_path: Path) -> None:
    for args, message in (
        (["--root", str(tmp_path / "fehlt")], "diesen Ordner gibt es nicht"),
        (["--wurzel", str(tmp_path)], "unbekannte Angabe: --wurzel"),
        (["--root"], "--root braucht einen Ordner"),
    ):
        run = subprocess.run(
            [str(SCRIPT), *args], capture_output=True, text=True, timeout=60, env=ENV
        )
        assert run.returncode == 2
        assert message in run.stderr and "Aufruf:" in run.stderr
        assert "Traceback" not in run.stderr
    assert list(tmp_path.iterdir()) == []


def test_without_root_it_says_how_to_start_it() -> None:
    # as the user nobody, without a terminal: sudo (where installed) cannot ask for a password,
    # so a clear word before any step
    run = subprocess.run(
        [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            str(SCRIPT),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=ENV,
    )
    assert run.returncode == 1
    assert "braucht Administratorrechte" in run.stderr and "sudo" in run.stderr
    assert "==>" not in run.stdout


# --- an update ------------------------------------------------------------------------------


def newer_checkout(into: Path) -> Path:
    """A copy of this checkout as the next release would be: version bumped, code changed."""
    source = into / "tourkasse-neu"
    with tarfile.open(into / "checkout.tar", "w") as tar:
        for part in (
            "pyproject.toml",
            "README.md",
            "tourkasse",
            "truck",
            "hub",
            "systemd",
            "config",
            "scripts",
        ):
            tar.add(
                REPO / part, arcname=part, filter=lambda t: None if "__pycache__" in t.name else t
            )
    with tarfile.open(into / "checkout.tar") as tar:
        tar.extractall(source, filter="tar")
    pyproject = source / "pyproject.toml"
    text, bumped = re.subn(r'(?m)^version = "[^"]+"$', 'version = "99.0.0"', pyproject.read_text())
    assert bumped == 1
    pyproject.write_text(text)
    with (source / "tourkasse/__init__.py").open("a") as module:
        module.write("\nNEXT_RELEASE = True\n")
    return source


def test_an_update_replaces_tourkasse_and_keeps_the_journal_and_the_config(
    truck: tuple[Path, str], tmp_path: Path
) -> None:
    prefix, _ = truck
    config = prefix / CONFIG
    # The user's own settings: the data where this prefix has it (paths made absolute in it).
    config.write_text(config.read_text().replace('"/var/lib/tourkasse/', f'"{prefix / DATA}/'))
    c = ["--config", str(config)]
    anna = ["--staff", "7", "--staff-name", "Anna"]
    for args in (
        ["truck", "articles", "import", *c, str(REPO / "config/articles.example.toml")],
        ["truck", "tse", "init", *c],
        ["truck", "sell", *c, *anna, "4006381001014", "2x2001", "--cash", "50"],
        ["truck", "sell", *c, *anna, "5006", "--card", "6,49"],
    ):
        done = tourkasse(prefix, *args)
        assert done.returncode == 0, f"{args}: {done.stdout}{done.stderr}"
    data_before = snapshot(prefix / DATA)
    config_before = snapshot(prefix / "etc/tourkasse")
    assert any(name.startswith("journal.sqlite") for name in data_before)

    update = install(prefix, source=newer_checkout(tmp_path))
    assert update.returncode == 0, update.stdout + update.stderr

    assert "aktualisiert:  /opt/tourkasse/venv (Tourkasse 99.0.0)" in update.stdout
    assert "vorhanden:     /etc/tourkasse/truck.toml (eigene Einstellungen" in update.stdout
    python = prefix / VENV / "bin/python"
    new = subprocess.run(
        [str(python), "-I", "-c", "import tourkasse; print(tourkasse.NEXT_RELEASE)"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert new.stdout.strip() == "True", new.stderr
    assert changes(data_before, snapshot(prefix / DATA)) == []  # journal, TSE: byte for byte
    assert changes(config_before, snapshot(prefix / "etc/tourkasse")) == []
    verify_journal = tourkasse(prefix, "truck", "journal", "verify", *c)
    assert verify_journal.returncode == 0, verify_journal.stdout + verify_journal.stderr


def test_a_config_with_a_mistake_is_named_and_nothing_is_restarted(truck: tuple[Path, str]) -> None:
    prefix, _ = truck
    config = prefix / CONFIG
    mine = config.read_text()
    config.write_text(mine.replace("[hub]\n", "[hub]\nhots = 1\n"))
    try:
        run = install(prefix)
    finally:
        config.write_text(mine)
    assert run.returncode == 1
    assert "hub.hots: unbekannter Schlüssel" in run.stdout
    assert "übersprungen:  Dienste neu starten (die Einstellungen passen nicht)" in run.stdout
    assert "bis dahin wird nichts neu gestartet" in run.stdout
