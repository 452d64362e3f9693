#!/usr/bin/env python3
"""Per-file counts of a `.ci/mutants` run, as the Markdown table of docs/mutation-testing.md.

    python3 .ci/mutants_summary.py [target/mutants]

Reads every GROUP/mutants.out/outcomes.json under the folder. A mutant tested in more than one
run (`--iterate` keeps the caught ones out, so a survivor is tested again after its test was
written) counts with its last outcome. `--iterate` keeps only the names of the mutants it skips
(previously_caught.txt, caught and unviable together): they count as `earlier`. Missed and
timed-out mutants are listed below the table, and so are the caught ones whose every failing
test failed only on a wall-clock limit (`took …`): a loaded machine can fail those without the
mutant, so each needs a look.
"""
import json
import pathlib
import re
import sys
from collections import Counter, defaultdict

KINDS = ["caught", "missed", "timeout", "unviable", "earlier"]
PANIC = re.compile(r"panicked at [^\n]*:\n(.*)")


def caught_only_by_the_clock(log: pathlib.Path) -> bool:
    if not log.exists():
        return False
    messages = PANIC.findall(log.read_text(encoding="utf-8", errors="replace"))
    return bool(messages) and all(m.startswith("took ") for m in messages)


SUMMARY = {"CaughtMutant": "caught", "MissedMutant": "missed", "Timeout": "timeout", "Unviable": "unviable"}


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/mutants")
    last = {}
    clock = {}
    for path in sorted(root.glob("*/mutants.out/outcomes.json"), key=lambda p: p.stat().st_mtime):
        earlier = path.with_name("previously_caught.txt")
        if earlier.exists():
            for name in earlier.read_text(encoding="utf-8").splitlines():
                if name.strip():
                    last.setdefault(name, (name.split(":", 1)[0], "earlier"))
        for o in json.loads(path.read_text(encoding="utf-8"))["outcomes"]:
            m = o["scenario"]
            if not isinstance(m, dict) or "Mutant" not in m:
                continue  # the baseline
            kind = SUMMARY.get(o["summary"])
            if kind is None:
                print(f"unknown outcome {o['summary']!r} in {path}", file=sys.stderr)
                return 2
            name = m["Mutant"]["name"]
            last[name] = (m["Mutant"]["file"], kind)
            clock[name] = kind == "caught" and caught_only_by_the_clock(path.parent / o["log_path"])
    if not last:
        print(f"no outcomes under {root}", file=sys.stderr)
        return 2
    per_file = defaultdict(Counter)
    for file, kind in last.values():
        per_file[file][kind] += 1
    print("| file | tested | " + " | ".join(KINDS) + " |")
    print("|---|---:|" + "---:|" * len(KINDS))
    total = Counter()
    for file in sorted(per_file):
        c = per_file[file]
        total.update(c)
        print(f"| `{file}` | {sum(c.values())} | " + " | ".join(str(c[k]) for k in KINDS) + " |")
    print(f"| all | {sum(total.values())} | " + " | ".join(str(total[k]) for k in KINDS) + " |")
    survivors = sorted(n for n, (_, k) in last.items() if k in ("missed", "timeout"))
    if survivors:
        print("\nNot caught in their last run:\n")
        for n in survivors:
            print(f"- {last[n][1]}: `{n}`")
    suspects = sorted(n for n, (_, k) in last.items() if k == "caught" and clock.get(n))
    if suspects:
        print("\nCaught only by a wall-clock limit (check by hand):\n")
        for n in suspects:
            print(f"- `{n}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
