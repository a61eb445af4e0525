"""Batch benchmark (``make bench``): prints each figure as soon as it is measured, asserts nothing.

Times the whole ``personalise`` command on synthetic rosters of 1000 people
(plain; one name in ten a homonym's, in pairs: a different identifier each;
one row in ten the same Marie Dupont), as a user runs it, the rosters in
turn (plain, homonyms, … plain, …) so that the machine's drift touches
them alike: the median of ``--repeat`` runs, their spread, and each roster's
median run over the plain one's. Then the straightforward loop (a fresh
renderer and fresh QR codes for every sheet, one process) and one print
file alone. Peak memory is the largest resident size of one process of the
command, and the sum over the command and its workers sampled every 50 ms
(resident pages a forked worker shares with its parent count twice: an
upper bound). The print files' size is given per page.

    python benchmarks/bench.py [--people 1000] [--plain-sample 100] [--repeat 5] [--big [N ...]]

About a minute with the defaults. ``--big`` alone runs 50 000 and 200 000
people (minutes). On a machine shared with other work wall times are noisy:
read the medians and the ratios.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
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
SAME_EVERY = 10  # with ``same_name``: every tenth row is Marie Dupont (one identifier for them all)


def spelled(number: int) -> str:
    """A number in letters ("Bcd"): a name holds no digit (the roster refuses it as not a name)."""
    letters = ""
    while True:
        number, digit = divmod(number, 26)
        letters = "abcdefghijklmnopqrstuvwxyz"[digit] + letters
        if not number:
            return letters.capitalize()


def make_roster(path: Path, count: int, homonyms: bool = False, same_name: bool = False) -> None:
    """A synthetic roster, every name different unless asked.

    ``homonyms``: one name in ten is a homonym's, in pairs (each pair its
    own identifier and note); ``same_name``: every tenth row is the same
    Marie Dupont (a hundred homonyms of one identifier in 1000 rows).
    """
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["Prénom", "Nom", "Courriel"])
        for i in range(count):
            named = i - 1 if homonyms and i % HOMONYM_EVERY == 1 else i
            first, last = (
                FIRST[named % len(FIRST)],
                f"{LAST[(named // len(FIRST)) % len(LAST)]} {spelled(named)}",
            )
            if same_name and i % SAME_EVERY == 0:
                first, last = "Marie", "Dupont"
            w.writerow([first, last, f"personne{i}@example.org"])


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
    people = [
        Person(FIRST[i % len(FIRST)], f"Dupont {spelled(i)}", f"mdupont-{spelled(i).lower()}", row=i + 2)
        for i in range(sample)
    ]
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


@dataclass
class Case:
    """One roster's runs of the whole command, in one format."""

    label: str
    roster: Path
    fmt: str
    runs: list[tuple[float, float, float, float]] = field(default_factory=list)  # run_command's figures
    extra: str = ""  # the print files' size

    @property
    def median(self) -> float:
        return statistics.median(run[0] for run in self.runs)


def run_case(case: Case, out: Path) -> None:
    """One more run of ``case`` into a new folder (a run into a folder it filled before replaces files)."""
    target = out / f"{case.roster.stem}-{case.fmt}-{len(case.runs)}"
    case.runs.append(
        run_command(["personalise", str(case.roster), "--out", str(target), "--formats", case.fmt])
    )
    if case.fmt == "pdf":
        size, files, pages = print_size(target)
        case.extra = (
            f"; print files: {files} ({size / 1024:.0f} KiB, {size / max(pages, 1):.0f} bytes a page)"
        )
    # Left in place until the script ends: removing thousands of files just before the next
    # run makes the file system slower to create the next ones (measured here: up to 0.7 ms
    # a file instead of 0.02), which no office run meets.


def report(case: Case, n: int, yardstick: Case | None) -> None:
    walls = [run[0] for run in case.runs]
    _wall, peak, tree, pss = max(case.runs, key=lambda run: run[1])
    ratio = ""
    if yardstick is not None and yardstick is not case:
        pairs = [a[0] / b[0] for a, b in zip(case.runs, yardstick.runs, strict=False)]
        ratio = f"; {statistics.median(pairs):.3f} × {yardstick.label} (median of {len(pairs)} pairs)"
    print(
        f"personalise --formats {case.fmt}, {case.label}: {n} people in {case.median:.2f} s median "
        f"({min(walls):.2f}–{max(walls):.2f} s over {len(walls)} runs) = {n / case.median:.0f} "
        f"{case.fmt.upper()}/s (whole command){ratio}; peak memory {peak:.0f} MB (largest process), "
        f"all processes {tree:.0f} MB (RSS summed), {pss:.0f} MB (PSS){case.extra}",
        flush=True,
    )


