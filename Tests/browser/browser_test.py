#!/usr/bin/env python3
"""Browser tests for OzWebClient.js and the web chatroom (issue 16), in Debian's chromium driven by Playwright.

Usage:
    python3 Tests/browser/browser_test.py --ozgate PATH --ozchat PATH [--web-dir DIR] [--out DIR] [--only SUBSTRING]

Starts `ozgate serve` on 127.0.0.1:7779 (the seed's code examples connect to "localhost" on the default port, so the
port is fixed; the run stops at once when it is taken), a loopback HTTP server for the test pages and the avatar
images, and `ozchat --plain` clients as the terminal side; then runs each check in fresh browser contexts of one
headless chromium (Debian's, never a Playwright download). With --web-dir the gateway serves the chatroom's files from
that folder (e.g. Resources/web) instead of its built-in copy. One line per check, `ok name` or `FAIL name: why`, then
`N passed, M failed`; the exit status is 0 only if nothing failed. The screenshot of the chatroom with three members
is saved to OUT/chatroom-three-members.png (OUT defaults to .build/browser-test).

Test pages are served from a real loopback server, not fulfilled by the automation: Chromium 156 treats a page that
the automation fulfils as public, and its Local Network Access checks then block the page's WebSocket to localhost
(net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS).
"""

from __future__ import annotations

import argparse
import errno
import http.server
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from pathlib import Path
from typing import Any, Callable

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

# --------------------------------------------------------------------------------------------------------------------
# The fixture
# --------------------------------------------------------------------------------------------------------------------

HERE = Path(__file__).resolve().parent
PAGES = HERE / "pages"

GATEWAY_PORT = 7779  # the seed's examples connect to "localhost", i.e. the default port
LOBBY_TOKEN = "myGeneratedSecurityToken"  # Code example 2 uses this token verbatim
EXT_NUMBER = "1500"                       # Code example 1: extension 1500, password 12345678
EXT_PASSWORD = "12345678"
TEAM_TOKEN = "team-token-for-the-screenshot"  # a room of its own, without the other checks' history
CONFIG_TOML = f"""\
[[line]]
name = "lobby"
token = "{LOBBY_TOKEN}"
[[line]]
name = "team"
token = "{TEAM_TOKEN}"
[[extension]]
number = "{EXT_NUMBER}"
password = "{EXT_PASSWORD}"
line = "lobby"
"""

CHATROOM = f"http://localhost:{GATEWAY_PORT}/"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src http: https: data:; connect-src ws: wss:; "
       "form-action 'none'; base-uri 'none'; frame-ancestors 'none'")

STARTUP_TIMEOUT = 20.0   # seconds for the gateway to print "listening on ws://"
SHUTDOWN_TIMEOUT = 10.0  # seconds the gateway may take to exit after SIGTERM
WAIT = 10.0              # seconds to wait for one expected thing
RECONNECT_WAIT = 20.0    # the same for a reconnect (its backoff delay comes on top)
QUIET = 1.5              # how long to watch for something that must NOT happen (the first retry comes within 0.5 s)
VIEWPORT = {"width": 1280, "height": 800}


class CheckFailed(Exception):
    """A check found the library, the page or the gateway not behaving as the issue says."""


def require(condition: Any, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def free_port() -> int:
    """A port free on 127.0.0.1 now (the kernel's pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_problem(port: int) -> str | None:
    """Why `port` cannot be used on loopback (IPv4 and, where there is one, IPv6: chromium tries both for
    "localhost"), or None when it is free."""
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        try:
            s = socket.socket(family, socket.SOCK_STREAM)
        except OSError:
            continue  # no IPv6 here
        with s:
            # SO_REUSEADDR, as the gateway sets it: a listener is a problem, connections in TIME_WAIT are not.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((host, port))
            except OSError as exc:
                if family == socket.AF_INET6 and exc.errno == errno.EADDRNOTAVAIL:  # no ::1 on this machine
                    continue
                return f"port {port} on {host} is taken ({exc.strerror}); the seed's examples need it: stop what uses it"
    return None


def png(width: int, height: int, pixel: Callable[[int, int], tuple[int, int, int]]) -> bytes:
    """A small RGB PNG, for the avatars the test server hands out."""
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def avatar_png(top: tuple[int, int, int], bottom: tuple[int, int, int]) -> bytes:
    """A 64×64 avatar: a vertical gradient with a lighter disc, so it is visibly an image, not the initial."""
    def pixel(x: int, y: int) -> tuple[int, int, int]:
        t = y / 63
        base = tuple(int(a + (b - a) * t) for a, b in zip(top, bottom))
        if (x - 32) ** 2 + (y - 26) ** 2 < 14 ** 2 or (x - 32) ** 2 + (y - 66) ** 2 < 28 ** 2:
            return tuple(min(255, c + 70) for c in base)  # a head and shoulders
        return base
    return png(64, 64, pixel)


# --------------------------------------------------------------------------------------------------------------------
# Processes: the gateway and ozchat --plain
# --------------------------------------------------------------------------------------------------------------------

class Output:
    """The lines a process writes, collected by a thread (so a full pipe never blocks it), with waiting for one."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.lines: list[str] = []
        self.changed = threading.Condition()

    def pump(self, stream: Any, label: str = "") -> None:
        for raw in stream:
            line = raw.rstrip("\n")
            with self.changed:
                self.lines.append(label + line)
                self.changed.notify_all()

    def mark(self) -> int:
        with self.changed:
            return len(self.lines)

    def wait_for(self, pattern: str, timeout: float = WAIT, since: int = 0) -> re.Match[str]:
        """The first line at index `since` or later that matches `pattern` (a regular expression, searched)."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for line in self.lines[since:]:
                    if match := regex.search(line):
                        return match
                left = deadline - time.monotonic()
                if left <= 0:
                    raise CheckFailed(f"{self.name} printed no line matching {pattern!r} within {timeout:g}s; "
                                      f"last lines: {self.tail()}")
                self.changed.wait(left)

    def matching(self, pattern: str, since: int = 0) -> list[str]:
        regex = re.compile(pattern)
        with self.changed:
            return [line for line in self.lines[since:] if regex.search(line)]

    def tail(self, n: int = 6) -> str:
        with self.changed:
            lines = self.lines[-n:]
        return " / ".join(lines) if lines else "(none)"


def kill_group(proc: subprocess.Popen[str]) -> None:
    """SIGKILLs a child started with start_new_session=True and everything in its process group, if it still runs."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait(5)


class Gateway:
    """`ozgate serve` on 127.0.0.1 (port 7779 unless told), in its own process group; with `tls` (certificate and key
    files) it serves wss:// and https://."""

    def __init__(self, binary: str, config_path: str, web_dir: str | None, port: int = GATEWAY_PORT,
                 tls: tuple[str, str] | None = None) -> None:
        self.binary = binary
        self.config_path = config_path
        self.web_dir = web_dir
        self.port = port
        self.tls = tls
        self.proc: subprocess.Popen[str] | None = None
        self.output = Output("ozgate")

    def start(self) -> None:
        command = [self.binary, "serve", "--config", self.config_path, "--host", "127.0.0.1",
                   "--port", str(self.port), "--store", "memory"]
        if self.web_dir:
            command += ["--web-dir", self.web_dir]
        if self.tls:
            command += ["--tls-cert", self.tls[0], "--tls-key", self.tls[1]]
        self.output = Output("ozgate")
        self.proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace",
                                     start_new_session=True)
        for stream, label in ((self.proc.stdout, ""), (self.proc.stderr, "[stderr] ")):
            threading.Thread(target=self.output.pump, args=(stream, label), daemon=True).start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self.output.matching(r"listening on wss?://"):
            if self.proc.poll() is not None:
                raise CheckFailed(f"ozgate exited with status {self.proc.returncode} before listening; "
                                  f"output: {self.output.tail()}")
            if time.monotonic() > deadline:
                raise CheckFailed(f"ozgate did not print 'listening on ws://' within {STARTUP_TIMEOUT:g}s; "
                                  f"output: {self.output.tail()}")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM, as an operator restarting it would; it must exit 0 in time."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            status = self.proc.wait(SHUTDOWN_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise CheckFailed(f"ozgate still running {SHUTDOWN_TIMEOUT:g}s after SIGTERM") from None
        require(status == 0, f"ozgate exited with status {status} after SIGTERM; output: {self.output.tail()}")

    def kill(self) -> None:
        if self.proc is not None:
            kill_group(self.proc)


