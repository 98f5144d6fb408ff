"""scripts/install-hub, run for real into an install prefix.

The real script with `--root --hostname localhost --ingest 2`: real pip into a real virtual
environment, the real systemd-sysusers, systemctl and openssl, the installed units checked by
systemd-analyze verify in that root. Then what was installed is run: the prefix's Mosquitto
configuration in the real `mosquitto` (only ports, the pid file, the log and the paths into
the prefix rewritten), the prefix's nginx site in the real `nginx` in front of the installed
`tourkasse hub web`, each on free loopback ports.

What the operator relies on: a second run changes nothing at all, their own hub.toml stays,
a truck added with `tourkasse hub truck add` logs in over TLS with the installed CA, the hub
user of hub.toml logs in on the hub's listener, and the web answers through nginx over HTTPS.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hub.broker import free_port
from hub.broker_users import check_password
from hub.config import load_hub_config
from tests.support.secured_broker import Peer
from tests.support.waiting import eventually
from tests.support.web import PASSWORD, log_in
from tests.test_install_truck import changes, snapshot
from tests.test_systemd_units import REPO, SYSTEM_UNITS, parse_unit, real_program, verify

SCRIPT = REPO / "scripts/install-hub"
VENV = "opt/tourkasse/venv"
CONFIG = "etc/tourkasse/hub.toml"
MQ = "etc/mosquitto/tourkasse"
CERTS = "etc/mosquitto/certs"
HOSTNAME = "localhost"
HUB_UNITS = sorted(
    path.name
    for pattern in ("tourkasse-hub*.service", "tourkasse-hub*.timer")
    for path in (REPO / "systemd").glob(pattern)
)
ENV = {**os.environ, "LANG": "C.UTF-8"}
WAIT = 15.0  # seconds: the longest a broker, nginx or the web may take to listen here


def install(
    prefix: Path, *args: str, ingest: str = "2", hostname: str = HOSTNAME
) -> subprocess.CompletedProcess[str]:
    """The script into prefix; ``ingest=""``: one hub process."""
    split = ["--ingest", ingest] if ingest else []
    return run(str(SCRIPT), "--root", str(prefix), "--hostname", hostname, *split, *args)


def run(*command: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, input=stdin, capture_output=True, text=True, timeout=600, env=ENV
    )


def lay_out(prefix: Path) -> None:
    """Debian's part: merged /usr, systemd's units, the programs the hub's units run
    (/usr/bin/install for the backup's folder)."""
    (prefix / "usr/bin").mkdir(parents=True)
    (prefix / "usr/lib/systemd").mkdir(parents=True)
    (prefix / "bin").symlink_to("usr/bin")
    (prefix / "lib").symlink_to("usr/lib")
    shutil.copytree(SYSTEM_UNITS, prefix / "usr/lib/systemd/system", symlinks=True)
    for name in HUB_UNITS:
        for key, value in parse_unit((REPO / "systemd" / name).read_text()).get("Service", []):
            if key in ("ExecStart", "ExecStartPre", "ExecStopPost"):
                program = value.split()[0].lstrip("-@:+!")
                if program.startswith("/opt/tourkasse/"):
                    continue  # made by the install itself
                target = prefix / program.lstrip("/")
                if not target.exists():
                    shutil.copy2(real_program(program), target)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A prefix with the hub installed once; the first run's output."""
    prefix = tmp_path_factory.mktemp("hub")
    lay_out(prefix)
    first = install(prefix)
    assert first.returncode == 0, first.stdout + first.stderr
    return prefix, first.stdout


@pytest.fixture(scope="module")
def second_run(hub: tuple[Path, str]) -> tuple[list[str], subprocess.CompletedProcess[str]]:
    """The second run: what it changed below the prefix, and what it said."""
    prefix, _ = hub
    before = snapshot(prefix)
    second = install(prefix)
    return changes(before, snapshot(prefix)), second


def tourkasse(prefix: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The installed venv's tourkasse command."""
    return run(str(prefix / VENV / "bin/tourkasse"), *args, stdin=stdin)


def group_id(prefix: Path, name: str) -> int:
    for line in (prefix / "etc/group").read_text().splitlines():
        fields = line.split(":")
        if fields[0] == name:
            return int(fields[2])
    raise AssertionError(f"Gruppe {name} fehlt in {prefix}/etc/group")


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class Started:
    """A real program of the test (mosquitto, nginx, the hub's web), awaited on its ports."""

    def __init__(self, command: list[str], ports: list[int], log: Path) -> None:
        self.command, self.ports, self.log = command, ports, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Started:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, stdout=log, stderr=log, start_new_session=True, env=ENV
            )

        def listening() -> bool:
            assert self.process is not None and self.process.poll() is None, (
                f"{self.command[0]} endete: {self.log.read_text(errors='replace')[-2000:]}"
            )
            return all(accepts(port) for port in self.ports)

        eventually(listening, timeout=WAIT, what=f"{self.command[0]} hört auf {self.ports}")
        return self

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- the second run (first: nothing below may change the prefix before it) -----------------


def test_a_second_run_changes_nothing(
    second_run: tuple[list[str], subprocess.CompletedProcess[str]],
) -> None:
    changed, second = second_run
    assert second.returncode == 0, second.stdout + second.stderr
    assert changed == []
    assert "Nichts geändert" in second.stdout
    reported = re.findall(r"^ {4}(\S+):", second.stdout, flags=re.MULTILINE)
    assert set(reported) <= {"unverändert", "vorhanden", "übersprungen", "geprüft", "Hinweis"}, (
        second.stdout
    )


# --- what the operator relies on ------------------------------------------------------------


def test_hub_toml_has_secure_cookies_the_store_and_the_brokers_hub_user(
    hub: tuple[Path, str], second_run: object
) -> None:
    prefix, said = hub
    config = load_hub_config(prefix / CONFIG)
    assert config.web.secure_cookies is True
    assert config.store.url == "sqlite:////var/lib/tourkasse/hub.sqlite"
    assert config.mqtt.username == "hub" and len(config.mqtt.password) >= 20
    # the hub's line in the broker's password file is the hash of hub.toml's password
    passwd = prefix / MQ / "hub.passwd"
    lines = passwd.read_text().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hub:")
    assert check_password(config.mqtt.password, lines[0].split(":", 1)[1])
    info, mosquitto = passwd.stat(), group_id(prefix, "mosquitto")
    assert (info.st_mode & 0o7777, info.st_uid, info.st_gid) == (0o640, 0, mosquitto)
    toml = (prefix / CONFIG).stat()
    assert (toml.st_mode & 0o7777, toml.st_gid) == (0o640, group_id(prefix, "tourkasse"))
    assert "angelegt:      Broker-Benutzer hub" in said


def test_each_ingest_process_has_its_own_client_id_in_one_share_group(
    hub: tuple[Path, str], second_run: object
) -> None:
    prefix, _ = hub
    main = load_hub_config(prefix / CONFIG)
    ingests = [load_hub_config(prefix / f"etc/tourkasse/hub-ingest-{i}.toml") for i in (1, 2)]
    ids = [c.mqtt.client_id for c in ingests]
    assert ids == ["tourkasse-hub-ingest-1", "tourkasse-hub-ingest-2"]
    assert main.mqtt.client_id not in {c.mqtt.client_id for c in ingests}
    assert {c.mqtt.share_group for c in ingests} == {"ingest"}
    assert {c.mqtt.password for c in ingests} == {main.mqtt.password}
    assert {c.store.url for c in ingests} == {main.store.url}
    assert not (prefix / "etc/tourkasse/hub-ingest-3.toml").exists()


def test_the_broker_certificate_names_the_host_and_verifies_against_the_installed_ca(
    hub: tuple[Path, str], second_run: object
) -> None:
    prefix, _ = hub
    certs = prefix / CERTS
    crt, ca_crt = str(certs / "tourkasse.crt"), str(certs / "ca.crt")
    verified = run("openssl", "verify", "-CAfile", ca_crt, crt)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    text = run("openssl", "x509", "-noout", "-ext", "subjectAltName", "-in", crt).stdout
    assert f"DNS:{HOSTNAME}" in text
    key = (certs / "tourkasse.key").stat()
    assert (key.st_mode & 0o7777, key.st_gid) == (0o640, group_id(prefix, "mosquitto"))
    ca = prefix / "root/tourkasse-ca"
    assert ca.stat().st_mode & 0o7777 == 0o700
    assert (ca / "ca.key").stat().st_mode & 0o7777 == 0o600
    assert (ca / "ca.crt").read_bytes() == (certs / "ca.crt").read_bytes()


def test_the_units_pass_verify_and_the_web_ingests_and_backup_are_enabled(
    hub: tuple[Path, str], second_run: object
) -> None:
    prefix, _ = hub
    system = prefix / "etc/systemd/system"
    wants = system / "multi-user.target.wants"
    assert (wants / "tourkasse-hub-web.service").is_symlink()
    assert (wants / "tourkasse-hub-ingest@1.service").is_symlink()
    assert (wants / "tourkasse-hub-ingest@2.service").is_symlink()
    assert not (wants / "tourkasse-hub-ingest@3.service").exists()
    assert (system / "timers.target.wants/tourkasse-hub-backup.timer").is_symlink()
    assert not list(system.glob("*.wants/tourkasse-hub.service"))
    assert not list(system.glob("tourkasse-till*"))  # the truck's units stay off the hub
    for name in HUB_UNITS:
        assert verify(prefix, name.replace("@.", "@1.")) == "", name


# --- the installed Mosquitto configuration, run -----------------------------------------------


@pytest.fixture(scope="module")
def broker(
    hub: tuple[Path, str], second_run: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Started, Path, int, int]]:
    """The prefix's /etc/mosquitto in the real mosquitto: (broker, copy, trucks' TLS port,
    hub port)."""
    prefix, _ = hub
    work = tmp_path_factory.mktemp("mosquitto")
    copy = work / "mosquitto"
    shutil.copytree(prefix / "etc/mosquitto", copy, symlinks=True)
    tls_port, hub_port = free_port(), free_port()
    text = (copy / "mosquitto.conf").read_text()
    for old, new in (
        ("/etc/mosquitto/", f"{copy}/"),
        ("\nlistener 8883\n", f"\nlistener {tls_port} 127.0.0.1\n"),
        ("\nlistener 1883 127.0.0.1\n", f"\nlistener {hub_port} 127.0.0.1\n"),
        ("pid_file /run/mosquitto/mosquitto.pid", f"pid_file {work}/mosquitto.pid"),
        ("persistence_location /var/lib/mosquitto/", f"persistence_location {work}/"),
        ("log_dest file /var/log/mosquitto/mosquitto.log", f"log_dest file {work}/log"),
    ):
        assert old in text, old
        text = text.replace(old, new)
    # started as root, mosquitto would drop to this machine's mosquitto user, whose group is
    # not the prefix's: it stays the user running the test
    (copy / "mosquitto.conf").write_text(f"user root\n{text}")
    started = Started(
        ["mosquitto", "-c", str(copy / "mosquitto.conf")], [tls_port, hub_port], work / "out"
    )
    started.start()
    try:
        yield started, copy, tls_port, hub_port
    finally:
        started.stop()


