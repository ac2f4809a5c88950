// echotrace web UI: hash routes drawn from the JSON API.
//
// Crawled pages are attacker-controlled, so this script never turns data
// into markup: every element is made with createElement and every piece of
// page text is set as a text node. Links go to internal hash routes only
// (`el` refuses any other href); an article's origin URL is shown as text.
// Byte offsets from the API (UTF-8) are mapped onto the text with
// TextEncoder/TextDecoder.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';

// ---- DOM building -------------------------------------------------------

/** An internal href: only '#/...' routes are ever rendered as links. */
function route(...parts) {
  return '#/' + parts.map((p) => encodeURIComponent(String(p))).join('/');
}

/** An HTML element; `attrs` names come from this file, `children` are nodes or text. */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null) continue;
    if (k === 'class') e.className = v;
    else if (k === 'href') {
      if (!String(v).startsWith('#/')) throw new Error('refusing a non-internal link');
      e.setAttribute('href', v);
    } else if (k.startsWith('on')) throw new Error('no inline handlers');
    else e.setAttribute(k, String(v));
  }
  append(e, children);
  return e;
}

function append(parent, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    parent.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return parent;
}

/** An SVG element with numeric or fixed attributes. */
function svg(tag, attrs, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith('on') || k === 'href') throw new Error('no handlers or links in SVG');
    if (v != null) e.setAttribute(k, String(v));
  }
  return append(e, children);
}

function link(text, ...parts) {
  return el('a', { href: route(...parts) }, text);
}

function articleLink(a, id) {
  return link(titleOf(a, id), 'article', id);
}

function titleOf(a, id) {
  return (a && a.title && a.title.trim()) || ('(untitled ' + id + ')');
}

function dateOf(p) {
  return p ? p.value + (p.basis !== 'explicit' ? ' (' + p.basis + ')' : '') : 'date unknown';
}

function short(text, n) {
  const s = String(text || '').replace(/\s+/g, ' ').trim();
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

function table(headers, rows) {
  return el('table', {},
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', {}, h)))),
    el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => el('td', {}, c))))));
}

function meta(...parts) {
  return el('p', { class: 'meta' }, parts.filter((p) => p != null && p !== '').map((p) => el('span', {}, p)));
}

function section(title, ...children) {
  return [el('h2', {}, title), ...children];
}

function show(...children) {
  const main = document.getElementById('main');
  main.replaceChildren();
  append(main, children);
}

/** The form that asks for an access token, then shows the page again. */
function showTokenForm(message) {
  const input = el('input', { type: 'password', id: 'token', autocomplete: 'off', 'aria-label': 'access token' });
  const form = el('form', { id: 'token-form', class: 'panel' },
    el('p', {}, message),
    el('label', {}, 'Access token ', input),
    el('button', { type: 'submit' }, 'Open'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const t = input.value.trim();
    if (t) sessionStorage.setItem(TOKEN_KEY, t);
    render();
  });
  show(form);
  input.focus();
}

function showError(err) {
  show(el('p', { class: 'error', role: 'alert' }, String(err && err.message ? err.message : err)));
}

// ---- API ----------------------------------------------------------------

// A server on a shared address asks for a bearer token; it is kept for this tab only.
const TOKEN_KEY = 'echotrace-token';

/** Thrown when the server wants a token: the view shows the token form. */
class NeedsToken extends Error {}

async function api(path) {
  const headers = { Accept: 'application/json' };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = 'Bearer ' + token;
  const res = await fetch(path, { headers });
  let body = null;
  try { body = await res.json(); } catch (_) { /* not JSON */ }
  if (res.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    throw new NeedsToken(body && body.error ? body.error.message : 'this server needs a token');
  }
  if (!res.ok) {
    const msg = body && body.error ? body.error.message : res.status + ' ' + res.statusText;
    throw new Error(msg);
  }
  return body;
}

// ---- highlighted text ---------------------------------------------------

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * `text` with byte ranges marked: spans are {start, end, kind, id, other}.
 * Overlaps are cut into segments; a segment covered only by translation
 * spans is marked as a translation variant.
 */
