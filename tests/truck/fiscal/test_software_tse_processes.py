"""The software TSE shared by processes, and killed with SIGKILL at arbitrary instants."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from truck.fiscal.software_tse import SoftwareTse

from .conftest import assert_consistent

REPOSITORY = Path(__file__).resolve().parents[3]

# Sells receipts in a loop, printing a line after each; with a count it stops after that many.
SELLER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from truck.fiscal.software_tse import SoftwareTse

    directory, client, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    data = "Beleg^1.00_0.00_0.00_0.00_0.00^1.00:Bar"
    with SoftwareTse(directory, create=True) as tse:
        done = 0
        while count == 0 or done < count:
            number = tse.start_transaction(client).number
            tse.update_transaction(client, number, "Kassenbeleg-V1", data)
            tse.finish_transaction(client, number, "Kassenbeleg-V1", data)
            done += 1
            print(number, flush=True)
    """
)


def seller(directory: Path, client: str, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", SELLER, str(directory), client, str(count)],
        cwd=REPOSITORY,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_two_processes_share_the_tse_without_gaps(tmp_path: Path) -> None:
    SoftwareTse(tmp_path, create=True).close()  # create the key first, as the till would on setup
    processes = [seller(tmp_path, client, 15) for client in ("TK-01", "TK-02")]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert [process.returncode for process in processes] == [0, 0]
    numbers = sorted(int(line) for output in outputs for line in output.split())
    assert numbers == list(range(1, 31))
    assert assert_consistent(tmp_path) == (30, 90)


def test_sigkill_at_any_instant_leaves_the_tse_consistent(tmp_path: Path) -> None:
    sold_before = 0
    for round_number in range(4):
        process = seller(tmp_path, "TK-01", 0)
        assert process.stdout is not None
        # Let it sell a few receipts, then kill it wherever it happens to be.
        for _ in range(3 + round_number):
            assert process.stdout.readline()
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        process.stdout.close()
        assert process.returncode == -signal.SIGKILL
        transactions, _ = assert_consistent(tmp_path)
        assert transactions >= sold_before + 3 + round_number
        sold_before = transactions
    # After the crashes the TSE simply goes on, and the till can finish what was left open.
    with SoftwareTse(tmp_path, create=True) as tse:
        for number in tse.open_transactions("TK-01"):
            tse.cancel_transaction("TK-01", number)
        assert tse.open_transactions("TK-01") == []
        assert tse.start_transaction("TK-01").number == sold_before + 1
    assert_consistent(tmp_path)
