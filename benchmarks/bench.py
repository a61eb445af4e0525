"""Batch benchmark (``make bench``): prints figures, asserts nothing.

Times the whole ``personalise`` command on a synthetic roster, as a user
runs it, next to the straightforward loop (a fresh renderer and fresh QR
codes for every sheet, one process). Peak memory is the largest resident
size of one process of the command, and the sum over the command and its
workers sampled every 50 ms (resident pages a forked worker shares with its
parent count twice: an upper bound). The print files' size is given per page.

    python benchmarks/bench.py [--people 1000] [--plain-sample 100] [--repeat 3] [--big [N ...]]

``--big`` alone runs 50 000 and 200 000 people (minutes); timings on a
machine shared with other work are noisy: the best of ``--repeat`` runs is shown.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The command as a user runs it: an installed package has its bytecode compiled. A development shell
# that sets PYTHONDONTWRITEBYTECODE would make every run compile the package again (~0.06 s).
USER_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

FIRST = ["Marie", "Jean-Pierre", "Zoé", "Françoise", "Noël", "Anaïs", "Éloïse", "Œdipe", "Loïc", "Ångström"]
LAST = [
    "Dupont",
    "Le Gall",
    "N'Diaye",
    "de La Fontaine",
    "Müller",
    "Çelik",
    "Lefèvre",
    "Martin",
    "Bœuf",
    "Van der Berg",
    "Saint-Exupéry",
    "O'Brien",
]


HOMONYM_EVERY = 20  # with ``homonyms``: rows 20k and 20k+1 share a name, so one person in ten is a homonym


def make_roster(path: Path, count: int, homonyms: bool = False) -> None:
    """A synthetic roster; with ``homonyms``, one name in ten is a homonym's (a note in a taller box)."""
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["Prénom", "Nom", "Courriel"])
        for i in range(count):
            named = i - 1 if homonyms and i % HOMONYM_EVERY == 1 else i
            w.writerow(
                [
                    FIRST[named % len(FIRST)],
                    f"{LAST[(named // len(FIRST)) % len(LAST)]} {named}",
                    f"personne{i}@example.org",
                ]
            )


def _tree_rss_kb(pid: int) -> tuple[int, int]:
    """Resident memory of a process and all its descendants, from /proc: summed RSS, and summed PSS.

    RSS counts a page a forked worker shares with its parent in both; PSS
    (proportional set size) splits it between them, so its sum is the
    memory the tree really holds.
    """
    total, pss, todo = 0, 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
            with open(f"/proc/{current}/smaps_rollup") as f:
                pss += next((int(line.split()[1]) for line in f if line.startswith("Pss:")), 0)
            with open(f"/proc/{current}/task/{current}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except (OSError, StopIteration):
            continue
    return total, pss


def run_command(args: list[str]) -> tuple[float, float, float, float]:
    """Wall time of a CLI run; peak resident MB of its largest process, of the tree (RSS, PSS; sampled)."""
    code = (
        "import resource, sys, runpy;"
        "sys.argv=['generator', *sys.argv[1:]];"
        "rc=0\n"
        "try:\n runpy.run_module('generator', run_name='__main__')\n"
        "except SystemExit as e:\n rc=e.code or 0\n"
        "s=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss;"
        "c=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
        "print('PEAK', max(s, c), file=sys.stderr); sys.exit(rc)"
    )
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=USER_ENV,
    )
    tree_kb = tree_pss_kb = 0
    while proc.poll() is None:
        rss, pss = _tree_rss_kb(proc.pid)
        tree_kb, tree_pss_kb = max(tree_kb, rss), max(tree_pss_kb, pss)
        time.sleep(0.05)
    wall = time.perf_counter() - start
    _out, err = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"command failed: {args}\n{err}")
    peak_kb = max(int(line.split()[1]) for line in err.splitlines() if line.startswith("PEAK"))
    return wall, peak_kb / 1024, tree_kb / 1024, tree_pss_kb / 1024


def plain_loop(fmt: str, sample: int, out: Path) -> float:
    """Seconds a sheet for the straightforward loop: everything rebuilt per person."""
    from generator.people.person import Person
    from generator.procedure.schema import load_procedure
    from generator.render import WRITERS, qr
    from generator.sheet.compose import compose

    chosen = os.environ.get("AESH_GENERATOR_CACHE")
    os.environ["AESH_GENERATOR_CACHE"] = "off"  # no prepared DOCX package from disk either
    procedure = load_procedure()
    people = [Person(FIRST[i % len(FIRST)], f"Dupont {i}", f"mdupont{i}", row=i + 2) for i in range(sample)]
    make_writer = WRITERS[fmt]()  # import and font registration are not part of the loop
    make_writer(compose(procedure).page)
    start = time.perf_counter()
    for person in people:
        qr.matrix.cache_clear()
        qr.png.cache_clear()
        sheet = compose(procedure, person)
        make_writer(sheet.page).write(sheet, out / f"{person.identifier}.{fmt}")
    if chosen is None:
        os.environ.pop("AESH_GENERATOR_CACHE")
    else:
        os.environ["AESH_GENERATOR_CACHE"] = chosen
    return (time.perf_counter() - start) / sample


