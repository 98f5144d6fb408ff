"""The broker's security against a real Mosquitto: logins, ACL, client ids bound to trucks, TLS.

Every test starts its own secured broker (LocalBroker with BrokerSecurity, as config/mosquitto/
has it) on free loopback ports and talks to it with paho clients. "Nothing arrived" is proved
with a barrier, never a pause: after the forbidden message, one the same receiver may get is
sent along the same path; Mosquitto keeps the order, so once the barrier is in, the forbidden
message would be too.
"""

from __future__ import annotations

import base64
import getpass
import re
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from hub.broker import BrokerSecurity, LocalBroker
from hub.broker_config import HUB_ACL, TRUCKS_ACL
from hub.broker_users import check_password, password_hash
from hub.cli import main as hub_main
from tests.conftest import REPO
from tests.support.secured_broker import NOT_AUTHORIZED, WAIT, Broker, Peer, T
from tests.support.tls import make_broker_tls, make_ca


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    secured = Broker(tmp_path)
    secured.local.start()
    try:
        yield secured
    finally:
        secured.close()


@pytest.fixture
def tls_broker(tmp_path: Path) -> Iterator[Broker]:
    secured = Broker(tmp_path, tls=True)
    secured.local.start()
    try:
        yield secured
    finally:
        secured.close()


# --- 1. logins --------------------------------------------------------------------------


def test_anonymous_clients_and_wrong_passwords_are_refused(broker: Broker) -> None:
    for port in (broker.local.port, broker.local.hub_port):
        assert broker.peer(port, "anonym").connect().is_failure
    assert broker.peer(broker.local.port, "T01", "T01", "falsch").connect().is_failure
    assert broker.peer(broker.local.hub_port, "x", "hub", "falsch").connect().is_failure
    # each side's login works only at its own listener: a truck cannot pick a client id
    # at the hub's listener, and the hub's login is no truck
    pw = broker.passwords
    assert broker.peer(broker.local.hub_port, "T01", "T01", pw["T01"]).connect().is_failure
    assert broker.peer(broker.local.port, "hub", "hub", pw["hub"]).connect().is_failure
    # … while the right ones log in (so the refusals above are not a dead broker)
    broker.truck("T01").connected()
    broker.hub().connected()


# --- 2. a truck writes only under its own topics ----------------------------------------


def test_a_truck_cannot_write_into_another_trucks_journal(broker: Broker) -> None:
    hub = broker.hub().connected()
    hub.subscribe("tourkasse/v1/#")
    b = broker.truck("T02").connected()

    forged = b.publish(f"{T}/T01/journal", b"von T02 untergeschoben")
    assert forged.is_failure and forged.value == NOT_AUTHORIZED, forged
    for channel in ("ack", "resend", "track", "status"):
        assert b.publish(f"{T}/T01/{channel}", b"fremd").is_failure
    assert b.publish("tourkasse/v1/fleet/articles", b"gefaelschte Preise").is_failure
    assert b.publish(f"{T}/T02/ack", b"selbst bestaetigt").is_failure  # only the hub acks

    own = b.publish(f"{T}/T02/journal", b"eigenes Journal")
    assert not own.is_failure
    hub.wait_for(f"{T}/T02/journal", b"eigenes Journal")
    assert hub.received == [(f"{T}/T02/journal", b"eigenes Journal")]


# --- 3. a truck reads only its own topics and the fleet's -------------------------------


def test_a_truck_reads_only_its_own_acks_and_the_fleet_topics(broker: Broker) -> None:
    hub = broker.hub().connected()
    a = broker.truck("T01").connected()
    b = broker.truck("T02").connected()
    a.subscribe(f"{T}/T01/ack", f"{T}/T01/resend", "tourkasse/v1/fleet/+")
    # the ACL does not refuse a subscription, it withholds what is not B's
    b.subscribe(f"{T}/T01/ack", f"{T}/T01/#", "tourkasse/v1/#", f"{T}/T02/ack")

    assert not hub.publish(f"{T}/T01/ack", b"T01 bis 7").is_failure
    assert not hub.publish(f"{T}/T01/resend", b"T01 ab 3").is_failure
    assert not hub.publish(f"{T}/T01/journal", b"fremdes Journal").is_failure
    assert not hub.publish("tourkasse/v1/fleet/articles", b"Preise v2", retain=True).is_failure
    assert not hub.publish(f"{T}/T02/ack", b"T02 bis 4").is_failure  # B's barrier

    for topic, payload in [
        (f"{T}/T01/ack", b"T01 bis 7"),
        (f"{T}/T01/resend", b"T01 ab 3"),
        ("tourkasse/v1/fleet/articles", b"Preise v2"),
    ]:
        a.wait_for(topic, payload)
    b.wait_for(f"{T}/T02/ack", b"T02 bis 4")
    assert (f"{T}/T01/journal", b"fremdes Journal") not in a.received  # write-only for A
    # B gets its own ack (twice: two of its subscriptions match) and the fleet's data, never A's
    assert {topic for topic, _ in b.received} <= {f"{T}/T02/ack", "tourkasse/v1/fleet/articles"}


