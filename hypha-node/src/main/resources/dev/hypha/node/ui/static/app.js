// Hypha dashboard: plain JavaScript, no framework. Every value from the node is put into the page as text
// (textContent), never as HTML. Amounts arrive as exact decimal strings of a token's smallest units.
'use strict';

const $ = (sel) => document.querySelector(sel);
const state = { token: { symbol: 'units', decimals: 0 }, stakeToken: { symbol: 'HYP', decimals: 18 }, paying: false,
  page: null, tick: null, chat: [], chart: null };

// ---- talking to the node ----------------------------------------------------------------------------------------

function authHeaders() {
  const key = sessionStorage.getItem('hypha-api-key');
  return key ? { Authorization: 'Bearer ' + key } : {};
}

function needKey() {
  $('#key-form').hidden = false;
  $('#key-input').focus();
}

async function api(path) {
  const res = await fetch(path, { headers: authHeaders(), cache: 'no-store' });
  if (res.status === 401) { needKey(); throw new Error('this node wants an API key'); }
  const body = await res.json().catch(() => ({ error: 'answer was not JSON (' + res.status + ')' }));
  if (!res.ok) throw new Error(body.error || ('HTTP ' + res.status));
  return body;
}

function showError(e) { $('#status').textContent = e ? String(e.message || e) : ''; }

// ---- formatting -------------------------------------------------------------------------------------------------

/** Smallest units (decimal string) as the token's amount, exactly (BigInt), with its symbol. */
function amount(units, token = state.token) {
  if (units === null || units === undefined) return '–';
  const v = BigInt(units), d = 10n ** BigInt(token.decimals);
  const neg = v < 0n, a = neg ? -v : v;
  let frac = (a % d).toString().padStart(token.decimals, '0').replace(/0+$/, '');
  if (frac.length > 6) frac = frac.slice(0, 6) + '…';
  return (neg ? '-' : '') + (a / d).toString() + (frac ? '.' + frac : '') + ' ' + token.symbol;
}
const short = (hex) => hex && hex.length > 14 ? hex.slice(0, 8) + '…' + hex.slice(-4) : (hex || '');
const bytes = (n) => n >= 1 << 30 ? (n / (1 << 30)).toFixed(2) + ' GiB' : n >= 1 << 20 ? (n / (1 << 20)).toFixed(1) + ' MiB'
  : n >= 1024 ? (n / 1024).toFixed(1) + ' KiB' : n + ' B';
const count = (n) => Number(n).toLocaleString('en-US');

function cell(tr, text, cls, title) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  if (title) td.title = title;
  tr.appendChild(td);
  return td;
}

function fill(table, rows, empty, build) {
  const body = $(table + ' tbody');
  body.replaceChildren();
  if (rows.length === 0) {
    const tr = body.insertRow();
    const td = cell(tr, empty, 'empty');
    td.colSpan = $(table + ' thead tr').children.length;
    return;
  }
  rows.forEach((r) => build(body.insertRow(), r));
}

// ---- pages ------------------------------------------------------------------------------------------------------
// Each area's panel registers here: { load() } fills its section (id page-<name>). Areas other engineers are adding
// (compute, assets, subnets, agents) add a nav link, a <section id="page-NAME"> and an entry here; until then the
// overview says they do not run on this node, and no page pretends otherwise.

const pages = {
  overview: { load: loadOverview },
  chat: { load: loadChat },
  inference: { load: loadInference },
  models: { load: loadModels },
};

