#!/usr/bin/env python3
"""Template mutation harness (issue #15).

Each entry of tests/template-mutations.toml names a template file, an exact text in it and its
replacement (a deleted guard, an inverted condition, a dropped parameter, -LiteralPath turned into
-Path, two steps swapped, ...). The harness applies the mutations one at a time and requires each
to fail at least one non-golden test: the test binaries below render through the override folder
named by ABC_FAILOVER_TEST_TEMPLATES (tests/common/mod.rs), and none of them compares with
samples/out or the insta snapshots.

A mutation whose text is not found exactly once is an error (exit 2), so a later template edit
cannot turn it into a no-op silently. Exit 1 when a mutation survives, 0 when all are caught.

    python3 .ci/template_mutations.py                  # all mutations
    python3 .ci/template_mutations.py NAME...          # only these
    python3 .ci/template_mutations.py --listed-only    # only each mutation's listed tests (CI)

Each mutation lists in `tests` the tests (binary::test) that should catch it; they run first. A
mutation they miss is tried against the whole of every binary below (unless --listed-only) and
reported: caught by an unlisted test (update the list) or SURVIVED.
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
MUTATIONS = ROOT / "tests" / "template-mutations.toml"
TEMPLATES = ROOT / "templates"
ENV = "ABC_FAILOVER_TEST_TEMPLATES"
# Non-golden test binaries that render templates, tried in this order (the first to fail
# catches the mutation); a checklist mutation tries checklist first.
BINARIES = ["backup_logic", "checklist", "backup_script", "quote_rules", "runbook_guards"]
# Tests of those binaries that do not render through the override (they run the CLI binary).
SKIP = ["two_processes_in_different_folders_write_identical_bytes"]


def build():
    """Build the test binaries once; their paths by name."""
    cmd = ["cargo", "test", "--locked", "--no-run", "--message-format=json"]
    for b in BINARIES:
        cmd += ["--test", b]
    out = subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True).stdout
    exes = {}
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("executable"):
            name = msg["target"]["name"]
            if name in BINARIES:
                exes[name] = msg["executable"]
    missing = set(BINARIES) - set(exes)
    if missing:
        sys.exit(f"test binaries not built: {sorted(missing)}")
    return exes


def run_binary(exe, override, only=None):
    env = dict(os.environ, **{ENV: override})
    select = ["--exact"] + only if only else [a for t in SKIP for a in ("--skip", t)]
    p = subprocess.run(
        [exe, "-q", "--test-threads", "2"] + select,
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    failed = [l.split()[1] for l in p.stdout.splitlines() if l.startswith("---- ") and l.endswith(" stdout ----")]
    if p.returncode != 0 and not failed:
        failed = ["(binary failed: " + p.stdout.strip().splitlines()[-1][:100] + ")"] if p.stdout.strip() else ["(binary failed)"]
    return failed


def load():
    data = tomllib.loads(MUTATIONS.read_text(encoding="utf-8"))
    muts = data["mutation"]
    problems = []
    names = set()
    for m in muts:
        for key in ("name", "tests", "file", "from", "to"):
            if key not in m:
                problems.append(f"{m.get('name', '?')}: no {key}")
        if m["name"] in names:
            problems.append(f"{m['name']}: listed twice")
        names.add(m["name"])
        path = TEMPLATES / m["file"]
        if not path.is_file():
            problems.append(f"{m['name']}: no template {m['file']}")
            continue
        count = path.read_text(encoding="utf-8").count(m["from"])
        if count != 1:
            problems.append(f"{m['name']}: the text to change occurs {count} times in {m['file']} (must be once)")
        for t in m.get("tests", []):
            if t.split("::")[0] not in BINARIES or "::" not in t:
                problems.append(f"{m['name']}: test {t} is not binary::test of {BINARIES}")
        if m["from"] == m["to"]:
            problems.append(f"{m['name']}: changes nothing")
    if problems:
        print("template mutation list is stale:\n  " + "\n  ".join(problems), file=sys.stderr)
        sys.exit(2)
    return muts


def main():
    muts = load()
    args = sys.argv[1:]
    listed_only = "--listed-only" in args
    only = [a for a in args if a != "--listed-only"]
    if only:
        unknown = set(only) - {m["name"] for m in muts}
        if unknown:
            sys.exit(f"unknown mutations: {sorted(unknown)}")
        muts = [m for m in muts if m["name"] in only]
    exes = build()
    start = time.time()
    with tempfile.TemporaryDirectory() as empty:
        # Without a mutation, every listed test (and in the full mode every test) passes.
        listed = {}
        for m in muts:
            for t in m["tests"]:
                b, name = t.split("::", 1)
                listed.setdefault(b, set()).add(name)
        for b in BINARIES:
            if listed_only and b not in listed:
                continue
            failed = run_binary(exes[b], empty, sorted(listed[b]) if listed_only else None)
            if failed:
                print(f"baseline: {b} fails without any mutation: {failed}", file=sys.stderr)
                sys.exit(2)
            # Every listed test exists: --exact with a missing name would run nothing.
            names = subprocess.run([exes[b], "--list"], stdout=subprocess.PIPE, text=True).stdout
            have = {l.split(": ")[0] for l in names.splitlines() if l.endswith(": test")}
            missing = listed.get(b, set()) - have
            if missing:
                print(f"listed tests that do not exist in {b}: {sorted(missing)}", file=sys.stderr)
                sys.exit(2)
    survived = []
    unlisted = []
    for m in muts:
        first = "backup_logic" if m["file"].startswith("backup/") else "checklist"
        order = [first] + [b for b in BINARIES if b != first]
        with tempfile.TemporaryDirectory() as d:
            target = pathlib.Path(d) / m["file"]
            target.parent.mkdir(parents=True)
            text = (TEMPLATES / m["file"]).read_text(encoding="utf-8")
            target.write_text(text.replace(m["from"], m["to"]), encoding="utf-8")
            caught = None
            by_binary = {}
            for t in m["tests"]:
                b, name = t.split("::", 1)
                by_binary.setdefault(b, []).append(name)
            for b, names in by_binary.items():
                failed = run_binary(exes[b], d, names)
                if failed:
                    caught = f"{b}: {', '.join(failed[:3])}"
                    break
            if caught is None and not listed_only:
                for b in order:
                    failed = run_binary(exes[b], d)
                    if failed:
                        caught = f"{b}: {', '.join(failed[:3])} (NOT by the listed tests: update them)"
                        unlisted.append(m["name"])
                        break
        if caught:
            print(f"caught    {m['name']:<36} by {caught}")
        else:
            print(f"SURVIVED  {m['name']:<36} ({m['file']})")
            survived.append(m["name"])
    took = time.time() - start
    print(f"{len(muts) - len(survived)} of {len(muts)} template mutations caught in {took:.0f} s")
    if unlisted:
        print("caught only by unlisted tests: " + ", ".join(unlisted))
    if survived:
        print("survived: " + ", ".join(survived))
        sys.exit(1)


if __name__ == "__main__":
    main()
