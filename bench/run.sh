#!/usr/bin/env bash
# Benchmark of abc-failover on synthetic topologies of 1, 10, 100 and 1,000 pools.
#
#   bash bench/run.sh [POOLS...]        (default: 1 10 100 1000)
#
# Measures, for each size, the wall time (hyperfine, median of several runs) and the peak memory
# (/usr/bin/time -v, maximum resident set size) of
#   render-empty     `render` into an empty folder
#   render-current   `render` into a folder that is already up to date
#   check            `check` against that up-to-date folder
#   floor            `cp -r` of the same output folder followed by `sync` (render writes every
#                    file atomically and durably, so this is the least any writer can cost)
# and prints a Markdown table: times, ratio to the floor, and the exponent of each cost from 100
# to 1,000 pools (1.0 = linear). Needs hyperfine and GNU time (Debian: apt-get install hyperfine
# time) and python3. Runs in a temporary folder on the same file system as TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 10 100 1000)
command -v hyperfine >/dev/null || { echo "bench: hyperfine is missing (apt-get install hyperfine)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }

cargo build --release --quiet
bin="$PWD/target/release/abc-failover"
work="$(mktemp -d "${TMPDIR:-/tmp}/abc-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

peak_kb() { # peak RSS in KiB of one run of "$@"
  /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}'
}

for n in "${sizes[@]}"; do
  d="$work/$n"
  mkdir -p "$d"
  python3 bench/gen-topology.py "$n" >"$d/topology.yaml"
  t="$d/topology.yaml"
  runs=10
  [ "$n" -ge 1000 ] && runs=5
  echo "== $n pools ($(wc -c <"$t") bytes of YAML)" >&2
  hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$d/render-empty.json" \
    --prepare "rm -rf '$d/out'" "'$bin' render '$t' -o '$d/out'" >&2
  rm -rf "$d/out"
  mem_empty=$(peak_kb "$bin" render "$t" -o "$d/out")
  hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$d/render-current.json" \
    "'$bin' render '$t' -o '$d/out'" >&2
  mem_current=$(peak_kb "$bin" render "$t" -o "$d/out")
  hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$d/check.json" \
    "'$bin' check '$t' -o '$d/out'" >&2
  mem_check=$(peak_kb "$bin" check "$t" -o "$d/out")
  hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$d/floor.json" \
    --prepare "rm -rf '$d/copy'" "cp -r '$d/out' '$d/copy' && sync" >&2
  rm -rf "$d/copy"
  mem_floor=$(peak_kb cp -r "$d/out" "$d/copy")
  files=$(find "$d/out" -type f | wc -l)
  bytes=$(du -sb "$d/out" | cut -f1)
  printf '{"pools": %s, "files": %s, "bytes": %s, "mem": {"render-empty": %s, "render-current": %s, "check": %s, "floor": %s}}\n' \
    "$n" "$files" "$bytes" "$mem_empty" "$mem_current" "$mem_check" "$mem_floor" >"$d/meta.json"
done

python3 - "$work" "${sizes[@]}" <<'PY'
import json, math, os, sys
work, sizes = sys.argv[1], [int(s) for s in sys.argv[2:]]
kinds = ["render-empty", "render-current", "check", "floor"]
med, cpu = {}, {}
print("Wall time: median s (x floor); CPU: mean user+system s; memory: peak RSS MiB.\n")
print("| pools | output | " + " | ".join(f"{k} wall (x floor) / CPU / MiB" for k in kinds[:3]) + " | floor wall / CPU / MiB |")
print("|---:|---:|" + "---:|" * 4)
for n in sizes:
    d = os.path.join(work, str(n))
    meta = json.load(open(os.path.join(d, "meta.json")))
    for k in kinds:
        r = json.load(open(os.path.join(d, k + ".json")))["results"][0]
        med[(n, k)], cpu[(n, k)] = r["median"], r["user"] + r["system"]
    floor = med[(n, "floor")]
    cells = [
        f"{med[(n, k)]:.3f} ({med[(n, k)] / floor:.2f}x) / {cpu[(n, k)]:.3f} / {meta['mem'][k] / 1024:.0f}"
        for k in kinds
    ]
    out = f"{meta['files']} files, {meta['bytes'] / 1048576:.1f} MiB"
    print(f"| {n} | {out} | " + " | ".join(cells[:3]) + " | " + cells[3].replace(" (1.00x)", "") + " |")
if 100 in sizes and 1000 in sizes:
    exps = ", ".join(f"{k} {math.log(med[(1000, k)] / med[(100, k)]) / math.log(10):.2f}" for k in kinds)
    print(f"\nExponent of wall time from 100 to 1,000 pools (1.00 = linear): {exps}.")
PY
