"""The explorer as an attacker meets it: only the person who started it gets in.

Starts the real ``sendlib explore`` on a copy of the tiny school with pupil names added,
then tries what another account on the computer, or a web page through DNS rebinding,
would: no token, a wrong token, a foreign Host header, a websocket from a foreign
origin, the token in ``ps``. The right address (as printed) opens the caseload in a
real browser, and reloading the page many times leaves a bounded number of kernels.
"""

import asyncio
import http.client
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import child_pids, free_port
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
REPOSITORY = Path(__file__).resolve().parents[2]
#: Names given to the tiny school's pupils, so a leak of pupil data is visible.
NAMES = ("Zebedee Quartermaine", "Ottoline Vandersteen", "Perpetua Llewellyn-Hughes")
URL = re.compile(r"http://127\.0\.0\.1:(\d+)/\S*token=(\S+)")
OPENER = re.compile(r"file://(\S+\.html)")
#: The page is usable when the headline strip shows.
READY = "() => { const c = document.querySelector('.sendlib-headlines .card');"
READY += " return c !== null && c.offsetParent !== null; }"
RELOADS = 4


def named_school(folder: Path) -> Path:
    """The tiny school with a display_name column: what a real school's export carries."""
    shutil.copytree(TINY, folder)
    pupils = folder / "pupils.csv"
    lines = pupils.read_text(encoding="utf-8").splitlines()
    named = [lines[0] + ",display_name"] + [
        f"{line},{NAMES[i % len(NAMES)]}" for i, line in enumerate(lines[1:])
    ]
    pupils.write_text("\n".join(named) + "\n", encoding="utf-8")
    return folder


