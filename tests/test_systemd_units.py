"""The systemd units in systemd/: checked by systemd itself, and read for what a user notices.

`systemd-analyze verify --root=DIR` loads each unit the way systemd would on a machine laid out
like DIR, and also checks that every ExecStart= program exists there and is executable. DIR is
made here as an install would make it: the units in /etc/systemd/system, this machine's own
system units (the targets and services ours refer to), the real programs of Debian's packages
(cage, foot, sh) and this checkout's real `tourkasse` entry point at
/opt/tourkasse/venv/bin/tourkasse. Nothing is a stub: a program that is not installed makes the
check fail (scripts/test installs cage, foot and gpiod). Any message of verify counts as a
failure, because systemd only warns about a mistyped key or value and then ignores it.

What cannot be checked here (no systemd as PID 1, no display, no GPIO) is said where it matters:
the power watch's shell logic is run with stand-ins for gpioget, gpiomon and systemctl.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
UNITS = REPO / "systemd"
VENV_TOURKASSE = "/opt/tourkasse/venv/bin/tourkasse"
TRUCK_CONFIG = "/etc/tourkasse/truck.toml"
SYSTEM_UNITS = Path("/lib/systemd/system")

TILL = "tourkasse-till.service"
AGENT = "tourkasse-agent.service"
POWER = "tourkasse-power.service"
HUB = "tourkasse-hub.service"
HUB_WEB = "tourkasse-hub-web.service"
HUB_INGEST = "tourkasse-hub-ingest@.service"
ALL_UNITS = [TILL, AGENT, POWER, HUB, HUB_WEB, HUB_INGEST]
DEPENDENCY_KEYS = ("Wants", "Requires", "Requisite", "BindsTo", "PartOf", "Upholds", "After")
NETWORK_UNITS = {
    "network.target",
    "network-online.target",
    "network-pre.target",
    "NetworkManager-wait-online.service",
    "systemd-networkd-wait-online.service",
    "mosquitto.service",
    "postgresql.service",
    "time-sync.target",  # with chrony-wait enabled it waits for an NTP or GPS time source
    "time-set.target",
}


# --- reading unit files --------------------------------------------------------------------


def parse_unit(text: str) -> dict[str, list[tuple[str, str]]]:
    """Sections → (key, value) pairs in order, with continuation lines joined as systemd does."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line[0] in "#;"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        else:
            key, _, value = line.partition("=")
            current.append((key.strip(), value.strip()))
    return sections


def unit(name: str) -> dict[str, list[tuple[str, str]]]:
    return parse_unit((UNITS / name).read_text(encoding="utf-8"))


def values(name: str, section: str, key: str) -> list[str]:
    """Every value of a key (list-valued keys split into their items)."""
    return [item for k, v in unit(name).get(section, []) if k == key for item in v.split() if item]


def single(name: str, section: str, key: str) -> str:
    found = [v for k, v in unit(name).get(section, []) if k == key]
    assert len(found) == 1, f"{name}: [{section}] {key}= set {len(found)} times"
    return found[0]


def exec_start(name: str) -> list[str]:
    """ExecStart='s words as systemd passes them ($$ is a literal $)."""
    words = shlex.split(single(name, "Service", "ExecStart"))
    return [word.replace("$$", "$") for word in words]


def dependencies(name: str) -> set[str]:
    return {dep for key in DEPENDENCY_KEYS for dep in values(name, "Unit", key)}


def instance(name: str) -> str:
    return name.replace("@.", "@a.")


# --- a root laid out as an install would ---------------------------------------------------


