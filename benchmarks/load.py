"""Load run (for ``make bench``): 20 users on a real desk over loopback HTTP; prints figures, checks no mixing.

``serve --port 0`` runs in a subprocess. 18 users work at the desk as a
secretary does, each through one kept-alive connection with its own
cookies, as a browser: the empty form (GET /fiche), the live identifier
while the names are typed (twice), "Créer la fiche", the PDF to print;
every third sheet also the DOCX, every third one the e-mail draft, every
fifth "Modifier", every tenth the home page and the flyer. 2 users run
signing sessions at once (upload a CSV, check page, build, wait, download
the ZIP). ``--think`` adds a pause (seconds, on average) before each
request of a desk user; the issue's goal is stated without one (0).

Printed: count, p50/p95/max per kind of request, errors, whether every desk
request met the goal (p95 ≤ 250 ms); the server's memory (alone, and with
its child processes) at start, at 10 s and at the end, and its CPU time.
Checked: each sheet page and file names its own person, each ZIP only its people. Exit 1 on mixing or errors.

    python benchmarks/load.py [--seconds 60] [--users 20] [--sessions 2] [--most 2000] [--think 0]
"""

from __future__ import annotations

import argparse
import http.client
import http.cookies
import io
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
import zipfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
MAKE = re.compile(r'<form method="post" action="([^"]+/creer)"')
FIRST = ["Marie", "Zoé", "Noël", "Anaïs"]
GOAL_MS = 250.0


class Figures:
    """What every user measured, shared under a lock."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.mixing: list[str] = []
        self.lock = threading.Lock()

    def add(self, kind: str, ms: float) -> None:
        with self.lock:
            self.times[kind].append(ms)

    def error(self, kind: str, what: str) -> None:
        with self.lock:
            self.errors[kind].append(what)


class Memory:
    """The server's resident memory (alone, and with its child processes) sampled through the run; its CPU."""

    def __init__(self, pid: int) -> None:
        self.pid, self.start = pid, time.monotonic()
        self.samples: list[tuple[float, float, float]] = []  # (seconds, server alone, with children) MiB
        self.cpu = [_cpu_seconds(pid)]

    def sample(self) -> None:
        alone, seconds = rss_mib(self.pid), time.monotonic() - self.start
        self.samples.append((seconds, alone, alone + sum(rss_mib(c) for c in children(self.pid))))

    def watch(self, until: float, every: float = 5.0) -> None:
        while time.monotonic() < until:
            time.sleep(min(every, max(0.0, until - time.monotonic())))
            self.sample()
        self.cpu.append(_cpu_seconds(self.pid))

    def summary(self) -> str:
        start, end = self.samples[0], self.samples[-1]
        warm = next((s for s in self.samples if s[0] >= 10), end)  # fonts, templates, pages loaded
        most = [max(s[i] for s in self.samples) for i in (1, 2)]
        used, spent = self.cpu[-1] - self.cpu[0], end[0] - start[0]
        return (
            f"server memory (RSS, MiB): alone {start[1]:.0f} at start, {warm[1]:.0f} at {warm[0]:.0f} s, "
            f"{end[1]:.0f} at the end (most {most[0]:.0f}); with its child processes (picture workers, batch "
            f"runs) {start[2]:.0f} / {warm[2]:.0f} / {end[2]:.0f} (most {most[1]:.0f})\n"
            f"server alone every 5 s: {' '.join(f'{s[1]:.0f}' for s in self.samples)} MiB\n"
            f"server CPU: {used:.1f} s in {spent:.0f} s ({100 * used / max(spent, 1e-9):.0f} % of one core)"
        )


def _cpu_seconds(pid: int) -> float:
    """User and system time of one process, from /proc (0 once it is gone)."""
    fields = _proc(pid, "stat").rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") if fields else 0.0


def rss_mib(pid: int) -> float:
    """Resident memory of one process, from /proc (0 once it is gone)."""
    match = re.search(r"VmRSS:\s+(\d+)", _proc(pid, "status"))
    return int(match.group(1)) / 1024 if match else 0.0


def _proc(pid: int, name: str) -> str:
    try:
        return Path(f"/proc/{pid}/{name}").read_text()
    except OSError:
        return ""


def children(pid: int) -> list[int]:
    found = _proc(pid, f"task/{pid}/children").split()
    return [int(c) for c in found] + [g for c in found for g in children(int(c))]


def start_server(log: Path) -> tuple[subprocess.Popen[str], str]:
    """serve on a free loopback port, its stderr (waitress's queue warnings) into ``log``."""
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE, stderr=log.open("w"), text=True, env=env,
    )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r"http://[\d.:]+", line)
    if not match:
        proc.terminate()
        raise SystemExit(f"serve did not say where it listens: {line!r}")
    return proc, match.group(0)