class Explorer:
    """A running ``sendlib explore``: its process, printed address, token and opener file."""

    def __init__(self, server: subprocess.Popen, output: list[str]):
        self.server = server
        self.output = output
        text = "".join(output)
        found = URL.search(text)
        assert found, text
        self.url, self.port, self.token = found.group(0), int(found.group(1)), found.group(2)
        self.opener = Path(OPENER.search(text).group(1))

    def request(self, method: str, path: str, headers: dict | None = None):
        """One HTTP request, redirects not followed: (status, headers, body text)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        body = response.read().decode("utf-8", errors="replace")
        connection.close()
        return response.status, response.headers, body

    def login_cookie(self) -> str:
        """The login cookie the printed address sets (what the SENDCo's browser holds)."""
        status, headers, _ = self.request(
            "GET", self.url.removeprefix(f"http://127.0.0.1:{self.port}")
        )
        assert status == 302 and headers["Location"] == "/"
        return headers["Set-Cookie"].split(";")[0]

    def voila_pid(self) -> int:
        children = child_pids(self.server.pid)
        assert len(children) == 1, children
        return children[0]

    def kernel_pids(self) -> list[int]:
        return child_pids(self.voila_pid())


def cmdline(pid: int) -> str:
    return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()


def login_cookie_set(headers) -> bool:
    """Whether a response logs its client in (the error page's ``_xsrf`` cookie does not)."""
    return any(c.startswith("username-") for c in headers.get_all("Set-Cookie") or [])


def no_pupil_data(body: str) -> bool:
    return not any(name in body for name in NAMES) and "P1" not in body


@pytest.fixture(scope="module")
def explorer(tmp_path_factory):
    """``sendlib explore`` on the named tiny school, on a free port; always stopped."""
    school = named_school(tmp_path_factory.mktemp("school") / "tiny")
    script = Path(sys.executable).with_name("sendlib")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "sendlib.cli"]
    server = subprocess.Popen(
        [*command, "explore", str(school), "--port", str(free_port()), "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=REPOSITORY,
    )
    output: list[str] = []
    threading.Thread(
        target=lambda: [output.append(line) for line in server.stdout], daemon=True
    ).start()
    deadline = time.monotonic() + 120
    while not any("Press Ctrl-C" in line for line in output):
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail(f"sendlib explore did not print its address:\n{''.join(output)}")
        time.sleep(0.1)
    try:
        yield Explorer(server, output)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_no_token_is_refused_and_shows_no_pupil(explorer):
    for path in ("/", "/?token=", "/voila/render/caseload_explorer.ipynb"):
        status, headers, body = explorer.request("GET", path)
        assert status in (302, 403), (path, status)
        if status == 302:
            assert headers["Location"].startswith("/login"), headers["Location"]
        assert no_pupil_data(body)
    status, _, body = explorer.request("GET", "/login?next=%2F")
    assert status == 200 and no_pupil_data(body)  # the login form asks for the token
    status, _, _ = explorer.request("POST", "/voila/api/shutdown/anything")
    assert status == 403


def test_a_wrong_token_is_refused(explorer):
    wrong = explorer.token[:-4] + ("AAAA" if not explorer.token.endswith("AAAA") else "BBBB")
    for path in (f"/?token={wrong}", f"/login?token={wrong}"):
        status, headers, body = explorer.request("GET", path)
        assert status in (200, 302, 403), status
        assert not login_cookie_set(headers)
        assert no_pupil_data(body)
        if status == 302:
            assert headers["Location"].startswith("/login")
    status, _, body = explorer.request("GET", "/", {"Authorization": f"token {wrong}"})
    assert status in (302, 403) and no_pupil_data(body)


def test_a_foreign_host_is_refused_even_with_the_token(explorer):
    evil = {"Host": f"evil.example:{explorer.port}"}
    for path in (f"/login?token={explorer.token}", f"/?token={explorer.token}", "/"):
        status, headers, body = explorer.request("GET", path, evil)
        assert status == 403, (path, status)
        assert not login_cookie_set(headers)
        assert no_pupil_data(body)


def test_a_websocket_from_a_foreign_origin_is_refused(explorer):
    cookie = explorer.login_cookie()
    status, _, page = explorer.request("GET", "/", {"Cookie": cookie})
    assert status == 200
    kernel = re.search(r'"kernelId": "([0-9a-f-]{36})"', page).group(1)
    channels = f"ws://127.0.0.1:{explorer.port}/api/kernels/{kernel}/channels"

    async def handshake(origin: str) -> int:
        request = HTTPRequest(channels, headers={"Cookie": cookie, "Origin": origin})
        try:
            socket_ = await websocket_connect(request)
        except HTTPClientError as refused:
            return refused.code
        socket_.close()
        return 101

    try:
        assert asyncio.run(handshake("http://evil.example")) == 403
        assert asyncio.run(handshake(f"http://evil.example:{explorer.port}")) == 403
        assert asyncio.run(handshake("null")) == 403  # a file:// page or a sandboxed frame
        # Nor may another site's page shut the kernel down with the cookie (no xsrf check).
        shutdown = f"/voila/api/shutdown/{kernel}"
        status, _, _ = explorer.request(
            "POST", shutdown, {"Cookie": cookie, "Origin": "http://evil.example"}
        )
        assert status in (403, 404)
        # The same requests from the page's own origin are let in: the Origin is what counts.
        assert asyncio.run(handshake(f"http://127.0.0.1:{explorer.port}")) == 101
    finally:
        explorer.request(
            "POST", f"/voila/api/shutdown/{kernel}", {"Authorization": f"token {explorer.token}"}
        )


def test_the_token_is_on_no_command_line(explorer):
    voila = explorer.voila_pid()
    assert "voila" in cmdline(voila)
    for pid in [explorer.server.pid, voila, *explorer.kernel_pids()]:
        assert explorer.token not in cmdline(pid)


def test_the_browser_opens_an_owner_only_file(explorer):
    mode = stat.S_IMODE(explorer.opener.stat().st_mode)
    assert mode == 0o600, oct(mode)
    assert stat.S_IMODE(explorer.opener.parent.stat().st_mode) == 0o700
    assert f"url={explorer.url}" in explorer.opener.read_text(encoding="utf-8")
    assert "Starting the caseload explorer" in explorer.opener.read_text(encoding="utf-8")


@pytest.mark.browser
def test_the_printed_address_opens_the_caseload(explorer, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(explorer.url, wait_until="commit")
    page.wait_for_function(READY, timeout=90_000)
    body = page.inner_text("body")
    assert "Tiny Test School" in body
    assert any(name in body for name in NAMES)
    assert "token" not in page.url  # the login page took it out of the address bar
    page.close(run_before_unload=True)


@pytest.mark.browser
def test_reloading_the_page_frees_its_kernel(explorer, browser):
    """Each view's kernel (about 200 MB) is shut down when the page goes.

    Voila's page asks for that as it unloads. Live: this page's kernel, the preheated
    one for the next visit, and at most one still shutting down; a leak adds one a view.
    """
    before = len(explorer.kernel_pids())
    page = browser.new_page()
    page.goto(explorer.url, wait_until="commit")
    page.wait_for_function(READY, timeout=90_000)
    counts = []
    for _ in range(RELOADS):
        page.reload(wait_until="commit")
        page.wait_for_function(READY, timeout=90_000)
        counts.append(len(explorer.kernel_pids()))
    page.close(run_before_unload=True)
    deadline = time.monotonic() + 30
    while len(explorer.kernel_pids()) > before + 1 and time.monotonic() < deadline:
        time.sleep(0.5)
    after = len(explorer.kernel_pids())
    print(
        f"\nlive kernels: {before} before; after each of {RELOADS} reloads {counts}; "
        f"{after} after closing the page"
    )
    assert max(counts) <= before + 2
    assert after <= before + 1  # at most the preheated kernel refilled meanwhile


def test_voila_runs_with_remote_access_off_and_the_origin_named(explorer):
    line = cmdline(explorer.voila_pid())
    assert "'allow_remote_access': False" in line
    assert f"'allow_origin': 'http://127.0.0.1:{explorer.port}'" in line
    assert "--Voila.auto_token=True" in line
    assert os.environ.get("JUPYTER_TOKEN") != explorer.token


def listening_ports(pid: int) -> set[int]:
    """The TCP ports process ``pid`` listens on (its socket inodes matched in /proc/net)."""
    inodes = set()
    for fd in (Path("/proc") / str(pid) / "fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


@pytest.mark.browser
def test_another_account_cannot_read_the_kernels_messages(explorer, browser):
    """What the kernel sends the page (pupil names in widgets) reaches no port but Voila's.

    Another account on the computer connects to every TCP port the explorer's processes
    listen on, as a subscriber to all messages (a Jupyter kernel's output port over TCP
    would take it: messages are signed, not encrypted), while the SENDCo's page loads
    the caseload. Nothing reaches it: the kernels talk to Voila over Unix sockets in a
    folder only the owner can enter.
    """
    zmq = pytest.importorskip("zmq")
    kernels = explorer.kernel_pids()
    assert kernels
    for kernel in kernels:
        line = cmdline(kernel)
        connection = Path(line.split(" -f ", 1)[1].split()[0])
        assert '"transport": "ipc"' in connection.read_text()
        folder = connection.parent.stat()
        assert stat.S_IMODE(folder.st_mode) & 0o077 == 0 and folder.st_uid == os.getuid()
    ports = set().union(*(listening_ports(pid) for pid in [explorer.voila_pid(), *kernels]))
    others = sorted(ports - {explorer.port})
    context = zmq.Context()
    listeners = []
    for port in others:
        sub = context.socket(zmq.SUB)
        sub.setsockopt(zmq.SUBSCRIBE, b"")
        sub.setsockopt(zmq.LINGER, 0)
        sub.connect(f"tcp://127.0.0.1:{port}")
        listeners.append(sub)
    time.sleep(0.5)  # subscriptions reach a publisher before it sends
    page = browser.new_page()
    page.goto(explorer.url, wait_until="commit")
    page.wait_for_function(READY, timeout=90_000)
    page.locator(".sendlib-filter-year-group select").select_option(index=1)
    time.sleep(2)
    heard = []
    for sub in listeners:
        while sub.poll(timeout=200):
            heard.append(b"".join(sub.recv_multipart()))
    page.close(run_before_unload=True)
    for sub in listeners:
        sub.close()
    context.term()
    named = [m for m in heard if any(name.encode() in m for name in NAMES)]
    print(
        f"\nexplorer's other TCP ports {others}: {len(heard)} message(s) heard, "
        f"{len(named)} naming a pupil"
    )
    assert heard == []
