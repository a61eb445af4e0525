"""Web benchmark (for ``make bench``): server time of the desk's requests; prints, asserts nothing.

Times, through Flask's test client (the server's own work, no network):
- the live identifier (POST /fiche/identifiant), goal ≤ 20 ms;
- one sheet with its picture (POST /fiche), goal ≤ 150 ms;
each over ``--requests`` requests (default 200), median and 95th percentile.
Then a signing session of ``--people`` rows: the check page (goal ≤ 1 s),
the ZIP ready (goal ≤ 4 s) and the peak memory of the server and of the
batch process (run_batch and its workers).

    python benchmarks/web_bench.py [--requests 200] [--people 1000] [--no-session]
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST = ["Marie", "Jean-Pierre", "Zoé", "Françoise", "Noël", "Anaïs", "Éloïse", "Loïc"]
LAST = ["Dupont", "Le Gall", "N'Diaye", "de La Fontaine", "Müller", "Çelik", "Lefèvre", "Martin", "O'Brien"]


def _times(count: int, call: Callable[[int], object]) -> list[float]:
    call(-1)  # warm-up: renderers, fonts and templates ready
    spent = []
    for i in range(count):
        start = time.perf_counter()
        call(i)
        spent.append((time.perf_counter() - start) * 1000)
    return spent


def _line(label: str, spent: list[float], goal: float) -> str:
    p95 = statistics.quantiles(spent, n=20)[-1]
    return (
        f"{label:<34} median {statistics.median(spent):7.1f} ms   p95 {p95:7.1f} ms   (goal ≤ {goal:.0f} ms)"
    )


def desk(requests: int) -> None:
    from generator.web import create_app

    client = create_app().test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/fiche").get_data(as_text=True))
    assert token
    csrf = token.group(1)

    def fields(i: int) -> dict[str, str]:
        return {"csrf_token": csrf, "first_name": FIRST[i % len(FIRST)], "last_name": LAST[i % len(LAST)]}

    def live(i: int) -> None:
        assert client.post("/fiche/identifiant", data=fields(i)).status_code == 200

    def sheet(i: int) -> None:
        assert client.post("/fiche", data=fields(i)).status_code == 200

    print(f"web desk, {requests} requests each (Flask test client, server time)")
    print(_line("live identifier", _times(requests, live), 20))
    print(_line("one sheet with its picture", _times(requests, sheet), 150))


def session(people: int) -> None:
    import csv
    import io

    from bench import spelled  # names hold no digit: the desk refuses them as not a name

    from generator.web import create_app

    rows = io.StringIO()
    writer = csv.writer(rows, delimiter=";")
    writer.writerow(["Prénom", "Nom", "Courriel"])
    for i in range(people):
        writer.writerow([FIRST[i % len(FIRST)], f"{LAST[i % len(LAST)]} {spelled(i)}", f"p{i}@example.org"])
    data = rows.getvalue().encode("utf-8")
    client = create_app().test_client()
    page = client.get("/session").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    start = time.perf_counter()
    response = client.post(
        "/session",
        data={
            "csrf_token": token.group(1),
            "roster": (io.BytesIO(data), "liste.csv"),
            "formats": ["pdf", "docx"],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.status_code
    check_page = client.get(response.headers["Location"])
    checked = time.perf_counter() - start
    assert check_page.status_code == 200
    make = re.search(r'<form method="post" action="([^"]+/creer)"', check_page.get_data(as_text=True))
    assert make
    start = time.perf_counter()
    answer = client.post(make.group(1), data={"csrf_token": token.group(1)})
    status = answer.headers.get("Location", "")
    zip_url = make.group(1).replace("/creer", "/fiches.zip")
    while "resultat" not in status:
        time.sleep(0.05)
        progress = client.get(make.group(1).replace("/creer", "/avancement.json")).get_json()
        status = progress["next"] if progress["finished"] else ""
    ready = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    download = client.get(zip_url)
    size = len(download.data)
    download.close()
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"signing session, {people} rows")
    print(f"{'check page':<34} {checked:7.2f} s   (goal ≤ 1 s)")
    print(f"{'ZIP ready':<34} {ready:7.2f} s   (goal ≤ 4 s), {size / 1e6:.0f} MB")
    print(
        f"{'peak memory':<34} {peak:7.0f} MiB server, {children:.0f} MiB largest child (the batch process and its workers)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--no-session", dest="session", action="store_false", help="skip the signing session")
    parser.add_argument("--people", type=int, default=1000)
    args = parser.parse_args()
    desk(args.requests)
    if args.session:
        session(args.people)


if __name__ == "__main__":
    main()
