"""Load run (for ``make bench``): 20 users on a real desk over loopback HTTP; prints figures, checks no mixing.

``serve --port 0`` runs in a subprocess (its own memory, measured from
/proc). 18 users type sheets at the desk (GET /fiche, POST /fiche with the
page's CSRF token); 2 users run signing sessions at once (upload a CSV,
check page, build, wait, download the ZIP). Each user has its own cookies
and stops after ``--seconds`` or ``--most`` requests. Printed: p50/p95/max
per kind of request, errors, the server's RSS at start and end. Checked:
each sheet page names its own person and each ZIP holds only its own
people (no session mixing); a failed check exits 1.

    python benchmarks/load.py [--seconds 60] [--users 20] [--sessions 2] [--most 400]
"""

from __future__ import annotations

import argparse
import csv
import http.cookiejar
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
MAKE = re.compile(r'<form method="post" action="([^"]+/creer)"')
FIRST = ["Marie", "Zoé", "Noël", "Anaïs"]


@dataclass
class Figures:
    """What every user measured, shared under a lock."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    mixing: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float) -> None:
        with self.lock:
            self.times[kind].append(ms)

    def error(self, kind: str, what: str) -> None:
        with self.lock:
            self.errors[kind].append(what)


class User:
    """One browser: its cookies, no proxy (a loopback request must never leave the machine)."""

    def __init__(self, base: str, figures: Figures, most: int) -> None:
        self.base, self.figures, self.left = base, figures, most
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar)
        )

    def request(self, kind: str, path: str, data: bytes | None = None, ctype: str = "") -> bytes:
        """The answer's body, timed under ``kind``; an HTTP error counts and raises."""
        self.left -= 1
        headers = {"Content-Type": ctype} if ctype else {}
        url = path if path.startswith("http") else self.base + path
        start = time.perf_counter()
        try:
            with self.opener.open(urllib.request.Request(url, data, headers), timeout=120) as answer:
                body: bytes = answer.read()
        except (urllib.error.URLError, OSError) as exc:
            self.figures.error(kind, f"{type(exc).__name__}: {getattr(exc, 'code', '')}")
            raise
        self.figures.add(kind, (time.perf_counter() - start) * 1000)
        return body

    def token(self, kind: str, path: str) -> str:
        match = TOKEN.search(self.request(kind, path).decode("utf-8"))
        if not match:
            self.figures.error(kind, "no CSRF token")
            raise ValueError(path)
        return match.group(1)


def desk_user(user: User, number: int, until: float) -> None:
    """GET /fiche and POST /fiche, again and again; each answer must name its own person."""
    i = 0
    while time.monotonic() < until and user.left > 1:
        i += 1
        last = f"Deskuser{spelled(number)}x{spelled(i)}"
        try:
            csrf = user.token("GET /fiche", "/fiche")
            form = urllib.parse.urlencode({"csrf_token": csrf, "first_name": FIRST[i % 4], "last_name": last})
            page = user.request("POST /fiche", "/fiche", form.encode(), "application/x-www-form-urlencoded")
        except (urllib.error.URLError, OSError, ValueError):
            continue
        if last.upper() not in page.decode("utf-8").upper():
            user.figures.mixing.append(f"desk user {number}: the sheet page does not name {last}")


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
    rows = io.StringIO()
    writer = csv.writer(rows, delimiter=";")
    writer.writerow(["Prénom", "Nom", "Courriel"])
    for i in range(people):
        writer.writerow([FIRST[i % 4], f"{marker}{chr(65 + i % 26)}", f"p{i}@example.org"])
    return rows.getvalue().encode("utf-8")


def one_session(user: User, marker: str, people: int) -> None:
    """Upload, check page, build, wait, download; the ZIP must name only this user's people."""
    csrf = user.token("GET /session", "/session")
    body, ctype = multipart(
        {"csrf_token": csrf, "formats": ["pdf", "docx"]}, "liste.csv", roster(marker, people)
    )
    check = user.request("POST /session (check page)", "/session", body, ctype).decode("utf-8")
    make = MAKE.search(check)
    if not make:
        user.figures.error("POST /session (check page)", "no build form")
        return
    user.request("POST …/creer", make.group(1), urllib.parse.urlencode({"csrf_token": csrf}).encode())
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
            one_session(
                user, f"Sessionuser{spelled(number)}r{spelled(run)}q", people
            )  # q: run 1 is no prefix of run 10
        except (urllib.error.URLError, OSError, ValueError, zipfile.BadZipFile):
            time.sleep(1)


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (the batch workers), from /proc."""
    total = 0
    for p in [pid, *children(pid)]:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) if "VmRSS" in status else 0  # type: ignore[union-attr]
    return total / 1024


def children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
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


def queue_depth(log: Path) -> int:
    """The deepest queue of requests waiting for one of waitress's threads."""
    return max((int(d) for d in re.findall(r"Task queue depth is (\d+)", log.read_text())), default=0)


def report(figures: Figures, seconds: float, rss: tuple[float, float]) -> None:
    print(f"load run: {seconds:.0f} s over loopback HTTP (figures from a shared, busy machine vary)")
    print(f"{'request':<34} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'errors':>7}")
    for kind in sorted(set(figures.times) | set(figures.errors)):
        spent = figures.times.get(kind, [])
        p95 = (
            statistics.quantiles(spent, n=20, method="inclusive")[-1]
            if len(spent) >= 2
            else (spent[0] if spent else 0.0)
        )
        p50 = statistics.median(spent) if spent else 0.0
        print(f"{kind:<34} {len(spent):>6} {p50:>8.1f} {p95:>8.1f} {max(spent, default=0):>8.1f} "
              f"{len(figures.errors.get(kind, [])):>7}")  # fmt: skip
    print(f"server RSS (with its batch processes): {rss[0]:.0f} MiB at start, {rss[1]:.0f} MiB at the end")
    print("session mixing: " + ("; ".join(figures.mixing) if figures.mixing else "none"))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--users", type=int, default=20, help="all users, signing sessions included")
    parser.add_argument("--sessions", type=int, default=2, help="users running signing sessions")
    parser.add_argument("--people", type=int, default=30, help="rows of each session's roster")
    parser.add_argument("--most", type=int, default=400, help="most requests per user")
    args = parser.parse_args()
    log = Path(tempfile.mkdtemp(prefix="aesh-load-")) / "serve.log"
    proc, base = start_server(log)
    figures = Figures()
    try:
        rss_start = rss_mib(proc.pid)
        until = time.monotonic() + args.seconds
        threads = [
            threading.Thread(
                target=session_user, args=(User(base, figures, args.most), n, until, args.people)
            )
            for n in range(args.sessions)
        ] + [
            threading.Thread(target=desk_user, args=(User(base, figures, args.most), n, until))
            for n in range(args.users - args.sessions)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        rss_end = rss_mib(proc.pid)
    finally:
        proc.terminate()
        proc.wait(30)
    report(figures, args.seconds, (rss_start, rss_end))
    print(f"deepest waitress queue: {queue_depth(log)} requests waiting for a thread")
    shutil.rmtree(log.parent, ignore_errors=True)
    return 1 if figures.mixing else 0


if __name__ == "__main__":
    raise SystemExit(main())
