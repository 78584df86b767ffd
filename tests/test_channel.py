"""The Unix socket channel: messages and handles over a real socket pair."""

from __future__ import annotations

import os
import socket

import pytest

from domains.channel import Channel, ChannelClosed, OutgoingQueueFull, connect_unix, listen_unix
from protocol import Connection, RemoteProtocolError, Role
from protocol import messages as m

from .protocol_support import established_pair

WINDOW = 0x600001


def channel_pair(max_outgoing_bytes=1 << 20):
    agent_connection, daemon_connection = established_pair()
    agent_socket, daemon_socket = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    return (Channel(agent_socket, agent_connection, max_outgoing_bytes),
            Channel(daemon_socket, daemon_connection, max_outgoing_bytes))


def receive_until(channel, count):
    events = []
    while len(events) < count:
        events.extend(channel.receive())
    return events


def test_buffer_handle_arrives_with_its_message():
    agent, daemon = channel_pair()
    memfd = os.memfd_create("test", os.MFD_CLOEXEC)
    os.write(memfd, b"pixels")
    agent.send(m.Damage(window=WINDOW, x=0, y=0, width=1, height=1, serial=1))
    agent.send(m.SetBuffer(window=WINDOW, width=1, height=1, stride=4, format=m.PIXEL_FORMAT_XRGB8888,
                           offset=0, serial=1, handles=(memfd,)))
    os.close(memfd)
    damage, set_buffer = receive_until(daemon, 2)
    assert isinstance(damage, m.Damage)
    (received,) = set_buffer.handles
    assert os.pread(received, 6, 0) == b"pixels"
    os.close(received)


def test_eof_mid_message_is_reported():
    agent, daemon = channel_pair()
    data, _ = agent.connection.send(m.UnmapWindow(window=WINDOW))
    agent.socket.send(data[:5])
    agent.socket.close()
    with pytest.raises(ChannelClosed) as raised:
        while True:
            daemon.receive()
    assert raised.value.mid_message


def test_clean_eof_is_reported():
    agent, daemon = channel_pair()
    agent.socket.close()
    with pytest.raises(ChannelClosed) as raised:
        daemon.receive()
    assert not raised.value.mid_message


def test_too_many_handles_closes_them_and_fails():
    agent, daemon = channel_pair()
    data, _ = agent.connection.send(m.UnmapWindow(window=WINDOW))
    open_before = set(os.listdir("/proc/self/fd"))
    handles = [os.memfd_create(f"h{i}", os.MFD_CLOEXEC) for i in range(8)]
    socket.send_fds(agent.socket, [data], handles)
    with pytest.raises(RemoteProtocolError):
        daemon.receive()
    for handle in handles:
        os.close(handle)
    # Every handle the daemon received is closed again.
    assert set(os.listdir("/proc/self/fd")) == open_before


def test_peer_that_stops_reading_fills_the_queue():
    agent, daemon = channel_pair(max_outgoing_bytes=256 * 1024)
    daemon.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    with pytest.raises(OutgoingQueueFull):
        for index in range(1_000_000):
            daemon.send(m.Motion(window=WINDOW, x=index % 1000, y=0, state=0))
    assert daemon.outgoing_bytes <= 256 * 1024


def test_queued_data_drains_when_the_peer_reads():
    agent, daemon = channel_pair()
    for index in range(20_000):
        daemon.send(m.Motion(window=WINDOW, x=index % 1000, y=1, state=0))
    assert daemon.wants_write
    received = 0
    while received < 20_000:
        received += len(agent.receive())
        daemon.flush()
    assert not daemon.wants_write


def test_listen_replaces_stale_socket_and_symlink(tmp_path):
    path = tmp_path / "gui.sock"
    first = listen_unix(str(path))
    first.close()
    second = listen_unix(str(path))
    second.close()
    target = tmp_path / "elsewhere"
    target.write_text("keep")
    path.unlink()
    path.symlink_to(target)
    third = listen_unix(str(path))
    assert target.read_text() == "keep"
    assert not path.is_symlink()
    third.close()


def test_handshake_over_real_sockets():
    agent_socket, daemon_socket = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    agent = Channel(agent_socket, Connection(Role.AGENT))
    daemon = Channel(daemon_socket, Connection(Role.DAEMON))
    agent.send(m.Hello(window=0, major=1, minor=0))
    (hello,) = receive_until(daemon, 1)
    daemon.send(daemon.connection.accept_hello(hello))
    (welcome,) = receive_until(agent, 1)
    assert welcome == m.Welcome(window=0, major=1, minor=0)


def test_sockets_in_deep_directories_work(tmp_path):
    deep = tmp_path / ("d" * 100) / ("e" * 100)
    deep.mkdir(parents=True)
    path = deep / "gui.sock"
    assert len(str(path)) > 108
    listener = listen_unix(str(path))
    client = connect_unix(str(path))
    server, _ = listener.accept()
    client.sendall(b"x")
    assert server.recv(1) == b"x"
    for sock in (client, server, listener):
        sock.close()