async function loadOverview() {
  // Health is the node's own /health; drawn when it comes, without holding up the rest of the page.
  fetch('/health', { headers: authHeaders() }).then((r) => r.json()).then(showHealth).catch(() => showHealth(null));
  const o = await api('/ui/api/overview');
  state.token = o.token; state.stakeToken = o.stakeToken;
  $('#chain-id').textContent = o.chainId;
  $('#chain-block').textContent = count(o.block);
  $('#chain-time').textContent = new Date(o.blockTime).toLocaleString();
  const roles = $('#roles'); roles.replaceChildren();
  o.roles.forEach((r) => { const li = document.createElement('li'); li.textContent = r; roles.appendChild(li); });
  const areas = $('#areas'); areas.replaceChildren();
  o.areas.forEach((a) => {
    const li = document.createElement('li');
    if (a.present && pages[a.name]) {
      const link = document.createElement('a'); link.href = '#' + a.name; link.textContent = a.name; li.appendChild(link);
    } else {
      li.textContent = a.name + ' — not running on this node'; li.className = 'muted';
    }
    areas.appendChild(li);
  });
  const alerts = $('#alerts'); alerts.replaceChildren();
  if (o.alerts.length === 0) {
    const li = document.createElement('li'); li.textContent = 'No alerts'; li.className = 'ok'; alerts.appendChild(li);
  }
  o.alerts.forEach((a) => { const li = document.createElement('li'); li.textContent = a; li.className = 'warn'; alerts.appendChild(li); });
  fill('#accounts', o.accounts, 'No account of this node holds funds (local-only gateway, no provider).', (tr, a) => {
    cell(tr, a.role); cell(tr, a.address, 'mono');
    cell(tr, amount(a.payment), 'num'); cell(tr, amount(a.inChannels), 'num');
    cell(tr, amount(a.hyp, state.stakeToken), 'num'); cell(tr, amount(a.providerStake, state.stakeToken), 'num');
    cell(tr, a.activeProvider ? 'yes' : 'no');
  });
}

function showHealth(health) {
  const h = $('#node-health');
  if (!health) { h.textContent = 'no answer from /health'; h.className = 'bad'; return; }
  h.textContent = health.status + (health.problem ? ': ' + health.problem : '');
  h.className = health.status === 'ok' ? 'ok' : 'bad';
  $('#node-indexed').textContent = health.indexerPosition == null ? 'not yet' : count(health.indexerPosition);
  $('#node-uptime').textContent = health.uptimeSeconds == null ? '–' : duration(health.uptimeSeconds);
}

function duration(s) {
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  return h ? h + ' h ' + m + ' min' : m ? m + ' min ' + (s % 60) + ' s' : s + ' s';
}

// ---- chat -------------------------------------------------------------------------------------------------------

async function loadChat() {
  const [node, tags, offers, store] = await Promise.all([api('/ui/api/node'), api('/api/tags'), api('/ui/api/offers'),
    api('/ui/api/models')]);
  state.paying = node.paying;
  if (!state.token.decimals) Object.assign(state, await api('/ui/api/overview').then((o) => ({ token: o.token, stakeToken: o.stakeToken })));
  $('#chat-paying').textContent = node.paying
    ? 'Answers are bought from providers on the network and paid through this gateway\'s channels (within `hypha budget`).'
    : 'This gateway answers from the local store only; nothing is paid.';
  const select = $('#chat-model'), chosen = select.value;
  select.replaceChildren();
  const local = new Set(store.models.map((m) => m.name));
  for (const m of tags.models) {
    const live = offers.filter((o) => o.live && (o.model === m.name || o.model + ':latest' === m.name || o.model === m.name + ':latest'));
    const opt = document.createElement('option');
    opt.value = m.name;
    const where = [];
    if (live.length) {
      const cheapest = live.reduce((a, b) => BigInt(a.outputPerMillion) <= BigInt(b.outputPerMillion) ? a : b);
      where.push(live.length + ' offer' + (live.length > 1 ? 's' : '') + ', from ' + amount(cheapest.outputPerMillion) + ' / M out');
    }
    if (local.has(m.name)) where.push(node.paying ? 'also in the local store' : 'local store');
    opt.textContent = m.name + (where.length ? ' (' + where.join('; ') + ')' : '');
    select.appendChild(opt);
  }
  if (tags.models.length === 0) {
    const opt = document.createElement('option'); opt.value = ''; opt.textContent = 'no model served (none offered or stored)';
    select.appendChild(opt);
  }
  if (chosen) select.value = chosen;
}

