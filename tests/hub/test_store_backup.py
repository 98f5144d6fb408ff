"""``tourkasse hub backup`` and ``hub restore`` on real SQLite files and the session's real
PostgreSQL with Debian's pg_dump and pg_restore, run as the operator runs them (subprocesses,
or the command's main in this process where only the outcome matters).

A backup taken while another process keeps storing journals is one consistent state: every
chain verifies and the restored store equals its manifest and the source's journals up to it.
A restore gives back every row as it was. Refusals (a target that is not empty, a missing,
damaged or foreign file, a database out of reach or a wrong password, no space left) say why
in words, exit non-zero and change nothing. Retention keeps the newest N.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from hub.cli import main
from hub.store import open_store, pg_tools
from hub.store.dialect import connect
from hub.store.moving import target_contents
from tests.hub.test_migrate_store import NOW, everything, fill
from tests.support.waiting import eventually
from tourkasse.journal import check_chain

REPO = Path(__file__).resolve().parents[2]
KEPT_APART = ("sessions", "login_failures", "pending_imports")  # not in everything()


def hub_toml(folder: Path, url: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "hub.toml"
    path.write_text(f'[store]\nurl = "{url}"\n', encoding="utf-8")
    return path


def tourkasse(*args: str, file_limit: int | None = None) -> subprocess.CompletedProcess[str]:
    """``tourkasse hub …`` as its own process; ``file_limit`` caps the size of a file it may
    write (RLIMIT_FSIZE: writing past it fails as on a full disk)."""

    def limit() -> None:
        if file_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    return subprocess.run(
        [sys.executable, "-m", "tourkasse", "hub", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        preexec_fn=limit,
        check=False,
    )


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def entries(url: str) -> int:
    db = connect(url)
    try:
        row = db.one("SELECT count(*) FROM journal")
        return int(row[0]) if row else 0
    finally:
        db.close()


def journals(url: str) -> dict[str, list[tuple[int, bytes, str]]]:
    db = connect(url)
    try:
        rows = db.rows("SELECT truck, seq, data, hash FROM journal ORDER BY truck, seq")
    finally:
        db.close()
    return {
        truck: [(seq, bytes(data), digest) for _, seq, data, digest in group]
        for truck, group in itertools.groupby(rows, key=lambda row: row[0])
    }


def kept_apart(url: str) -> dict[str, int]:
    db = connect(url)
    try:
        return {table: db.one(f"SELECT count(*) FROM {table}")[0] for table in KEPT_APART}
    finally:
        db.close()


def backup_files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if not path.name.startswith("."))


def only_backup(folder: Path) -> Path:
    (data,) = [path for path in folder.iterdir() if path.name.endswith((".sqlite.gz", ".pgdump"))]
    return data


# --- a backup while the hub writes ---------------------------------------------------------


def test_a_backup_taken_while_the_hub_stores_is_one_consistent_state(
    tmp_path, hub_url, new_hub_url
):
    open_store(hub_url).close()  # the tables, before the writer begins
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.support.busy_hub", hub_url, "4"],
        cwd=REPO,
        stderr=subprocess.PIPE,
    )
    try:
        eventually(lambda: entries(hub_url) >= 400, timeout=30, what="der Speicher füllt sich")
        before = entries(hub_url)
        folder = tmp_path / "sicherungen"
        folder.mkdir()
        taken = tourkasse(
            "backup", "--config", str(hub_toml(tmp_path, hub_url)), "--to", str(folder)
        )
        after = entries(hub_url)
    finally:
        writer.send_signal(signal.SIGTERM)
        _, problems = writer.communicate(timeout=30)
    assert writer.returncode == 0, problems
    assert taken.returncode == 0, taken.stderr
    assert "Gesichert:" in taken.stdout and "4 Wagen" in taken.stdout
    assert after > before  # the hub went on storing while the backup ran
    data = only_backup(folder)
    manifest = json.loads(data.with_name(data.name.split(".")[0] + ".json").read_text())
    assert before <= sum(t["entries"] for t in manifest["trucks"].values()) <= after

    target = new_hub_url()
    restored = tourkasse(
        "restore", "--config", str(hub_toml(tmp_path, hub_url)), "--from", str(data),
        "--to", target,
    )  # fmt: skip
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "in Ordnung" in restored.stdout
    source, copy = journals(hub_url), journals(target)
    assert set(copy) == {"T01", "T02", "T03", "T04"}
    for truck, rows in copy.items():
        assert rows == source[truck][: len(rows)]  # the source's journal up to the snapshot
        summary = check_chain(rows, truck=truck)
        assert (summary.entries, summary.last_hash) == (
            manifest["trucks"][truck]["entries"],
            manifest["trucks"][truck]["last_hash"],
        )
    with open_store(target) as store:
        figures = everything(target)
        store.rebuild_projections()  # the figures are those of the journals in the backup
        assert everything(target) == figures
        days = store.db.rows(
            "SELECT day, truck, sum(gross) FROM turnover_rates GROUP BY day, truck"
        )
    assert {(d, t): int(g) for d, t, g in days} == {
        (day, truck): gross
        for day, trucks in manifest["days"].items()
        for truck, gross in trucks.items()
    }


def test_every_row_comes_back_and_the_hub_goes_on(tmp_path, hub_url, new_hub_url, capsys):
    fill(hub_url)
    before, apart = everything(hub_url), kept_apart(hub_url)
    config = hub_toml(tmp_path, hub_url)
    folder = tmp_path / "sicherungen"
    folder.mkdir()
    assert run(capsys, "backup", "--config", str(config), "--to", str(folder))[0] == 0
    target = new_hub_url()
    open_store(target).close()  # a hub started on it once: its tables, empty
    code, out, err = run(
        capsys,
        "restore",
        "--config",
        str(config),
        "--from",
        str(only_backup(folder)),
        "--to",
        target,
    )
    assert (code, err) == (0, ""), err
    assert "Wagen T03: 45 Einträge bis Nr. 45" in out and "zusammen 469,42 €" in out
    pasted = target if target.startswith("sqlite") else "postgresql://"
    assert f'[store] url = "{pasted}' in out  # a URL to paste into hub.toml, not a bare path
    assert everything(target) == before and kept_apart(target) == apart
    with open_store(target) as store:  # and it goes on: ids after those brought back
        store.reject(topic="x", payload=b"y", reason="z", received_at=NOW)
        assert [r.reason for r in store.rejected(2)] == ["z", "nicht lesbar"]
        store.tour_plans.add("", "buero", "leer", NOW)
        assert store.tour_plans.latest_version() == 3


# --- refusals ------------------------------------------------------------------------------


@pytest.fixture
def backed_up(tmp_path, hub_url, capsys) -> tuple[str, Path, Path]:
    """A filled store, its config and its backup's data file."""
    fill(hub_url)
    config = hub_toml(tmp_path, hub_url)
    folder = tmp_path / "sicherungen"
    folder.mkdir()
    assert run(capsys, "backup", "--config", str(config), "--to", str(folder))[0] == 0
    return hub_url, config, only_backup(folder)


