"""Backing a truck up onto a stick and restoring it: real SQLite files, the real till selling
in its own process during the backup, real mounts for a full and a read-only stick."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.support.fleet import sell, truck_config, truck_journal
from tests.support.waiting import eventually
from truck.store import devices
from truck.store.backup_folder import MANIFEST, Manifest
from truck.store.database import open_database
from truck.store.lock import TillLock

OWNER = ["--owner", "root"]  # the tests run as root, where no user tourkasse exists


def tourkasse(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tourkasse", "truck", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def backup(config: Path, stick: Path, *more: str) -> subprocess.CompletedProcess[str]:
    return tourkasse("backup", "--config", config, "--to", stick, *more)


def restore(
    config: Path, source: Path, *, ask_hub: bool = False
) -> subprocess.CompletedProcess[str]:
    """Restore; the configs here name a hub that is not there, so it is not asked unless
    told (the morning swap asks the real one)."""
    more = () if ask_hub else ("--without-hub",)
    return tourkasse("restore", "--config", config, "--from", source, *OWNER, *more)


def backups(stick: Path, truck: str = "T01") -> list[Path]:
    folder = stick / "tourkasse" / truck
    return sorted(p for p in folder.iterdir()) if folder.exists() else []


def tree(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` with its SHA-256: to show that nothing changed."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def fresh_pi(tmp_path: Path, name: str = "neu", truck: str = "T01") -> Path:
    """The replacement Pi: the same config, no data."""
    return truck_config(tmp_path / name, truck=truck, port=1)


@pytest.fixture
def sold_truck(tmp_path: Path) -> Path:
    config = truck_config(tmp_path / "alt", port=1)
    sell(config, 30)
    return config


def test_a_backup_taken_while_the_till_sells_restores_to_a_till_that_sells_on(tmp_path):
    config = truck_config(tmp_path / "alt", port=1)
    sell(config, 1)  # articles in, TSE made
    seller = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from tests.support.fleet import sell; "
            "sell(Path(sys.argv[1]), 5000, first_index=1)",
            str(config),
        ],
        cwd=REPO,
    )
    stick = tmp_path / "stick"
    stick.mkdir()
    try:
        eventually(lambda: len(truck_journal(config)) > 40, timeout=30, what="die Kasse verkauft")
        made = []
        while seller.poll() is None and len(made) < 3:
            done = backup(config, stick, "--keep", "10")
            assert done.returncode == 0, done.stderr
            assert done.stdout.startswith("Sicherung fertig: Eintrag 1–"), done.stdout
            made.append(done.stdout)
        assert seller.poll() is None, "die Kasse war fertig, bevor gesichert war"
    finally:
        seller.kill()  # as a power cut mid-sale
        seller.wait(timeout=120)
    final = truck_journal(config)
    taken = backups(stick)
    assert len(taken) == len(made) >= 1
    for folder in taken:
        manifest = Manifest.read(folder)
        assert 40 < manifest.last_seq < len(final)
        copied = truck_journal_at(folder / "journal.sqlite")
        assert copied == final[: len(copied)]  # a consistent beginning of the journal
    new = fresh_pi(tmp_path)
    done = restore(new, taken[0])
    assert done.returncode == 0, done.stderr
    assert "Zurückgespielt: Wagen T01, Eintrag 1–" in done.stdout
    # the till opens the restored journal and TSE (resolving what the backup caught half
    # way) and sells on, signed by the same TSE, with the next numbers
    sold = tourkasse("sell", "--config", new, "1001", "--cash", "10")
    assert sold.returncode == 0, sold.stderr
    verified = tourkasse("journal", "verify", "--config", new)
    assert verified.returncode == 0 and "Journal in Ordnung" in verified.stdout, verified.stdout
    after = truck_journal(new)
    restored = truck_journal_at(taken[0] / "journal.sqlite")
    assert after[: len(restored)] == restored and len(after) > len(restored)
    assert "TSE-Ausfall" not in sold.stdout and "nicht erreichbar" not in sold.stdout


def truck_journal_at(path: Path) -> list[bytes]:
    import sqlite3

    conn = sqlite3.connect(f"{path.as_uri()}?immutable=1", uri=True)
    try:
        return [bytes(d) for (d,) in conn.execute("SELECT data FROM journal ORDER BY seq")]
    finally:
        conn.close()


def test_the_backup_holds_journal_tse_config_and_is_checked(sold_truck, tmp_path):
    stick = tmp_path / "stick"
    stick.mkdir()
    done = backup(sold_truck, stick)
    assert done.returncode == 0, done.stderr
    (folder,) = backups(stick)
    manifest = Manifest.read(folder)
    assert manifest.truck == "T01" and manifest.entries == manifest.last_seq == 60
    assert set(manifest.files) >= {
        "journal.sqlite",
        "tse/tse.sqlite",
        "tse/tse-key.pem",
        "config/truck.toml",
        "config/tour.example.toml",
    }
    assert manifest.files["tse/tse-key.pem"]["mode"] == 0o600
    assert folder.stat().st_mode & 0o077 == 0  # by hand onto a Linux-formatted stick too
    assert not [p for p in folder.rglob("*") if p.name.endswith(("-wal", "-shm"))]
    assert f"Eintrag 1–60, letzter Hash {manifest.last_hash[:16]}" in done.stdout


def test_only_the_newest_backups_stay_and_a_half_one_is_never_taken(sold_truck, tmp_path):
    stick = tmp_path / "stick"
    stick.mkdir()
    for _ in range(4):
        assert backup(sold_truck, stick, "--keep", "2").returncode == 0
    kept = backups(stick)
    assert len(kept) == 2
    # what a pulled stick leaves: a folder without its final name, and one without manifest
    half = stick / "tourkasse/T01/.unfertig-20991231T235959Z-1"
    shutil.copytree(kept[-1], half)
    broken = stick / "tourkasse/T01/20991231T235959Z"
    shutil.copytree(kept[-1], broken)
    (broken / MANIFEST).unlink()
    new = fresh_pi(tmp_path)
    done = restore(new, stick)
    assert done.returncode == 1
    assert "manifest.json fehlt" in done.stderr and "NICHT zurückgespielt" in done.stderr
    assert not (new.parent / "journal.sqlite").exists()
    shutil.rmtree(broken)
    done = restore(new, stick)
    assert done.returncode == 0, done.stderr
    assert kept[-1].name in done.stdout  # the newest complete one
    assert backup(sold_truck, stick, "--keep", "2").returncode == 0
    assert not half.exists()  # cleared by the next backup


def test_refusals_say_why_and_change_nothing(sold_truck, tmp_path):
    stick = tmp_path / "stick"
    stick.mkdir()
    assert backup(sold_truck, stick).returncode == 0
    (folder,) = backups(stick)

    other = fresh_pi(tmp_path, "anderer", truck="T02")
    sell(other, 2)
    before = tree(other.parent)
    done = restore(other, stick)
    assert "keine Sicherung von Wagen T02, nur von: T01" in done.stderr
    done2 = restore(other, folder)
    assert "Die Sicherung ist von Wagen T01, konfiguriert ist Wagen T02" in done2.stderr
    assert tree(other.parent) == before

    selling = fresh_pi(tmp_path, "verkauft")
    sell(selling, 3, first_index=500)  # the same truck id, other sales
    before = tree(selling.parent)
    done3 = restore(selling, stick)
    assert "darin Verkäufe oder andere Kasseneinträge" in done3.stderr
    assert tree(selling.parent) == before

    tampered = tmp_path / "kaputt"
    shutil.copytree(folder, tampered / folder.name)
    journal = tampered / folder.name / "journal.sqlite"
    data = bytearray(journal.read_bytes())
    data[len(data) // 2] ^= 0xFF
    journal.write_bytes(bytes(data))
    new = fresh_pi(tmp_path)
    done4 = restore(new, tampered / folder.name)
    assert "journal.sqlite ist verändert oder unvollständig" in done4.stderr

    blocked = fresh_pi(tmp_path, "blockiert")
    (blocked.parent / "journal.sqlite").mkdir()  # a folder where the journal goes
    done5 = restore(blocked, stick)
    assert done5.returncode == 1 and "NICHT zurückgespielt" in done5.stderr

    for result in (done, done2, done3, done4, done5):
        assert result.returncode == 1 and result.stdout == "" and "Traceback" not in result.stderr
    assert [p.name for p in new.parent.iterdir()] == ["truck.toml"]


def test_what_a_spare_pi_journaled_by_itself_is_moved_aside(sold_truck, tmp_path):
    """install-truck starts till and agent on the spare with the example config (truck T01):
    in the depot they journal a missing GPS or printer before anyone restores. And the stick,
    plugged in, first gets a backup of the spare's own journal."""
    stick = tmp_path / "stick"
    stick.mkdir()
    assert backup(sold_truck, stick).returncode == 0
    spare = fresh_pi(tmp_path, "ersatz")
    db = open_database(spare.parent / "journal.sqlite")
    devices.report(
        db, truck="T01", device="gps", ok=False, message="kein GPS", clock=lambda: datetime.now(UTC)
    )
    db.close()
    own = (spare.parent / "journal.sqlite").read_bytes()
    # plugged in, the stick gets a backup of the spare first (udev): newer, but not the latest
    assert backup(spare, stick).returncode == 0
    assert len(backups(stick)) == 2
    done = restore(spare, stick)
    assert done.returncode == 0, done.stderr
    assert "Eintrag 1–60" in done.stdout and "Beiseitegelegt (nicht gelöscht)" in done.stdout
    (aside,) = spare.parent.glob("journal.sqlite.vor-wiederherstellung-*[0-9]Z")
    assert aside.read_bytes() == own
    assert truck_journal(spare) == truck_journal(sold_truck)


