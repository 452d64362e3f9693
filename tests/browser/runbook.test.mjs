// Real-browser test of the interactive runbook (restore-checklist-ID.html) in headless Chromium,
// driven with playwright-core. Run through tests/browser/run.sh, which renders the inputs and
// sets the variables below.
//
//   ABC_BROWSER    Chromium executable (default /usr/bin/chromium)
//   ABC_RUNBOOK    the page to test in full; its .md must lie beside it
//   ABC_HOSTILE    pages rendered from hostile topologies, separated by ':'
//   ABC_ARTIFACTS  folder for the screenshots and the print PDF
//   ABC_SCREENSHOT where to copy the top-of-page screenshot as well (optional: the README's PNG)

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const browserPath = process.env.ABC_BROWSER || '/usr/bin/chromium';
const runbook = path.resolve(required('ABC_RUNBOOK'));
const hostile = (process.env.ABC_HOSTILE || '').split(':').filter(Boolean).map((p) => path.resolve(p));
const artifacts = path.resolve(process.env.ABC_ARTIFACTS || 'target/browser');
fs.mkdirSync(artifacts, { recursive: true });

function required(name) {
  const v = process.env[name];
  if (!v) { throw new Error(`${name} is not set (run tests/browser/run.sh)`); }
  return v;
}

let failures = 0;
let passes = 0;
async function check(name, fn) {
  try {
    await fn();
    passes += 1;
    console.log(`ok - ${name}`);
  } catch (e) {
    failures += 1;
    console.log(`not ok - ${name}\n  ${String(e && e.stack || e).split('\n').join('\n  ')}`);
  }
}
function assert(cond, msg) { if (!cond) { throw new Error(msg); } }
function equal(a, b, msg) {
  if (a !== b) { throw new Error(`${msg}: expected ${JSON.stringify(b)}, got ${JSON.stringify(a)}`); }
}

// Fenced blocks of a Markdown text, read independently of the generator's library: the lines
// between an opening fence and its closing fence, with the fence's own indentation removed.
function markdownBlocks(md) {
  const out = [];
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^( *)(`{3,}|~{3,})\s*([^`\s]*)/.exec(lines[i]);
    if (!open) { continue; }
    const indent = open[1].length;
    const fence = open[2];
    const body = [];
    for (i += 1; i < lines.length; i += 1) {
      const close = new RegExp(`^ *${fence[0]}{${fence.length},}\\s*$`);
      if (close.test(lines[i])) { break; }
      let line = lines[i];
      let strip = 0;
      while (strip < indent && line[strip] === ' ') { strip += 1; }
      body.push(line.slice(strip));
    }
    out.push({ lang: open[3], text: body.map((l) => `${l}\n`).join('') });
  }
  return out;
}

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

// A persistent context on an explicit, fresh --user-data-dir: the same folder can be opened
// again to see what survives a browser restart.
async function launch(userDataDir, options = {}) {
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: browserPath,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 860 },
    deviceScaleFactor: 1,
    acceptDownloads: true,
    colorScheme: 'light',
    ...options,
  });
  const seen = { requests: [], errors: [], dialogs: [] };
  context.on('request', (r) => seen.requests.push(r.url()));
  context.on('page', (p) => watch(p, seen));
  for (const p of context.pages()) { watch(p, seen); }
  return { context, seen };
}
function watch(page, seen) {
  if (page.__watched) { return; }
  page.__watched = true;
  page.on('console', (m) => { if (m.type() === 'error') { seen.errors.push(m.text()); } });
  page.on('pageerror', (e) => seen.errors.push(String(e)));
}
async function open(context, file) {
  const page = context.pages()[0] || await context.newPage();
  await page.goto(pathToFileURL(file).href);
  return page;
}
const made = [];
function freshDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abc-failover-chromium-'));
  made.push(dir);
  return dir;
}

const url = pathToFileURL(runbook).href;
const md = fs.readFileSync(runbook.replace(/\.html$/, '.md'), 'utf8');
const profile = freshDir();
let { context, seen } = await launch(profile);
let page = await open(context, runbook);
// The first tick asks for the initials (once per browser).
page.on('dialog', (d) => (d.type() === 'prompt' ? d.accept('JD') : d.dismiss()));

