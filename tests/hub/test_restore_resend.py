"""After the hub's store is restored from an older backup, the trucks bring it back to
complete: their journals are the truth, and the hub asks for what it lacks.

Real parts: Mosquitto on a free port, the real till selling into a truck's journal, the
agent's real sync, the hub's real ingest; the backup and the restore by the commands.
"""

from __future__ import annotations

from hub.broker import LocalBroker
from hub.cli import main
from tests.support.fleet import IngestThread, SyncThread, sell, truck_config, truck_journal
from tests.support.hub_checks import assert_hub_has, committed
from tests.support.waiting import eventually


def test_after_restoring_an_older_backup_the_truck_fills_the_hub_again(tmp_path, capsys):
    hub_url = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    hub_config = tmp_path / "hub.toml"
    hub_config.write_text(f'[store]\nurl = "{hub_url}"\n', encoding="utf-8")
    folder = tmp_path / "sicherungen"
    folder.mkdir()
    with LocalBroker(tmp_path / "broker") as broker:
        config = truck_config(tmp_path / "truck", port=broker.port, ack_timeout_s=2)
        with SyncThread(config) as agent:
            with IngestThread(hub_url, broker.port):
                sold = sell(config, 20)
                assert_hub_has(hub_url, config, sold, timeout=30)
                assert main(["backup", "--config", str(hub_config), "--to", str(folder)]) == 0
                in_backup = committed(hub_url, "T01")
                sold.add(sell(config, 15, first_index=20))  # acknowledged by the hub, then lost
                assert_hub_has(hub_url, config, sold, timeout=30)
            # the hub's disk dies; the store comes back from last night's backup
            restored = f"sqlite:///{tmp_path / 'neu' / 'hub.sqlite'}"
            (backup,) = folder.glob("hub-*.sqlite.gz")
            code = main(
                ["restore", "--config", str(hub_config), "--from", str(backup), "--to", restored]
            )
            assert code == 0, capsys.readouterr()
            assert committed(restored, "T01") == in_backup < len(truck_journal(config))
            with IngestThread(restored, broker.port) as ingest:
                sold.add(sell(config, 5, first_index=35))  # the truck sells on
                asked = "bitte ab Eintrag"

                def complete_or_asked_twice() -> bool:
                    done = committed(restored, "T01") >= len(truck_journal(config))
                    return done or sum(asked in line for line in ingest.lines) >= 2

                # the hub asks once for the gap; a truck that sends it completes the hub, one
                # that does not is asked again after its acknowledgement timeout (2 s)
                eventually(complete_or_asked_twice, timeout=30, what="Antwort auf die Lücke")
                assert committed(restored, "T01") == len(truck_journal(config)), (
                    f"Zentrale: {ingest.lines[-3:]}; Wagen: {agent.lines[-3:]}"
                )
                assert_hub_has(restored, config, sold, timeout=30)
                assert not any("ALARM" in line for line in ingest.lines)  # no fork