def test_no_restore_while_the_till_or_the_agent_has_the_journal_open(sold_truck, tmp_path):
    stick = tmp_path / "stick"
    stick.mkdir()
    assert backup(sold_truck, stick).returncode == 0
    target = fresh_pi(tmp_path)
    lock = TillLock(target.parent / "journal.sqlite").acquire()  # as the running till holds it
    try:
        done = restore(target, stick)
    finally:
        lock.release()
    assert done.returncode == 1 and "Die Kasse läuft noch" in done.stderr, done.stderr
    sell(target, 1)  # a journal the replacement made; an "agent" holds it open
    agent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "c.execute('SELECT 1 FROM journal').fetchone(); print('offen', flush=True); "
            "sys.stdin.read()",
            str(target.parent / "journal.sqlite"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert agent.stdout.readline().strip() == "offen"
        done = restore(target, stick)
    finally:
        agent.communicate("")
    assert done.returncode == 1 and "hat das Journal offen" in done.stderr, done.stderr
    assert "systemctl stop tourkasse-till tourkasse-agent" in done.stderr


def test_a_missing_full_or_read_only_stick_says_so_and_leaves_no_half_backup(sold_truck, tmp_path):
    done = backup(sold_truck, tmp_path / "fehlt")
    assert done.returncode == 1
    assert "gibt es nicht – ist der USB-Stick eingesteckt" in done.stderr
    stick = tmp_path / "stick"
    stick.mkdir()
    python = f"{sys.executable} -m tourkasse truck backup --config {sold_truck} --to {stick}"
    for options, said in [
        ("size=96k", "ist voll"),
        ("ro", "darf nicht geschrieben werden"),
    ]:
        # a real small or read-only file system, in a mount namespace of its own
        script = (
            f"mount -t tmpfs -o {options} stick {stick} && cd {REPO} && {python}; rc=$?; "
            f"echo; echo INHALT; find {stick} -mindepth 1; exit $rc"
        )
        result = subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "INHALT" in result.stdout, f"tmpfs ließ sich nicht einhängen: {result.stderr}"
        assert result.returncode == 1, result.stdout + result.stderr
        assert said in result.stderr and "Sicherung NICHT gemacht" in result.stderr
        assert "Traceback" not in result.stderr
        left = result.stdout.split("INHALT", 1)[1].split()
        assert not [p for p in left if ".unfertig-" in p or p.endswith(MANIFEST)], left


def test_a_target_that_cannot_be_written_is_left_as_it_was(sold_truck, tmp_path):
    stick = tmp_path / "stick"
    stick.mkdir()
    assert backup(sold_truck, stick).returncode == 0
    new = fresh_pi(tmp_path)
    data = new.parent / "daten"
    data.mkdir()
    text = new.read_text(encoding="utf-8")
    new.write_text(text.replace('journal = "journal', 'journal = "daten/journal'), encoding="utf-8")
    python = (
        f"{sys.executable} -m tourkasse truck restore --config {new} --from {stick} --owner root"
    )
    script = (
        f"mount -t tmpfs -o ro daten {data} && cd {REPO} && {python}; rc=$?; "
        f"echo; echo INHALT; find {new.parent} -mindepth 1; exit $rc"
    )
    result = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "INHALT" in result.stdout, f"tmpfs ließ sich nicht einhängen: {result.stderr}"
    assert result.returncode == 1, result.stdout + result.stderr
    assert "lässt sich nicht beschreiben" in result.stderr and "nichts geändert" in result.stderr
    left = sorted(Path(p).name for p in result.stdout.split("INHALT", 1)[1].split())
    assert left == ["daten", "truck.toml"]  # the TSE, staged first, went again