function marked(text, spans) {
  const bytes = encoder.encode(text);
  const n = bytes.length;
  const boundary = (i) => {
    i = Math.max(0, Math.min(n, Math.floor(Number(i) || 0)));
    while (i > 0 && i < n && (bytes[i] & 0xc0) === 0x80) i--; // never split a character
    return i;
  };
  const clean = spans
    .map((s) => ({ ...s, start: boundary(s.start), end: boundary(s.end) }))
    .filter((s) => s.start < s.end);
  const cuts = [...new Set([0, n, ...clean.flatMap((s) => [s.start, s.end])])].sort((a, b) => a - b);
  const out = document.createDocumentFragment();
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [x, y] = [cuts[i], cuts[i + 1]];
    const piece = decoder.decode(bytes.subarray(x, y));
    const cover = clean.filter((s) => s.start <= x && s.end >= y);
    if (cover.length === 0) {
      out.append(document.createTextNode(piece));
      continue;
    }
    const kind = cover.every((s) => s.kind === 'translation') ? 'translation'
      : cover.some((s) => s.kind === 'verbatim') ? 'verbatim' : 'near';
    const m = el('mark', {
      class: 'kind-' + kind,
      'data-kind': kind,
      'data-passages': cover.map((s) => s.id).join(' '),
      title: cover.map((s) => s.kind + ' passage ' + s.id + (s.other ? ' with ' + s.other : '')).join('\n'),
    }, piece);
    out.append(m);
  }
  return out;
}

/** The spans of `passages` that fall in article `id`. */
function spansIn(passages, id) {
  const spans = [];
  for (const p of passages) {
    if (p.a.article === id) spans.push({ start: p.a.start, end: p.a.end, kind: p.kind, id: p.id, other: p.b.article });
    if (p.b.article === id) spans.push({ start: p.b.start, end: p.b.end, kind: p.kind, id: p.id, other: p.a.article });
  }
  return spans;
}

function legend() {
  return el('div', { class: 'legend' },
    ['verbatim', 'near', 'translation'].map((k) =>
      el('span', {}, el('span', { class: 'swatch kind-' + k }), k === 'translation' ? 'translation variant' : k)));
}

// ---- views --------------------------------------------------------------

const STORIES_PER_PAGE = 50;

// The story list: most independent outlets first, a page at a time, with
// filters on first-seen dates, outlet and language kept in the route.
async function viewStories(pageArg, filterArg) {
  const pageNo = Math.max(0, parseInt(pageArg || '0', 10) || 0);
  const filters = new URLSearchParams(filterArg || '');
  const query = new URLSearchParams(filters);
  query.set('offset', String(pageNo * STORIES_PER_PAGE));
  query.set('limit', String(STORIES_PER_PAGE));
  const [{ stories, total }, status] = await Promise.all([api('/api/stories?' + query), api('/api/status')]);
  const rows = stories.map((s) => [
    link(s.title || s.label || s.id, 'story', s.id),
    String(s.independent_outlets),
    String(s.articles),
    s.first_seen || '—',
    s.source && s.source.speaker ? s.source.speaker + (s.source.latent ? ' (not in the corpus)' : '') : '—',
    s.cites.length ? s.cites.flatMap((c, i) => (i ? [', ', link(c, 'story', c)] : [link(c, 'story', c)])) : '—',
  ]);
  const input = (name, label, type) => el('label', {}, label + ' ',
    el('input', { name, type, value: filters.get(name) || '', size: type === 'date' ? null : 14 }));
  const form = el('form', { class: 'filters', id: 'story-filters' },
    input('from', 'first seen from', 'date'), ' ', input('to', 'to', 'date'), ' ',
    input('outlet', 'outlet', 'text'), ' ', input('language', 'language', 'text'), ' ',
    el('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const chosen = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (String(v).trim()) chosen.set(k, String(v).trim());
    location.hash = route('stories', 0, chosen.toString());
  });
  const first = pageNo * STORIES_PER_PAGE;
  const pager = el('p', { class: 'pager' },
    pageNo > 0 ? link('← previous', 'stories', pageNo - 1, filters.toString()) : null, ' ',
    total ? `stories ${first + 1}–${first + stories.length} of ${total}` : '', ' ',
    first + stories.length < total ? link('next →', 'stories', pageNo + 1, filters.toString()) : null);
  show(
    el('h1', { id: 'stories-title' }, 'Stories'),
    meta(status.articles + ' articles', status.passages + ' passages', status.stories + ' stories'),
    form,
    stories.length ? [table(['story', 'independent outlets', 'articles', 'first seen', 'source', 'cites'], rows), pager]
      : el('p', { class: 'muted', id: 'empty' }, total === 0 && status.stories > 0
        ? 'No story matches these filters.'
        : 'No stories yet: ingest pages with `echotrace ingest PATH... --db FILE`.'),
  );
}

