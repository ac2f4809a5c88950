// End-to-end tests of the echotrace web UI in headless Chromium.
//
// Ingests a corpus (the bundled seeds by default) plus hostile pages whose
// titles and bodies carry script tags, event-handler attributes and
// `javascript:` URLs into a fresh store, starts `echotrace serve` on a free
// loopback port, and drives Debian's Chromium with playwright-core:
//   1. the story list shows the stories; the largest story opens with its
//      timeline and its provenance graph (nodes, edges, pan, click-through);
//   2. the side-by-side view of two articles of that story highlights the
//      longest shared passage in both, and clicking it on one side flashes
//      its counterpart on the other;
//   3. XSS: every view that shows hostile text (story list, story, article,
//      side by side, search) and the self-contained HTML report run no
//      script: no dialog, no `window.__xss`, no element with an event
//      handler attribute, no `javascript:` link, and the payload is shown as
//      text.
// Screenshots go to $ECHOTRACE_ARTIFACTS (default target/browser-artifacts).
//
// Usage: node e2e.mjs --bin PATH/TO/echotrace [--corpus DIR] [--chromium PATH]
// Exit code 0 when every check passed, 1 otherwise (each failure printed).

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');

function arg(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const bin = resolve(arg('bin', join(root, 'target', 'debug', 'echotrace')));
const corpus = resolve(arg('corpus', join(root, 'examples', 'seeds')));
const chromiumPath = arg('chromium', process.env.CHROMIUM || '/usr/bin/chromium');
const artifacts = resolve(process.env.ECHOTRACE_ARTIFACTS || join(root, 'target', 'browser-artifacts'));
mkdirSync(artifacts, { recursive: true });

const failures = [];
let passed = 0;
function check(ok, what) {
  if (ok) {
    passed++;
    console.log('  ok    ' + what);
  } else {
    failures.push(what);
    console.log('  FAIL  ' + what);
  }
}

// ---- hostile pages ------------------------------------------------------

// Each payload sets window.__xss (or opens a dialog) if it ever runs.
const PAYLOADS = [
  '<script>window.__xss = "script"</script>',
  '<img src=x onerror="window.__xss = \'img\'">',
  '<a href="javascript:window.__xss=\'link\'">click me</a>',
  '<svg onload="window.__xss=\'svg\'"></svg>',
  '"><iframe src="javascript:alert(1)"></iframe>',
];

function hostileCorpus(dir) {
  const text = (n) => [
    `XSS probe ${n} ${PAYLOADS[0]}`,
    '',
    `Published 12 March 2024 ${PAYLOADS[1]}`,
    '',
    `The ministry said on Tuesday that 4,200 people were evacuated ${PAYLOADS[2]} from the flooded district, according to a statement.`,
    '',
    `Officials told reporters that the water level reached 7 metres ${PAYLOADS[3]} and that rescue teams would stay in the area ${PAYLOADS[4]} until the end of the week.`,
    '',
    `The regional governor said the damage was estimated at 30 million dollars and that schools would reopen on Monday.`,
  ].join('\n');
  writeFileSync(join(dir, 'xss-1.txt'), text(1));
  writeFileSync(join(dir, 'xss-2.txt'), text(2));
  // An HTML page: the extractor keeps text, and the title may carry markup as text.
  writeFileSync(join(dir, 'xss-3.html'), `<!doctype html><html><head>
<title>XSS probe 3 &lt;img src=x onerror=window.__xss=3&gt;</title>
<meta property="og:title" content="XSS probe 3 &lt;script&gt;window.__xss=3&lt;/script&gt;">
<meta name="author" content="&lt;b onmouseover=window.__xss=3&gt;Mallory&lt;/b&gt;">
</head><body><article><h1>XSS probe 3 &lt;script&gt;window.__xss=3&lt;/script&gt;</h1>
<p>The ministry said on Tuesday that 4,200 people were evacuated from the flooded district &lt;img src=x onerror=window.__xss=3&gt; according to a statement issued in the capital.</p>
<p><a href="javascript:window.__xss=3">A link to javascript</a> and <img src="x" onerror="window.__xss=3"> and <script>window.__xss=3</script></p>
<p>Officials told reporters that the water level reached 7 metres and that rescue teams would stay in the area until the end of the week.</p>
</article></body></html>`);
}

// ---- the server ---------------------------------------------------------

function startServer(db) {
  return new Promise((resolveStart, reject) => {
    const child = spawn(bin, ['serve', '--db', db, '--addr', '127.0.0.1:0'], { stdio: ['ignore', 'inherit', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => reject(new Error('server did not start in 120 s:\n' + err)), 120000);
    child.stderr.on('data', (chunk) => {
      err += chunk;
      process.stderr.write(chunk);
      const m = /listening on (http:\/\/[^\s/]+)\//.exec(err);
      if (m) {
        clearTimeout(timer);
        resolveStart({ child, base: m[1] });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${err}`));
    });
  });
}

async function getJson(base, path) {
  const res = await fetch(base + path);
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** The UTF-8 byte range [start, end) of `text` as a string. */
function slice(text, start, end) {
  return Buffer.from(text, 'utf8').subarray(start, end).toString('utf8');
}

const squash = (s) => s.replace(/\s+/g, ' ').trim();

// ---- checks -------------------------------------------------------------

/** Watches a page for any sign that hostile content ran. */
function guard(page, seen) {
  page.on('dialog', async (d) => {
    seen.push('dialog: ' + d.message());
    await d.dismiss();
  });
  page.on('pageerror', (e) => seen.push('page error: ' + e.message));
}

async function assertInert(page, where, seen) {
  const state = await page.evaluate(() => ({
    xss: window.__xss === undefined ? null : String(window.__xss),
    handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).length,
    jsLinks: [...document.querySelectorAll('[href],[src]')].filter((e) => /^\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('src') || '')).length,
    scripts: [...document.querySelectorAll('script')].filter((s) => !s.src || !s.src.endsWith('/static/app.js')).length,
    iframes: document.querySelectorAll('iframe, object, embed').length,
  }));
  check(state.xss === null, `${where}: no payload ran (window.__xss ${state.xss ?? 'unset'})`);
  check(state.handlers === 0, `${where}: no element carries an event-handler attribute (${state.handlers})`);
  check(state.jsLinks === 0, `${where}: no javascript: link or source (${state.jsLinks})`);
  check(state.scripts === 0, `${where}: no script besides the UI's own (${state.scripts})`);
  check(state.iframes === 0, `${where}: no iframe/object/embed (${state.iframes})`);
  check(seen.length === 0, `${where}: no dialog or page error (${seen.join('; ') || 'none'})`);
}

async function main() {
  if (!existsSync(bin)) throw new Error(`no echotrace binary at ${bin}; build it first (cargo build)`);
  const work = mkdtempSync(join(tmpdir(), 'echotrace-e2e-'));
  const hostile = join(work, 'hostile');
  mkdirSync(hostile);
  hostileCorpus(hostile);
  const db = join(work, 'store.db');
  // A watch on a sentence of the hostile pages (with its payload), set before they arrive.
  execFileSync(bin, ['watch', 'add', '--db', db, '--name', 'flood statement', '--text',
    `The ministry said on Tuesday that 4,200 people were evacuated ${PAYLOADS[2]} from the flooded district, according to a statement.`],
  { stdio: 'inherit' });
  // And a velocity rule over every story: two independent outlets within 30 days.
  execFileSync(bin, ['watch', 'add', '--db', db, '--velocity', '2', '--within', '30d'], { stdio: 'inherit' });
  execFileSync(bin, ['ingest', corpus, hostile, '--db', db], { stdio: 'inherit' });
  execFileSync(bin, ['analyze', corpus, hostile, '--out', join(work, 'report')], { stdio: 'inherit' });

  const { child, base } = await startServer(db);
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const seen = [];
    guard(page, seen);

    // 1. Stories: the largest story (most articles) is the one the seeds tell.
    const { stories } = await getJson(base, '/api/stories');
    check(stories.length > 0, `the store has stories (${stories.length})`);
    const story = [...stories].sort((a, b) => b.articles - a.articles)[0];
    await page.goto(base + '/');
    await page.waitForSelector('#stories-title');
    const listed = await page.locator('main table tbody tr').count();
    check(listed === stories.length, `story list shows every story (${listed} of ${stories.length})`);
    await assertInert(page, 'story list', seen);

    await page.click(`a[href="#/story/${encodeURIComponent(story.id)}"]`);
    await page.waitForSelector('#story-title');
    await page.waitForSelector('#graph .node');
    const events = await page.locator('#timeline ol.timeline li').count();
    const dots = await page.locator('#timeline svg circle').count();
    check(events > 0 && dots > 0, `story ${story.id}: timeline shows dated events (${events} listed, ${dots} on the axis)`);
    const nodes = await page.locator('#graph .node').count();
    const edges = await page.locator('#graph path.edge').count();
    check(nodes >= story.articles, `story ${story.id}: graph has a node per article at least (${nodes} nodes, ${story.articles} articles)`);
    check(edges > 0, `story ${story.id}: graph has edges (${edges})`);
    const mainText = await page.locator('main').textContent();
    check(!/\[object |undefined|NaN/.test(mainText), 'story page shows no [object ...], undefined or NaN');
    const panels = await page.locator('main .panel[id^="source-"]').count();
    check(panels > 0, `story ${story.id}: sources listed (${panels})`);
    const sourceNodes = await page.locator('#graph .node.source').count();
    check(sourceNodes > 0, `story ${story.id}: graph shows a source node (${sourceNodes})`);
    await page.screenshot({ path: join(artifacts, 'story.png'), fullPage: true });
    // Pan: a drag moves the viewport.
    await page.locator('#graph').scrollIntoViewIfNeeded();
    const box = await page.locator('#graph').boundingBox();
    const before = await page.locator('#graph g.viewport').getAttribute('transform');
    await page.mouse.move(box.x + 20, box.y + box.height - 20);
    await page.mouse.down();
    await page.mouse.move(box.x + 120, box.y + box.height - 60, { steps: 5 });
    await page.mouse.up();
    const after = await page.locator('#graph g.viewport').getAttribute('transform');
    check(before !== after, `graph pans on drag (${before} -> ${after})`);
    await assertInert(page, 'story page', seen);

    // Clicking an article node opens the article.
    await page.locator('#graph .node.article').first().click();
    await page.waitForSelector('#article-title');
    check(/#\/article\//.test(page.url()), `clicking an article node opens its page (${page.url().replace(base, '')})`);
    await page.goBack();
    await page.waitForSelector('#pairs');

    // 2. Side by side: the pair with the most passages; its longest passage is marked on both sides.
    await page.locator('#pairs a', { hasText: 'side by side' }).first().click();
    await page.waitForSelector('#compare-title');
    const [, , left, right] = page.url().split('#')[1].split('/').map(decodeURIComponent);
    const shared = await getJson(base, `/api/passages?limit=1000&article=${encodeURIComponent(left)}&other=${encodeURIComponent(right)}`);
    check(shared.passages.length > 0, `side by side ${left} | ${right}: the pair shares passages (${shared.passages.length})`);
    const longest = [...shared.passages].sort((p, q) => (q.a.end - q.a.start) - (p.a.end - p.a.start))[0];
    const la = await getJson(base, '/api/articles/' + encodeURIComponent(left));
    const ra = await getJson(base, '/api/articles/' + encodeURIComponent(right));
    const textOf = (a, side) => squash(slice(a.article.body, side.start, side.end));
    const [sideL, sideR] = longest.a.article === left ? [longest.a, longest.b] : [longest.b, longest.a];
    const quoteL = textOf(la, sideL);
    const quoteR = textOf(ra, sideR);
    const markedL = squash((await page.locator('#side-left mark').allTextContents()).join(' '));
    const markedR = squash((await page.locator('#side-right mark').allTextContents()).join(' '));
    const inMarks = async (sideSel, passageId) => squash((await page.locator(`${sideSel} mark`).evaluateAll(
      (ms, id) => ms.filter((m) => m.getAttribute('data-passages').split(' ').includes(id)).map((m) => m.textContent).join(''), passageId)));
    check(quoteL.length >= 20 && (await inMarks('#side-left', longest.id)) === quoteL,
      `left side highlights the shared passage "${quoteL.slice(0, 60)}…"`);
    check(quoteR.length >= 20 && (await inMarks('#side-right', longest.id)) === quoteR,
      `right side highlights its counterpart "${quoteR.slice(0, 60)}…"`);
    check(markedL.length > 0 && markedR.length > 0, 'both sides carry highlights');
    await page.locator('#side-left mark', { hasText: quoteL.slice(0, 12) }).first().click();
    const flashed = await page.locator('#side-right mark.flash').count();
    check(flashed > 0, 'clicking a highlighted passage flashes its counterpart on the other side');
    await page.screenshot({ path: join(artifacts, 'side-by-side.png'), fullPage: false });
    await assertInert(page, 'side by side', seen);

    // 3. Hostile pages: every view that shows them stays inert and shows the payload as text.
    const { articles } = await getJson(base, '/api/articles?limit=1000');
    const probes = articles.filter((a) => /XSS probe/.test(a.title || '') || /xss-/.test(a.path || a.url || ''));
    check(probes.length === 3, `the three hostile pages were ingested (${probes.length}: ` +
      articles.map((a) => JSON.stringify([a.path || a.url, a.title])).join(', ') + ')');
    for (const a of probes) {
      await page.goto(base + '/#/article/' + encodeURIComponent(a.id));
      await page.waitForSelector('#article-title');
      const body = await page.locator('#article-body').textContent();
      const title = await page.locator('#article-title').textContent();
      check(/<(script|img|a|svg|iframe)\b/i.test(body + title), `article ${a.id}: hostile markup is shown as text`);
      await assertInert(page, `article ${a.id}`, seen);
      if (a.story) {
        await page.goto(base + '/#/story/' + encodeURIComponent(a.story));
        await page.waitForSelector('#story-title');
        await assertInert(page, `story ${a.story} (hostile members)`, seen);
      }
    }
    if (probes.length >= 2) {
      await page.goto(base + `/#/compare/${encodeURIComponent(probes[0].id)}/${encodeURIComponent(probes[1].id)}`);
      await page.waitForSelector('#compare-title');
      await page.screenshot({ path: join(artifacts, 'xss-side-by-side.png') });
      await assertInert(page, 'side by side of hostile pages', seen);
    }
    await page.goto(base + '/#/search/' + encodeURIComponent('evacuated flooded'));
    await page.waitForSelector('#hits');
    const hits = await page.locator('#hits li').count();
    check(hits > 0, `search finds the hostile pages (${hits} hits)`);
    await assertInert(page, 'search results', seen);
    await page.goto(base + '/#/articles');
    await page.waitForSelector('main table');
    await assertInert(page, 'article list', seen);

    // 4. Alerts: the watch fired on the hostile pages; each alert shows both texts side by side, inert.
    const { alerts } = await getJson(base, '/api/alerts');
    const textAlerts = alerts.filter((a) => !['story', 'velocity', 'revival'].includes(a.kind));
    const velocity = alerts.filter((a) => a.kind === 'velocity');
    check(textAlerts.length >= 2, `the watch raised alerts on the pages that carry it (${textAlerts.length})`);
    check(velocity.length >= 1, `the velocity rule fired on a story (${velocity.length})`);
    await page.goto(base + '/#/alerts');
    await page.waitForSelector('#alerts-title');
    const shownAlerts = await page.locator('#alerts li.alert').count();
    check(shownAlerts === alerts.length, `the alerts page lists every alert (${shownAlerts} of ${alerts.length})`);
    const watched = await page.locator('#alerts .side-watch').first().textContent();
    check(/<a href="javascript:/.test(watched), 'the watched text shows its markup as text');
    const evidence = await page.locator('#alerts .side-article mark').count();
    check(evidence >= textAlerts.length, `each text alert marks the article's aligned text (${evidence} marks)`);
    const storyLinks = await page.locator('#alerts li.alert a[href^="#/story/"]').count();
    check(storyLinks >= velocity.length, `each velocity alert links its story (${storyLinks})`);
    await page.locator('#alerts li.alert a[href^="#/article/"]').first().click();
    await page.waitForSelector('#article-title');
    check(/#\/article\//.test(page.url()), 'an alert opens its article');
    await page.goto(base + '/#/alerts');
    await page.waitForSelector('#alerts-title');
    await page.screenshot({ path: join(artifacts, 'alerts.png'), fullPage: false });
    await assertInert(page, 'alerts', seen);

    // The self-contained HTML report of the same corpus.
    const report = await browser.newPage();
    const seenReport = [];
    guard(report, seenReport);
    await report.goto('file://' + join(work, 'report', 'report.html'));
    const shown = await report.locator('body').textContent();
    check(/<script>window.__xss/.test(shown), 'HTML report shows the hostile markup as text');
    await assertInert(report, 'HTML report', seenReport);
  } finally {
    await browser.close();
    child.kill('SIGINT');
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`\nbrowser tests: ${passed} passed, ${failures.length} failed; screenshots in ${artifacts}`);
  if (failures.length) {
    for (const f of failures) console.log('  failed: ' + f);
    process.exit(1);
  }
}

main().catch((e) => {
  console.error('browser tests could not run: ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