function message(role, text) {
  const el = document.createElement('article');
  el.className = 'msg ' + role;
  const who = document.createElement('div'); who.className = 'who'; who.textContent = role === 'user' ? 'You' : 'Assistant';
  const body = document.createElement('div'); body.className = 'text'; body.textContent = text;
  const meta = document.createElement('div'); meta.className = 'meta';
  el.append(who, body, meta);
  $('#chat-log').appendChild(el);
  el.scrollIntoView({ block: 'end' });
  return { el, body, meta };
}

function parseOptional(id, what) {
  const text = $(id).value.trim();
  if (!text) return undefined;
  if (id === '#chat-format' && text === 'json') return 'json';
  try { return JSON.parse(text); } catch (e) { throw new Error(what + ' is not valid JSON: ' + e.message); }
}

async function newestReceipt() {
  if (!state.paying) return 0;
  const r = await api('/ui/api/receipts?limit=1');
  return r.length ? r[0].seq : 0;
}

async function sendChat(ev) {
  ev.preventDefault();
  showError(null);
  const input = $('#chat-input'), text = input.value.trim(), model = $('#chat-model').value;
  if (!text || !model) return;
  let format, tools;
  try { format = parseOptional('#chat-format', 'Format'); tools = parseOptional('#chat-tools', 'Tools'); } catch (e) { showError(e); return; }
  const send = $('#chat-send'); send.disabled = true; $('#chat-state').textContent = 'answering…';
  const after = await newestReceipt().catch(() => 0);
  state.chat.push({ role: 'user', content: text });
  message('user', text);
  input.value = '';
  const reply = message('assistant', '');
  reply.el.setAttribute('aria-busy', 'true');
  let answer = '', toolCalls = [], done = null;
  try {
    const body = { model, messages: state.chat, stream: true };
    if (format !== undefined) body.format = format;
    if (tools !== undefined) body.tools = tools;
    const res = await fetch('/api/chat', { method: 'POST', headers: { ...authHeaders(), 'Content-Type': 'application/json' },
      body: JSON.stringify(body) });
    if (res.status === 401) { needKey(); throw new Error('this node wants an API key'); }
    if (!res.ok) throw new Error((await res.json().catch(() => ({}))).error || ('HTTP ' + res.status));
    for await (const line of lines(res)) {
      const part = JSON.parse(line);
      if (part.error) throw new Error(part.error);
      if (part.message && part.message.content) { answer += part.message.content; reply.body.textContent = answer; }
      if (part.message && part.message.tool_calls) toolCalls = toolCalls.concat(part.message.tool_calls);
      if (part.done) done = part;
    }
    const turn = { role: 'assistant', content: answer };
    if (toolCalls.length) {
      turn.tool_calls = toolCalls;
      const pre = document.createElement('pre'); pre.textContent = 'tool calls: ' + JSON.stringify(toolCalls, null, 1);
      reply.el.insertBefore(pre, reply.meta);
    }
    state.chat.push(turn);
    const tokens = done ? (done.prompt_eval_count || 0) + ' tokens in, ' + (done.eval_count || 0) + ' out' : '';
    reply.meta.textContent = tokens;
    if (state.paying) await showReceipts(reply.meta, after, tokens);
    else reply.meta.textContent = tokens + ' · answered locally, nothing paid';
  } catch (e) {
    reply.meta.textContent = 'failed: ' + e.message;
    reply.meta.className = 'meta bad';
    state.chat.pop(); // the question was not answered: do not send it as history
  } finally {
    reply.el.removeAttribute('aria-busy');
    send.disabled = false; $('#chat-state').textContent = '';
  }
}