def real_program(path: str) -> Path:
    """The real executable of this checkout or of an installed Debian package."""
    if path == VENV_TOURKASSE:
        return Path(sys.executable).parent / "tourkasse"
    program = Path(path)
    if not os.access(program, os.X_OK):
        pytest.fail(
            f"{path} is not installed; the units need it (Debian packages cage, foot, gpiod: "
            "scripts/test installs them)"
        )
    return program


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file system root with the units installed, and what they run and refer to."""
    root = tmp_path_factory.mktemp("root")
    (root / "usr/bin").mkdir(parents=True)
    (root / "usr/lib/systemd").mkdir(parents=True)
    (root / "bin").symlink_to("usr/bin")  # merged /usr, as on Debian bookworm
    (root / "lib").symlink_to("usr/lib")
    shutil.copytree(SYSTEM_UNITS, root / "usr/lib/systemd/system", symlinks=True)
    (root / "etc/systemd/system").mkdir(parents=True)
    for name in ALL_UNITS:
        shutil.copy(UNITS / name, root / "etc/systemd/system" / name)
        program = exec_start(name)[0].lstrip("-@:+!")
        target = root / program.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            shutil.copy2(real_program(program), target)  # follows symlinks: the real file
    return root


def verify(root: Path, name: str) -> str:
    """What systemd-analyze verify says about the unit, or "" when it has nothing to say."""
    result = subprocess.run(
        ["systemd-analyze", "verify", f"--root={root}", "--man=no", name],
        capture_output=True,
        text=True,
        timeout=60,
    )
    said = (result.stdout + result.stderr).strip()
    if result.returncode != 0 and not said:
        said = f"exit code {result.returncode}"
    return said


# --- systemd's own checks ------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_UNITS)
def test_every_unit_passes_systemd_analyze_verify(root: Path, name: str) -> None:
    assert verify(root, instance(name)) == ""


@pytest.mark.parametrize(
    ("mistake", "change", "message"),
    [
        ("a mistyped key", ("RestartSec=", "RestrtSec="), "Unknown key"),
        ("a bad value", ("Restart=always", "Restart=sometimes"), "restart specifier"),
        ("a mistyped section", ("[Service]", "[Servce]"), "Unknown section"),
        (
            "a program that is not there",
            ("venv/bin/tourkasse truck", "venv/bin/tourkase truck"),
            "is not executable",
        ),
    ],
)
def test_verify_fails_for_a_broken_unit(
    root: Path, mistake: str, change: tuple[str, str], message: str
) -> None:
    text = (UNITS / AGENT).read_text(encoding="utf-8")
    assert change[0] in text
    broken = root / "etc/systemd/system/tourkasse-broken.service"
    broken.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    try:
        said = verify(root, broken.name)
    finally:
        broken.unlink()
    assert message in said, f"{mistake}: verify said {said!r}"


def test_the_system_user_is_made_by_sysusers(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    subprocess.run(
        ["systemd-sysusers", f"--root={tmp_path}", str(UNITS / "tourkasse.sysusers.conf")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    entry = next(
        line.split(":")
        for line in (tmp_path / "etc/passwd").read_text().splitlines()
        if line.startswith("tourkasse:")
    )
    assert entry[5:] == ["/var/lib/tourkasse", "/usr/sbin/nologin"]
    assert int(entry[2]) < 1000  # a system user


# --- the commands the units run ------------------------------------------------------------


@pytest.mark.parametrize("name", [TILL, AGENT, HUB, HUB_WEB, HUB_INGEST])
def test_the_tourkasse_command_of_each_unit_exists(name: str) -> None:
    words = exec_start(name)
    command = words[words.index(VENV_TOURKASSE) :]
    result = subprocess.run(
        [str(real_program(VENV_TOURKASSE)), *command[1:], "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "--config" in result.stdout


def test_foot_accepts_the_till_units_options() -> None:
    words = exec_start(TILL)
    options = words[words.index("/usr/bin/foot") + 1 : words.index(VENV_TOURKASSE)]
    check = subprocess.run(
        [str(real_program("/usr/bin/foot")), "--check-config", *options],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "XDG_RUNTIME_DIR": "/tmp"},
    )
    assert check.returncode == 0, check.stderr
    mistyped = subprocess.run(
        ["/usr/bin/foot", "--check-config", "--config=/dev/null", "-o", "key-bindings.x=none"],
        capture_output=True,
        timeout=60,
    )
    assert mistyped.returncode != 0  # foot's check does look at the options


# --- what a user notices -------------------------------------------------------------------


def test_the_till_comes_back_whenever_it_exits() -> None:
    assert single(TILL, "Service", "Restart") == "always"
    assert single(TILL, "Unit", "StartLimitIntervalSec") == "0"  # however often
    assert single(AGENT, "Service", "Restart") == "always"


def test_the_screen_shows_only_the_till_without_a_shell_or_console_switching() -> None:
    words = exec_start(TILL)
    cage_options = words[1 : words.index("--")]
    assert words[0] == "/usr/bin/cage"
    assert "-s" not in cage_options  # cage allows Ctrl+Alt+Fn only with -s
    foot = words.index("/usr/bin/foot")
    assert words.index("--") == foot - 1  # cage's one application is foot
    till = words[words.index(VENV_TOURKASSE) :]
    assert till == [VENV_TOURKASSE, "truck", "pos", "--config", TRUCK_CONFIG]
    assert not {"sh", "bash", "/bin/sh", "/bin/bash", "--hold", "-H"} & set(words)
    assert "key-bindings.spawn-terminal=none" in " ".join(words)  # no second window
    assert "SHELL=/usr/sbin/nologin" in values(TILL, "Service", "Environment")
    # On tty1 instead of its login prompt, in a logind session of its own (display, input).
    assert single(TILL, "Service", "TTYPath") == "/dev/tty1"
    assert "getty@tty1.service" in values(TILL, "Unit", "Conflicts")
    assert single(TILL, "Service", "PAMName") == "login"
    assert values(TILL, "Install", "WantedBy") == ["graphical.target"]


def test_the_till_reaches_its_screen_keyboard_scale_and_printer() -> None:
    service = dict(unit(TILL)["Service"])
    # A device list (DeviceAllow=, DevicePolicy=, PrivateDevices=, or ProtectClock=, which
    # adds one for the clock) would shut out /dev/dri, /dev/input, the serial ports and lp.
    for key in ("DeviceAllow", "DevicePolicy", "PrivateDevices", "ProtectClock"):
        assert key not in service
    assert set(values(TILL, "Service", "SupplementaryGroups")) == {"dialout", "lp"}
    assert "-/run/user" in values(TILL, "Service", "ReadWritePaths")  # the Wayland socket


@pytest.mark.parametrize("name", [TILL, POWER])
def test_the_till_and_the_power_watch_wait_for_no_network(name: str) -> None:
    assert not dependencies(name) & NETWORK_UNITS
    # nor through another of our units
    ours = {n for n in dependencies(name) if n.startswith("tourkasse")}
    assert all(not dependencies(other) & NETWORK_UNITS for other in ours)


def test_the_agent_starts_after_gpsd_and_the_clock_sync() -> None:
    after = values(AGENT, "Unit", "After")
    assert {"gpsd.service", "time-sync.target"} <= set(after)
    assert "gpsd.service" in values(AGENT, "Unit", "Wants")
    # waits for nothing that needs a network: it syncs when there is one
    assert "network-online.target" not in dependencies(AGENT)
    assert (
        single(AGENT, "Service", "ExecStart")
        == f"{VENV_TOURKASSE} truck agent --config {TRUCK_CONFIG}"
    )


@pytest.mark.parametrize("name", [TILL, AGENT, HUB, HUB_WEB, HUB_INGEST])
def test_units_run_as_the_tourkasse_user_locked_down(name: str) -> None:
    assert single(name, "Service", "User") == "tourkasse"
    assert single(name, "Service", "Group") == "tourkasse"
    assert single(name, "Service", "NoNewPrivileges") == "yes"
    assert single(name, "Service", "ProtectSystem") == "strict"
    assert single(name, "Service", "PrivateTmp") == "yes"
    assert single(name, "Service", "ProtectHome") == "yes"
    assert single(name, "Service", "CapabilityBoundingSet") == ""
    # the one writable data directory: /var/lib/tourkasse, made for the user by systemd
    assert single(name, "Service", "StateDirectory") == "tourkasse"


def test_the_power_watch_is_root_only_for_poweroff_and_gpio() -> None:
    assert values(POWER, "Service", "User") == []
    assert single(POWER, "Service", "PrivateNetwork") == "yes"
    assert single(POWER, "Service", "DevicePolicy") == "closed"
    assert single(POWER, "Service", "ProtectSystem") == "strict"


def test_the_hub_runs_in_one_process_or_apart_never_both() -> None:
    assert exec_start(HUB)[1:3] == ["hub", "serve"]
    assert exec_start(HUB_WEB)[1:3] == ["hub", "web"]
    assert exec_start(HUB_INGEST)[1:] == [
        "hub",
        "ingest",
        "--config",
        "/etc/tourkasse/hub-ingest-%i.toml",  # one config, one client_id per instance
    ]
    assert HUB in values(HUB_WEB, "Unit", "Conflicts")
    assert HUB in values(HUB_INGEST, "Unit", "Conflicts")
    for name in (HUB, HUB_WEB, HUB_INGEST):
        assert single(name, "Service", "Restart") == "on-failure"
        assert single(name, "Service", "RestartPreventExitStatus") == "2"  # a broken config


def test_every_program_the_power_watch_calls_is_installed() -> None:
    script = exec_start(POWER)[2]
    for program in ("/usr/bin/gpioget", "/usr/bin/gpiomon", "/usr/bin/systemctl"):
        assert program in script
        real_program(program)


# --- the power watch's logic, with stand-ins for the GPIO tools and systemctl --------------


def run_power_watch(tmp_path: Path, readings: list[str], events: int) -> tuple[int, str]:
    """Runs the unit's shell script; gpioget answers `readings` in turn, gpiomon returns
    `events` times (then fails, which ends the script), systemctl records what it was asked."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (tmp_path / "readings").write_text("\n".join(readings) + "\n")
    stand_ins = {
        "gpioget": 'v=$(head -n1 "$T/readings"); sed -i 1d "$T/readings"; echo "$v"',
        "gpiomon": f'echo "$*" >> "$T/gpiomon"; [ $(wc -l < "$T/gpiomon") -le {events} ]',
        "systemctl": 'echo "$*" >> "$T/systemctl"',
    }
    for program, body in stand_ins.items():
        (bin_dir / program).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / program).chmod(0o755)
    script = exec_start(POWER)[2]
    for program in stand_ins:
        script = script.replace(f"/usr/bin/{program}", str(bin_dir / program))
    env = {
        "PATH": os.environ["PATH"],
        "T": str(tmp_path),
        "TOURKASSE_POWER_CHIP": "gpiochip0",
        "TOURKASSE_POWER_LINE": "26",
        "TOURKASSE_POWER_BIAS": "as-is",
        "TOURKASSE_POWER_LOST": "0",
        "TOURKASSE_POWER_GRACE_S": "0",
    }
    result = subprocess.run(
        [*exec_start(POWER)[:2], script], env=env, capture_output=True, text=True, timeout=30
    )
    asked = tmp_path / "systemctl"
    return result.returncode, asked.read_text() if asked.exists() else ""


def test_power_watch_powers_off_when_the_power_stays_lost(tmp_path: Path) -> None:
    # power on at start; an edge; lost, and still lost after the grace period
    code, asked = run_power_watch(tmp_path, ["1", "0", "0"], events=1)
    assert asked == "poweroff\n"
    assert code == 0
    assert (
        tmp_path / "gpiomon"
    ).read_text() == "--bias=as-is --silent --num-events=1 --falling-edge gpiochip0 26\n"


def test_power_watch_goes_on_waiting_when_the_power_comes_back(tmp_path: Path) -> None:
    # a cranking engine: lost, back within the grace period; the watch waits for the next edge
    code, asked = run_power_watch(tmp_path, ["1", "0", "1", "1"], events=1)
    assert asked == ""
    assert len((tmp_path / "gpiomon").read_text().splitlines()) == 2  # waited again
    assert code != 0  # the stand-in gpiomon failing the second time ends the script
