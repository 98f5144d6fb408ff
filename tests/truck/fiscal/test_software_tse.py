"""The software TSE: numbers, counters, persistence, crash recovery, refusals."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tourkasse.vat import VatRate
from truck.fiscal.log_message import decode_log_message, verify_signature
from truck.fiscal.process_data import PROCESS_TYPE, build_process_data, parse_process_data
from truck.fiscal.software_tse import DESCRIPTION, KEY_FILE, STATE_FILE, SoftwareTse
from truck.fiscal.tse import TransactionState, Tse, TseError, TseUnavailable

from .conftest import START, ManualClock, assert_consistent

RECEIPT = build_process_data("Beleg", {VatRate.REDUCED: 349}, [(500, "Bar"), (-151, "Bar")])


def sell(tse: SoftwareTse, client_id: str = "TK-01") -> int:
    number = tse.start_transaction(client_id).number
    tse.finish_transaction(client_id, number, PROCESS_TYPE, RECEIPT)
    return number


@pytest.mark.parametrize(
    ("curve", "algorithm", "key_size"),
    [("P-256", "ecdsa-plain-SHA256", 65), ("P-384", "ecdsa-plain-SHA384", 97)],
)
def test_info(tmp_path: Path, curve: str, algorithm: str, key_size: int) -> None:
    with SoftwareTse(tmp_path, curve=curve, create=True) as tse:  # type: ignore[arg-type]
        info = tse.info()
        assert isinstance(tse, Tse)
        tse.self_test()
    assert info.serial_number == hashlib.sha256(info.public_key).hexdigest()
    assert len(info.public_key) == key_size and info.public_key[0] == 0x04
    assert info.signature_algorithm == algorithm
    assert info.time_format == "unixTime"
    assert info.certified is False
    assert info.description == DESCRIPTION == "Software-TSE – nicht zertifiziert"


def test_key_file_is_private_and_persists(tmp_path: Path) -> None:
    directory = tmp_path / "new" / "tse"
    with SoftwareTse(directory, create=True) as tse:
        serial = tse.info().serial_number
    assert stat.S_IMODE(os.stat(directory / KEY_FILE).st_mode) == 0o600
    assert not [p for p in directory.iterdir() if p.name.endswith(".tmp")]
    with SoftwareTse(directory, create=True) as again:
        assert again.info().serial_number == serial


def test_start_and_finish(tse: SoftwareTse, clock: ManualClock) -> None:
    started = tse.start_transaction("TK-01")
    assert started.number == 1
    assert started.client_id == "TK-01"
    # unixTime carries whole seconds, so the TSE's times are cut to the second.
    assert started.start_time == START.replace(microsecond=0)
    clock.advance(12.5)
    tx = tse.finish_transaction("TK-01", started.number, PROCESS_TYPE, RECEIPT)
    assert (tx.number, tx.client_id, tx.process_data) == (1, "TK-01", RECEIPT)
    assert tx.start_time == started.start_time
    assert tx.log_time == datetime(2026, 11, 24, 10, 15, 14, tzinfo=UTC)
    assert tx.signature_counter == 2  # StartTransaction signed 1, FinishTransaction 2
    assert tx.serial_number == tse.info().serial_number
    assert tx.public_key == tse.info().public_key
    assert verify_signature(tx)


def test_numbers_and_counters_are_gap_free(tse: SoftwareTse) -> None:
    first = tse.start_transaction("TK-01").number
    second = tse.start_transaction("TK-01").number
    tse.update_transaction("TK-01", first, PROCESS_TYPE, RECEIPT)
    finished_second = tse.finish_transaction("TK-01", second, PROCESS_TYPE, RECEIPT)
    finished_first = tse.finish_transaction("TK-01", first, PROCESS_TYPE, RECEIPT)
    assert (first, second) == (1, 2)
    # start 1, start 2, update 1, finish 2, finish 1: every signed message counts.
    assert (finished_second.signature_counter, finished_first.signature_counter) == (4, 5)
    counters = [decode_log_message(m)[0].signature_counter for m in tse.log_messages()]
    assert counters == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("curve", ["P-256", "P-384"])
def test_counters_continue_after_reopening(tmp_path: Path, curve: str) -> None:
    with SoftwareTse(tmp_path, curve=curve, create=True) as tse:  # type: ignore[arg-type]
        serial = tse.info().serial_number
        assert [sell(tse) for _ in range(3)] == [1, 2, 3]
        pending = tse.start_transaction("TK-01").number
    with SoftwareTse(tmp_path, curve=curve, create=True) as tse:  # type: ignore[arg-type]
        assert tse.info().serial_number == serial
        assert tse.open_transactions("TK-01") == [pending]
        tx = tse.finish_transaction("TK-01", pending, PROCESS_TYPE, RECEIPT)
        assert tx.signature_counter == 8
        assert sell(tse) == 5
    assert assert_consistent(tmp_path, curve) == (5, 10)


def test_update_signs_and_keeps_the_transaction_open(tse: SoftwareTse) -> None:
    number = tse.start_transaction("TK-01").number
    tse.update_transaction("TK-01", number, PROCESS_TYPE, RECEIPT)
    assert tse.transaction_state(number) == (TransactionState.ACTIVE, None)
    operations = [decode_log_message(m)[0].operation_type for m in tse.log_messages(number)]
    assert operations == ["StartTransaction", "UpdateTransaction"]


def test_cancel_gives_an_aborted_receipt_with_zeros(tse: SoftwareTse) -> None:
    number = tse.start_transaction("TK-01").number
    tse.update_transaction("TK-01", number, PROCESS_TYPE, RECEIPT)
    tx = tse.cancel_transaction("TK-01", number)
    assert tx.process_type == "Kassenbeleg-V1"
    assert tx.process_data == "AVBelegabbruch^0.00_0.00_0.00_0.00_0.00^"
    assert parse_process_data(tx.process_data) == (
        "AVBelegabbruch",
        {VatRate.NORMAL: 0, VatRate.REDUCED: 0, VatRate.ZERO: 0},
        [],
    )
    assert verify_signature(tx)
    assert tse.transaction_state(number) == (TransactionState.FINISHED, tx)


def test_transaction_state_for_crash_recovery(tse: SoftwareTse) -> None:
    assert tse.transaction_state(1) == (TransactionState.UNKNOWN, None)
    number = tse.start_transaction("TK-01").number
    assert tse.transaction_state(number) == (TransactionState.ACTIVE, None)
    tx = tse.finish_transaction("TK-01", number, PROCESS_TYPE, RECEIPT)
    state, recovered = tse.transaction_state(number)
    assert state is TransactionState.FINISHED
    assert recovered == tx
    assert recovered is not None and recovered.to_dict() == tx.to_dict()
    assert tse.transaction_state(number + 1) == (TransactionState.UNKNOWN, None)


def test_transaction_state_survives_reopening(tmp_path: Path) -> None:
    with SoftwareTse(tmp_path, create=True) as tse:
        number = tse.start_transaction("TK-01").number
        tx = tse.finish_transaction("TK-01", number, PROCESS_TYPE, RECEIPT)
    with SoftwareTse(tmp_path, create=True) as tse:
        assert tse.transaction_state(number) == (TransactionState.FINISHED, tx)


def test_open_transactions_per_client(tse: SoftwareTse) -> None:
    a1 = tse.start_transaction("TK-01").number
    b1 = tse.start_transaction("TK-02").number
    a2 = tse.start_transaction("TK-01").number
    tse.finish_transaction("TK-01", a1, PROCESS_TYPE, RECEIPT)
    assert tse.open_transactions("TK-01") == [a2]
    assert tse.open_transactions("TK-02") == [b1]
    assert tse.open_transactions("TK-03") == []


def test_finishing_an_unknown_transaction_is_refused(tse: SoftwareTse) -> None:
    with pytest.raises(TseError, match="unbekannt") as info:
        tse.finish_transaction("TK-01", 42, PROCESS_TYPE, RECEIPT)
    assert not isinstance(info.value, TseUnavailable)
    with pytest.raises(TseError, match="unbekannt"):
        tse.cancel_transaction("TK-01", 42)
    with pytest.raises(TseError, match="unbekannt"):
        tse.update_transaction("TK-01", 42, PROCESS_TYPE, RECEIPT)


def test_finishing_twice_is_refused_and_signs_nothing(tse: SoftwareTse) -> None:
    number = sell(tse)
    before = tse.log_messages()
    with pytest.raises(TseError, match="bereits abgeschlossen"):
        tse.finish_transaction("TK-01", number, PROCESS_TYPE, RECEIPT)
    with pytest.raises(TseError, match="bereits abgeschlossen"):
        tse.cancel_transaction("TK-01", number)
    with pytest.raises(TseError, match="bereits abgeschlossen"):
        tse.update_transaction("TK-01", number, PROCESS_TYPE, RECEIPT)
    assert tse.log_messages() == before
    assert sell(tse) == number + 1


def test_another_clients_transaction_is_refused(tse: SoftwareTse) -> None:
    number = tse.start_transaction("TK-01").number
    with pytest.raises(TseError, match="TK-01"):
        tse.finish_transaction("TK-02", number, PROCESS_TYPE, RECEIPT)
    assert tse.open_transactions("TK-01") == [number]


def test_invalid_client_id_is_refused_without_using_a_number(tse: SoftwareTse) -> None:
    with pytest.raises(ValueError):
        tse.start_transaction("Bäckerwagen_1")
    assert tse.start_transaction("TK-01").number == 1
    assert len(tse.log_messages()) == 1


def test_closed_tse_is_unavailable(tmp_path: Path) -> None:
    tse = SoftwareTse(tmp_path, create=True)
    tse.close()
    with pytest.raises(TseUnavailable, match="TSE nicht erreichbar"):
        tse.start_transaction("TK-01")
    with pytest.raises(TseUnavailable):
        tse.self_test()


def test_self_test_notices_a_vanished_medium(tmp_path: Path) -> None:
    with SoftwareTse(tmp_path / "stick", create=True) as tse:
        tse.self_test()
        (tmp_path / "stick" / KEY_FILE).rename(tmp_path / "elsewhere.pem")
        with pytest.raises(TseUnavailable, match="fehlt"):
            tse.self_test()


def test_unreadable_key_is_unavailable(tmp_path: Path) -> None:
    SoftwareTse(tmp_path, create=True).close()
    (tmp_path / KEY_FILE).write_text("kein Schlüssel")
    with pytest.raises(TseUnavailable, match="TSE nicht erreichbar"):
        SoftwareTse(tmp_path, create=True)


def test_unreadable_state_is_unavailable(tmp_path: Path) -> None:
    tmp_path.joinpath(STATE_FILE).write_bytes(b"this is not a database" * 100)
    with pytest.raises(TseUnavailable, match="TSE nicht erreichbar"):
        SoftwareTse(tmp_path, create=True)


def test_lost_key_is_not_silently_replaced(tmp_path: Path) -> None:
    with SoftwareTse(tmp_path, create=True) as tse:
        sell(tse)
    (tmp_path / KEY_FILE).unlink()
    with pytest.raises(TseUnavailable, match="Schlüssel"):
        SoftwareTse(tmp_path, create=True)
    assert not (tmp_path / KEY_FILE).exists()


def test_lost_state_is_not_silently_restarted(tmp_path: Path) -> None:
    with SoftwareTse(tmp_path, create=True) as tse:
        sell(tse)
    for path in tmp_path.glob(STATE_FILE + "*"):
        path.unlink()
    with pytest.raises(TseUnavailable, match="Zähler"):
        SoftwareTse(tmp_path, create=True)


def test_foreign_key_is_refused(tmp_path: Path) -> None:
    SoftwareTse(tmp_path / "a", create=True).close()
    SoftwareTse(tmp_path / "b", create=True).close()
    (tmp_path / "a" / KEY_FILE).write_bytes((tmp_path / "b" / KEY_FILE).read_bytes())
    with pytest.raises(TseUnavailable, match="gehört nicht"):
        SoftwareTse(tmp_path / "a", create=True)


def test_curve_must_match_the_key(tmp_path: Path) -> None:
    SoftwareTse(tmp_path, curve="P-256", create=True).close()
    with pytest.raises(TseUnavailable, match="P-384"):
        SoftwareTse(tmp_path, curve="P-384", create=True)


def test_state_file_uses_wal(tmp_path: Path) -> None:
    SoftwareTse(tmp_path, create=True).close()
    connection = sqlite3.connect(tmp_path / STATE_FILE)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        connection.close()


def test_two_instances_share_one_tse(tmp_path: Path) -> None:
    with SoftwareTse(tmp_path, create=True) as first, SoftwareTse(tmp_path, create=True) as second:
        a = first.start_transaction("TK-01").number
        b = second.start_transaction("TK-01").number
        second.finish_transaction("TK-01", a, PROCESS_TYPE, RECEIPT)
        tx = first.finish_transaction("TK-01", b, PROCESS_TYPE, RECEIPT)
        assert (a, b, tx.signature_counter) == (1, 2, 4)
        assert first.transaction_state(a)[0] is TransactionState.FINISHED
    assert assert_consistent(tmp_path) == (2, 4)


def test_a_vanished_tse_is_not_silently_replaced_by_a_new_one(tmp_path):
    import shutil

    with SoftwareTse(tmp_path / "tse", create=True) as tse:
        tse.finish_transaction(
            "KASSE1",
            tse.start_transaction("KASSE1").number,
            "Kassenbeleg-V1",
            "Beleg^0.00_1.00_0.00_0.00_0.00^1.00:Bar",
        )
    shutil.move(tmp_path / "tse", tmp_path / "elsewhere")
    with pytest.raises(TseUnavailable, match="tourkasse truck tse init"):
        SoftwareTse(tmp_path / "tse")
    assert not (tmp_path / "tse").exists()