# --- 4. a truck's client id is bound to it ------------------------------------------------


def test_a_truck_cannot_take_over_another_trucks_session(broker: Broker) -> None:
    hub = broker.hub().connected()
    session = {"clean_start": False, "session_expiry": 3600}
    a = broker.truck("T01", **session).connected()
    a.subscribe(f"{T}/T01/ack")
    a.close()
    assert a.disconnected.is_set()
    for through in (1, 2, 3):  # queued for A's session while A is away
        assert not hub.publish(f"{T}/T01/ack", f"bis {through}".encode()).is_failure

    # B, with its own password but A's client id, asking for A's stored session
    thief = broker.truck("T02", client_id="T01", **session).connected()
    thief.subscribe(f"{T}/T02/ack")
    hub.publish(f"{T}/T02/ack", b"Schranke")
    thief.wait_for(f"{T}/T02/ack", b"Schranke")
    assert thief.received == [(f"{T}/T02/ack", b"Schranke")], "B bekam A's Nachrichten"

    # A comes back: its session is there, with all three acks queued for it
    a = broker.truck("T01", **session).connected()
    for through in (1, 2, 3):
        a.wait_for(f"{T}/T01/ack", f"bis {through}".encode())

    # with A online, B connecting as "T01" again does not throw A off
    thief_again = broker.truck("T02", client_id="T01").connected()
    hub.publish(f"{T}/T01/ack", b"bis 4")
    a.wait_for(f"{T}/T01/ack", b"bis 4")
    assert not a.disconnected.is_set()
    assert not thief_again.disconnected.is_set()
    assert all(topic != f"{T}/T01/ack" for topic, _ in thief_again.received)


def test_without_the_binding_the_same_client_id_would_throw_a_truck_off(broker: Broker) -> None:
    """The hub's listener does not bind client ids: there the second one wins (as MQTT says).
    This is why trucks must never log in there — and why the hub's processes need ids of
    their own."""
    first = broker.hub("tourkasse-hub-ingest").connected()
    broker.hub("tourkasse-hub-ingest").connected()
    assert first.disconnected.wait(WAIT)


# A truck process that dies with a last will (the agent's "offline" status), for the next test.
DYING_TRUCK = """
import sys, threading
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
port, truck, password, will = sys.argv[1:5]
client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=truck, protocol=mqtt.MQTTv5)
client.username_pw_set(truck, password)
client.will_set(will, b"offline", qos=1)
up = threading.Event()
client.on_connect = lambda c, u, f, reason, p: up.set() if not reason.is_failure else None
client.connect("127.0.0.1", int(port))
client.loop_start()
print("verbunden" if up.wait(5) else "abgelehnt", flush=True)
sys.stdin.read()  # until killed
"""