class Ozchat:
    """`ozchat --plain` in a room: its event lines in `output`, commands written with `say`."""

    def __init__(self, binary: str, home: str, nick: str, avatar: str | None, token: str) -> None:
        self.nick = nick
        command = [binary, "--plain", f"127.0.0.1:{GATEWAY_PORT}", token, "--nick", nick, "--history", "0"]
        if avatar:
            command += ["--avatar", avatar]
        # Its own HOME and XDG folders: no config file, logs or state of the user running the tests.
        env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=f"{home}/config", XDG_STATE_HOME=f"{home}/state")
        self.output = Output(f"ozchat {nick!r}")
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, encoding="utf-8", errors="replace", env=env, start_new_session=True)
        threading.Thread(target=self.output.pump, args=(self.proc.stdout,), daemon=True).start()
        self.number = ""

    def wait_granted(self) -> None:
        self.number = self.output.wait_for(r" ACCESS_GRANTED number=(\S+) ").group(1)

    def say(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def quit(self) -> None:
        self.say("/quit")
        try:
            self.proc.wait(WAIT)
        except subprocess.TimeoutExpired:
            raise CheckFailed(f"ozchat {self.nick!r} did not exit after /quit") from None

    def kill(self) -> None:
        kill_group(self.proc)


# --------------------------------------------------------------------------------------------------------------------
# The loopback web server for the test pages and avatars
# --------------------------------------------------------------------------------------------------------------------

class PageServer:
    """Serves Tests/browser/pages and generated files on 127.0.0.1; remembers the headers of every request."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, bytes]] = {}
        for path in PAGES.iterdir():
            kind = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8"}.get(path.suffix)
            if kind:
                self.files["/" + path.name] = (kind, path.read_bytes())
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the http.server name)
                path = urllib.parse.urlsplit(self.path).path
                server.requests.append((path, {k.lower(): v for k, v in self.headers.items()}))
                if path not in server.files:
                    self.send_error(404)
                    return
                kind, body = server.files[path]
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def add(self, path: str, kind: str, body: bytes) -> str:
        self.files[path] = (kind, body)
        return self.base + path

    def headers_of(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers in list(self.requests) if p == path]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# --------------------------------------------------------------------------------------------------------------------
# Browser helpers
# --------------------------------------------------------------------------------------------------------------------

# Keeps every WebSocket the page makes in window.__sockets and every frame it sends in window.__sent, and while
# window.__blockSockets is true points new sockets at a closed loopback port instead: lets a check cut the page's
# connection and hold it down (the library only sees `new WebSocket` and its events, as in a real outage).
# Playwright runs init scripts before the page's own, and the page's CSP does not apply to them.
SOCKET_SPY = """
(() => {
  const RealWebSocket = window.WebSocket;
  window.__sockets = [];
  window.__sent = [];
  window.__blockSockets = false;
  window.WebSocket = class extends RealWebSocket {
    constructor(url, protocols) {
      super(window.__blockSockets ? 'ws://127.0.0.1:9/' : url, protocols);
      window.__sockets.push(this);
    }
    send(data) {
      window.__sent.push(JSON.parse(data));
      super.send(data);
    }
  };
})();
"""

# Records every text the status line's state word shows, so a check sees a state even if it lasted a moment.
STATE_RECORDER = """
(() => {
  const word = document.getElementById('state-word');
  window.__states = [word.textContent];
  new MutationObserver(() => window.__states.push(word.textContent))
    .observe(word, { childList: true, characterData: true, subtree: true });
})()
"""

# Records what the library reports to a listener added next to the page's own (onX adds, it does not replace).
PRESENCE_RECORDER = """
(() => {
  window.__presence = [];
  OzWebClient.onClientStateChanged(info => window.__presence.push(info.status + ' ' + info.nickname));
})()
"""


class Session:
    """One browser context with one page, and what went wrong in it: uncaught exceptions, and errors the library
    logs when a page callback throws. Every check fails on those."""

    def __init__(self, browser: Browser, init_script: str | None = None, ignore_https_errors: bool = False) -> None:
        self.context: BrowserContext = browser.new_context(viewport=VIEWPORT, locale="en-GB",
                                                           ignore_https_errors=ignore_https_errors)
        if init_script:
            self.context.add_init_script(init_script)
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(WAIT * 1000)
        self.console: list[tuple[str, str]] = []
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"uncaught exception: {error}"))

    def _console(self, message: Any) -> None:
        self.console.append((message.type, message.text))
        if message.type == "error" and message.text.startswith("OzWebClient:"):
            self.problems.append(f"console error: {message.text}")

    def close(self) -> None:
        self.context.close()


def chatroom_url(nick: str, token: str = LOBBY_TOKEN, **extra: str) -> str:
    return CHATROOM + "?" + urllib.parse.urlencode({"token": token, "nick": nick, **extra})


def wait_state(page: Page, word: str, timeout: float = WAIT) -> None:
    try:
        page.wait_for_function("w => document.getElementById('state-word').textContent === w", arg=word,
                               timeout=timeout * 1000)
    except Exception:
        shown = page.evaluate("document.getElementById('state-word').textContent + ' ' + "
                              "document.getElementById('state-detail').textContent")
        raise CheckFailed(f"the status line did not show {word} within {timeout:g}s; it shows {shown!r}") from None


def roster_names(page: Page) -> list[str]:
    return page.eval_on_selector_all("ul[aria-label='Members'] li .nick", "items => items.map(i => i.textContent)")


def wait_roster(page: Page, predicate_js: str, description: str, timeout: float = WAIT) -> None:
    """Waits until `predicate_js` (a function of the list of roster nicknames) holds."""
    try:
        page.wait_for_function(
            f"() => ({predicate_js})(Array.from(document.querySelectorAll(\"ul[aria-label='Members'] li .nick\"), "
            f"i => i.textContent))", timeout=timeout * 1000)
    except Exception:
        raise CheckFailed(f"the roster did not {description} within {timeout:g}s; it shows {roster_names(page)}") from None


def wait_message(page: Page, nick: str, text: str, classes: str = "", timeout: float = WAIT) -> None:
    """Waits for a message line in the log whose nickname and text are exactly `nick` and `text` (as text: the
    check reads textContent, so markup in them must show as written)."""
    try:
        page.wait_for_function(
            """([nick, text, classes]) => Array.from(document.querySelectorAll('[aria-label=Messages] .message'))
                 .some(e => e.querySelector('.nick').textContent === nick && e.querySelector('.text').textContent === text
                            && classes.split(' ').filter(Boolean).every(c => e.classList.contains(c)))""",
            arg=[nick, text, classes], timeout=timeout * 1000)
    except Exception:
        shown = page.eval_on_selector_all("[aria-label=Messages] .entry", "es => es.slice(-6).map(e => e.textContent)")
        raise CheckFailed(f"the log shows no {classes or 'plain'} message {text[:60]!r} from {nick[:40]!r} within "
                          f"{timeout:g}s; its last lines: {shown}") from None


def wait_log_text(page: Page, pattern: str, timeout: float = WAIT) -> None:
    """Waits for a log line whose text matches the regular expression `pattern`."""
    try:
        page.wait_for_function(
            "p => Array.from(document.querySelectorAll('[aria-label=Messages] .entry'))"
            ".some(e => new RegExp(p).test(e.textContent))", arg=pattern, timeout=timeout * 1000)
    except Exception:
        shown = page.eval_on_selector_all("[aria-label=Messages] .entry", "es => es.slice(-6).map(e => e.textContent)")
        raise CheckFailed(f"no log line matches {pattern!r} within {timeout:g}s; the last lines: {shown}") from None


# --------------------------------------------------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------------------------------------------------

class Context:
    """What checks share: the processes, the servers, the browser; and what a check started, to clean up after it."""

    def __init__(self, args: argparse.Namespace, gateway: Gateway, pages: PageServer, browser: Browser,
                 home: str, out: Path) -> None:
        self.args = args
        self.gateway = gateway
        self.pages = pages
        self.browser = browser
        self.home = home
        self.out = out
        self.sessions: list[Session] = []
        self.clients: list[Ozchat] = []

    def session(self, init_script: str | None = None, ignore_https_errors: bool = False) -> Session:
        session = Session(self.browser, init_script, ignore_https_errors)
        self.sessions.append(session)
        return session

    def chatroom(self, nick: str, init_script: str | None = None, **extra: str) -> Session:
        """A page on the chatroom from an invite link, granted."""
        session = self.session(init_script)
        session.page.goto(chatroom_url(nick, **extra))
        wait_state(session.page, "ACCESS_GRANTED")
        return session

    def ozchat(self, nick: str, avatar: str | None = None, token: str = LOBBY_TOKEN) -> Ozchat:
        client = Ozchat(self.args.ozchat, self.home, nick, avatar, token)
        self.clients.append(client)  # first, so that it is killed even if it is never granted
        client.wait_granted()
        return client

    def finish_check(self) -> list[str]:
        """Closes what the check opened; returns the problems its pages had."""
        problems = []
        for session in self.sessions:
            problems += session.problems
            try:
                session.close()
            except Exception:  # a context whose browser already went away
                pass
        for client in self.clients:
            client.kill()
        self.sessions, self.clients = [], []
        return problems


CHECKS: list[tuple[str, Callable[[Context], None]]] = []


def check(function: Callable[[Context], None]) -> Callable[[Context], None]:
    CHECKS.append((function.__name__, function))
    return function


@check
def web_files_are_served_with_their_headers(ctx: Context) -> None:
    """ozgate serves the library, the page and its files over plain HTTP on its WebSocket port, the page with the
    Content-Security-Policy that forbids inline script; other paths keep their answer (426)."""
    expected = {"/": "text/html", "/?token=x&nick=y": "text/html", "/OzWebClient.js": "text/javascript",
                "/chat.js": "text/javascript", "/chat.css": "text/css"}
    for path, kind in expected.items():
        with urllib.request.urlopen(f"http://127.0.0.1:{GATEWAY_PORT}{path}", timeout=WAIT) as response:
            require(response.status == 200, f"GET {path}: status {response.status}")
            got = response.headers.get("Content-Type", "")
            require(got.startswith(kind), f"GET {path}: Content-Type {got!r}, expected {kind}")
            require(response.headers.get("X-Content-Type-Options") == "nosniff", f"GET {path}: no nosniff")
            if path.startswith("/?") or path == "/":
                require(response.headers.get("Content-Security-Policy") == CSP,
                        f"GET {path}: Content-Security-Policy {response.headers.get('Content-Security-Policy')!r}")
                require(response.headers.get("Referrer-Policy") == "no-referrer",
                        f"GET {path}: Referrer-Policy {response.headers.get('Referrer-Policy')!r}")
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{GATEWAY_PORT}/no-such-file", timeout=WAIT)
        raise CheckFailed("GET /no-such-file answered 200")
    except urllib.error.HTTPError as error:
        require(error.code == 426, f"GET /no-such-file: status {error.code}, expected 426 as before")


@check
def code_example_1_verbatim_is_granted(ctx: Context) -> None:
    """The seed's Code example 1, verbatim (extension 1500, password 12345678): the console shows ACCESS_GRANTED,
    the state word itself, not an object's preview."""
    expect_console_state(ctx, "/code-example-1.html", "ACCESS_GRANTED")


@check
def code_example_2_verbatim_is_granted(ctx: Context) -> None:
    """The seed's Code example 2, verbatim (the token myGeneratedSecurityToken): the console shows ACCESS_GRANTED."""
    expect_console_state(ctx, "/code-example-2.html", "ACCESS_GRANTED")


@check
def code_example_1_with_a_wrong_password_is_denied(ctx: Context) -> None:
    """Code example 1 with its password changed: the console shows ACCESS_DENIED."""
    expect_console_state(ctx, "/code-example-1-wrong-password.html", "ACCESS_DENIED")


def expect_console_state(ctx: Context, path: str, expected: str) -> None:
    """The page's first console.log line is exactly `expected`."""
    session = ctx.session()
    try:
        with session.page.expect_console_message(lambda message: message.type == "log", timeout=WAIT * 1000) as first:
            session.page.goto(ctx.pages.base + path)
    except Exception:
        raise CheckFailed(f"{path}: nothing logged within {WAIT:g}s (console: {session.console})") from None
    require(first.value.text == expected, f"{path}: the console shows {first.value.text!r}, expected {expected!r}")


@check
def library_api(ctx: Context) -> None:
    """OzWebClient.js on its own: the globals, address forms (default port, IPv6, schemes; wss:// from an https:
    page), argument problems reported (not thrown), callbacks that add and survive a throwing neighbour, an extension
    login, a message's shape, and disconnect()."""
    session = ctx.session()
    session.page.goto(ctx.pages.base + "/library.html")
    page = session.page
    shape = page.evaluate("""() => ({
        methods: ['connect', 'disconnect', 'sendMessage', 'onConnectionStateChanged', 'onClientStateChanged',
                  'onErrorOccured', 'onMessageReceived', 'onConnecting'].filter(m => typeof OzWebClient[m] !== 'function'),
        states: Object.entries(ConnectionState).filter(([k, v]) => k !== v || typeof v !== 'string').length,
        four: ['ACCESS_GRANTED', 'ACCESS_DENIED', 'CONNECTION_FAILED', 'CONNECTION_CLOSED']
              .every(s => ConnectionState[s] === s),
        frozen: Object.isFrozen(ConnectionState),
        historySize: OzWebClient.historySize,
        state: OzWebClient.state,
        notAFunction: (() => { try { OzWebClient.onMessageReceived('x'); return 'no exception'; }
                               catch (e) { return e.constructor.name; } })()
    })""")
    require(shape["methods"] == [], f"OzWebClient lacks {shape['methods']}")
    require(shape["four"] and shape["states"] == 0 and shape["frozen"],
            "ConnectionState's values must be their own names, as strings, in a frozen object")
    require(shape["historySize"] == 50, f"historySize defaults to {shape['historySize']}, expected 50")
    require(shape["state"] is None, f"state before any connect is {shape['state']!r}, expected null")
    require(shape["notAFunction"] == "TypeError", f"onMessageReceived('x') gave {shape['notAFunction']}")

    cases = [  # (address, page URL or None for this http: page, expected URL or None for an error)
        ("localhost", None, "ws://localhost:7779/"),
        ("chat.example.org:7000", None, "ws://chat.example.org:7000/"),
        ("  10.0.0.5  ", None, "ws://10.0.0.5:7779/"),
        ("[::1]", None, "ws://[::1]:7779/"),
        ("[::1]:7000", None, "ws://[::1]:7000/"),
        ("::1", None, "ws://[::1]:7779/"),
        ("fe80::1", None, "ws://[fe80::1]:7779/"),
        ("ws://example.org:81/chat", None, "ws://example.org:81/chat"),
        ("wss://example.org", None, "wss://example.org:7779/"),
        ("WSS://Example.org:8443/x", None, "wss://example.org:8443/x"),
        ("localhost", "https://chat.example.org/", "wss://localhost:7779/"),
        ("localhost:7000", "https://chat.example.org/", "wss://localhost:7000/"),
        ("ws://localhost", "https://chat.example.org/", "ws://localhost:7779/"),
        ("localhost", "file:///tmp/chat.html", "ws://localhost:7779/"),
        ("", None, None), ("http://example.org", None, None), ("example.org:0", None, None),
        ("example.org:65536", None, None), ("example.org:http", None, None), ("::1:7000", None, None),
        ("example.org/?x=1", None, None), ("user@example.org", None, None), ("[::1", None, None),
        ("exa mple.org", None, None), ("[::1]x", None, None), ("999.1.1.1", None, None),
    ]
    results = page.evaluate("""cases => cases.map(([address, pageUrl]) => {
        try { return pageUrl === null ? OzWebClient.serverUrl(address) : OzWebClient.serverUrl(address, pageUrl); }
        catch (e) { return 'Error: ' + e.message; }
    })""", [[address, page_url] for address, page_url, _ in cases])
    wrong = []
    for (address, page_url, expected), got in zip(cases, results):
        ok = got.startswith("Error: ") and len(got) > 7 if expected is None else got == expected
        if not ok:
            wrong.append(f"{address!r}{' from ' + page_url if page_url else ''} → {got!r}, expected "
                         f"{expected or 'an error'}")
    require(not wrong, "; ".join(wrong))

    # connect() with bad arguments: reported, not thrown; then a real session, its messages, and disconnect().
    run = page.evaluate("""async ([token, number, password]) => {
        const states = [], errors = [], messages = [];
        OzWebClient.onConnectionStateChanged((s, reason) => states.push([s, typeof s, reason === undefined ? null : reason]));
        OzWebClient.onConnectionStateChanged(() => { throw new Error('a page bug'); });  // must not disturb the others
        OzWebClient.onErrorOccured(e => errors.push(e.code));
        OzWebClient.onMessageReceived(m => messages.push(m));
        const until = (what, ms = 10000) => new Promise((resolve, reject) => {
            const started = Date.now();
            (function poll() { if (what()) resolve(); else if (Date.now() - started > ms) reject(new Error('timeout'));
                               else setTimeout(poll, 20); })();
        });
        let threw = null;
        try {
            OzWebClient.connect('http://localhost', token);
            OzWebClient.connect('localhost', '');
        } catch (e) { threw = String(e); }
        const refused = { states: states.slice(), errors: errors.slice(), threw };
        states.length = 0; errors.length = 0;
        OzWebClient.connect('localhost', number, { Nickname: 'Lib', Password: password });
        await until(() => states.length > 0);
        const phoneNumber = OzWebClient.phoneNumber, room = OzWebClient.room;
        const tooLong = OzWebClient.sendMessage('x'.repeat(4097));
        const nonce = OzWebClient.sendMessage('hello from the library');
        await until(() => messages.some(m => m.nonce === nonce));  // (earlier checks' messages come as history first)
        const m = messages.find(m => m.nonce === nonce);
        const message = { id: typeof m.id, from: m.from, to: m.to, text: m.text, isDate: m.ts instanceof Date,
                          own: m.own, private: m.private, history: m.history, nickname: m.nickname,
                          nonceMatches: m.nonce === nonce, senderNumber: m.sender && m.sender.phoneNumber,
                          frozen: Object.isFrozen(m) };
        const granted = states.slice();
        OzWebClient.disconnect();
        const afterDisconnect = { states: states.slice(granted.length), state: OzWebClient.state,
                                  phoneNumber: OzWebClient.phoneNumber, notConnected: OzWebClient.sendMessage('late') };
        return { refused, granted, phoneNumber, room, tooLong, message, errors, afterDisconnect };
    }""", [LOBBY_TOKEN, EXT_NUMBER, EXT_PASSWORD])
    refused = run["refused"]
    require(refused["threw"] is None, f"connect() with bad arguments threw {refused['threw']}")
    require(refused["errors"] == ["BAD_ADDRESS", "BAD_TOKEN"], f"onErrorOccured got {refused['errors']}, "
                                                                "expected BAD_ADDRESS then BAD_TOKEN")
    require([s[:2] for s in refused["states"]] == [["CONNECTION_FAILED", "string"]] * 2 and
            all(s[2] for s in refused["states"]),
            f"bad arguments gave the states {refused['states']}, expected CONNECTION_FAILED with a reason twice")
    require(run["granted"] == [["ACCESS_GRANTED", "string", None]], f"states after connect: {run['granted']}")
    require(run["phoneNumber"] == EXT_NUMBER and run["room"] == "lobby",
            f"phoneNumber/room {run['phoneNumber']!r}/{run['room']!r}, expected 1500/lobby")
    require(run["tooLong"] is None and "BAD_FRAME" in run["errors"],
            f"a 4,097-character message: sendMessage returned {run['tooLong']!r}, errors {run['errors']}")
    message = run["message"]
    expected_message = {"id": "string", "from": EXT_NUMBER, "to": "*", "text": "hello from the library",
                        "isDate": True, "own": True, "private": False, "history": False, "nickname": "Lib",
                        "nonceMatches": True, "senderNumber": EXT_NUMBER, "frozen": True}
    require(message == expected_message, f"the echo of our message is {message}, expected {expected_message}")
    after = run["afterDisconnect"]
    require(after["states"] == [["CONNECTION_CLOSED", "string", "client"]] and after["state"] == "CONNECTION_CLOSED"
            and after["phoneNumber"] is None and after["notConnected"] is None and "NOT_CONNECTED" in run["errors"],
            f"after disconnect(): {after}, errors {run['errors']}")
    thrown = [text for kind, text in session.console if kind == "error" and "a callback threw" in text]
    require(thrown, "the throwing callback was not reported with console.error")
    session.problems = [p for p in session.problems if "a callback threw" not in p]  # that one was on purpose


@check
def chatroom_and_ozchat_meet(ctx: Context) -> None:
    """The chatroom (from an invite link) and ozchat --plain in one room: each sees the other come ONLINE, messages
    and private messages go both ways, each sees the other go OFFLINE; the roster shows the avatar image, loaded
    without a referrer; the token leaves the address bar."""
    term_avatar = ctx.pages.add("/avatar-term.png", "image/png", avatar_png((40, 120, 200), (20, 60, 120)))
    web_avatar = ctx.pages.add("/avatar-web.png", "image/png", avatar_png((230, 120, 60), (160, 60, 40)))
    term = ctx.ozchat("Term", term_avatar)
    session = ctx.chatroom("WebNick", avatar=web_avatar, password="ignored-secret")
    page = session.page
    require("?" not in page.url, f"the query stayed in the address bar: {page.url}")
    wait_log_text(page, r"password is never taken from a link")
    web_number = term.output.wait_for(r" ONLINE (\S+) WebNick$").group(1)

    wait_roster(page, "names => names.includes('Term') && names.includes('WebNick')", "show Term and WebNick")
    try:
        page.wait_for_function("""() => {
            const images = Array.from(document.querySelectorAll("ul[aria-label='Members'] li img"));
            return images.length === 2 && images.every(i => i.complete && i.naturalWidth > 0);
        }""", timeout=WAIT * 1000)
    except Exception:
        images = page.eval_on_selector_all("ul[aria-label='Members'] li img",
                                           "is => is.map(i => [i.src, i.complete, i.naturalWidth])")
        raise CheckFailed(f"the roster's avatar images did not load: {images}") from None
    policies = page.eval_on_selector_all("ul[aria-label='Members'] li img", "is => is.map(i => i.referrerPolicy)")
    require(policies == ["no-referrer", "no-referrer"], f"avatar referrerpolicy: {policies}")
    referers = [h.get("referer") for h in ctx.pages.headers_of("/avatar-term.png") + ctx.pages.headers_of("/avatar-web.png")]
    require(referers and not any(referers), f"avatar requests carried a Referer: {referers}")

    mark = term.output.mark()
    page.get_by_role("textbox", name="Message").fill("hello from the web")
    page.get_by_role("textbox", name="Message").press("Enter")
    term.output.wait_for(r" <WebNick> hello from the web$", since=mark)
    wait_message(page, "WebNick", "hello from the web", "own")
    term.say("hello from the terminal")
    wait_message(page, "Term", "hello from the terminal")

    page.get_by_role("textbox", name="Message").fill("/msg Term just for you")
    page.get_by_role("textbox", name="Message").press("Enter")
    term.output.wait_for(r" \[private\] <WebNick> just for you$", since=mark)
    wait_message(page, "WebNick", "just for you", "own private")
    term.say(f"/msg {web_number} psst, web")
    wait_message(page, "Term", "psst, web", "private")

    # The page leaves (/disconnect typed in the input) and comes back (/reconnect): ozchat sees both.
    mark = term.output.mark()
    page.get_by_role("textbox", name="Message").fill("/disconnect")
    page.get_by_role("textbox", name="Message").press("Enter")
    term.output.wait_for(rf" OFFLINE {web_number} WebNick$", since=mark)
    wait_state(page, "CONNECTION_CLOSED")
    wait_roster(page, "names => names.length === 0", "empty after /disconnect")
    page.get_by_role("textbox", name="Message").fill("/reconnect")
    page.get_by_role("textbox", name="Message").press("Enter")
    term.output.wait_for(r" ONLINE \S+ WebNick$", since=mark)
    wait_state(page, "ACCESS_GRANTED")

    # ozchat leaves: the page sees it go.
    wait_roster(page, "names => names.includes('Term')", "show Term again")
    term.quit()
    wait_log_text(page, r"Term left")
    wait_roster(page, "names => !names.includes('Term')", "drop Term")


@check
def messages_from_before_joining_arrive_as_history(ctx: Context) -> None:
    """Room messages said before the page joined come marked as history (message.history), under a divider."""
    term = ctx.ozchat("Term")
    said = [f"said before you came #{i}" for i in range(3)]
    mark = term.output.mark()
    for line in said:
        term.say(line)
    for line in said:
        term.output.wait_for(re.escape(f" <Term> {line}") + "$", since=mark)
    session = ctx.chatroom("Late")
    for line in said:
        wait_message(session.page, "Term", line, "history")
    divider = session.page.eval_on_selector_all("[aria-label=Messages] .divider", "ds => ds.map(d => d.textContent)")
    require(divider == ["Earlier messages"], f"history dividers: {divider}")
    term.say("said after you came")
    wait_message(session.page, "Term", "said after you came")
    # (Earlier checks spoke in the same room: their messages come first, also as history.)
    marked = session.page.eval_on_selector_all("[aria-label=Messages] .message.history .text",
                                               "ts => ts.map(t => t.textContent)")
    require(marked[-len(said):] == said, f"the messages marked as history end with {marked[-len(said):]}, "
                                         f"expected {said} (and not the live one after them)")


@check
def access_denied_opens_the_form(ctx: Context) -> None:
    """A bad token in the invite link: ACCESS_DENIED opens the credentials form, with the focus in it; the corrected
    token, typed there, connects."""
    session = ctx.session()
    page = session.page
    page.goto(chatroom_url("Mallory", token="not-the-token"))
    wait_state(page, "ACCESS_DENIED")
    dialog = page.get_by_role("dialog")
    dialog.wait_for(state="visible")
    focused = page.evaluate("document.activeElement && document.activeElement.closest('dialog') !== null && "
                            "document.activeElement.labels && document.activeElement.labels[0].textContent")
    require(focused == "Token", f"the focus is not on the form's Token field (it is on {focused!r})")
    for label in ("Server", "Token", "Nickname", "Avatar", "Password"):
        require(dialog.get_by_label(label, exact=True).count() == 1, f"the form has no field labelled {label}")
    require(dialog.get_by_label("Server", exact=True).input_value() == f"localhost:{GATEWAY_PORT}",
            "the Server field does not default to the page's own host")
    require(dialog.get_by_label("Password", exact=True).input_value() == "", "the Password field is not empty")
    problem = dialog.get_by_role("alert").text_content()
    require(problem.startswith("ACCESS_DENIED: ") and "unknown token" in problem,
            f"the form does not say why access was denied: {problem!r}")
    page.keyboard.press("Control+A")
    page.keyboard.type(LOBBY_TOKEN)
    page.keyboard.press("Enter")
    wait_state(page, "ACCESS_GRANTED")
    require(not dialog.is_visible(), "the form stayed open after ACCESS_GRANTED")
    wait_roster(page, "names => names.includes('Mallory')", "show the nickname from the link")


@check
def keyboard_only(ctx: Context) -> None:
    """Everything from the keyboard: the message input has the focus once granted; Tab reaches the Connection
    button; Enter opens the form, Escape closes it and gives the focus back; a roster member is a button that starts
    a private message."""
    term = ctx.ozchat("Term")
    session = ctx.chatroom("Keys")
    page = session.page
    wait_roster(page, "names => names.includes('Term')", "show Term")
    focused = page.evaluate("document.activeElement.getAttribute('aria-label') || "
                            "(document.activeElement.labels && document.activeElement.labels[0].textContent)")
    require(focused == "Message", f"after ACCESS_GRANTED the focus is on {focused!r}, not the message input")
    for _ in range(20):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.id") == "open-credentials":
            break
    else:
        raise CheckFailed("Shift+Tab from the input never reached the Connection… button")
    page.keyboard.press("Enter")
    page.get_by_role("dialog").wait_for(state="visible")
    # Server and Token are filled in (from the invite link): the focus goes to the first field one would change.
    require(page.evaluate("document.activeElement.id") == "field-nickname",
            f"the form opened with the focus on #{page.evaluate('document.activeElement.id')}")
    page.keyboard.press("Escape")
    page.get_by_role("dialog").wait_for(state="hidden")
    require(page.evaluate("document.activeElement.id") == "open-credentials", "Escape did not give the focus back")
    member = page.get_by_role("list", name="Members").get_by_role("button", name="Term")
    member.focus()
    page.keyboard.press("Enter")
    value = page.get_by_role("textbox", name="Message").input_value()
    require(value == "/msg Term ", f"Enter on a roster member filled the input with {value!r}")
    page.keyboard.type("over here")
    page.keyboard.press("Enter")
    term.output.wait_for(r" \[private\] <Keys> over here$")


@check
def gateway_restart_closes_and_reconnects(ctx: Context) -> None:
    """SIGTERM to the gateway and a new one on the same port: the status line shows CONNECTION_CLOSED (reason
    shutdown), then the page reconnects by itself and rebuilds its roster."""
    term = ctx.ozchat("Term")
    session = ctx.chatroom("Phoenix")
    page = session.page
    wait_roster(page, "names => names.includes('Term')", "show Term")
    page.evaluate(STATE_RECORDER)
    ctx.gateway.stop()
    wait_log_text(page, r"CONNECTION_CLOSED · shutdown · retrying in")
    mark = term.output.mark()
    ctx.gateway.start()
    wait_state(page, "ACCESS_GRANTED", RECONNECT_WAIT)
    states = page.evaluate("window.__states")
    closed = states.index("CONNECTION_CLOSED") if "CONNECTION_CLOSED" in states else -1
    require(closed >= 0 and "ACCESS_GRANTED" in states[closed:],
            f"the status line showed {states}: expected CONNECTION_CLOSED, then ACCESS_GRANTED")
    new_number = term.output.wait_for(r" ACCESS_GRANTED number=(\S+) ", RECONNECT_WAIT, since=mark).group(1)
    require(new_number != term.number, "ozchat kept its number across a restart of an in-memory gateway")
    wait_roster(page, "names => names.filter(n => n === 'Term').length === 1 && names.includes('Phoenix')",
                "show Term (once) and Phoenix again", RECONNECT_WAIT)
    term.say("after the restart")
    wait_message(page, "Term", "after the restart")


@check
def reconnect_reports_only_differences(ctx: Context) -> None:
    """The page's connection drops (the gateway stays up) and is held down while Ann leaves and Term speaks: on
    reconnecting the library reports Ann OFFLINE and nothing about Term, and resumes (connect.since: the last message
    seen) with what Term said meanwhile (message.history), not repeating anything. A message typed while the
    connection was down waits, and goes out once after the reconnect."""
    term = ctx.ozchat("Term")
    ann = ctx.ozchat("Ann")
    session = ctx.chatroom("Diff", init_script=SOCKET_SPY)
    page = session.page
    wait_roster(page, "names => names.includes('Term') && names.includes('Ann')", "show Term and Ann")
    term.say("before the drop")
    wait_message(page, "Term", "before the drop")
    page.evaluate(PRESENCE_RECORDER)
    page.evaluate("window.__blockSockets = true; window.__sockets[window.__sockets.length - 1].close()")
    wait_log_text(page, r"CONNECTION_CLOSED · lost")
    composer = page.get_by_role("textbox", name="Message")
    composer.fill("typed while away")
    composer.press("Enter")
    require(composer.input_value() == "", "a room message typed while the connection was down was refused")
    require(page.locator("[aria-label=Messages] .message.sending").count() == 1,
            "the message typed while the connection was down is not shown as sending")
    mark = term.output.mark()
    ann.quit()
    term.output.wait_for(rf" OFFLINE {ann.number} Ann$", since=mark)
    term.say("while you were away")
    term.output.wait_for(r" <Term> while you were away$", since=mark)
    page.evaluate("window.__blockSockets = false")
    wait_state(page, "ACCESS_GRANTED", RECONNECT_WAIT)
    wait_message(page, "Term", "while you were away", "history")
    term.output.wait_for(r" <Diff> typed while away$", since=mark)
    wait_message(page, "Diff", "typed while away", "own")
    presence = page.evaluate("window.__presence")
    require(presence == ["OFFLINE Ann"], f"after the reconnect the library reported {presence}, expected only "
                                         "['OFFLINE Ann']")
    wait_roster(page, "names => names.filter(n => n === 'Term').length === 1 && !names.includes('Ann')",
                "show Term once and not Ann")
    texts = page.eval_on_selector_all("[aria-label=Messages] .message .text", "ts => ts.map(t => t.textContent)")
    require(texts.count("before the drop") == 1, f"'before the drop' shows {texts.count('before the drop')} times")
    last_seen = page.eval_on_selector_all("[aria-label=Messages] .message",
                                          "es => es.filter(e => e.querySelector('.text').textContent === "
                                          "'before the drop').map(e => e.dataset.id)")
    connects = [{k: v for k, v in f.items() if k in ("history", "since")}
                for f in page.evaluate("window.__sent") if f.get("type") == "connect"]
    require(len(connects) >= 2 and connects[0] == {"history": 50} and connects[-1] == {"since": last_seen[0]},
            f"the connect frames asked for {connects}: expected history 50 first, and since {last_seen[0]!r} "
            "(the last message seen) on the reconnect")
    require(len(term.output.matching(r" <Diff> typed while away$", since=mark)) == 1,
            "the message typed while the connection was down reached ozchat more than once")
    require(page.locator("[aria-label=Messages] .message.sending").count() == 0, "a message still shows as sending")


@check
def disconnect_reports_offline_and_stays_down(ctx: Context) -> None:
    """OzWebClient.disconnect(): CONNECTION_CLOSED, every known member OFFLINE, and no reconnect."""
    term = ctx.ozchat("Term")
    session = ctx.chatroom("Quitter", init_script=SOCKET_SPY)
    page = session.page
    wait_roster(page, "names => names.includes('Term')", "show Term")
    page.evaluate(PRESENCE_RECORDER)
    web_number = page.evaluate("OzWebClient.phoneNumber")
    sockets = page.evaluate("window.__sockets.length")
    mark = term.output.mark()
    page.evaluate("OzWebClient.disconnect()")
    term.output.wait_for(rf" OFFLINE {web_number} Quitter$", since=mark)
    wait_state(page, "CONNECTION_CLOSED")
    require(page.evaluate("window.__presence") == ["OFFLINE Term"],
            f"disconnect() reported {page.evaluate('window.__presence')}, expected ['OFFLINE Term']")
    page.wait_for_timeout(QUIET * 1000)  # the quiet period in which a wrong reconnect would start
    require(page.evaluate("window.__sockets.length") == sockets, "a new WebSocket was opened after disconnect()")
    require(not term.output.matching(r" ONLINE ", since=mark), "ozchat saw the page come back after disconnect()")
    require(page.evaluate("OzWebClient.retryAt") is None, "a retry is scheduled after disconnect()")


@check
def connect_while_connected_switches(ctx: Context) -> None:
    """connect() during a session ends it first: CONNECTION_CLOSED (reason client) and OFFLINE for its members, then
    the new session's ACCESS_GRANTED and its members ONLINE; ozchat sees the old number leave and the new one come."""
    term = ctx.ozchat("Term")
    session = ctx.chatroom("Before")
    page = session.page
    wait_roster(page, "names => names.includes('Term')", "show Term")
    old_number = page.evaluate("OzWebClient.phoneNumber")
    page.evaluate(PRESENCE_RECORDER)
    page.evaluate("""() => {
        window.__reported = [];
        OzWebClient.onConnectionStateChanged((state, reason) => window.__reported.push(state + ' ' + reason));
    }""")
    mark = term.output.mark()
    page.evaluate("token => OzWebClient.connect(location.host, token, { Nickname: 'After' })", LOBBY_TOKEN)
    term.output.wait_for(rf" OFFLINE {old_number} Before$", since=mark)
    term.output.wait_for(r" ONLINE \S+ After$", since=mark)
    wait_state(page, "ACCESS_GRANTED")
    page.wait_for_function("() => window.__presence.length >= 2")
    reported = page.evaluate("window.__reported")
    require(reported == ["CONNECTION_CLOSED client", "ACCESS_GRANTED undefined"],
            f"the states reported: {reported}, expected CONNECTION_CLOSED (client) then ACCESS_GRANTED")
    presence = page.evaluate("window.__presence")
    require(presence == ["OFFLINE Term", "ONLINE Term"], f"presence reported: {presence}, expected "
                                                         "OFFLINE Term (old session), then ONLINE Term (new one)")


HOSTILE_NICK = '<img src=x onerror="window.__pwned=2">\u202eLIVE'
HOSTILE_TEXTS = ['<img src=x onerror="window.__pwned=1">', "\u202eevil", "W" * 4096,
                 "<script>window.__pwned=3</script> & <b>bold</b>"]


@check
def hostile_text_is_shown_as_text(ctx: Context) -> None:
    """A hostile nickname and hostile messages show exactly as sent, as text: no element made from them, no script
    run, bidi overrides isolated, and no horizontal overflow from a 4,096-character word."""
    evil = ctx.ozchat(HOSTILE_NICK)
    session = ctx.chatroom("Victim")
    page = session.page
    wait_roster(page, f"names => names.includes({HOSTILE_NICK!r})", "show the hostile nickname as text")
    for text in HOSTILE_TEXTS:
        evil.say(text)
    for text in HOSTILE_TEXTS:
        wait_message(page, HOSTILE_NICK, text)
    found = page.evaluate("""() => ({
        pwned: window.__pwned === undefined ? null : window.__pwned,
        logElements: Array.from(document.querySelectorAll('[aria-label=Messages] *'), e => e.tagName)
                     .filter(t => !['DIV', 'SPAN', 'BDI', 'TIME'].includes(t)),
        rosterImages: Array.from(document.querySelectorAll("ul[aria-label='Members'] img"), i => i.getAttribute('src')),
        isolated: Array.from(document.querySelectorAll('[aria-label=Messages] .nick, [aria-label=Messages] .text, '
                  + "ul[aria-label='Members'] .nick"), e => getComputedStyle(e).unicodeBidi)
                  .every(v => v === 'isolate' || v === 'isolate-override' || v === 'plaintext'),
        log: (() => { const l = document.querySelector('[aria-label=Messages]'); return [l.scrollWidth, l.clientWidth]; })(),
        roster: (() => { const r = document.querySelector('.members-pane'); return [r.scrollWidth, r.clientWidth]; })(),
        page: [document.documentElement.scrollWidth, window.innerWidth],
    })""")
    require(found["pwned"] is None, f"hostile text ran script: window.__pwned = {found['pwned']}")
    require(found["logElements"] == [], f"the log holds elements made from peer text: {found['logElements']}")
    require(found["rosterImages"] == [], f"the roster holds images for a member without an avatar: {found['rosterImages']}")
    require(found["isolated"], "a nickname or message text is not in a bidi isolate")
    for name in ("log", "roster", "page"):
        scroll, client = found[name]
        require(scroll <= client, f"the {name} overflows horizontally: scrollWidth {scroll} > {client}")

    # The page's own nickname comes from an invite link, which anyone can craft: in the status line it is isolated
    # too, so a bidi override cannot reorder the number after it.
    own = ctx.chatroom(HOSTILE_NICK).page
    status = own.evaluate("""() => ({
        text: document.getElementById('state-detail').textContent,
        isolated: Array.from(document.querySelectorAll('#state-detail bdi'), e => e.textContent),
    })""")
    require(status["isolated"] == [HOSTILE_NICK], f"the status line does not isolate the nickname: {status}")
    require(status["text"].startswith("you are " + HOSTILE_NICK + " ("), f"the status line shows {status['text']!r}")
    require(own.evaluate("window.__pwned === undefined"), "a hostile nickname of our own ran script")


@check
def https_page_uses_wss(ctx: Context) -> None:
    """ozgate with a certificate serves the chatroom over https://, and the library, given the page's host without a
    scheme, connects with wss:// (never ws://) and is granted. The certificate is self-signed, made with openssl for
    this run; the browser context is told to accept it."""
    folder = Path(ctx.home) / "tls"
    folder.mkdir(exist_ok=True)
    cert, key = folder / "cert.pem", folder / "key.pem"
    made = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                           "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                           "-keyout", str(key), "-out", str(cert)], capture_output=True, text=True, timeout=30)
    require(made.returncode == 0, f"openssl could not make a certificate: {made.stderr.strip()}")
    port = free_port()
    secure = Gateway(ctx.args.ozgate, ctx.gateway.config_path, ctx.gateway.web_dir, port=port, tls=(str(cert), str(key)))
    try:
        secure.start()
        session = ctx.session(ignore_https_errors=True)
        sockets: list[str] = []
        session.page.on("websocket", lambda ws: sockets.append(ws.url))
        session.page.goto(f"https://localhost:{port}/?" + urllib.parse.urlencode({"token": LOBBY_TOKEN, "nick": "Secure"}))
        wait_state(session.page, "ACCESS_GRANTED")
        require(sockets and all(url.startswith(f"wss://localhost:{port}") for url in sockets),
                f"the page's WebSockets were {sockets}, expected wss://localhost:{port}/")
    finally:
        secure.kill()


@check
def inline_script_does_not_run(ctx: Context) -> None:
    """The Content-Security-Policy blocks an inline script inserted into the page, and reports the violation."""
    session = ctx.chatroom("Guard")
    page = session.page
    page.evaluate("""() => {
        window.__violations = [];
        document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.effectiveDirective));
        const script = document.createElement('script');
        script.textContent = 'window.__inline = 1';
        document.body.appendChild(script);
    }""")
    page.wait_for_function("() => window.__violations.length > 0")
    require(page.evaluate("window.__inline === undefined"), "the inserted inline script ran")
    violations = page.evaluate("window.__violations")
    require(any(v.startswith("script-src") for v in violations), f"violations reported: {violations}")


@check
def screenshot_with_three_members(ctx: Context) -> None:
    """The chatroom with three members (the page, and two ozchat users: one with an avatar image, one shown by its
    initial) after a short conversation, in a room of its own; saved as OUT/chatroom-three-members.png."""
    ada_avatar = ctx.pages.add("/avatar-ada.png", "image/png", avatar_png((124, 92, 230), (70, 40, 160)))
    mia_avatar = ctx.pages.add("/avatar-mia.png", "image/png", avatar_png((40, 170, 140), (20, 100, 90)))
    ada = ctx.ozchat("Ada", ada_avatar, token=TEAM_TOKEN)
    grace = ctx.ozchat("Grace", token=TEAM_TOKEN)
    before = [(ada, "Morning! The build on main is green again."),
              (grace, "Nice. I'll try the web client next: it runs the Ozeki examples verbatim.")]
    for client, line in before:
        mark = ada.output.mark()
        client.say(line)
        ada.output.wait_for(re.escape(f" <{client.nick}> {line}") + "$", since=mark)
    session = ctx.chatroom("Mia", avatar=mia_avatar, token=TEAM_TOKEN)
    page = session.page
    wait_roster(page, "names => ['Mia', 'Ada', 'Grace'].every(n => names.includes(n))", "show all three")
    grace.say("Welcome, Mia!")
    wait_message(page, "Grace", "Welcome, Mia!")
    composer = page.get_by_role("textbox", name="Message")
    composer.fill("Hi both! I'm in from the browser, same room as your terminals.")
    composer.press("Enter")
    wait_message(page, "Mia", "Hi both! I'm in from the browser, same room as your terminals.", "own")
    ada.say("/msg Mia welcome! tell me if the avatars look off")
    wait_message(page, "Ada", "welcome! tell me if the avatars look off", "private")
    page.wait_for_function("""() => Array.from(document.querySelectorAll("ul[aria-label='Members'] img"))
                                 .filter(i => i.complete && i.naturalWidth > 0).length === 2""")
    page.evaluate("document.activeElement.blur()")  # no focus ring or caret in the picture
    path = ctx.out / "chatroom-three-members.png"
    page.screenshot(path=str(path), animations="disabled")
    require(path.stat().st_size > 10_000, f"the screenshot {path} is suspiciously small")


# --------------------------------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------------------------------

class Terminated(Exception):
    """SIGTERM arrived: stop and clean up."""


def on_sigterm(_signum: int, _frame: Any) -> None:
    raise Terminated()


def main() -> int:
    parser = argparse.ArgumentParser(description="Browser tests for OzWebClient.js and the web chatroom")
    parser.add_argument("--ozgate", required=True, help="the ozgate binary to test")
    parser.add_argument("--ozchat", required=True, help="the ozchat binary (its --plain mode is the terminal side)")
    parser.add_argument("--web-dir", help="have ozgate serve the chatroom's files from this folder (ozgate --web-dir)")
    parser.add_argument("--out", default=".build/browser-test", help="where to save the screenshot")
    parser.add_argument("--only", action="append", metavar="SUBSTRING",
                        help="run only the checks whose name contains SUBSTRING (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the checks and exit")
    args = parser.parse_args()
    if args.list:
        for name, _ in CHECKS:
            print(name)
        return 0
    selected = [(n, f) for n, f in CHECKS if not args.only or any(s in n for s in args.only)]
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(chromium, os.X_OK):
        print("FAIL setup: Debian's chromium is not installed (apt-get install chromium)", flush=True)
        return 1
    if problem := port_problem(GATEWAY_PORT):
        print(f"FAIL setup: {problem}", flush=True)
        return 1
    # Code example 1 with a wrong password: made from the verbatim file, so there is one copy of the example.
    example = (PAGES / "code-example-1.js").read_text()
    if example.count(f'"{EXT_PASSWORD}"') != 1:
        print(f"FAIL setup: {PAGES / 'code-example-1.js'} no longer holds the password once", flush=True)
        return 1
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)

    signal.signal(signal.SIGTERM, on_sigterm)
    passed = failed = 0
    started = time.monotonic()
    workdir = tempfile.TemporaryDirectory(prefix="ozchat-browser-test-")
    config = Path(workdir.name) / "ozgate.toml"
    config.write_text(CONFIG_TOML)
    gateway = Gateway(args.ozgate, str(config), str(Path(args.web_dir).resolve()) if args.web_dir else None)
    pages = PageServer()
    pages.add("/code-example-1-wrong-password.js", "text/javascript; charset=utf-8",
              example.replace(f'"{EXT_PASSWORD}"', '"not-the-password"').encode())
    ctx: Context | None = None
    try:
        try:
            gateway.start()
        except CheckFailed as error:
            print(f"FAIL setup: {error}", flush=True)
            return 1
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium)
            ctx = Context(args, gateway, pages, browser, workdir.name, out)
            for name, function in selected:
                try:
                    if gateway.proc is None or gateway.proc.poll() is not None:
                        gateway.start()  # a check that failed while the gateway was down leaves it stopped
                    function(ctx)
                    problems = ctx.finish_check()
                    if problems:
                        raise CheckFailed("; ".join(problems))
                    passed += 1
                    print(f"ok {name}", flush=True)
                except Terminated:
                    raise
                except Exception as error:  # a check's failure, or an error in it, fails that check only
                    ctx.finish_check()
                    failed += 1
                    why = str(error) if isinstance(error, CheckFailed) else f"{type(error).__name__}: {error}"
                    print(f"FAIL {name}: {why}", flush=True)
            browser.close()
    except Terminated:
        print("terminated", file=sys.stderr, flush=True)
        return 143
    finally:
        if ctx is not None:
            ctx.finish_check()
        gateway.kill()
        pages.close()
        workdir.cleanup()
    print(f"{passed} passed, {failed} failed in {time.monotonic() - started:.1f}s", flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