def truck_publish(
    port: int, ca: Path, truck: str, password: str, topic: str, payload: str
) -> subprocess.CompletedProcess[str]:
    """A truck's message with the real mosquitto_pub: TLS to host "localhost", QoS 1."""
    return run(
        *("mosquitto_pub", "-h", HOSTNAME, "-p", str(port), "--cafile", str(ca)),
        *("-V", "mqttv5", "-u", truck, "-P", password, "-i", truck),
        *("-q", "1", "-t", topic, "-m", payload),
    )


def test_a_truck_added_with_the_installed_venv_logs_in_over_tls_and_reaches_the_hub(
    hub: tuple[Path, str], broker: tuple[Started, Path, int, int]
) -> None:
    prefix, _ = hub
    started, copy, tls_port, hub_port = broker
    passwd = str(copy / "tourkasse/trucks.passwd")
    added = tourkasse(prefix, "hub", "truck", "add", "T07", "--password-file", passwd)
    assert added.returncode == 0, added.stdout + added.stderr
    password = re.search(r'^password = "(.+)"$', added.stdout, flags=re.MULTILINE)
    assert password, added.stdout
    started.stop()
    started.start()  # reads the password file anew

    config = load_hub_config(prefix / CONFIG)
    hub_peer = Peer(hub_port, "tourkasse-hub", "hub", config.mqtt.password)
    try:
        hub_peer.connected()
        hub_peer.subscribe("tourkasse/v1/truck/+/status")
        ca = prefix / CERTS / "ca.crt"
        topic = "tourkasse/v1/truck/T07/status"
        sent = truck_publish(tls_port, ca, "T07", password.group(1), topic, "unterwegs")
        assert sent.returncode == 0, sent.stdout + sent.stderr
        hub_peer.wait_for(topic, b"unterwegs")

        wrong = truck_publish(tls_port, ca, "T07", "falsch", topic, "x")
        assert wrong.returncode != 0
        assert "not authori" in (wrong.stdout + wrong.stderr).lower()
    finally:
        hub_peer.close()
    refused = Peer(hub_port, "x", "hub", "falsch")
    try:
        assert refused.connect().is_failure
    finally:
        refused.close()