def multipart(fields: dict[str, str | list[str]], name: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        for v in [value] if isinstance(value, str) else value:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{v}\r\n'.encode()
            )
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="roster"; filename="{name}"\r\n'
    parts.append(head.encode() + b"Content-Type: text/csv\r\n\r\n" + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def spelled(number: int) -> str:
    """A number in letters: names hold no digit (the desk refuses them as not a name)."""
    return str(number).translate(str.maketrans("0123456789", "abcdefghij"))


def roster(marker: str, people: int) -> bytes:
    rows = [f"{FIRST[i % 4]};{marker}{chr(65 + i % 26)};p{i}@example.org" for i in range(people)]
    return "\n".join(["Prénom;Nom;Courriel", *rows, ""]).encode("utf-8")


class Failed(Exception):
    """A request answered with an error, or not at all (already counted)."""


class User:
    """One browser: one kept-alive connection, its cookies, no proxy (loopback never leaves the machine)."""

    def __init__(self, base: str, figures: Figures, most: int, think: float = 0.0) -> None:
        self.address = urllib.parse.urlsplit(base).netloc
        self.figures, self.left, self.think = figures, most, think
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None
        self.headers: dict[str, str] = {}  # the last answer's, names in lower case

    def request(self, kind: str, path: str, data: bytes | None = None, ctype: str = "") -> bytes:
        """The answer's body (redirects followed), timed under ``kind``; an error counts and raises Failed."""
        if self.think:
            time.sleep(random.expovariate(1 / self.think))
        self.left -= 1
        start = time.perf_counter()
        try:
            status, body = self._send("POST" if data is not None else "GET", path, data, ctype)
            while status in (302, 303):
                status, body = self._send("GET", self.headers["location"], None, "")
        except (OSError, http.client.HTTPException) as exc:
            self._close()
            self.figures.error(kind, type(exc).__name__)
            raise Failed(kind) from None
        if status >= 400:
            self.figures.error(kind, f"HTTP {status}")
            raise Failed(kind)
        self.figures.add(kind, (time.perf_counter() - start) * 1000)
        return body

    def _send(self, method: str, path: str, data: bytes | None, ctype: str) -> tuple[int, bytes]:
        path = urllib.parse.urlsplit(path)._replace(scheme="", netloc="").geturl()
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        if ctype:
            headers["Content-Type"] = ctype
        for attempt in (1, 2):  # a kept-alive connection the server closed meanwhile: once more on a new one
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.address, timeout=120)
            try:
                self.connection.request(method, path, data, headers)
                answer = self.connection.getresponse()
                break
            except (ConnectionError, http.client.RemoteDisconnected):
                self._close()
                if attempt == 2:
                    raise
        body = answer.read()
        self.headers = {k.lower(): v for k, v in answer.getheaders()}
        self._keep_cookies(answer.msg.get_all("Set-Cookie") or [])
        if answer.will_close:
            self._close()
        return answer.status, body

    def _keep_cookies(self, lines: list[str]) -> None:
        for line in lines:
            for name, morsel in http.cookies.SimpleCookie(line).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)

    def _close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def post(self, path: str, fields: dict[str, str], kind: str = "") -> bytes:
        """A form posted as the browser does; timed as ``POST path`` unless ``kind`` is given."""
        body = urllib.parse.urlencode(fields).encode()
        return self.request(kind or f"POST {path}", path, body, "application/x-www-form-urlencoded")

    def token(self, kind: str, path: str) -> str:
        match = TOKEN.search(self.request(kind, path).decode("utf-8"))
        if not match:
            self.figures.error(kind, "no CSRF token")
            raise Failed(kind)
        return match.group(1)


def desk_sheet(user: User, number: int, i: int) -> None:
    """One person at the desk: form, typing, the sheet, its files; each answer must be this person's."""
    last = f"Deskuser{spelled(number)}x{spelled(i)}"
    fields = {"csrf_token": user.token("GET /fiche", "/fiche"), "first_name": FIRST[i % 4], "last_name": last}
    fields |= {"manager": "", **({"email": f"{last.lower()}@example.org"} if i % 3 == 2 else {})}
    for typed in (last[:4], last):
        user.post("/fiche/identifiant", {**fields, "last_name": typed})
    if last.upper() not in user.post("/fiche", fields).decode("utf-8").upper():
        user.figures.mixing.append(f"desk user {number}: the sheet page does not name {last}")
    for fmt in ["pdf"] + ["docx"] * (i % 3 == 1) + ["eml"] * (i % 3 == 2):
        user.post("/fiche/telecharger", {**fields, "format": fmt}, f"POST /fiche/telecharger ({fmt})")
        if last.lower() not in user.headers.get("content-disposition", "").lower():
            user.figures.mixing.append(f"desk user {number}: the {fmt} file is not named after {last}")
    if i % 5 == 4 and f'value="{last}"' not in user.post("/fiche/modifier", fields).decode("utf-8"):
        user.figures.mixing.append(f"desk user {number}: « Modifier » does not give back {last}")
    if i % 10 == 9:
        user.request("GET /", "/")
        user.request("GET /affiche", "/affiche")


def desk_user(user: User, number: int, until: float) -> None:
    i = 0
    while time.monotonic() < until and user.left > 8:
        i += 1
        try:
            desk_sheet(user, number, i)
        except Failed:
            continue


