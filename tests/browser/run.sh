#!/usr/bin/env bash
# The real-browser test of restore-checklist-ID.html: headless Chromium driven by playwright-core
# (tests/browser/runbook.test.mjs). Renders its inputs with the release build first.
#
#   bash tests/browser/run.sh                       run it (reports "not run" without a browser)
#   CI=true bash tests/browser/run.sh               no browser or no test tooling is a failure
#   bash tests/browser/run.sh --update-screenshot   also write docs/runbook-page.png for the README
#
# Needs: Debian's chromium (or ABC_BROWSER=/path/to/chromium) and `npm ci` in tests/browser.
set -euo pipefail
cd "$(dirname "$0")/../.."

browser=${ABC_BROWSER:-/usr/bin/chromium}
install="apt-get install -y chromium && (cd tests/browser && npm ci)"
not_run() {
  if [ "${CI:-}" = "true" ]; then
    echo "browser test: FAILED: $1 (CI=true requires the browser test; install: $install)" >&2
    exit 1
  fi
  echo "browser test: not run: $1. Install: $install"
  exit 0
}
[ -x "$browser" ] || not_run "no browser at $browser"
command -v node >/dev/null || not_run "no node"
[ -d tests/browser/node_modules/playwright-core ] || not_run "playwright-core is not installed"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
hostile=()
for f in tests/fixtures/hostile-*.yaml; do
  name=$(basename "$f" .yaml)
  cargo run --release --locked --quiet -- render "$f" -o "$work/$name" >/dev/null
  for page in "$work/$name"/*/*.html; do hostile+=("$page"); done
done

export ABC_BROWSER="$browser"
export ABC_RUNBOOK=samples/out/contoso/red/restore-checklist-red.html
export ABC_HOSTILE
ABC_HOSTILE=$(IFS=:; echo "${hostile[*]}")
export ABC_ARTIFACTS=${ABC_ARTIFACTS:-target/browser}
if [ "${1:-}" = "--update-screenshot" ]; then
  export ABC_SCREENSHOT=docs/runbook-page.png
  mkdir -p docs
fi
echo "browser test: $("$browser" --version 2>/dev/null), playwright-core $(node -p "require('./tests/browser/node_modules/playwright-core/package.json').version")"
node tests/browser/runbook.test.mjs
echo "browser test: artifacts in $ABC_ARTIFACTS"