def print_size(out: Path) -> tuple[int, int, int]:
    """Bytes of the print files in ``out``, their number, and the pages the manifest says they hold."""
    files = sorted(out.glob("all*.pdf"))
    with (out / "manifest.csv").open(encoding="utf-8-sig") as f:
        pages = sum(1 for row in csv.DictReader(f, delimiter=";") if row.get("page"))
    return sum(p.stat().st_size for p in files), len(files), pages


def measure(roster: Path, n: int, fmt: str, out: Path, repeat: int) -> tuple[float, float, float, float, str]:
    """Best wall time of ``repeat`` runs, the peaks of that run, and the print files' size."""
    best: tuple[float, float, float, float] | None = None
    for attempt in range(repeat):
        target = out.with_name(f"{out.name}-{attempt}")
        result = run_command(["personalise", str(roster), "--out", str(target), "--formats", fmt])
        if best is None or result[0] < best[0]:
            best = result
        extra = ""
        if fmt == "pdf":
            size, files, pages = print_size(target)
            extra = f"; print files: {files} ({size / 1024:.0f} KiB, {size / max(pages, 1):.0f} bytes a page)"
        # Left in place until the script ends: removing thousands of files just before the next
        # run makes the file system slower to create the next ones (measured here: up to 0.7 ms
        # a file instead of 0.02), which no office run meets.
    assert best is not None
    return (*best, extra)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--plain-sample", type=int, default=100, help="sheets timed in the plain loop")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measure; the best is shown")
    parser.add_argument(
        "--big", type=int, nargs="*", default=None, help="also these roster sizes (alone: 50000 200000)"
    )
    args = parser.parse_args()
    n = args.people
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; best of {args.repeat} runs")
    subprocess.run(  # compiles the bytecode of the package and its libraries once, as an install does
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "generator")],
        env=USER_ENV,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        roster = tmp_path / "roster.csv"
        make_roster(roster, n)
        homonyms = tmp_path / "homonyms.csv"
        make_roster(homonyms, n, homonyms=True)
        wall, peak, tree, pss, extra = measure(homonyms, n, "pdf", tmp_path / "out-homonyms", args.repeat)
        print(
            f"personalise --formats pdf, one name in ten a homonym's: {n} people in {wall:.2f} s "
            f"= {n / wall:.0f} PDF/s (whole command), peak memory {peak:.0f} MB (largest process), "
            f"all processes {tree:.0f} MB (RSS summed), {pss:.0f} MB (PSS){extra}"
        )
        for fmt in ("pdf", "docx"):
            wall, peak, tree, pss, extra = measure(roster, n, fmt, tmp_path / f"out-{fmt}", args.repeat)
            plain_dir = tmp_path / f"plain-{fmt}"
            plain_dir.mkdir()
            per_sheet = plain_loop(fmt, args.plain_sample, plain_dir)
            plain_total = per_sheet * n
            print(
                f"personalise --formats {fmt}: {n} people in {wall:.2f} s = {n / wall:.0f} {fmt.upper()}/s "
                f"(whole command), peak memory {peak:.0f} MB (largest process), all processes {tree:.0f} MB "
                f"(RSS summed), {pss:.0f} MB (PSS){extra}"
            )
            print(
                f"  plain loop: {per_sheet * 1000:.1f} ms a sheet ({args.plain_sample} timed) "
                f"→ {plain_total:.1f} s for {n}; ratio {wall / plain_total:.3f}"
            )

        from generator.people.roster import read_roster
        from generator.procedure.schema import load_procedure
        from generator.render.pdf import PdfWriter
        from generator.sheet.compose import compose, compose_page

        procedure = load_procedure()
        people = read_roster(roster, procedure).people
        writer = PdfWriter(compose_page(procedure))
        start = time.perf_counter()
        with open(tmp_path / "all-only.pdf", "wb") as f:
            writer.write_many((compose(procedure, p) for p in people), f)
        t = time.perf_counter() - start
        size = (tmp_path / "all-only.pdf").stat().st_size
        print(
            f"one print file alone: {len(people)} pages in {t:.2f} s = {len(people) / t:.0f} pages/s, "
            f"{size / 1024:.0f} KiB ({size / len(people):.0f} bytes a page)"
        )

        sizes = args.big if args.big else ([50_000, 200_000] if args.big is not None else [])
        for count in sizes:
            big = tmp_path / f"big-{count}.csv"
            make_roster(big, count)
            for fmt in ("pdf", "docx"):
                target = tmp_path / f"big-{count}-{fmt}"
                wall, peak, tree, pss, extra = measure(big, count, fmt, target, 1)
                subprocess.run(
                    ["rm", "-rf", str(target.with_name(f"{target.name}-0"))], check=True
                )  # gigabytes
                print(
                    f"personalise --formats {fmt}: {count} people in {wall:.1f} s = {count / wall:.0f}/s, "
                    f"peak memory {peak:.0f} MB (largest process), all processes {tree:.0f} MB (RSS summed), "
                    f"{pss:.0f} MB (PSS){extra}",
                    flush=True,
                )
            big.unlink()
    print(f"peak memory of this script: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