def whole_commands(folder: Path, n: int, repeat: int) -> list[Case]:
    """The rosters' runs in turn, ``repeat`` rounds; each round's times printed as they come."""
    rosters = {name: folder / f"{name}.csv" for name in ("plain", "homonyms", "same-name")}
    make_roster(rosters["plain"], n)
    make_roster(rosters["homonyms"], n, homonyms=True)
    make_roster(rosters["same-name"], n, same_name=True)
    cases = [
        Case("plain", rosters["plain"], "pdf"),
        Case("one name in ten a homonym's (pairs)", rosters["homonyms"], "pdf"),
        Case("one row in ten the same Marie Dupont", rosters["same-name"], "pdf"),
        Case("plain", rosters["plain"], "docx"),
    ]
    for attempt in range(repeat):
        for case in cases:
            run_case(case, folder)
        times = ", ".join(f"{case.fmt} {case.roster.stem} {case.runs[-1][0]:.2f} s" for case in cases)
        print(f"  round {attempt + 1}/{repeat}: {times}", flush=True)
    for case in cases:
        report(case, n, cases[0] if case.fmt == "pdf" else None)
    return cases


def plain_loops(folder: Path, n: int, sample: int, cases: list[Case]) -> None:
    for case in (c for c in cases if c.roster.stem == "plain"):
        plain_dir = folder / f"loop-{case.fmt}"
        plain_dir.mkdir()
        per_sheet = plain_loop(case.fmt, sample, plain_dir)
        print(
            f"straightforward loop, {case.fmt}: {per_sheet * 1000:.1f} ms a sheet ({sample} timed) "
            f"→ {per_sheet * n:.1f} s for {n}; the command takes {case.median / (per_sheet * n):.3f} of it",
            flush=True,
        )


def print_file_alone(folder: Path, roster: Path) -> None:
    from generator.people.roster import read_roster
    from generator.procedure.schema import load_procedure
    from generator.render.pdf import PdfWriter
    from generator.sheet.compose import compose, compose_page

    procedure = load_procedure()
    people = read_roster(roster, procedure).people
    writer = PdfWriter(compose_page(procedure, personal=True))
    start = time.perf_counter()
    with open(folder / "all-only.pdf", "wb") as f:
        writer.write_many((compose(procedure, p) for p in people), f)
    t = time.perf_counter() - start
    size = (folder / "all-only.pdf").stat().st_size
    print(
        f"one print file alone ({roster.stem}): {len(people)} pages in {t:.2f} s = {len(people) / t:.0f} "
        f"pages/s, {size / 1024:.0f} KiB ({size / len(people):.0f} bytes a page)",
        flush=True,
    )


def big_runs(folder: Path, sizes: list[int]) -> None:
    for count in sizes:
        big = folder / f"big-{count}.csv"
        make_roster(big, count)
        for fmt in ("pdf", "docx"):
            case = Case(f"{count} people", big, fmt)
            run_case(case, folder)
            subprocess.run(["rm", "-rf", str(folder / f"{big.stem}-{fmt}-0")], check=True)  # gigabytes
            report(case, count, None)
        big.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--plain-sample", type=int, default=100, help="sheets timed in the plain loop")
    parser.add_argument("--repeat", type=int, default=5, help="rounds of the whole commands; medians shown")
    parser.add_argument(
        "--big", type=int, nargs="*", default=None, help="also these roster sizes (alone: 50000 200000)"
    )
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}", flush=True)
    subprocess.run(  # compiles the bytecode of the package and its libraries once, as an install does
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "generator")],
        env=USER_ENV,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = whole_commands(folder, args.people, args.repeat)
        plain_loops(folder, args.people, args.plain_sample, cases)
        for case in cases[:2]:
            print_file_alone(folder, case.roster)
        big_runs(folder, args.big if args.big else ([50_000, 200_000] if args.big is not None else []))
    print(f"peak memory of this script: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