const progress = () => page.evaluate(() => ({
  value: document.getElementById('progress').value,
  max: document.getElementById('progress').max,
  text: document.getElementById('progress-text').textContent,
}));
const ticked = () => page.evaluate(() => Array.from(document.querySelectorAll('input.tick:checked')).map((b) => b.id));

await check('the page loads from file:// with zero network requests and zero console errors', async () => {
  const others = seen.requests.filter((r) => r !== url);
  equal(others.length, 0, `requests other than the page itself: ${others.join(', ')}`);
  equal(seen.errors.length, 0, `console errors: ${seen.errors.join(' | ')}`);
  const p = await progress();
  assert(/^0 of 29 steps, 0 of 4 preparation blocks/.test(p.text), p.text);
  equal(p.value, 0, 'progress at the start');
});

await check('every control is labelled, and reachable with the Tab key', async () => {
  const unlabelled = await page.evaluate(() => Array.from(document.querySelectorAll('button, input, a[href]'))
    .filter((el) => {
      const by = el.getAttribute('aria-labelledby');
      const name = el.getAttribute('aria-label')
        || (by && by.split(' ').map((id) => (document.getElementById(id) || {}).textContent || '').join(' '))
        || (el.labels && el.labels[0] && el.labels[0].textContent)
        || el.textContent;
      return !name || !name.trim();
    }).map((el) => el.outerHTML.slice(0, 80)));
  equal(unlabelled.length, 0, `unlabelled controls: ${unlabelled.join(' ')}`);
  const controls = await page.evaluate(() => {
    let n = 0;
    for (const el of document.querySelectorAll('button, input, a[href]')) { el.dataset.ctl = String(n); n += 1; }
    return n;
  });
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  // Scrollable code blocks are focusable too (for scrolling with the arrow keys): press on
  // until every control was reached or the focus went round three times over.
  const reached = new Set();
  for (let i = 0; i < controls * 3 && reached.size < controls; i += 1) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => document.activeElement && document.activeElement.dataset.ctl);
    if (id !== undefined && id !== null) { reached.add(id); }
  }
  // The skip link is reached first; "Next unticked" may be the only disabled control (it is not).
  assert(reached.size >= controls, `Tab reached ${reached.size} of ${controls} controls`);
});

await check('ticking three items (mouse and keyboard), reloading: still ticked, progress at three', async () => {
  await page.click('#step-1 input.tick');
  await page.click('#step-2 input.tick');
  await page.focus('#step-3 input.tick');
  await page.keyboard.press('Space');
  equal((await progress()).value, 3, 'progress after ticking');
  await page.reload();
  const ids = await ticked();
  equal(ids.length, 3, `ticked after reload: ${ids}`);
  const p = await progress();
  equal(p.value, 3, 'progress bar after reload');
  assert(p.text.startsWith('3 of 29 steps, 0 of 4 preparation blocks'), p.text);
  const stamp = await page.textContent('#step-1 .stamp');
  assert(/^Ticked \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC by JD$/.test(stamp), stamp);
  assert(await page.isVisible('#step-1 .stamp'), 'the stamp shows');
  assert(!(await page.isVisible('#step-4 .stamp')), 'no stamp on an unticked item');
});

await check('"Next unticked" moves the focus to the first unticked item', async () => {
  const next = await page.textContent('#next-title');
  assert(next.startsWith('P1. '), next);
  await page.click('#next');
  equal(await page.evaluate(() => document.activeElement.id), 'cb-1', 'focused box');
});

await check('the tick log downloads as text with each tick, who and when', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const file = path.join(artifacts, 'tick-log.txt');
  await download.saveAs(file);
  const text = fs.readFileSync(file, 'utf8');
  assert(/^tick-log-[a-z0-9-]+-\d{8}T\d{6}Z\.txt$/.test(download.suggestedFilename()), download.suggestedFilename());
  equal((text.match(/ JD {6}ticked {4}Step [123]\. /g) || []).length, 3, `log lines in\n${text}`);
  assert(text.includes(`SHA-256 ${await page.getAttribute('html', 'data-runbook')}`), 'names the runbook version');
  assert(/not ticked +P1\. Open the Management Shell/.test(text), `sign-off lists unticked items:\n${text}`);
});

