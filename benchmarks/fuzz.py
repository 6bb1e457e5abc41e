"""Fuzzing the front end: mutants of the shipped specs through ``pdec.loads`` and
``spec.check()``, each in a worker process with a time limit.

    python -m benchmarks.fuzz [--mutants 10000] [--limit 10] [--workers 2] [--seed 0]
        [--keep DIR] [--no-publish]

A mutant is a shipped spec with 1–3 random edits (:func:`mutate`): a token deleted,
duplicated, replaced by another token of the language or by a hostile one (a number
with thousands of digits, a huge exponent or power, a lone surrogate, an unknown
character, an expression nested hundreds of levels deep: parentheses, unary minus,
powers, calls, derivatives), or a span moved. Workers take mutants one at a time; one that runs
past ``--limit`` seconds is killed and counted as a hang, and a fresh worker goes on.

Prints a table — mutants, loaded fine, SpecError (and how many carried a location),
other exceptions by type, hangs, the slowest mutant — with the first example of each
other exception, and appends it to benchmarks/RESULTS.md. ``--keep DIR`` writes every
mutant that raised something else or hung to DIR, to reproduce it. The target (issue 14): 0
exceptions other than SpecError, 0 hangs, every SpecError located.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import re
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted((ROOT / "specs").glob("*.pde"))
TOKEN = re.compile(r"[A-Za-z_]\w*|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+|\S")
WORDS = (
    "( ) [ ] , : = + - * / ^ | & . # in on at model field param const region box interval "
    "disk pde bc ic evolve energy conserved dissipated dt dx dy lap grad div jump sin exp "
    "log sqrt u v x y t r theta H G nu mu 0 1 2 0.5 1e-3"
).split()


def hostile(rng: random.Random) -> str:
    """A token made to break things."""
    depth = rng.choice([50, 150, 1000, 5000])
    return rng.choice(
        [
            "9" * rng.choice([50, 2000, 20000]),
            "0." + "0" * rng.choice([900, 5000]) + "1",
            f"1e{rng.choice(['999', '99999999', '-99999999'])}",
            f"10^{rng.choice([400, 999, 100000])}",
            "\ud800",
            "\u00d7",
            "(" * depth + "x" + ")" * depth,
            "-" * depth + "x",
            "x^" * depth + "x",
            "sin(" * depth + "x" + ")" * depth,
            "dx(" * depth + "u" + ")" * depth,
            "+".join(["x"] * depth),
        ]
    )


def mutate(text: str, rng: random.Random) -> str:
    """One random edit of ``text`` (see the module docstring)."""
    spans = [match.span() for match in TOKEN.finditer(text)]
    if not spans:
        return text + rng.choice(WORDS)
    a, b = rng.choice(spans)
    kind = rng.random()
    if kind < 0.2:
        return text[:a] + text[b:]
    if kind < 0.35:
        return text[:b] + " " + text[a:b] + text[b:]
    if kind < 0.65:
        return text[:a] + rng.choice(WORDS) + text[b:]
    if kind < 0.85:
        return text[:a] + hostile(rng) + text[b:]
    c, d = rng.choice(spans)
    piece = text[a:b]
    text = text[:a] + text[b:]
    c = min(c, len(text))
    return text[:c] + piece + text[c:]


def mutants(count: int, seed: int):
    rng = random.Random(seed)
    texts = [path.read_text(encoding="utf-8") for path in SPECS]
    for _ in range(count):
        text = rng.choice(texts)
        for _ in range(rng.randint(1, 3)):
            text = mutate(text, rng)
        yield text


# -- the workers -----------------------------------------------------------------------------


def work(inbox, outbox) -> None:
    """Load and check each mutant sent; reply (outcome, detail, seconds)."""
    import pdec

    while True:
        text = inbox.recv()
        started = time.perf_counter()
        try:
            pdec.loads(text, "fuzz.pde").check()
            outcome, detail = "ok", ""
        except pdec.SpecError as error:
            outcome, detail = ("located" if error.span is not None else "unlocated"), ""
            if error.span is None:
                detail = str(error).splitlines()[0][:160]
        except BaseException as error:  # noqa: BLE001 - every other exception is the finding
            outcome, detail = f"other:{type(error).__name__}", str(error).splitlines()[0][:160]
        outbox.send((outcome, detail, time.perf_counter() - started))


class Worker:
    def __init__(self, context):
        self.context = context
        self.start()

    def start(self) -> None:
        parent_in, child_out = self.context.Pipe(duplex=False)
        child_in, parent_out = self.context.Pipe(duplex=False)
        self.process = self.context.Process(target=work, args=(child_in, child_out), daemon=True)
        self.process.start()
        self.send, self.receive = parent_out, parent_in

    def run(self, text: str, limit: float):
        self.send.send(text)
        if self.receive.poll(limit + 5):  # the first mutant also imports pdec
            return self.receive.recv()
        self.process.kill()
        self.process.join()
        self.start()
        return "hang", "", limit


def fuzz(
    count: int, limit: float, workers: int, seed: int, keep: Path | None = None
) -> tuple[Counter, dict, float, float]:
    context = multiprocessing.get_context("spawn")
    pool = [Worker(context) for _ in range(workers)]
    counts: Counter = Counter()
    examples: dict[str, str] = {}
    slowest = 0.0
    started = time.perf_counter()
    texts = list(mutants(count, seed))
    # one thread per worker keeps each busy; the results are counted as they come
    from concurrent.futures import ThreadPoolExecutor

    def run_share(index: int):
        found = []
        for text in texts[index::workers]:
            outcome, detail, seconds = pool[index].run(text, limit)
            if outcome != "hang" and seconds > limit:
                outcome = "hang"
            found.append((outcome, detail, seconds, text))
        return found

    with ThreadPoolExecutor(workers) as threads:
        for found in threads.map(run_share, range(workers)):
            for outcome, detail, seconds, text in found:
                counts[outcome] += 1
                slowest = max(slowest, seconds)
                if outcome in ("ok", "located"):
                    continue
                examples.setdefault(outcome, f"{detail} — mutant starts {text[:60]!r}")
                if keep is not None:
                    keep.mkdir(parents=True, exist_ok=True)
                    name = f"{outcome.replace(':', '-')}-{counts[outcome]}.pde"
                    (keep / name).write_text(text, encoding="utf-8", errors="surrogatepass")
    for worker in pool:
        worker.process.kill()
    return counts, examples, slowest, time.perf_counter() - started


def table(counts: Counter, examples: dict, slowest: float, seconds: float, args) -> str:
    total = sum(counts.values())
    errors = counts["located"] + counts["unlocated"]
    others = {k: v for k, v in counts.items() if k.startswith("other:")}
    lines = [
        f"## Front-end fuzzing ({total:,} mutants of the shipped specs, limit {args.limit:g} s)",
        "",
        f"`python -m benchmarks.fuzz --mutants {args.mutants} --limit {args.limit:g} "
        f"--workers {args.workers} --seed {args.seed}` ({os.cpu_count()} cores, "
        f"{seconds:.0f} s)",
        "",
        "| outcome | mutants |",
        "|---|---|",
        f"| loaded and checked | {counts['ok']:,} |",
        f"| SpecError | {errors:,} |",
        f"| … with a location | {counts['located']:,} |",
        f"| … without one | {counts['unlocated']:,} |",
    ]
    for name, value in sorted(others.items()):
        lines.append(f"| other exception: {name.removeprefix('other:')} | {value:,} |")
    if not others:
        lines.append("| other exceptions | 0 |")
    lines += [f"| over {args.limit:g} s (killed) | {counts['hang']:,} |", ""]
    lines.append(f"Slowest mutant: {slowest:.2f} s.")
    for name, example in examples.items():
        lines.append(f"- first {name}: {example}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> Counter:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mutants", type=int, default=10000)
    parser.add_argument("--limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=max(1, os.cpu_count() or 1))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--no-publish", action="store_true")
    args = parser.parse_args(argv)
    counts, examples, slowest, seconds = fuzz(
        args.mutants, args.limit, args.workers, args.seed, args.keep
    )
    text = table(counts, examples, slowest, seconds, args)
    if args.no_publish:
        print(text)
    else:
        from benchmarks.results import publish

        publish(text)
    return counts


if __name__ == "__main__":
    main()
