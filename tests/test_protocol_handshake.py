"""Version negotiation between an agent and a daemon."""

from __future__ import annotations

import pytest

from protocol import Connection, LocalProtocolError, RemoteProtocolError, Role, State, VersionMismatch
from protocol import messages as m

from .protocol_support import established_pair, frame


def hello_to_daemon(major: int, minor: int, daemon_version=(1, 0)):
    agent = Connection(Role.AGENT, version=(major, minor))
    daemon = Connection(Role.DAEMON, version=daemon_version)
    data, _ = agent.send(m.Hello(window=0, major=major, minor=minor))
    daemon.receive_data(data)
    return agent, daemon, daemon.accept_hello(daemon.next_event())


@pytest.mark.parametrize("agent_minor, daemon_minor, expected", [(0, 0, 0), (3, 1, 1), (1, 4, 1)])
def test_same_major_uses_lower_minor(agent_minor, daemon_minor, expected):
    agent, daemon, reply = hello_to_daemon(1, agent_minor, daemon_version=(1, daemon_minor))
    assert reply == m.Welcome(window=0, major=1, minor=expected)
    agent.receive_data(daemon.send(reply)[0])
    assert agent.next_event() == reply
    assert agent.negotiated_minor == daemon.negotiated_minor == expected
    assert agent.state is daemon.state is State.ESTABLISHED


def test_other_major_is_refused_naming_both_versions():
    agent, daemon, reply = hello_to_daemon(2, 3)
    assert reply == m.VersionRejected(window=0, major=1, minor=0)
    assert "2.3" in str(daemon.mismatch) and "1.0" in str(daemon.mismatch)
    data, _ = daemon.send(reply)
    assert daemon.state is State.CLOSED
    agent.receive_data(data)
    with pytest.raises(VersionMismatch) as raised:
        agent.next_event()
    assert raised.value.local_version == (2, 3)
    assert raised.value.remote_version == (1, 0)
    assert agent.state is State.CLOSED


def test_first_message_must_be_hello():
    daemon = Connection(Role.DAEMON)
    daemon.receive_data(frame(m.UnmapWindow.SPEC.code, 5, b""))
    with pytest.raises(RemoteProtocolError, match="first message must be Hello"):
        daemon.next_event()


def test_second_hello_is_a_violation():
    agent, daemon = established_pair()
    daemon.receive_data(frame(m.Hello.SPEC.code, 0, bytes(8)))
    with pytest.raises(RemoteProtocolError, match="after the handshake"):
        daemon.next_event()


def test_welcome_with_higher_minor_than_offered_is_a_violation():
    agent = Connection(Role.AGENT)
    agent.send(m.Hello(window=0, major=1, minor=0))
    agent.receive_data(frame(m.Welcome.SPEC.code, 0, (1).to_bytes(4, "little") + (5).to_bytes(4, "little")))
    with pytest.raises(RemoteProtocolError, match="minor <= 0"):
        agent.next_event()


def test_agent_rejects_daemon_messages_before_its_hello():
    agent = Connection(Role.AGENT)
    agent.receive_data(frame(m.Welcome.SPEC.code, 0, bytes(8)))
    with pytest.raises(RemoteProtocolError, match="before the agent's Hello"):
        agent.next_event()


def test_agent_rejects_input_before_welcome():
    agent = Connection(Role.AGENT)
    agent.send(m.Hello(window=0, major=1, minor=0))
    agent.receive_data(frame(m.Close.SPEC.code, 5, b""))
    with pytest.raises(RemoteProtocolError, match="Welcome or VersionRejected"):
        agent.next_event()


def test_agent_cannot_send_before_welcome():
    agent = Connection(Role.AGENT)
    agent.send(m.Hello(window=0, major=1, minor=0))
    with pytest.raises(LocalProtocolError, match="before the handshake"):
        agent.send(m.UnmapWindow(window=5))