async function viewArticles() {
  const { articles, total } = await api('/api/articles?limit=1000');
  show(
    el('h1', {}, 'Articles'),
    meta(total + ' articles' + (total > articles.length ? ', first ' + articles.length + ' shown' : '')),
    table(['title', 'outlet', 'published', 'story'], articles.map((a) => [
      articleLink(a, a.id), a.outlet || '—', dateOf(a.published), a.story ? link(a.story, 'story', a.story) : '—',
    ])),
  );
}

function timelineSvg(events) {
  const dated = events.filter((e) => /^\d{4}-\d{2}-\d{2}/.test(e.date));
  const w = 1000, h = 120, pad = 60;
  const s = svg('svg', { class: 'timeline', viewBox: `0 0 ${w} ${h}`, role: 'img', 'aria-label': 'timeline' });
  s.append(svg('line', { class: 'axis', x1: pad, y1: 60, x2: w - pad, y2: 60 }));
  if (dated.length === 0) return s;
  const t = (e) => Date.parse(e.date.slice(0, 10) + 'T00:00:00Z');
  const t0 = Math.min(...dated.map(t)), t1 = Math.max(...dated.map(t));
  const x = (e) => t1 === t0 ? w / 2 : pad + (w - 2 * pad) * (t(e) - t0) / (t1 - t0);
  let lastX = -1e9, row = 0;
  for (const e of dated) {
    const cx = x(e);
    row = cx - lastX < 90 ? (row + 1) % 3 : 0;
    lastX = cx;
    s.append(svg('circle', { class: 'event ' + e.basis, cx, cy: 60, r: 6 }, svg('title', {}, e.date + ': ' + e.what)));
    s.append(svg('text', { x: cx, y: 40 - row * 13, 'text-anchor': 'middle' }, e.date.slice(0, 10)));
    s.append(svg('text', { x: cx, y: 82 + row * 13, 'text-anchor': 'middle' }, short(e.what, 28)));
  }
  return s;
}

/**
 * The provenance graph: sources left, then articles in columns by how many
 * echo steps separate them from a source; linked stories on the right.
 * Drag to pan, wheel to zoom, click a node to open it.
 */