await check('ticks survive a browser restart (same profile)', async () => {
  await context.close();
  ({ context, seen } = await launch(profile));
  page = await open(context, runbook);
  equal((await ticked()).length, 3, 'ticked after restart');
  equal((await progress()).value, 3, 'progress after restart');
});

await check("another runbook version does not show this version's ticks", async () => {
  const other = path.join(freshDir(), path.basename(runbook));
  const html = fs.readFileSync(runbook, 'utf8').replace(/data-runbook="[0-9a-f]{64}"/, `data-runbook="${'0'.repeat(64)}"`);
  fs.writeFileSync(other, html);
  const p2 = await context.newPage();
  await p2.goto(pathToFileURL(other).href);
  equal(await p2.evaluate(() => document.querySelectorAll('input.tick:checked').length), 0, 'ticks on the other version');
  await p2.close();
});

await check('"Reset ticks" asks first, and only a yes unticks', async () => {
  page.once('dialog', (d) => { assert(d.type() === 'confirm', d.type()); d.dismiss(); });
  await page.click('#reset');
  equal((await ticked()).length, 3, 'after answering no');
  page.once('dialog', (d) => d.accept());
  await page.click('#reset');
  equal((await ticked()).length, 0, 'after answering yes');
  equal((await progress()).value, 0, 'progress after reset');
  await page.click('#step-1 input.tick');
  await page.click('#step-2 input.tick');
  await page.click('#step-3 input.tick');
});

await check('every copy button copies exactly its Markdown block', async () => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const expected = markdownBlocks(md).filter((b) => b.lang !== 'mermaid');
  const buttons = page.locator('button.copy');
  const n = await buttons.count();
  equal(n, expected.length, 'copy buttons vs Markdown blocks (the Mermaid block is the SVG)');
  assert(n > 50, `only ${n} blocks`);
  for (let i = 0; i < n; i += 1) {
    await page.evaluate(() => navigator.clipboard.writeText('(empty)'));
    await buttons.nth(i).click();
    await page.waitForFunction((k) => document.querySelectorAll('button.copy')[k].textContent !== 'Copy', i);
    const got = await page.evaluate(() => navigator.clipboard.readText());
    equal(got, expected[i].text, `block ${i + 1}`);
  }
});

await check('the pool diagram is an inline SVG with the three pools', async () => {
  const names = await page.evaluate(() => Array.from(document.querySelectorAll('figure.diagram svg .node-head')).map((t) => t.textContent));
  equal(names.join(','), 'Pool A,Pool B,Pool C', 'node heads');
});

await check('top-of-page screenshot (light) for review', async () => {
  // The "Copied" notice of the copy test goes away by itself; the top shows the diagram too.
  await page.waitForFunction(() => document.getElementById('status').textContent === '', null, { timeout: 10000 });
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.evaluate(() => window.scrollTo(0, 0));
  const file = path.join(artifacts, 'runbook-top.png');
  await page.screenshot({ path: file });
  if (process.env.ABC_SCREENSHOT) { fs.copyFileSync(file, path.resolve(process.env.ABC_SCREENSHOT)); }
});