def one_session(user: User, marker: str, people: int) -> None:
    """Upload, check page, build, wait, download; the ZIP must name only this user's people."""
    csrf = user.token("GET /session", "/session")
    fields: dict[str, str | list[str]] = {"csrf_token": csrf, "formats": ["pdf", "docx"]}
    body, ctype = multipart(fields, "liste.csv", roster(marker, people))
    check = user.request("POST /session (check page)", "/session", body, ctype).decode("utf-8")
    make = MAKE.search(check)
    if not make:
        user.figures.error("POST /session (check page)", "no build form")
        return
    user.post(make.group(1), {"csrf_token": csrf}, "POST …/creer")
    start = time.perf_counter()
    progress = make.group(1).replace("/creer", "/avancement.json")
    while not json.loads(user.request("GET …/avancement.json", progress))["finished"]:
        time.sleep(0.2)
    user.figures.add("session: build to ZIP ready", (time.perf_counter() - start) * 1000)
    data = user.request("GET …/fiches.zip", make.group(1).replace("/creer", "/fiches.zip"))
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    strangers = [n for n in names if "sessionuser" in n.lower() and marker.lower() not in n.lower()]
    if strangers or not any(marker.lower() in n.lower() for n in names):
        user.figures.mixing.append(f"session {marker}: ZIP holds {strangers[:3] or 'none of its people'}")


def session_user(user: User, number: int, until: float, people: int) -> None:
    run = 0
    while time.monotonic() < until and user.left > 8:
        run += 1
        try:
            # q: run 1 is no prefix of run 10
            one_session(user, f"Sessionuser{spelled(number)}r{spelled(run)}q", people)
        except (Failed, zipfile.BadZipFile, ValueError):
            time.sleep(1)


def report(figures: Figures, args: argparse.Namespace, memory: Memory) -> None:
    think = f", think time {args.think:g} s" if args.think else ", no think time"
    print(f"load run: {args.seconds:.0f} s over loopback HTTP, {args.users} users ({args.sessions} signing "
          f"sessions){think}; figures from a shared, busy machine vary")  # fmt: skip
    print(f"{'request':<34} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'errors':>7}")
    missed = []
    for kind in sorted(set(figures.times) | set(figures.errors), key=lambda k: (not _desk(k), k)):
        spent = figures.times.get(kind, [])
        p95 = _p95(spent)
        if _desk(kind) and p95 > GOAL_MS:
            missed.append(kind)
        print(f"{kind:<34} {len(spent):>6} {statistics.median(spent) if spent else 0:>8.1f} {p95:>8.1f} "
              f"{max(spent, default=0):>8.1f} {len(figures.errors.get(kind, [])):>7}")  # fmt: skip
    errors = sum(len(e) for e in figures.errors.values())
    verdict = "met" if not missed and not errors else "MISSED (" + ", ".join(missed or ["errors"]) + ")"
    print(f"goal, every desk request p95 ≤ {GOAL_MS:.0f} ms and 0 errors: {verdict}")
    print(memory.summary())
    mine = os.times()
    print(
        f"this load client's CPU: {mine.user + mine.system:.1f} s; machine load average {os.getloadavg()[0]:.1f}"
    )
    print("session mixing: " + ("; ".join(figures.mixing) if figures.mixing else "none"))


def _desk(kind: str) -> bool:
    return "session" not in kind and "…" not in kind


def _p95(spent: list[float]) -> float:
    if len(spent) < 2:
        return spent[0] if spent else 0.0
    return statistics.quantiles(spent, n=20, method="inclusive")[-1]


def run(args: argparse.Namespace, base: str, memory: Memory) -> Figures:
    figures = Figures()
    until = time.monotonic() + args.seconds
    users = [
        (session_user, (User(base, figures, args.most), n, until, args.people)) for n in range(args.sessions)
    ]
    users += [
        (desk_user, (User(base, figures, args.most, args.think), n, until))
        for n in range(args.users - args.sessions)
    ]
    threads = [threading.Thread(target=target, args=a) for target, a in users]  # type: ignore[arg-type]
    for thread in threads:
        thread.start()
    memory.watch(until)
    for thread in threads:
        thread.join()
    memory.sample()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--users", type=int, default=20, help="all users, signing sessions included")
    parser.add_argument("--sessions", type=int, default=2, help="users running signing sessions")
    parser.add_argument("--people", type=int, default=30, help="rows of each session's roster")
    parser.add_argument("--most", type=int, default=2000, help="most requests per user")
    parser.add_argument(
        "--think", type=float, default=0.0, help="a desk user's mean pause before a request (s)"
    )
    args = parser.parse_args()
    log = Path(tempfile.mkdtemp(prefix="aesh-load-")) / "serve.log"
    proc, base = start_server(log)
    memory = Memory(proc.pid)
    try:
        memory.sample()
        figures = run(args, base, memory)
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    report(figures, args, memory)
    depth = max((int(d) for d in re.findall(r"Task queue depth is (\d+)", log.read_text())), default=0)
    print(f"deepest waitress queue: {depth} requests waiting for a thread")
    shutil.rmtree(log.parent, ignore_errors=True)
    return 1 if figures.mixing or figures.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
