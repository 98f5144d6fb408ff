"""``tourkasse truck tse init|export`` as the person at the truck runs them: the software TSE
and fiskaly (against the local STAND-IN of fiskaly's API, tests/support/fiskaly_standin.py)."""

from __future__ import annotations

import tarfile
import uuid
from datetime import UTC, datetime

from tests.conftest import TickingClock
from tests.support.fiskaly_standin import FiskalyStandIn
from tests.truck.fiscal.test_fiskaly_config import config_with, fiskaly_lines
from tests.truck.fiscal.test_tse_export import a_day_of_selling, read_export
from truck.cli import main
from truck.config import load_truck_config
from truck.fiscal.software_tse import SoftwareTse
from truck.store.articles import replace_articles
from truck.store.database import open_database


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_software_tse_exports_its_tar_onto_the_stick(tmp_path, capsys, catalogue):
    path = config_with(tmp_path, 'kind = "software"\n')
    code, _, err = run(
        capsys, "tse", "export", "--out", str(tmp_path / "usb"), "--config", str(path)
    )
    assert code == 1 and "ist der USB-Stick eingesteckt" in err  # never written elsewhere
    assert not (tmp_path / "usb").exists()
    (tmp_path / "usb").mkdir()
    code, _, err = run(
        capsys, "tse", "export", "--out", str(tmp_path / "usb"), "--config", str(path)
    )
    assert code == 1 and "tse init" in err  # nothing set up yet: said plainly
    code, out, _ = run(capsys, "tse", "init", "--config", str(path))
    assert code == 0 and "Software-TSE eingerichtet" in out
    config = load_truck_config(path)
    db = open_database(config.paths.journal)
    replace_articles(db, catalogue.articles, catalogue.departments)
    with SoftwareTse(config.paths.tse) as tse:
        a_day_of_selling(db, tse, TickingClock(datetime(2026, 11, 24, 7, 30, tzinfo=UTC)))
        public_key = tse.info().public_key
    db.close()

    code, out, err = run(
        capsys, "tse", "export", "--out", str(tmp_path / "usb"), "--config", str(path)
    )

    assert (code, err) == (0, "")
    [written] = (tmp_path / "usb").glob("*.tar")
    assert out.startswith(f"TSE-Export geschrieben: {written} (")
    assert tarfile.is_tarfile(written)
    assert len(read_export(written, public_key)["Finish"]) == 6
    a_file = tmp_path / "datei"
    a_file.write_text("eine Datei, kein Ordner", encoding="utf-8")
    code, _, err = run(capsys, "tse", "export", "--out", str(a_file), "--config", str(path))
    assert code == 1 and "ist der USB-Stick eingesteckt" in err


def test_tse_init_sets_up_fiskaly_and_shows_the_puk_once(tmp_path, capsys):
    with FiskalyStandIn() as standin:
        lines = fiskaly_lines(standin.base_url, str(uuid.uuid4()), str(uuid.uuid4()))
        path = config_with(tmp_path, lines + 'admin_pin = "135792"\n')
        code, out, err = run(capsys, "tse", "init", "--config", str(path))
        assert (code, err) == (0, "")
        assert "eingerichtet, Kasse TK-T01-0001 angemeldet" in out
        assert "PUK (nur jetzt sichtbar" in out
        code, out, _ = run(capsys, "tse", "info", "--config", str(path))
        assert code == 0 and "Selbsttest:       bestanden" in out
        standin.down()
        (tmp_path / "usb").mkdir()
        code, _, err = run(
            capsys, "tse", "export", "--out", str(tmp_path / "usb"), "--config", str(path)
        )
        assert code == 1 and "nicht erreichbar" in err
