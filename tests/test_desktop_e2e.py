"""End to end: real applications in sandboxed domains on one trusted desktop.

Each test runs ``odyssey desktop --headless`` with the real window manager, real
daemons, real bubblewrap sandboxes with their own Xvfb and agent, and real X
applications; it acts as the user with xdotool on the GUI display.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys

import pytest

from . import desktop_support
from .desktop_support import DesktopProcess, DesktopScreen
from .support import wait_until

BLUE = (0x1E, 0x88, 0xE5)
GREEN = (0x43, 0xA0, 0x47)
NEUTRAL = (0x80, 0x80, 0x80)


@pytest.fixture
def desktop(tmp_path):
    process = DesktopProcess(tmp_path)
    yield process
    process.stop()
    # Shown by pytest only when the test failed.
    print(process.log_summary())


def start_with(desktop, *domains):
    for name, label, application in domains:
        desktop.odyssey("create", name, "--label", label, "--app", application)
    desktop.start()
    screen = DesktopScreen(desktop.display)
    for name, _, _ in domains:
        desktop.odyssey("start", name)
    return screen


def painted(screen, window) -> bool:
    x, y, width, height = screen.box(window)
    return screen.pixel(x + width // 2, y + height // 2) != NEUTRAL


def test_xterm_in_a_domain_is_framed_in_its_colour(desktop):
    screen = start_with(desktop, ("work", "blue", "xterm -geometry 80x20+100+100"))
    (window,) = screen.wait_client("work")
    frame = screen.frame_of(window)
    title = wait_until(lambda: screen.text(frame, "_ODYSSEY_FRAME_TITLE"))
    assert title.startswith("[work] ")
    assert "xterm" in title or "@" in title
    fx, fy, _, _ = screen.box(frame)
    assert screen.pixel(fx + 1, fy + 1) == BLUE
    wait_until(lambda: painted(screen, window), message="the xterm never showed content")
    screen.close()


def test_typing_reaches_the_xterm_inside_the_domain(desktop):
    screen = start_with(desktop, ("work", "blue", "xterm -geometry 80x20+100+100"))
    (window,) = screen.wait_client("work")
    wait_until(lambda: painted(screen, window))
    screen.click_and_focus(desktop, window)
    desktop.xdotool("type", "--delay", "10", "echo typed-through-odyssey > ~/typed.txt")
    desktop.xdotool("key", "Return")
    typed = desktop.home("work") / "typed.txt"
    wait_until(lambda: typed.exists() and typed.read_text() == "typed-through-odyssey\n")
    screen.close()


def test_clipboard_moves_between_domains_only_with_hotkeys(desktop):
    screen = start_with(desktop, ("work", "blue", "xterm -geometry 80x20+50+100"),
                        ("personal", "green", "xterm -geometry 80x20+800+100"))
    (work,) = screen.wait_client("work")
    (personal,) = screen.wait_client("personal")
    wait_until(lambda: painted(screen, work) and painted(screen, personal))

    def click(window):
        screen.click_and_focus(desktop, window)

    def type_line(text):
        desktop.xdotool("type", "--delay", "10", text)
        desktop.xdotool("key", "Return")

    click(work)
    type_line("printf secret-from-work | xclip -selection clipboard && touch ~/owned")
    wait_until(lambda: (desktop.home("work") / "owned").exists())
    # Without the hotkeys, nothing crosses: personal reads its own, empty, clipboard.
    click(personal)
    type_line("xclip -o -selection clipboard > ~/before.txt; touch ~/before-done")
    wait_until(lambda: (desktop.home("personal") / "before-done").exists())
    assert (desktop.home("personal") / "before.txt").read_text() == ""
    # With them, the text moves once.
    click(work)
    desktop.xdotool("key", "ctrl+shift+c")
    clipboard = desktop.runtime() / "clipboard"
    wait_until(clipboard.exists)
    click(personal)
    desktop.xdotool("key", "ctrl+shift+v")
    wait_until(lambda: not clipboard.exists())
    type_line("xclip -o -selection clipboard > ~/after.txt")
    after = desktop.home("personal") / "after.txt"
    wait_until(lambda: after.exists() and after.read_text() == "secret-from-work")
    screen.close()


def daemon_pids(desktop, domain):
    # The channel path is unique to this test's desktop; other tests run daemons of the same name.
    channel = desktop.runtime() / "domains" / domain / "gui.sock"
    found = subprocess.run(["pgrep", "-f", "--", f"--channel {channel}"], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def test_killed_daemon_is_restarted_and_windows_come_back(desktop):
    screen = start_with(desktop, ("work", "blue", "xclock -geometry 200x200+100+100"))
    (window,) = screen.wait_client("work")
    wait_until(lambda: painted(screen, window))
    (old_pid,) = daemon_pids(desktop, "work")
    os.kill(old_pid, signal.SIGKILL)
    new_pid = wait_until(lambda: [pid for pid in daemon_pids(desktop, "work") if pid != old_pid],
                         message="the daemon was not restarted")[0]
    # The agent reconnects to the new daemon and replays its window with its pixels.
    wait_until(lambda: desktop.log("daemon-work").count("session started") >= 2,
               message="the agent did not reconnect to the restarted daemon")
    (restored,) = screen.wait_client("work")
    wait_until(lambda: painted(screen, restored))
    assert new_pid != old_pid
    assert "restarting it" in desktop.output()
    screen.close()


def process_ids():
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def read_proc(pid: int, name: str) -> str:
    try:
        if name == "ns":
            return os.readlink(f"/proc/{pid}/ns/pid")
        with open(f"/proc/{pid}/{name}", "rb") as file:
            return file.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:  # the process exited meanwhile
        return ""


def domain_pid_namespace(desktop, domain: str) -> str:
    """Return the pid namespace of a domain's sandbox, found through its bubblewrap process."""
    home = str(desktop.home(domain))
    own = read_proc(os.getpid(), "ns")
    # bubblewrap runs twice: outside, and as the reaper inside the new pid namespace.
    namespaces = {read_proc(pid, "ns") for pid in process_ids()
                  if read_proc(pid, "cmdline").startswith("bwrap ") and home in read_proc(pid, "cmdline")}
    (namespace,) = namespaces - {own}
    return namespace