/** The receipts stored since the message was sent: who answered, what it cost, and the signed receipt itself. */
async function showReceipts(meta, after, tokens) {
  let receipts = [];
  for (let i = 0; i < 10 && receipts.length === 0; i++) {
    receipts = await api('/ui/api/receipts?after=' + after);
    if (receipts.length === 0) await new Promise((r) => setTimeout(r, 200));
  }
  meta.replaceChildren();
  if (receipts.length === 0) { meta.textContent = tokens + ' · no receipt stored for this answer'; return; }
  const total = receipts.reduce((s, r) => s + BigInt(r.price), 0n);
  const line = document.createElement('div');
  const providers = [...new Set(receipts.map((r) => r.provider))];
  line.append('answered by ' + providers.join(', ') + ' · ' + receipts.map((r) => r.tokensIn + ' tokens in, ' + r.tokensOut + ' out').join(' + ') + ' · ');
  const cost = document.createElement('span'); cost.className = 'cost'; cost.textContent = 'paid ' + amount(total.toString());
  line.appendChild(cost);
  const details = document.createElement('details');
  const summary = document.createElement('summary'); summary.textContent = 'Receipt' + (receipts.length > 1 ? 's' : '') + ' (signed by the provider)';
  const pre = document.createElement('pre');
  pre.textContent = JSON.stringify(receipts.map(({ seq, ...r }) => r), null, 1);
  details.append(summary, pre);
  meta.append(line, details);
}

/** The body of a streamed response cut at each {@code separator} ('\n' for NDJSON, '\n\n' for SSE events). */
async function* pieces(res, separator) {
  const reader = res.body.getReader(), decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf(separator)) >= 0) {
      const piece = buffer.slice(0, end).trim(); buffer = buffer.slice(end + separator.length);
      if (piece) yield piece;
    }
  }
  if (buffer.trim()) yield buffer.trim();
}

const lines = (res) => pieces(res, '\n');

// ---- inference --------------------------------------------------------------------------------------------------

async function loadInference() {
  const [offers, channels, spending, receipts, earnings] = await Promise.all([api('/ui/api/offers'), api('/ui/api/channels'),
    api('/ui/api/spending'), api('/ui/api/receipts?limit=20'), api('/ui/api/earnings')]);
  if (!state.token.decimals) { const o = await api('/ui/api/overview'); state.token = o.token; state.stakeToken = o.stakeToken; }
  fill('#offers', offers, 'No provider offers a model on this chain.', (tr, o) => {
    cell(tr, o.model); cell(tr, short(o.provider), 'mono', o.provider);
    cell(tr, amount(o.inputPerMillion), 'num'); cell(tr, amount(o.outputPerMillion), 'num');
    cell(tr, count(o.contextLength), 'num');
    cell(tr, o.live ? 'live' : 'lapsed', o.live ? 'ok' : 'bad', 'until ' + o.liveUntil);
    const s = o.seen;
    cell(tr, s ? s.standing : 'not used yet', s ? (s.standing === 'good' ? 'ok' : 'bad') : 'muted', s && s.lastFault ? 'last fault: ' + s.lastFault : '');
    cell(tr, s ? s.reliabilityPercent + ' %' : '–', 'num', s ? s.answers + ' answers, ' + s.faults + ' faults (decayed)' : '');
    cell(tr, s && s.firstTokenMillis ? s.firstTokenMillis + ' ms' : '–', 'num');
  });
  fill('#channels', channels, 'This gateway has opened no channel yet (it opens one with a provider on its first paid answer).', (tr, c) => {
    cell(tr, short(c.id), 'mono', c.id); cell(tr, short(c.provider), 'mono', c.provider);
    cell(tr, c.status, c.status === 'open' ? 'ok' : 'warn');
    cell(tr, amount(c.deposit), 'num'); cell(tr, amount(c.charged), 'num'); cell(tr, amount(c.signed), 'num');
    cell(tr, amount(c.redeemed), 'num'); cell(tr, amount(c.redeemable), 'num'); cell(tr, c.usedPercent + ' %', 'num');
  });
  $('#earnings-card').hidden = !earnings.present;
  if (earnings.present) {
    $('#earnings-total').textContent = 'Provider ' + earnings.account + ' earned ' + amount(earnings.charged) + '; '
      + amount(earnings.redeemed) + ' redeemed on chain, ' + amount(earnings.toRedeem) + ' to redeem (it redeems when it stops).';
    fill('#earnings', earnings.channels, 'No payer has opened a channel with this provider yet.', (tr, e) => {
      cell(tr, short(e.id), 'mono', e.id); cell(tr, short(e.payer), 'mono', e.payer); cell(tr, amount(e.deposit), 'num');
      cell(tr, amount(e.charged), 'num'); cell(tr, amount(e.bestVoucher), 'num'); cell(tr, amount(e.redeemed), 'num');
      cell(tr, amount(e.toRedeem), 'num');
    });
  }
  drawSpending(spending);
  const pairs = (obj) => Object.entries(obj || {});
  fill('#spend-models', pairs(spending.perModel), 'Nothing spent yet.', (tr, [k, v]) => { cell(tr, k); cell(tr, amount(v), 'num'); });
  fill('#spend-providers', pairs(spending.perProvider), 'Nothing spent yet.', (tr, [k, v]) => { cell(tr, short(k), 'mono', k); cell(tr, amount(v), 'num'); });
  fill('#receipts', receipts.slice().reverse(), spending.paying ? 'No receipt yet.' : 'This gateway answers locally: no receipts.', (tr, r) => {
    cell(tr, new Date(r.at).toLocaleString()); cell(tr, r.model); cell(tr, short(r.provider), 'mono', r.provider);
    cell(tr, r.tokensIn, 'num'); cell(tr, r.tokensOut, 'num'); cell(tr, amount(r.price), 'num');
  });
}