function graphSvg(data) {
  const nodes = new Map();
  const add = (id, kind, label, sub, extra) => {
    if (!nodes.has(id)) nodes.set(id, { id, kind, label, sub, ...extra });
  };
  for (const s of data.sources) add(s.id, 'source', short(s.speaker || 'unknown speaker', 26), s.date ? s.date.value : (s.latent ? 'latent source' : 'source'), { latent: s.latent });
  for (const a of data.articles) add(a.id, 'article', short(a.outlet || titleOf(a, a.id), 26), a.published ? a.published.value.slice(0, 10) : a.id);
  for (const e of data.edges) {
    for (const id of [e.from, e.to]) {
      if (!nodes.has(id)) {
        const story = data.linked_stories && data.linked_stories[id];
        if (story || id === data.story.id) add(id, 'story', short(story || data.story.label || id, 26), 'story ' + id);
        else if (data.sources_elsewhere && data.sources_elsewhere[id]) {
          const s = data.sources_elsewhere[id];
          add(id, 'source', short(s.speaker || 'unknown speaker', 26), 'source of story ' + s.story, { latent: s.latent });
        } else add(id, 'other', id, '');
      }
    }
  }
  // Columns: sources at 0; an article one past the deepest node that echoes it.
  const depth = new Map([...nodes.values()].map((n) => [n.id, n.kind === 'source' ? 0 : 1]));
  for (let round = 0; round < nodes.size; round++) {
    let changed = false;
    for (const e of data.edges) {
      if (!e.directed || e.kind === 'cites') continue;
      const want = depth.get(e.from) + 1;
      if (nodes.get(e.to).kind === 'article' && want > depth.get(e.to) && want <= nodes.size) {
        depth.set(e.to, want);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const maxDepth = Math.max(1, ...[...nodes.values()].filter((n) => n.kind !== 'story' && n.kind !== 'other').map((n) => depth.get(n.id)));
  for (const n of nodes.values()) if (n.kind === 'story' || n.kind === 'other') depth.set(n.id, maxDepth + 1);
  const columns = new Map();
  for (const n of nodes.values()) {
    const d = depth.get(n.id);
    if (!columns.has(d)) columns.set(d, []);
    columns.get(d).push(n);
  }
  const colW = 230, rowH = 78, nodeW = 180, nodeH = 44;
  for (const [d, col] of columns) col.forEach((n, i) => { n.x = 30 + d * colW; n.y = 30 + i * rowH; });

  // The whole layout fits the view at first; pan and zoom from there.
  const all = [...nodes.values()];
  const width = Math.max(600, ...all.map((n) => n.x + nodeW + 30));
  const height = Math.max(300, ...all.map((n) => n.y + nodeH + 60));
  const root = svg('svg', {
    class: 'graph', id: 'graph', role: 'img', 'aria-label': 'provenance graph',
    viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'xMinYMin meet',
  });
  const defs = svg('defs', {});
  for (const k of ['echoes', 'translates', 'cites']) {
    defs.append(svg('marker', { id: 'arrow-' + k, viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-' + k, fill: k === 'translates' ? '#1c6fb0' : k === 'cites' ? '#5a67d8' : '#7a7a82' })));
  }
  root.append(defs);
  const view = svg('g', { class: 'viewport' });
  root.append(view);
  for (const e of data.edges) {
    const a = nodes.get(e.from), b = nodes.get(e.to);
    if (!a || !b) continue;
    const x1 = a.x + nodeW, y1 = a.y + nodeH / 2, x2 = b.x, y2 = b.y + nodeH / 2;
    const back = x2 <= x1;
    const d = back
      ? `M${a.x + nodeW / 2},${a.y + nodeH} C${a.x + nodeW / 2},${a.y + nodeH + 40} ${b.x + nodeW / 2},${b.y + nodeH + 40} ${b.x + nodeW / 2},${b.y + nodeH}`
      : `M${x1},${y1} C${(x1 + x2) / 2},${y1} ${(x1 + x2) / 2},${y2} ${x2},${y2}`;
    const path = svg('path', {
      class: 'edge ' + e.kind + (e.directed ? '' : ' undirected'), d,
      'data-from': e.from, 'data-to': e.to, 'data-kind': e.kind,
      'marker-end': e.directed ? `url(#arrow-${e.kind})` : null,
    }, svg('title', {}, `${e.from} ${e.kind} → ${e.to}` + (e.directed ? '' : ' (direction undecided)') +
      (e.evidence.length ? `; ${e.evidence.length} passages` : '') + (e.note ? '\n' + e.note : '')));
    view.append(path);
  }
  for (const n of nodes.values()) {
    const g = svg('g', {
      class: 'node ' + n.kind + (n.latent ? ' latent' : ''), transform: `translate(${n.x},${n.y})`,
      'data-id': n.id, tabindex: 0, role: 'link',
    });
    if (n.kind === 'source') {
      g.append(svg('circle', { cx: nodeH / 2, cy: nodeH / 2, r: nodeH / 2 }));
      g.append(svg('text', { x: nodeH + 6, y: 18 }, n.label));
      g.append(svg('text', { class: 'sub', x: nodeH + 6, y: 34 }, n.sub));
    } else {
      g.append(svg('rect', { width: nodeW, height: nodeH, rx: 6 }));
      g.append(svg('text', { x: 8, y: 18 }, n.label));
      g.append(svg('text', { class: 'sub', x: 8, y: 34 }, n.sub));
    }
    g.append(svg('title', {}, n.id + ': ' + n.label));
    view.append(g);
  }
  // Pan (drag) and zoom (wheel) move the viewport group; a click without a drag opens the node.
  let tx = 0, ty = 0, scale = 1, drag = null, moved = false;
  const apply = () => view.setAttribute('transform', `translate(${tx},${ty}) scale(${scale})`);
  root.addEventListener('pointerdown', (ev) => {
    drag = { x: ev.clientX, y: ev.clientY, tx, ty };
    moved = false;
    root.classList.add('dragging');
  });
  root.addEventListener('pointermove', (ev) => {
    if (!drag) return;
    const dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) moved = true;
    tx = drag.tx + dx; ty = drag.ty + dy;
    apply();
  });
  const stop = () => { drag = null; root.classList.remove('dragging'); };
  root.addEventListener('pointerup', stop);
  root.addEventListener('pointerleave', stop);
  root.addEventListener('wheel', (ev) => {
    ev.preventDefault();
    scale = Math.min(3, Math.max(0.3, scale * (ev.deltaY < 0 ? 1.1 : 1 / 1.1)));
    apply();
  }, { passive: false });
  const open = (id) => {
    const n = nodes.get(id);
    if (!n) return;
    if (n.kind === 'article') location.hash = route('article', id);
    else if (n.kind === 'story' && id !== data.story.id) location.hash = route('story', id);
    else if (n.kind === 'source') {
      const target = document.getElementById('source-' + id);
      if (target) target.scrollIntoView({ block: 'center' });
    }
  };
  root.addEventListener('click', (ev) => {
    if (moved) return;
    const g = ev.target.closest('.node');
    if (g) open(g.getAttribute('data-id'));
  });
  root.addEventListener('keydown', (ev) => {
    const g = ev.target.closest && ev.target.closest('.node');
    if (g && ev.key === 'Enter') open(g.getAttribute('data-id'));
  });
  apply();
  return root;
}

function graphLegend() {
  return el('div', { class: 'legend' },
    el('span', {}, '○ source (dashed: latent, not in the corpus)'),
    el('span', {}, '▭ article — click to open; drag to pan, wheel to zoom'),
    el('span', {}, '— echoes'), el('span', {}, '- - translates'), el('span', {}, '· · cites'));
}

/** Pairs of member articles with their passages, for the side-by-side links. */
function pairsOf(passages) {
  const pairs = new Map();
  for (const p of passages) {
    const [x, y] = [p.a.article, p.b.article].sort();
    const key = x + ' ' + y;
    if (!pairs.has(key)) pairs.set(key, { a: x, b: y, kinds: new Map(), n: 0 });
    const e = pairs.get(key);
    e.n++;
    e.kinds.set(p.kind, (e.kinds.get(p.kind) || 0) + 1);
  }
  return [...pairs.values()].sort((u, v) => v.n - u.n);
}

async function viewStory(id) {
  const d = await api('/api/stories/' + encodeURIComponent(id));
  const byId = new Map(d.articles.map((a) => [a.id, a]));
  const name = (aid) => {
    const a = byId.get(aid);
    return a ? articleLink(a, aid) : aid;
  };
  const pairs = pairsOf(d.passages);
  const sourceOf = new Map(d.sources.map((s) => [s.id, s]));
  show(
    el('h1', { id: 'story-title' }, d.story.label || d.story.id),
    meta(d.story.id, d.articles.length + ' articles', d.story.first_seen ? 'first seen ' + d.story.first_seen : null,
      d.story.terms && d.story.terms.length ? 'terms: ' + d.story.terms.slice(0, 8).join(', ') : null),
    d.story.cites.length ? el('p', {}, 'Cites: ', d.story.cites.map((c) => [link((d.linked_stories || {})[c] || c, 'story', c), ' '])) : null,
    section('Timeline',
      el('div', { id: 'timeline' },
        timelineSvg(d.timeline),
        d.timeline.length
          ? el('ol', { class: 'timeline' }, d.timeline.map((e) => el('li', { class: 'event' },
            el('strong', {}, e.date), ' ', el('span', { class: 'pill' }, e.basis), ' ',
            byId.has(e.node) ? articleLink(byId.get(e.node), e.node) : (sourceOf.has(e.node) ? 'source ' + e.node : e.node),
            ': ', e.what)))
          : el('p', { class: 'muted' }, 'No dated events.'))),
    section('Provenance graph', graphLegend(), el('div', { class: 'graph-wrap' }, graphSvg(d))),
    section('Sources', d.sources.length ? d.sources.map((s) => el('div', { class: 'panel', id: 'source-' + s.id },
      el('strong', {}, s.speaker || 'unknown speaker'), ' ', el('span', { class: 'pill' }, s.latent ? 'latent (inferred, not in the corpus)' : 'seen'),
      meta(s.id, s.date ? dateOf(s.date) : null, s.date ? 'evidence: ' + short(s.date.evidence, 80) : null,
        s.article ? 'carried by ' + s.article : null),
      s.text ? el('blockquote', {}, s.text) : null)) : el('p', { class: 'muted' }, 'No source inferred.')),
    section('Articles', table(['title', 'outlet', 'published', 'shares (quoted / reused / own)'], d.articles.map((a) => [
      articleLink(a, a.id), a.outlet || '—', dateOf(a.published),
      a.shares ? [a.shares.quoted, a.shares.reused, a.shares.own].map((x) => Math.round(x * 100) + '%').join(' / ') : '—',
    ]))),
    section('Shared passages', pairs.length
      ? el('ul', { id: 'pairs' }, pairs.map((p) => el('li', {},
        link('side by side', 'compare', p.a, p.b), ': ', name(p.a), ' ↔ ', name(p.b), ' ',
        el('span', { class: 'pill' }, p.n + ' passages: ' + [...p.kinds].map(([k, n]) => n + ' ' + k).join(', ')))))
      : el('p', { class: 'muted' }, 'No passages shared inside this story.')),
    section('Quotes', d.quotes.length ? table(['speaker', 'cue', 'quote', 'article'], d.quotes.map((q) => [
      q.speaker || '—', q.cue || '—', el('blockquote', {}, short(q.text, 400)), name(q.article),
    ])) : el('p', { class: 'muted' }, 'No attributed quotes.')),
    section('Claims', d.claims.length ? table(['figure', 'counts', 'text', 'article'], d.claims.map((c) => [
      (c.qualifier ? c.qualifier + ' ' : '') + c.value + (c.value_max != null ? '–' + c.value_max : '') + (c.unit ? ' ' + c.unit : ''),
      c.counts || '—', short(c.text, 200), name(c.article),
    ])) : el('p', { class: 'muted' }, 'No numeric claims.')),
    section('Divergences', d.divergences.length ? el('ul', { id: 'divergences' }, d.divergences.map((v) => el('li', {},
      el('span', { class: 'pill' }, v.kind.replace(/_/g, ' ')), ' ', v.explanation,
      v.claims.length ? el('span', { class: 'muted' }, ' (' + v.claims.join(', ') + ')') : null)))
      : el('p', { class: 'muted' }, 'No divergences found.')),
  );
}

async function viewArticle(id) {
  const d = await api('/api/articles/' + encodeURIComponent(id));
  const a = d.article;
  const p = a.published;
  show(
    el('h1', { id: 'article-title' }, titleOf(a, a.id)),
    meta(a.outlet || 'outlet unknown', a.byline, p ? dateOf(p) : 'date unknown', 'language ' + a.language,
      d.story ? link('story ' + d.story, 'story', d.story) : null),
    el('p', { class: 'meta' }, 'Origin: ', el('code', { id: 'origin' }, a.origin.url || a.origin.path),
      p ? ' · date evidence: “' + short(p.evidence, 80) + '”' : null),
    a.credited_sources.length ? el('p', { class: 'meta' }, 'Credits: ' + a.credited_sources.join(', ')) : null,
    a.translated_by ? el('p', { class: 'meta' }, 'Translated by ' + a.translated_by) : null,
    a.shares ? el('p', { class: 'meta' }, 'Body: ' + ['quoted', 'reused', 'own'].map((k) => Math.round(a.shares[k] * 100) + '% ' + k).join(', ')) : null,
    d.related.length ? section('Shares passages with', el('ul', {}, d.related.map((o) => el('li', {},
      articleLink(o, o.id), ' ', el('span', { class: 'muted' }, o.outlet || ''), ' — ', link('side by side', 'compare', a.id, o.id))))) : null,
    section('Text', legend(), el('div', { class: 'body', id: 'article-body' }, marked(a.body, spansIn(d.passages, a.id)))),
    d.quotes.length ? section('Quotes', table(['speaker', 'cue', 'quote'], d.quotes.map((q) => [q.speaker || '—', q.cue || '—', short(q.text, 300)]))) : null,
    d.claims.length ? section('Claims', table(['figure', 'counts', 'text'], d.claims.map((c) => [String(c.value), c.counts || '—', short(c.text, 200)]))) : null,
  );
}

async function viewCompare(left, right) {
  const [l, r, shared] = await Promise.all([
    api('/api/articles/' + encodeURIComponent(left)),
    api('/api/articles/' + encodeURIComponent(right)),
    api('/api/passages?limit=1000&article=' + encodeURIComponent(left) + '&other=' + encodeURIComponent(right)),
  ]);
  const side = (d, other, which) => el('section', { id: 'side-' + which },
    el('h2', {}, articleLink(d.article, d.article.id)),
    meta(d.article.outlet || 'outlet unknown', dateOf(d.article.published), d.article.id),
    el('div', { class: 'body' }, marked(d.article.body, spansIn(shared.passages, d.article.id))));
  show(
    el('h1', { id: 'compare-title' }, 'Side by side'),
    meta(shared.total + ' shared passages'),
    legend(),
    el('div', { class: 'compare' }, side(l, r, 'left'), side(r, l, 'right')),
  );
  // Clicking a highlighted passage brings its counterpart into view.
  document.querySelector('.compare').addEventListener('click', (ev) => {
    const m = ev.target.closest('mark');
    if (!m) return;
    const here = m.closest('section').id;
    const there = here === 'side-left' ? 'side-right' : 'side-left';
    const ids = m.getAttribute('data-passages').split(' ');
    const match = [...document.querySelectorAll('#' + there + ' mark')]
      .find((o) => o.getAttribute('data-passages').split(' ').some((x) => ids.includes(x)));
    if (match) {
      match.scrollIntoView({ block: 'center' });
      match.classList.add('flash');
      setTimeout(() => match.classList.remove('flash'), 1200);
    }
  });
}

async function viewSearch(q) {
  document.getElementById('search-q').value = q;
  const d = await api('/api/search?limit=50&q=' + encodeURIComponent(q));
  show(
    el('h1', {}, 'Search'),
    meta(d.hits.length + ' hits for “' + q + '”'),
    el('ol', { class: 'hits', id: 'hits' }, d.hits.map((h) => el('li', {},
      articleLink(h, h.article), ' ',
      el('span', { class: 'muted' }, [h.outlet, h.published ? h.published.value : null].filter(Boolean).join(' · ')),
      el('div', { class: 'snippet' }, marked(h.snippet, h.highlights.map(([s, e], i) => ({ start: s, end: e, kind: 'verbatim', id: 'h' + i }))))))),
  );
}

// Alerts: what the watches found in newly ingested articles, newest first, each with the
// watched text and the article's aligned text side by side.
// A duration for people: 6 h, 2 days, 90 min.
function duration(secs) {
  if (secs >= 86400 && secs % 86400 === 0) return secs / 86400 + (secs === 86400 ? ' day' : ' days');
  if (secs >= 3600 && secs % 3600 === 0) return secs / 3600 + ' h';
  return Math.round(secs / 60) + ' min';
}

async function viewAlerts() {
  const d = await api('/api/alerts?limit=1000');
  const alerts = [...d.alerts].reverse();
  const when = (t) => new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ');
  show(
    el('h1', { id: 'alerts-title' }, 'Alerts'),
    meta(alerts.length ? alerts.length + ' alerts, newest first' : 'No alerts yet: add a watch (echotrace watch add) and ingest pages'),
    legend(),
    el('ol', { class: 'alerts', id: 'alerts' }, alerts.map((a) => {
      const e = a.evidence || {};
      const head = (...rest) => el('div', { class: 'meta' },
        el('strong', {}, a.tier), ' · ', a.kind, ' · ', el('code', {}, a.watch), ' · ', when(a.created_at), ...rest);
      const story = () => link(e.label || e.story || '', 'story', e.story || '');
      const tier = 'alert tier-' + (a.tier === 'confirmed' ? 'confirmed' : 'suggested');
      if (a.kind === 'story' || a.kind === 'velocity' || a.kind === 'revival') {
        const what = a.kind === 'story'
          ? [' · ', link(a.article, 'article', a.article), e.outlet ? ' (' + e.outlet + ')' : null, ' joined ', story(),
            ' · ' + (Number(e.independent_outlets) || 0) + ' independent outlets']
          : a.kind === 'velocity'
            ? [' · ', story(), ' gained ' + (Number(e.outlets) || 0) + ' new independent outlets within ' +
              duration(Number(e.within_secs) || 0) + ': ',
              ...(e.joined || []).flatMap((j, i) => [i ? ', ' : null, link(String(j.article), 'article', String(j.article))])]
            : [' · ', link(a.article, 'article', a.article), ' brought the watch back after at least ' +
              Math.round((Number(e.dormant_secs) || 0) / 86400) + ' quiet days (' + (e.after || '') + ')'];
        return el('li', { class: tier, 'data-alert': String(a.id) }, head(...what));
      }
      const kind = ['verbatim', 'near', 'translation'].includes(a.kind) ? a.kind : 'near';
      const whole = (text) => [{ start: 0, end: encoder.encode(text || '').length, kind, id: 'alert' + a.id }];
      return el('li', { class: tier, 'data-alert': String(a.id) },
        el('div', { class: 'meta' },
          el('strong', {}, a.tier), ' · ', a.kind, ' · score ' + Number(a.score).toFixed(3),
          ' · covers ' + Math.round((Number(e.coverage) || 0) * 100) + '% of watch ', el('code', {}, a.watch),
          ' · ', when(a.created_at), ' · ', link(e.title || a.article, 'article', a.article),
          e.outlet ? ' · ' + e.outlet : null),
        el('div', { class: 'compare' },
          el('section', { class: 'side-watch' }, el('h3', {}, 'Watched'), el('div', { class: 'body' }, marked(e.watch_text || '', whole(e.watch_text)))),
          el('section', { class: 'side-article' }, el('h3', {}, 'In the article'), el('div', { class: 'body' }, marked(e.article_text || '', whole(e.article_text))))));
    })),
  );
}

// ---- routing ------------------------------------------------------------

async function render() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map((p) => {
    try { return decodeURIComponent(p); } catch (_) { return p; }
  });
  document.title = 'echotrace';
  document.body.setAttribute('data-view', 'loading');
  try {
    switch (parts[0]) {
      case undefined: case 'stories': await viewStories(parts[1], parts[2]); break;
      case 'articles': await viewArticles(); break;
      case 'story': await viewStory(parts[1] || ''); break;
      case 'article': await viewArticle(parts[1] || ''); break;
      case 'compare': await viewCompare(parts[1] || '', parts[2] || ''); break;
      case 'search': await viewSearch(parts.slice(1).join('/')); break;
      case 'alerts': await viewAlerts(); break;
      default: throw new Error('no such page');
    }
    document.body.setAttribute('data-view', parts[0] || 'stories');
  } catch (err) {
    if (err instanceof NeedsToken) {
      showTokenForm(err.message);
      document.body.setAttribute('data-view', 'token');
    } else {
      showError(err);
      document.body.setAttribute('data-view', 'error');
    }
  }
  window.scrollTo(0, 0);
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('search-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = document.getElementById('search-q').value.trim();
    if (q) location.hash = route('search', q);
  });
  window.addEventListener('hashchange', render);
  render();
});