def processes_in(namespace: str) -> list[int]:
    return [pid for pid in process_ids() if read_proc(pid, "ns") == namespace]


def test_stopping_a_domain_leaves_nothing_behind(desktop):
    screen = start_with(desktop, ("work", "blue", "xclock -geometry 200x200+100+100"))
    screen.wait_client("work")
    runtime = desktop.runtime() / "domains" / "work"
    assert runtime.exists()
    namespace = domain_pid_namespace(desktop, "work")
    assert len(processes_in(namespace)) >= 3  # at least the domain init, Xvfb, the agent and xclock
    desktop.odyssey("stop", "work")
    assert not runtime.exists()
    wait_until(lambda: not screen.clients("work"))
    wait_until(lambda: not processes_in(namespace), message="processes of the domain survived its stop")
    daemons = subprocess.run(["pgrep", "-f", "--", f"--channel {runtime}"], capture_output=True, text=True).stdout
    assert daemons.strip() == ""
    listing = desktop.odyssey("list").stdout
    assert "work" in listing and "stopped" in listing
    screen.close()


def test_run_starts_an_application_in_a_running_domain(desktop):
    screen = start_with(desktop, ("work", "blue", "xclock -geometry 200x200+100+100"))
    screen.wait_client("work")
    desktop.odyssey("run", "work", "--", "sh", "-c", "hostname > ~/host.txt; id -u >> ~/host.txt")
    result = desktop.home("work") / "host.txt"
    wait_until(lambda: result.exists() and len(result.read_text().split()) == 2)
    assert result.read_text().split() == ["work", "1000"]
    screen.close()


def test_domain_cannot_see_the_gui_display_or_network(desktop):
    start_with(desktop, ("work", "blue", "xclock -geometry 200x200+100+100"))
    gui_number = int(desktop.display.lstrip(":"))
    # A listening abstract socket in the desktop's network namespace, under a name
    # that nothing inside a domain binds: reaching it would mean a shared namespace.
    host_name = f"\0odyssey-test-{os.getpid()}-{secrets.token_hex(4)}"
    probe = (
        "import json, os, socket\n"
        "def reach(address, family=socket.AF_UNIX):\n"
        "    s = socket.socket(family, socket.SOCK_STREAM); s.settimeout(2)\n"
        "    try:\n"
        "        s.connect(address); return True\n"
        "    except OSError:\n"
        "        return False\n"
        "result = {'display': os.environ['DISPLAY'],\n"
        f"          'host_abstract': reach({host_name!r}),\n"
        f"          'gui_abstract': reach('\\0/tmp/.X11-unix/X{gui_number}'),\n"
        f"          'gui_socket_file': os.path.exists('/tmp/.X11-unix/X{gui_number}'),\n"
        "          'internet': reach(('1.1.1.1', 53), socket.AF_INET),\n"
        "          'others': sorted(os.listdir('/run/odyssey'))}\n"
        "open(os.path.expanduser('~/probe.json'), 'w').write(json.dumps(result))\n"
    )
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as host_listener:
        host_listener.bind(host_name)
        host_listener.listen()
        desktop.odyssey("run", "work", "--", "python3", "-c", probe)
        path = desktop.home("work") / "probe.json"
        result = json.loads(wait_until(lambda: path.exists() and path.read_text()))
    assert result["host_abstract"] is False
    # The domain's own X server may have the GUI display's number inside the domain's
    # namespaces. Then that socket name reaches the domain's server and nothing else.
    own_number = int(result["display"].lstrip(":").split(".")[0])
    shares_number = own_number == gui_number
    assert result["gui_abstract"] is shares_number
    assert result["gui_socket_file"] is shares_number
    assert result["internet"] is False
    assert "clipboard" not in result["others"]
    assert "daemons" not in result["others"]