# --- nginx in front of the installed web ----------------------------------------------------


def nginx_conf(prefix: Path, work: Path, https: int, http: int, web: int) -> Path:
    """A minimal nginx.conf (everything nginx writes in work) including the installed site,
    with its ports and certificate paths made fit for a test."""
    enabled = os.readlink(prefix / "etc/nginx/sites-enabled/tourkasse-hub")
    assert enabled == "/etc/nginx/sites-available/tourkasse-hub"
    site = (prefix / enabled.lstrip("/")).read_text()
    for old, new in (
        ("    listen 80;\n", f"    listen 127.0.0.1:{http};\n"),
        ("    listen [::]:80;\n", ""),
        ("    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{https} ssl http2;\n"),
        ("    listen [::]:443 ssl http2;\n", ""),
        ("server 127.0.0.1:8080;", f"server 127.0.0.1:{web};"),
        (" /etc/mosquitto/certs/", f" {prefix / CERTS}/"),
    ):
        assert old in site, old
        site = site.replace(old, new)
    (work / "site.conf").write_text(site)
    temp = "\n".join(
        f"    {kind}_temp_path {work}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = work / "nginx.conf"
    conf.write_text(
        f"daemon off;\npid {work}/nginx.pid;\nerror_log {work}/error.log;\nevents {{}}\n"
        f"http {{\n    access_log off;\n{temp}\n    include {work}/site.conf;\n}}\n"
    )
    return conf


def test_nginx_serves_the_installed_web_over_https(
    hub: tuple[Path, str],
    broker: tuple[Started, Path, int, int],
    tmp_path: Path,
) -> None:
    prefix, _ = hub
    _, _, _, hub_port = broker
    https_port, http_port, web = free_port(), free_port(), free_port()
    conf = nginx_conf(prefix, tmp_path, https_port, http_port, web)
    checked = run("nginx", "-t", "-c", str(conf))
    assert checked.returncode == 0, checked.stderr

    # the installed hub.toml, only with what a test cannot share: ports, the store, the tours
    text = (prefix / CONFIG).read_text()
    for old, new in (
        ("\nport = 8080\n", f"\nport = {web}\n"),
        ("\nport = 1883\n", f"\nport = {hub_port}\n"),
        ('"sqlite:////var/lib/tourkasse/hub.sqlite"', f'"sqlite:///{tmp_path}/hub.sqlite"'),
        ('"/etc/tourkasse/tour.toml"', f'"{prefix}/etc/tourkasse/tour.toml"'),
    ):
        assert old in text, old
        text = text.replace(old, new)
    (tmp_path / "hub.toml").write_text(text)
    added = tourkasse(
        prefix,
        *("hub", "user", "add", "anna", "--role", "operator", "--password-stdin"),
        *("--config", str(tmp_path / "hub.toml")),
        stdin=f"{PASSWORD}\n",
    )
    assert added.returncode == 0, added.stdout + added.stderr
    web_command = [str(prefix / VENV / "bin/tourkasse"), "hub", "web"]
    web_process = Started(
        [*web_command, "--config", str(tmp_path / "hub.toml")],
        [web],
        tmp_path / "web.log",
    )
    nginx = Started(["nginx", "-c", str(conf)], [https_port, http_port], tmp_path / "nginx.out")
    try:
        web_process.start()
        nginx.start()
        context = ssl.create_default_context(cafile=str(prefix / CERTS / "ca.crt"))
        base = f"https://{HOSTNAME}:{https_port}"
        with httpx.Client(base_url=base, verify=context, timeout=10) as browser:
            health = browser.get("/healthz")
            assert (health.status_code, health.json()) == (200, {"status": "ok"})
            assert health.headers["strict-transport-security"] == "max-age=31536000"
            logged_in = log_in(browser, "anna", next="/arrivals")
            assert logged_in.status_code == 303, logged_in.text
            assert [c.secure for c in browser.cookies.jar] == [True]  # secure_cookies
            # the web takes the scheme from nginx's X-Forwarded-Proto: board links are https
            page = browser.get("/arrivals")
            assert page.status_code == 200, page.text
            assert 'href="https://localhost/tafel/' in page.text
            assert 'href="http://' not in page.text
        with httpx.Client(base_url=f"http://127.0.0.1:{http_port}", timeout=10) as plain:
            moved = plain.get("/healthz", headers={"Host": HOSTNAME})
        assert moved.status_code == 301
        assert moved.headers["location"] == f"https://{HOSTNAME}/healthz"
    finally:
        nginx.stop()
        web_process.stop()


# --- wrong usage ----------------------------------------------------------------------------


def test_wrong_usage_is_said_in_german_with_exit_code_2(tmp_path: Path) -> None:
    for args, message in (
        (["--ingest", "0"], "--ingest braucht eine Zahl von 1 bis 9"),
        (["--hostname", "a b"], "--hostname a b: kein gültiger Rechnername"),
    ):
        wrong = run(str(SCRIPT), "--root", str(tmp_path), *args)
        assert wrong.returncode == 2, wrong.stdout + wrong.stderr
        assert message in wrong.stderr and "Aufruf:" in wrong.stderr
        assert "Traceback" not in wrong.stderr
    assert list(tmp_path.iterdir()) == []


# --- the user's own settings (last: it changes the prefix) ----------------------------------


def test_a_users_edit_to_hub_toml_survives_a_run_and_reaches_the_ingest_configs(
    hub: tuple[Path, str], second_run: object
) -> None:
    prefix, _ = hub
    config = prefix / CONFIG
    mine = config.read_text().replace("offline_alert_minutes = 15", "offline_alert_minutes = 25")
    config.write_text(mine)
    again = install(prefix)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "vorhanden:     /etc/tourkasse/hub.toml (eigene Einstellungen" in again.stdout
    assert config.read_text() == mine
    for i in (1, 2):
        ingest = load_hub_config(prefix / f"etc/tourkasse/hub-ingest-{i}.toml")
        assert ingest.web.offline_alert_minutes == 25
        assert ingest.mqtt.client_id == f"tourkasse-hub-ingest-{i}"


def test_fewer_ingest_processes_or_one_hub_process_switch_the_others_off(
    hub: tuple[Path, str], second_run: object
) -> None:
    prefix, _ = hub
    wants = prefix / "etc/systemd/system/multi-user.target.wants"

    def enabled() -> list[str]:
        return sorted(link.name for link in wants.glob("tourkasse-hub*"))

    fewer = install(prefix, ingest="1")
    assert fewer.returncode == 0, fewer.stdout + fewer.stderr
    assert enabled() == ["tourkasse-hub-ingest@1.service", "tourkasse-hub-web.service"]
    assert "ausgeschaltet: tourkasse-hub-ingest@2.service" in fewer.stdout

    # one process for both: no ingest instance may start beside it at boot (they conflict)
    one = install(prefix, ingest="")
    assert one.returncode == 0, one.stdout + one.stderr
    assert enabled() == ["tourkasse-hub.service"]
    again = install(prefix, ingest="")
    assert "Nichts geändert" in again.stdout, again.stdout


def test_another_hostname_keeps_the_certificate_and_says_it_does_not_fit(
    hub: tuple[Path, str], second_run: object
) -> None:
    prefix, _ = hub
    certificate = (prefix / CERTS / "tourkasse.crt").read_bytes()
    other = install(prefix, hostname="hub.example.org")
    assert other.returncode == 0, other.stdout + other.stderr
    assert (prefix / CERTS / "tourkasse.crt").read_bytes() == certificate
    assert "Hinweis: /etc/mosquitto/certs/tourkasse.crt gilt nicht für hub.example.org" in (
        other.stdout
    )
    same = install(prefix)
    assert "gilt nicht" not in same.stdout