const COLOURS = ['#1d4ed8', '#b45309', '#047857', '#9d174d', '#6d28d9', '#0e7490', '#4d7c0f', '#be123c'];

/** Cumulative spending per model and provider: one step line each, all on the union of receipt times. */
function drawSpending(spending) {
  const box = $('#spend-chart');
  if (state.chart) { state.chart.destroy(); state.chart = null; }
  box.replaceChildren();
  if (!spending.series.length || typeof uPlot === 'undefined') {
    const p = document.createElement('p'); p.className = 'empty';
    p.textContent = spending.paying ? 'Nothing spent yet.' : 'This gateway answers locally: nothing is spent.';
    box.appendChild(p);
    return;
  }
  const scale = 10 ** state.token.decimals; // display only: exact sums are in the tables below
  const receiptTimes = [...new Set(spending.series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  // Spending was 0 before the first receipt shown: start every line there, a minute earlier (so one receipt is a step).
  const times = [receiptTimes[0] - 60000].concat(receiptTimes);
  const data = [times.map((t) => t / 1000)];
  for (const s of spending.series) {
    const at = new Map(s.points.map((p) => [p[0], Number(p[1]) / scale]));
    let last = s.points.length === 0 ? null : 0;
    data.push(times.map((t) => { if (at.has(t)) last = at.get(t); return last; }));
  }
  const width = Math.max(260, box.clientWidth || 600);
  state.chart = new uPlot({
    width, height: 240,
    // One receipt alone would give a zero-width time range: show a minute either side. Spending starts at 0.
    scales: { x: { time: true },
      y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [{}, { label: state.token.symbol, size: 80, values: (u, vals) => vals.map((v) => +v.toPrecision(3)) }],
    series: [{}].concat(spending.series.map((s, i) => ({
      label: s.model + ' @ ' + short(s.provider), stroke: COLOURS[i % COLOURS.length], width: 2,
      paths: uPlot.paths.stepped({ align: 1 }), points: { show: true },
      value: (u, v) => v == null ? '–' : v.toFixed(6) + ' ' + state.token.symbol,
    }))),
  }, data, box);
}

// ---- models -----------------------------------------------------------------------------------------------------

async function loadModels() {
  const m = await api('/ui/api/models');
  fill('#models', m.models, 'The local store holds no model (`hypha model import FILE NAME` or pull one below).', (tr, x) => {
    cell(tr, x.name); cell(tr, bytes(x.size), 'num'); cell(tr, x.architecture); cell(tr, count(x.parameters), 'num');
    cell(tr, x.quantization); cell(tr, x.contextLength ? count(x.contextLength) : '–', 'num'); cell(tr, short(x.cid), 'mono', x.cid);
  });
  fill('#pulls', m.pulls, 'No pull is running or waiting to be resumed.', (tr, p) => {
    cell(tr, short(p.cid), 'mono', p.cid); cell(tr, bytes(p.size), 'num');
    cell(tr, bytes(p.completed) + ' (' + (p.size ? Math.floor(100 * p.completed / p.size) : 100) + ' %)', 'num');
  });
}

async function pull(ev) {
  ev.preventDefault();
  const name = $('#pull-name').value.trim(), bar = $('#pull-progress'), out = $('#pull-state');
  if (!name) return;
  bar.hidden = false; bar.value = 0; out.textContent = 'starting…'; out.className = '';
  try {
    const res = await fetch('/api/pull', { method: 'POST', headers: { ...authHeaders(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: name, stream: true }) });
    if (res.status === 401) { needKey(); throw new Error('this node wants an API key'); }
    for await (const line of lines(res)) {
      const s = JSON.parse(line);
      if (s.error) throw new Error(s.error);
      if (s.total) { bar.max = s.total; bar.value = s.completed || 0; out.textContent = s.status + ': ' + bytes(s.completed || 0) + ' of ' + bytes(s.total); }
      else out.textContent = s.status;
    }
    loadModels().catch(showError);
  } catch (e) {
    out.textContent = 'failed: ' + e.message; out.className = 'bad';
  }
}

// ---- navigation and live updates ---------------------------------------------------------------------------------

function show(name) {
  if (!pages[name]) name = 'overview';
  state.page = name;
  document.querySelectorAll('.page').forEach((s) => { s.hidden = s.id !== 'page-' + name; });
  document.querySelectorAll('#nav a').forEach((a) => {
    if (a.dataset.page === name) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  });
  document.title = 'Hypha node · ' + name;
  refresh();
}

function refresh() {
  showError(null);
  pages[state.page].load().catch(showError);
}

/** Server-sent events read with fetch (EventSource cannot send the API key). Reconnects after a pause. */
async function live() {
  for (;;) {
    try {
      const res = await fetch('/ui/api/events', { headers: { ...authHeaders(), Accept: 'text/event-stream' }, cache: 'no-store' });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      $('#live-dot').classList.add('on');
      for await (const block of pieces(res, '\n\n')) {
        const event = (block.match(/^event: ?(.*)$/m) || [])[1];
        const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
        if (event === 'tick' && data) onTick(JSON.parse(data));
      }
    } catch (e) { /* shown as the grey dot; try again */ }
    $('#live-dot').classList.remove('on');
    $('#live-text').textContent = 'reconnecting…';
    await new Promise((r) => setTimeout(r, 5000));
  }
}

function onTick(t) {
  if (t.error) { $('#live-text').textContent = t.error; return; }
  $('#live-text').textContent = 'block ' + count(t.block) + ' · ' + t.liveOffers + ' live offer' + (t.liveOffers === 1 ? '' : 's');
  const prev = state.tick; state.tick = t;
  if (!prev || state.page === 'chat') return; // the chat page updates itself per message; never reset a typed question
  const changed = (k) => prev[k] !== t[k];
  if (state.page === 'overview' && (changed('block') || changed('receipts'))) refresh();
  if (state.page === 'inference' && (changed('receipts') || changed('liveOffers'))) refresh();
  if (state.page === 'models' && (changed('models') || changed('partialPulls'))) refresh();
}

document.addEventListener('DOMContentLoaded', () => {
  $('#chat-form').addEventListener('submit', sendChat);
  $('#chat-input').addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) $('#chat-form').requestSubmit(); });
  $('#chat-new').addEventListener('click', () => { state.chat = []; $('#chat-log').replaceChildren(); $('#chat-input').focus(); });
  $('#pull-form').addEventListener('submit', pull);
  $('#key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem('hypha-api-key', $('#key-input').value.trim());
    $('#key-input').value = ''; $('#key-form').hidden = true;
    refresh();
  });
  window.addEventListener('hashchange', () => { show(location.hash.slice(1)); $('#main').focus(); });
  show(location.hash.slice(1));
  live();
});