def test_restores_that_cannot_be_are_refused_in_words_and_change_nothing(
    backed_up, new_hub_url, tmp_path, capsys
):
    url, config, data = backed_up
    source = everything(url)
    empty = new_hub_url()
    damaged = tmp_path / "kaputt" / data.name
    damaged.parent.mkdir()
    damaged.write_bytes(data.read_bytes())
    listed = data.name.split(".")[0] + ".json"
    (damaged.parent / listed).write_bytes((data.parent / listed).read_bytes())
    with damaged.open("r+b") as file:  # one byte changed on the way to the off-site copy
        file.seek(damaged.stat().st_size // 2)
        byte = file.read(1)
        file.seek(-1, os.SEEK_CUR)
        file.write(bytes([byte[0] ^ 0xFF]))
    alone = tmp_path / "ohne" / data.name
    alone.parent.mkdir()
    alone.write_bytes(data.read_bytes())
    other_kind = (
        f"sqlite:///{tmp_path / 'neu.sqlite'}" if url.startswith("postgresql") else new_hub_url()
    )
    if url.startswith("sqlite"):  # a PostgreSQL database for the SQLite backup
        other_kind = "postgresql://tourkasse@127.0.0.1:1/hub"
    cases = [
        ([str(data), url], "ist nicht leer: journal (62)"),
        ([str(tmp_path / "hub-20260101T000000Z.sqlite.gz"), empty], "gibt es nicht"),
        ([str(damaged), empty], "ist beschädigt oder unvollständig"),
        ([str(alone), empty], "fehlt die Prüfliste"),
        ([str(config), empty], "keine Sicherung der Zentrale"),
        ([str(data), str(tmp_path / "neu.sqlite")], "keine Speicher-URL"),  # a path, no URL
    ]
    if url.startswith("postgresql"):
        cases.append(
            ([str(data), other_kind], "Die Sicherung ist von PostgreSQL, das Ziel ist SQLite")
        )
        cases.append(
            ([str(data), "postgresql://tourkasse@127.0.0.1:1/hub"], "PostgreSQL nicht erreichbar")
        )
    for (given, target), said in cases:
        code, out, err = run(
            capsys, "restore", "--config", str(config), "--from", given, "--to", target
        )
        assert (code, out) == (2, ""), (given, target, out)
        assert said in err, (said, err)
    assert everything(url) == source
    assert target_contents(empty) == {}
    assert not (tmp_path / "neu.sqlite").exists()


def test_a_restore_whose_check_fails_leaves_the_target_empty(backed_up, new_hub_url, capsys):
    _, config, data = backed_up
    listed = data.with_name(data.name.split(".")[0] + ".json")
    manifest = json.loads(listed.read_text())
    manifest["trucks"]["T01"]["last_hash"] = "0" * 64  # not what the backup holds
    listed.write_text(json.dumps(manifest))
    target = new_hub_url()
    code, out, _ = run(
        capsys, "restore", "--config", str(config), "--from", str(data), "--to", target
    )
    assert code == 1
    assert "FEHLER: Journale verschieden bei Wagen T01" in out
    assert "FEHLER: Journal von Wagen T01: letzter Hash verschieden" in out
    assert "in Ordnung" not in out
    if target.startswith("sqlite"):
        assert not Path(target.removeprefix("sqlite:///")).exists()
    else:
        db = connect(target)
        try:
            assert not db.has_table("journal")
        finally:
            db.close()


def test_backups_that_cannot_be_taken_say_why_and_keep_the_older_ones(backed_up, tmp_path):
    url, config, data = backed_up
    folder = data.parent
    kept = backup_files(folder)
    (tmp_path / "eine-datei").write_text("")
    # SQLite: past the source's shared-memory file (32 KiB), short of the copy
    full = 64 * 1024 if url.startswith("sqlite") else 8192
    cases = [
        (["--to", str(tmp_path / "fehlt")], {}, 2, "gibt es nicht (ist das Laufwerk eingehängt?)"),
        (["--to", str(tmp_path / "eine-datei")], {}, 2, "ist kein Ordner"),
        (["--to", str(folder)], {"file_limit": full}, 1, "Datenträger voll"),
    ]
    for args, limits, expected, said in cases:
        done = tourkasse("backup", "--config", str(config), *args, **limits)
        assert (done.returncode, done.stdout) == (expected, ""), done.stderr
        assert said in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    running = os.open(folder, os.O_RDONLY)  # as a backup in progress holds it
    try:
        fcntl.flock(running, fcntl.LOCK_EX)
        done = tourkasse("backup", "--config", str(config), "--to", str(folder))
    finally:
        os.close(running)
    assert done.returncode == 2 and "läuft gerade eine andere Sicherung" in done.stderr
    assert backup_files(folder) == kept
    assert [p.name for p in folder.iterdir() if p.name.startswith(".hub-")] == []  # no partials


def test_a_database_out_of_reach_or_a_wrong_password_is_said(tmp_path, postgres_cluster):
    folder = tmp_path / "sicherungen"
    folder.mkdir()
    hba = postgres_cluster.data / "pg_hba.conf"
    kept = hba.read_text()
    admin = connect(postgres_cluster.url())
    try:
        admin.run("CREATE ROLE sicherung_pw LOGIN PASSWORD 'richtig'")
        hba.write_text("host all sicherung_pw 127.0.0.1/32 scram-sha-256\n" + kept)
        admin.run("SELECT pg_reload_conf()")
        port = postgres_cluster.port
        cases = [
            ("postgresql://tourkasse@127.0.0.1:1/hub", "PostgreSQL nicht erreichbar"),
            (
                f"postgresql://sicherung_pw:falsch@127.0.0.1:{port}/postgres",
                "password authentication failed",
            ),
        ]
        for url, said in cases:
            done = tourkasse(
                "backup", "--config", str(hub_toml(tmp_path, url)), "--to", str(folder)
            )
            assert done.returncode == 2 and said in done.stderr, done.stderr
            assert "falsch" not in done.stderr  # the password is not shown
    finally:
        hba.write_text(kept)
        admin.run("SELECT pg_reload_conf()")
        admin.run("DROP ROLE IF EXISTS sicherung_pw")
        admin.close()
    assert backup_files(folder) == []


def test_pg_dump_missing_or_too_old_is_said(tmp_path):
    with pytest.raises(Exception, match="pg_dump fehlt: bitte Debians Paket postgresql-client"):
        pg_tools.choose("pg_dump", 15, "der Server hat PostgreSQL 15", places=[str(tmp_path)])
    newest = pg_tools.candidates("pg_dump")[0]
    with pytest.raises(Exception, match=f"pg_dump {newest.version} .* ist zu alt"):
        pg_tools.choose("pg_dump", newest.major + 1, "der Server hat PostgreSQL 99")
    assert pg_tools.choose("pg_dump", newest.major, "passt").major == newest.major


# --- retention -----------------------------------------------------------------------------


def test_the_newest_n_are_kept_and_leftovers_cleared(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    fill(url)
    config = hub_toml(tmp_path, url)
    folder = tmp_path / "sicherungen"
    folder.mkdir()
    (folder / ".hub-20200101T000000Z.sqlite.gz.partial").write_text("abgebrochen")
    (folder / "hub-20200101T000000Z.sqlite.gz").write_text("ohne Prüfliste")
    (folder / "notizen.txt").write_text("nicht von uns")
    made = []
    for _ in range(4):
        code, out, _ = run(
            capsys, "backup", "--config", str(config), "--to", str(folder), "--keep", "2"
        )
        assert code == 0
        made.append(out.split()[1])
    assert "Aufgehoben: 2 Sicherungen (--keep 2)" in out and "Gelöscht: " in out
    names = [Path(name).name for name in made[-2:]]
    stems = [name.split(".")[0] for name in names]
    assert backup_files(folder) == sorted(
        [*names, *(f"{stem}.json" for stem in stems), "notizen.txt"]
    )
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []
    for suffix in ("sqlite.gz", "json"):  # from a clock that ran ahead
        (folder / f"hub-20991231T000000Z.{suffix}").write_text("aus der Zukunft")
    code, out, _ = run(
        capsys, "backup", "--config", str(config), "--to", str(folder), "--keep", "1"
    )
    assert code == 0 and "Aufgehoben: 1 Sicherung (--keep 1)" in out
    newest = Path(out.split()[1]).name
    assert backup_files(folder) == sorted([newest, newest.split(".")[0] + ".json", "notizen.txt"])
    with pytest.raises(SystemExit):
        main(["backup", "--config", str(config), "--to", str(folder), "--keep", "0"])
    assert "mindestens 1" in capsys.readouterr().err