await check('dark mode: dark background, light text', async () => {
  await page.emulateMedia({ colorScheme: 'dark' });
  const lum = await page.evaluate(() => {
    const l = (c) => { const [r, g, b] = c.match(/\d+/g).map(Number); return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255; };
    const s = getComputedStyle(document.body);
    return { bg: l(s.backgroundColor), fg: l(s.color) };
  });
  assert(lum.bg < 0.15 && lum.fg > 0.75, JSON.stringify(lum));
  await page.screenshot({ path: path.join(artifacts, 'runbook-top-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
});

await check('print: no buttons or controls, every code block fully shown, ticks shown', async () => {
  await page.emulateMedia({ media: 'print' });
  const r = await page.evaluate(() => {
    const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    return {
      buttons: Array.from(document.querySelectorAll('button, #initials')).filter(shown).length,
      pres: document.querySelectorAll('pre').length,
      hiddenPres: Array.from(document.querySelectorAll('pre')).filter((p) => !shown(p)
        || p.scrollWidth > p.clientWidth + 1 || p.scrollHeight > p.clientHeight + 1).length,
      ticked: Array.from(document.querySelectorAll('input.tick:checked')).filter(shown).length,
      stamps: Array.from(document.querySelectorAll('.stamp')).filter(shown).length,
    };
  });
  equal(r.buttons, 0, 'buttons shown in print');
  assert(r.pres > 50, `${r.pres} code blocks`);
  equal(r.hiddenPres, 0, 'code blocks cut or hidden in print');
  equal(r.ticked, 3, 'ticked boxes shown in print');
  equal(r.stamps, 3, 'tick stamps shown in print');
  await page.pdf({ path: path.join(artifacts, 'runbook-print.pdf'), format: 'A4' });
  await page.emulateMedia({ media: 'screen' });
});

await check('still zero network requests and zero console errors', async () => {
  const others = seen.requests.filter((r) => !r.startsWith('file://') && !r.startsWith('blob:'));
  equal(others.length, 0, `requests: ${others.join(', ')}`);
  equal(seen.errors.length, 0, `console errors: ${seen.errors.join(' | ')}`);
});
await context.close();

for (const file of hostile) {
  await check(`hostile topology ${path.basename(file)}: no injected element, attribute or script`, async () => {
    const { context: ctx, seen: s } = await launch(freshDir());
    const p = ctx.pages()[0] || await ctx.newPage();
    const dialogs = [];
    p.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
    await p.goto(pathToFileURL(file).href);
    // Give any injected handler (onload, onerror) its chance to run.
    await p.waitForTimeout(300);
    await p.click('input.tick');
    const r = await p.evaluate(() => {
      const markers = /zzhtml|zzmark/i;
      // hostile-checklist.yaml carries `<b>` and `[link](x)` as its markup attempts.
      const shownAsText = /zzhtml|zzmark|<b>|\[link\]\(x\)/gi;
      const bad = [];
      for (const el of document.querySelectorAll('*')) {
        if (markers.test(el.tagName)) { bad.push(`element ${el.tagName}`); }
        for (const a of el.attributes) {
          if (markers.test(a.name) || markers.test(a.value)) { bad.push(`attribute ${a.name}=${a.value} on ${el.tagName}`); }
          if (/^on/i.test(a.name)) { bad.push(`handler ${a.name} on ${el.tagName}`); }
        }
      }
      const globals = Object.keys(window).filter((k) => markers.test(k));
      return {
        bad,
        globals,
        scripts: document.scripts.length,
        foreign: document.querySelectorAll('img, iframe, object, embed, link, base, form, meta[http-equiv="refresh"]').length,
        svgs: document.querySelectorAll('svg').length,
        markerText: (document.body.textContent.match(shownAsText) || []).length,
        bold: document.querySelectorAll('b').length,
      };
    });
    equal(r.bad.length, 0, r.bad.join('; '));
    equal(r.globals.length, 0, `globals set by injected script: ${r.globals}`);
    equal(r.scripts, 1, 'script elements');
    equal(r.foreign, 0, 'img/iframe/object/embed/link/base/form elements');
    equal(r.bold, 0, '<b> elements');
    equal(r.svgs, 1, 'svg elements (the diagram only)');
    assert(r.markerText > 0, 'the marker values are shown as text (else this test checks nothing)');
    equal(dialogs.filter((m) => !/initials/.test(m)).length, 0, `dialogs: ${dialogs}`);
    const others = s.requests.filter((u) => !u.startsWith('file://'));
    equal(others.length, 0, `requests: ${others}`);
    equal(s.errors.length, 0, `console errors: ${s.errors.join(' | ')}`);
    await ctx.close();
  });
}

for (const dir of made) { fs.rmSync(dir, { recursive: true, force: true }); }
console.log(`${passes} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