def test_odyssey_list_and_errors(desktop):
    assert "no domains" in desktop.odyssey("list").stdout
    desktop.odyssey("create", "work", "--label", "blue")
    assert "work" in desktop.odyssey("list").stdout
    duplicate = desktop.odyssey("create", "work", "--label", "red", check=False)
    assert duplicate.returncode == 1 and "exists already" in duplicate.stderr
    invalid = desktop.odyssey("create", "Work;rm", "--label", "red", check=False)
    assert invalid.returncode == 2 and "invalid domain name" in invalid.stderr
    no_desktop = desktop.odyssey("start", "work", check=False)
    assert no_desktop.returncode == 1 and "no Odyssey desktop is running" in no_desktop.stderr


def test_demo_runs_and_writes_a_screenshot(tmp_path):
    environment = dict(os.environ)
    environment.pop("DISPLAY", None)
    screenshot = tmp_path / "demo.png"
    completed = subprocess.run([sys.executable, "-m", "domains.cli", "demo", "--headless", "--duration", "1", "--screenshot", str(screenshot)],
                               env=environment, capture_output=True, text=True, timeout=180)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "pasted it into personal" in completed.stdout
    from PySide6.QtGui import QImage

    image = QImage(str(screenshot))
    assert (image.width(), image.height()) == (1920, 1080)
    colours = {image.pixel(x, y) & 0xFFFFFF for x in range(0, 1920, 7) for y in range(0, 1080, 7)}
    for label in (0x1E88E5, 0x43A047, 0xE53935):  # the frames of work, personal and untrusted
        assert label in colours


def test_window_without_position_stays_where_the_window_manager_put_it(desktop):
    # xterm resizes itself after it loaded its font: that resize must not move the
    # window back to the domain's top-left corner.
    screen = start_with(desktop, ("work", "blue", "xterm -fa Monospace -fs 12"))
    (window,) = screen.wait_client("work")
    wait_until(lambda: painted(screen, window))
    x, y, width, height = screen.box(window)
    assert (x, y) != (0, 24) and x > 50 and y > 50, f"the window sits at {x},{y}"
    screen.close()


def test_second_desktop_of_the_same_user_is_refused(desktop):
    desktop.start()
    second = subprocess.run([sys.executable, "-m", "domains.cli", "desktop", "--headless"], cwd=desktop_support.REPOSITORY,
                            env=desktop.environment, capture_output=True, text=True, timeout=60)
    assert second.returncode == 1
    assert "runs already" in second.stderr
    assert desktop.process.poll() is None
    assert "no domains" in desktop.odyssey("list").stdout


def test_missing_program_is_reported_before_starting(desktop):
    desktop.odyssey("create", "work", "--label", "blue")
    desktop.odyssey("create", "broken", "--label", "red", "--app", "nosuchprogram --flag")
    desktop.start()
    run = desktop.odyssey("run", "work", "--", "nosuchprogram", check=False)
    assert run.returncode == 1 and "'nosuchprogram' not found" in run.stderr
    start = desktop.odyssey("start", "broken", check=False)
    assert start.returncode == 1 and "'nosuchprogram' not found" in start.stderr
    assert "stopped" in desktop.odyssey("list").stdout


def test_invalid_definition_does_not_hide_the_others(desktop, tmp_path):
    desktop.odyssey("create", "work", "--label", "blue")
    directory = tmp_path / "config" / "odyssey" / "domains"
    (directory / "bad.toml").write_text('label = "blue"\nbackend = "kvm"\n')
    listing = desktop.odyssey("list", check=False)
    assert listing.returncode == 1
    assert "work" in listing.stdout
    assert "bad.toml:2: backend" in listing.stderr


def test_screenshot_needs_a_png_name_in_an_existing_directory(desktop, tmp_path):
    desktop.start()
    wrong_type = desktop.odyssey("screenshot", str(tmp_path / "shot.jpg"), check=False)
    assert wrong_type.returncode == 1 and "PNG" in wrong_type.stderr
    no_directory = desktop.odyssey("screenshot", str(tmp_path / "missing" / "shot.png"), check=False)
    assert no_directory.returncode == 1 and "does not exist" in no_directory.stderr
    assert not (tmp_path / "missing").exists()
    desktop.odyssey("screenshot", str(tmp_path / "shot.png"))
    assert (tmp_path / "shot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_domain_runs_at_lower_cpu_priority(desktop):
    start_with(desktop, ("work", "blue", "xclock -geometry 200x200+100+100"))
    namespace = domain_pid_namespace(desktop, "work")
    niceness = {int(read_proc(pid, "stat").rsplit(")", 1)[1].split()[16]) for pid in processes_in(namespace)}
    assert niceness == {5}, niceness
