"""atheris fuzz target for the protocol parser.

Invariant: any byte string, fed whole or byte by byte, to an agent or a daemon
connection, in the handshake or after it, yields only messages whose values lie
inside their schema (or IgnoredMessage), or raises RemoteProtocolError; both
feedings give the same result. Anything else is a crash that atheris reports.

Run from the repository root (see docs/protocol.md):
    .venv/bin/pip install atheris
    .venv/bin/python tests/fuzz/fuzz_protocol.py -atheris_runs=1000000

Without a corpus directory argument, the golden messages of the test suite are
written to .fuzz-corpus/ as seeds and that directory is used.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

with atheris.instrument_imports(include=["protocol"]):
    import protocol  # noqa: F401  (instrumented before the helpers import it)

from protocol import Connection, Role  # noqa: E402
from tests.protocol_support import established_pair  # noqa: E402
from tests.test_protocol_properties import run_fuzz_input  # noqa: E402

SEED_DIRECTORY = ROOT / ".fuzz-corpus"


def connection_for(selector: int) -> Connection:
    if selector == 0:
        return Connection(Role.DAEMON)
    agent, daemon = established_pair()
    return daemon if selector == 1 else agent


def test_one_input(data: bytes) -> None:
    if not data:
        return
    selector = data[0] % 3
    payload = data[1:]
    whole = run_fuzz_input(connection_for(selector), payload, byte_by_byte=False)
    by_byte = run_fuzz_input(connection_for(selector), payload, byte_by_byte=True)
    if whole != by_byte:
        raise AssertionError(f"whole and byte-by-byte feeding differ: {whole!r} != {by_byte!r}")


def write_seed_corpus() -> None:
    from tests.test_protocol_golden import GOLDEN

    SEED_DIRECTORY.mkdir(exist_ok=True)
    for index, (message, wire) in enumerate(GOLDEN):
        selector = b"\x01" if message.SPEC.direction.name == "AGENT_TO_DAEMON" else b"\x02"
        (SEED_DIRECTORY / f"golden-{index:02d}").write_bytes(selector + wire)


def main() -> None:
    arguments = list(sys.argv)
    if not any(not argument.startswith("-") for argument in arguments[1:]):
        write_seed_corpus()
        arguments.append(str(SEED_DIRECTORY))
    atheris.Setup(arguments, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