def test_a_trucks_last_will_passes_only_on_its_own_status_topic(broker: Broker) -> None:
    hub = broker.hub().connected()
    hub.subscribe("tourkasse/v1/#")
    for will in (f"{T}/T01/status", f"{T}/T02/status"):  # the foreign one first
        truck = subprocess.Popen(
            [
                sys.executable,
                "-c",
                DYING_TRUCK,
                str(broker.local.port),
                "T02",
                broker.passwords["T02"],
                will,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert truck.stdout.readline().strip() == "verbunden"
        finally:
            truck.kill()  # no DISCONNECT: the broker sends the will
            truck.wait(WAIT)
            truck.stdin.close()
            truck.stdout.close()
    hub.wait_for(f"{T}/T02/status", b"offline")
    assert hub.received == [(f"{T}/T02/status", b"offline")]


# --- 5. hub processes side by side ---------------------------------------------------------


def test_two_hub_processes_with_their_own_client_ids_stay_connected(broker: Broker) -> None:
    ingest = broker.hub("tourkasse-hub-ingest", clean_start=False, session_expiry=3600)
    web = broker.hub("tourkasse-hub-web")
    ingest.connected().subscribe(f"{T}/+/journal")
    web.connected().subscribe(f"{T}/+/position", f"{T}/+/status")
    truck = broker.truck("T01").connected()

    truck.publish(f"{T}/T01/journal", b"Eintrag 1")
    truck.publish(f"{T}/T01/status", b"online")
    ingest.wait_for(f"{T}/T01/journal", b"Eintrag 1")
    web.wait_for(f"{T}/T01/status", b"online")
    assert not web.publish("tourkasse/v1/fleet/tours", b"Touren v1").is_failure
    assert not ingest.publish(f"{T}/T01/ack", b"bis 1").is_failure
    assert not ingest.disconnected.is_set() and not web.disconnected.is_set()


# --- 6. TLS -------------------------------------------------------------------------------


def test_tls_with_the_brokers_ca_connects_and_without_it_fails(
    tls_broker: Broker, tmp_path: Path
) -> None:
    tls_ca = tls_broker.tls.ca
    a = tls_broker.truck("T01", tls_ca=tls_ca).connected()
    hub = tls_broker.hub().connected()
    hub.subscribe(f"{T}/T01/journal")
    a.publish(f"{T}/T01/journal", b"ueber TLS")
    hub.wait_for(f"{T}/T01/journal", b"ueber TLS")

    # the same rules on the TLS listener: no anonymous login, B not under A's client id
    anonymous = tls_broker.peer(tls_broker.local.tls_port, "anonym", tls_ca=tls_ca)
    assert anonymous.connect().is_failure
    tls_broker.truck("T02", client_id="T01", tls_ca=tls_ca).connected()
    a.publish(f"{T}/T01/journal", b"noch da")
    hub.wait_for(f"{T}/T01/journal", b"noch da")
    assert not a.disconnected.is_set()

    stranger = tls_broker.truck("T01", tls_ca=make_ca(tmp_path / "fremd", "Fremde CA"))
    with pytest.raises(ssl.SSLCertVerificationError):
        stranger.connect()
    system_trust = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="T01")
    system_trust.tls_set()  # the system's CAs, which never signed our test certificate
    with pytest.raises(ssl.SSLError):
        system_trust.connect("127.0.0.1", tls_broker.local.tls_port)
    system_trust.loop_stop()


# --- 7. what `tourkasse hub truck add` prints logs in -------------------------------------


def test_the_password_from_truck_add_logs_in_at_the_broker(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    security = BrokerSecurity.write(tmp_path / "auth", hub={"hub": "zentrale"})
    assert hub_main(["truck", "add", "T07", "--password-file", str(security.trucks_passwd)]) == 0
    appended = capsys.readouterr().out
    assert hub_main(["truck", "add", "T08"]) == 0
    printed = capsys.readouterr().out
    # only printed, not appended: the operator copies the line into the file
    line = re.search(r"^T08:\$7\$.+$", printed, re.MULTILINE)
    assert line is not None, printed
    with open(security.trucks_passwd, "a", encoding="utf-8") as passwd:
        passwd.write(line.group(0) + "\n")

    local = LocalBroker(tmp_path / "broker", security=security)
    peers: list[Peer] = []
    with local:
        try:
            for truck, output in (("T07", appended), ("T08", printed)):
                assert f"sind die Wagen-ID {truck}" in output
                password = re.search(r'^password = "([^"]+)"$', output, re.MULTILINE)
                assert password is not None, output
                peers.append(Peer(local.port, truck, truck, password.group(1)))
                peers[-1].connected()
                assert not peers[-1].publish(f"{T}/{truck}/journal", b"erster").is_failure
            peers.append(Peer(local.port, "T07", "T07", "nicht das Passwort"))
            assert peers[-1].connect().is_failure
        finally:
            for peer in peers:
                peer.close()


def test_truck_add_refuses_a_truck_already_there_and_a_bad_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    passwd = tmp_path / "trucks.passwd"
    assert hub_main(["truck", "add", "T07", "--password-file", str(passwd)]) == 0
    before = passwd.read_text()
    for truck in ("T07", "t07", "T 07", "T/07", "#", "Wägen", "x" * 33, "tourkasse-hub-web"):
        capsys.readouterr()
        assert hub_main(["truck", "add", truck, "--password-file", str(passwd)]) == 2, truck
        error = capsys.readouterr().err
        assert error.startswith("Abgelehnt: "), error
        assert "steht schon in" in error or "Ungültige Wagen-ID" in error, error
    assert passwd.read_text() == before

    capsys.readouterr()
    hub_passwd = tmp_path / "hub.passwd"
    assert hub_main(["broker-user", "hub", "--password-file", str(hub_passwd)]) == 0
    out = capsys.readouterr().out
    assert 'username = "hub"' in out
    password = re.search(r'^password = "([^"]+)"$', out, re.MULTILINE).group(1)
    name, hashed = hub_passwd.read_text().strip().split(":", 1)
    assert name == "hub" and check_password(password, hashed)
    assert hub_main(["broker-user", "hub", "--password-file", str(hub_passwd)]) == 2


def test_our_hash_is_mosquittos_own_format() -> None:
    # made by `mosquitto_passwd -b FILE T01 secret` (Mosquitto 2.0.11)
    made_by_mosquitto = (
        "$7$101$FcHUh5pwdKfOIUfK$b0XpF/y08zdCduaYTIEYlMDm4NBTmohtBfy4YfQpcn9n+K1k56L6YSltScVpr"
        "Tgw48Q3Vo8jI/brbnLTdOol8Q=="
    )
    assert check_password("secret", made_by_mosquitto)
    assert not check_password("Secret", made_by_mosquitto)
    salt = base64.b64decode("FcHUh5pwdKfOIUfK")
    assert password_hash("secret", salt=salt) == made_by_mosquitto


# --- the shipped configuration ------------------------------------------------------------


def _rules(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def test_the_acls_in_config_mosquitto_are_the_ones_the_tests_use() -> None:
    shipped = REPO / "config" / "mosquitto"
    assert _rules((shipped / "trucks.acl").read_text()) == _rules(TRUCKS_ACL)
    assert _rules((shipped / "hub.acl").read_text()) == _rules(HUB_ACL)


def test_the_shipped_mosquitto_conf_runs_and_binds_client_ids(tmp_path: Path) -> None:
    """config/mosquitto/mosquitto.conf itself, with its paths and ports moved into tmp_path."""
    tls = make_broker_tls(tmp_path / "tls")
    auth = BrokerSecurity.write(
        tmp_path / "auth", trucks={"T01": "eins", "T02": "zwei"}, hub={"hub": "drei"}
    )
    local = ShippedConfigBroker(tmp_path, tls=tls, auth=auth)
    peers: list[Peer] = []
    with local:
        try:
            rules = (REPO / "config" / "mosquitto" / "mosquitto.conf").read_text()
            assert (
                "use_username_as_clientid true" in rules and "per_listener_settings true" in rules
            )
            trucks, hub_port = local.tls_port, local.hub_port

            def peer(*args, **options) -> Peer:
                peers.append(Peer(*args, **options))
                return peers[-1]

            assert peer(trucks, "T01", tls_ca=tls.ca).connect().is_failure  # anonymous
            assert peer(hub_port, "T01", "T01", "eins").connect().is_failure  # truck at the hub's
            assert peer(trucks, "x", "hub", "drei", tls_ca=tls.ca).connect().is_failure
            hub = peer(hub_port, "tourkasse-hub-ingest", "hub", "drei").connected()
            hub.subscribe("tourkasse/v1/#")
            a = peer(trucks, "T01", "T01", "eins", tls_ca=tls.ca).connected()
            b = peer(trucks, "T01", "T02", "zwei", tls_ca=tls.ca).connected()
            assert b.publish(f"{T}/T01/journal", b"fremd").is_failure
            assert not a.publish(f"{T}/T01/journal", b"eigen").is_failure
            hub.wait_for(f"{T}/T01/journal", b"eigen")
            assert hub.received == [(f"{T}/T01/journal", b"eigen")]
            assert not a.disconnected.is_set()
        finally:
            for p in peers:
                p.close()


class ShippedConfigBroker(LocalBroker):
    """Runs config/mosquitto/mosquitto.conf with its files and ports moved to a test folder."""

    def __init__(self, workdir: Path, *, tls, auth: BrokerSecurity) -> None:
        super().__init__(workdir, security=auth, tls=tls)
        self.auth = auth

    def config_text(self) -> str:
        text = (REPO / "config" / "mosquitto" / "mosquitto.conf").read_text(encoding="utf-8")
        moves = {
            "pid_file /run/mosquitto/mosquitto.pid": "",
            "persistence_location /var/lib/mosquitto/": f"persistence_location {self.workdir}/",
            "log_dest file /var/log/mosquitto/mosquitto.log": f"log_dest file {self.log}",
            "listener 8883": f"listener {self.tls_port} 127.0.0.1",
            "listener 1883 127.0.0.1": f"listener {self.hub_port} 127.0.0.1",
            "/etc/mosquitto/certs/tourkasse.crt": str(self.tls.cert),
            "/etc/mosquitto/certs/tourkasse.key": str(self.tls.key),
            "/etc/mosquitto/tourkasse/": f"{self.auth.trucks_passwd.parent}/",
        }
        for production, here in moves.items():
            assert production in text, f"{production} fehlt in config/mosquitto/mosquitto.conf"
            text = text.replace(production, here)
        return f"user {getpass.getuser()}\n{text}"

    @property
    def ports(self) -> tuple[int, ...]:
        return (self.tls_port, self.hub_port)
