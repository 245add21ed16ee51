// Hypha dashboard: plain JavaScript, no framework. Every value from the node is put into the page as text
// (textContent), never as HTML. Amounts arrive as exact decimal strings of a token's smallest units.
'use strict';

const $ = (sel) => document.querySelector(sel);
const state = { token: { symbol: 'units', decimals: 0 }, stakeToken: { symbol: 'HYP', decimals: 18 }, paying: false,
  page: null, tick: null, chat: [], chart: null, earnChart: null, jobCharts: [] };

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

/** POSTs JSON to one of the node's actions; the answer's error names what was wrong. */
async function postJson(path, body) {
  const res = await fetch(path, { method: 'POST', cache: 'no-store',
    headers: { ...authHeaders(), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status === 401) { needKey(); throw new Error('this node wants an API key'); }
  const answer = await res.json().catch(() => ({ error: 'answer was not JSON (' + res.status + ')' }));
  if (!res.ok) throw new Error(answer.error || ('HTTP ' + res.status));
  return answer;
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
/** A decimal string of smallest units that may have a fraction (a price per second) as the token's amount, exactly. */
function fractionalAmount(text, token = state.token) {
  const [i, f = ''] = text.split('.');
  const digits = (i + f).replace(/^0+/, ''), scale = f.length + token.decimals;
  if (!digits) return '0 ' + token.symbol;
  const padded = digits.padStart(scale + 1, '0');
  const frac = padded.slice(padded.length - scale).replace(/0+$/, '');
  return padded.slice(0, padded.length - scale) + (frac ? '.' + frac : '') + ' ' + token.symbol;
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
  compute: { load: loadCompute },
  assets: { load: loadAssets },
  subnets: { load: loadSubnets },
  agents: { load: loadAgents },
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
  showFundForm(offers).catch(showError);
  $('#earnings-card').hidden = !earnings.present;
  if (earnings.present) {
    $('#earnings-total').textContent = 'Provider ' + earnings.account + ' earned ' + amount(earnings.charged) + '; '
      + amount(earnings.redeemed) + ' redeemed on chain, ' + amount(earnings.toRedeem) + ' to redeem (it redeems when it stops).';
    fill('#earnings', earnings.channels, 'No payer has opened a channel with this provider yet.', (tr, e) => {
      cell(tr, short(e.id), 'mono', e.id); cell(tr, short(e.payer), 'mono', e.payer); cell(tr, amount(e.deposit), 'num');
      cell(tr, amount(e.charged), 'num'); cell(tr, amount(e.bestVoucher), 'num'); cell(tr, amount(e.redeemed), 'num');
      cell(tr, amount(e.toRedeem), 'num');
    });
    drawEarnings(earnings.overTime);
    fill('#earn-models', earnings.overTime.models, 'Nothing earned in the last 24 hours.', (tr, m) => {
      cell(tr, m.model, '', m.modelId); cell(tr, count(m.charges), 'num'); cell(tr, count(m.tokensIn), 'num');
      cell(tr, count(m.tokensOut), 'num'); cell(tr, amount(m.total), 'num');
    });
    const cut = $('#earn-truncated');
    cut.hidden = !earnings.overTime.truncated;
    cut.textContent = earnings.overTime.truncated ? 'Only the newest ' + count(earnings.overTime.charges)
      + ' charges of the last 24 hours are shown (the totals above count them all).' : '';
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

/** Cumulative earnings per model over the window, a step line each on the union of bucket starts (as spending). */
function drawEarnings(overTime) {
  const box = $('#earn-chart');
  if (state.earnChart) { state.earnChart.destroy(); state.earnChart = null; }
  box.replaceChildren();
  if (!overTime.models.length || typeof uPlot === 'undefined') {
    const p = document.createElement('p'); p.className = 'empty';
    p.textContent = 'Nothing earned in the last 24 hours.';
    box.appendChild(p);
    return;
  }
  const scale = 10 ** state.token.decimals; // display only: exact sums are in the table below
  const starts = [...new Set(overTime.models.flatMap((m) => m.points.map((p) => p[0])))].sort((a, b) => a - b);
  // Nothing was earned before the first bucket shown: every line starts at 0 one bucket earlier.
  const times = [starts[0] - overTime.bucketMillis].concat(starts);
  const data = [times.map((t) => t / 1000)];
  for (const m of overTime.models) {
    const at = new Map(m.points.map((p) => [p[0], Number(p[1]) / scale]));
    let last = 0;
    data.push(times.map((t) => { if (at.has(t)) last = at.get(t); return last; }));
  }
  const width = Math.max(260, box.clientWidth || 600);
  state.earnChart = new uPlot({
    width, height: 240,
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [{}, { label: state.token.symbol, size: 80, values: (u, vals) => vals.map((v) => +v.toPrecision(3)) }],
    series: [{}].concat(overTime.models.map((m, i) => ({
      label: m.model, stroke: COLOURS[i % COLOURS.length], width: 2,
      paths: uPlot.paths.stepped({ align: 1 }), points: { show: true },
      value: (u, v) => v == null ? '–' : v.toFixed(6) + ' ' + state.token.symbol,
    }))),
  }, data, box);
}

// ---- funding a channel (an action that spends: quote, then confirm) -----------------------------------------------

async function showFundForm(offers) {
  const node = await api('/ui/api/node');
  $('#fund-form').hidden = !node.canFundChannels;
  document.querySelectorAll('.fund-symbol').forEach((e) => { e.textContent = state.token.symbol; });
  const list = $('#fund-providers'); list.replaceChildren();
  [...new Set(offers.map((o) => o.provider))].forEach((p) => {
    const o = document.createElement('option'); o.value = p; list.appendChild(o);
  });
}

/** A decimal amount of the token as its smallest units (exact, BigInt); null when it is not one. */
function units(text, decimals) {
  const m = /^(\d{1,30})(?:\.(\d+))?$/.exec(text.trim());
  if (!m || (m[2] || '').length > decimals) return null;
  return (BigInt(m[1]) * 10n ** BigInt(decimals) + BigInt((m[2] || '').padEnd(decimals, '0') || '0')).toString();
}

async function quoteFunding(ev) {
  ev.preventDefault();
  const say = $('#fund-state');
  $('#fund-confirm').hidden = true; state.fundQuote = null;
  const amountUnits = units($('#fund-amount').value, state.token.decimals);
  if (!amountUnits || amountUnits === '0') {
    say.textContent = 'The deposit must be a positive amount of ' + state.token.symbol + ' with at most '
      + state.token.decimals + ' decimals.';
    say.className = 'bad'; return;
  }
  try {
    const q = await postJson('/ui/api/actions/channel/quote', { provider: $('#fund-provider').value.trim(), amount: amountUnits });
    state.fundQuote = q;
    $('#fund-action').textContent = q.action === 'open' ? 'Open a new channel to ' + q.provider : 'Top up the open channel to ' + q.provider;
    $('#fund-channel').textContent = q.channel;
    $('#fund-cost').textContent = amount(q.amount) + ' (plus gas)';
    $('#fund-deposit').textContent = amount(q.depositBefore) + ' → ' + amount(q.depositAfter);
    $('#fund-payer').textContent = q.payer;
    $('#fund-balance').textContent = amount(q.balance);
    $('#fund-budget').textContent = amount(q.budgetLeft);
    $('#fund-unlock').textContent = q.unlock;
    say.textContent = 'Check the cost, then confirm within ' + q.expiresInSeconds + ' s.'; say.className = '';
    $('#fund-confirm').hidden = false;
    $('#fund-send').focus();
  } catch (e) { say.textContent = 'Not possible: ' + e.message; say.className = 'bad'; }
}

async function confirmFunding() {
  const q = state.fundQuote, say = $('#fund-state');
  if (!q) return;
  state.fundQuote = null;
  $('#fund-send').disabled = true;
  say.textContent = 'Sending…'; say.className = '';
  try {
    const done = await postJson('/ui/api/actions/channel/confirm', { confirm: q.confirm });
    say.textContent = (done.action === 'opened' ? 'Opened' : 'Topped up') + ' channel ' + done.channel + ': its deposit is now '
      + amount(done.deposit) + '.';
    say.className = 'ok';
    $('#fund-confirm').hidden = true;
    refresh();
  } catch (e) { say.textContent = 'Failed: ' + e.message; say.className = 'bad'; }
  $('#fund-send').disabled = false;
}

function cancelFunding() {
  state.fundQuote = null; $('#fund-confirm').hidden = true;
  $('#fund-state').textContent = 'Cancelled; nothing was sent.'; $('#fund-state').className = '';
  $('#fund-amount').focus();
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

// ---- compute ----------------------------------------------------------------------------------------------------

const when = (epochSeconds) => epochSeconds ? new Date(epochSeconds * 1000).toLocaleString() : '–';
const resources = (r) => r.cores + ' core' + (r.cores === 1 ? '' : 's') + ', ' + count(r.memoryMiB) + ' MiB'
  + (r.accelerators ? ', ' + r.accelerators + ' accelerator' + (r.accelerators === 1 ? '' : 's') : '');

async function loadCompute() {
  const c = await api('/ui/api/compute');
  if (!state.token.decimals) { const o = await api('/ui/api/overview'); state.token = o.token; state.stakeToken = o.stakeToken; }
  $('#compute-absent').hidden = c.present;
  if (!c.present) { $('#train-form').hidden = true; return; }
  await showTrainingForm();
  drawJobs(c.jobs);
  const leases = c.orders.filter((o) => o.lease);
  fill('#leases', leases, 'No order on the market has been leased yet.', (tr, o) => {
    const l = o.lease;
    cell(tr, '#' + o.id + (o.thisNode ? ' (this node)' : '')); cell(tr, short(l.provider), 'mono', l.provider);
    cell(tr, o.state === 'LEASED' ? 'running' : 'closed (' + (o.closeReason || '').toLowerCase() + ')', o.state === 'LEASED' ? 'ok' : 'muted');
    cell(tr, amount(l.pricePerHour), 'num'); cell(tr, amount(l.paid), 'num');
    cell(tr, l.owed === undefined ? '–' : amount(l.owed), 'num'); cell(tr, amount(o.held), 'num');
    if (l.secondsLeft === undefined) cell(tr, '–', 'num');
    else cell(tr, l.secondsLeft <= 0 ? 'ran dry' : duration(l.secondsLeft), 'num ' + (l.secondsLeft < 3600 ? 'warn' : ''),
      'funded until ' + when(l.fundedUntil));
    cell(tr, l.commitments ? String(l.commitments.count) : '–', 'num');
  });
  $('#orders-total').textContent = '(newest ' + c.orders.length + ' of ' + c.ordersTotal + ')';
  fill('#orders', c.orders, 'Nobody has posted a training order yet (`hypha train submit`).', (tr, o) => {
    cell(tr, '#' + o.id); cell(tr, short(o.tenant), 'mono', o.tenant); cell(tr, o.state.toLowerCase());
    cell(tr, resources(o.needs)); cell(tr, amount(o.maxPricePerHour), 'num'); cell(tr, amount(o.held), 'num');
    cell(tr, String(o.bidCount), 'num'); cell(tr, when(o.bidsCloseAt));
  });
  const bids = c.orders.flatMap((o) => o.bids.map((b) => ({ order: o.id, accepted: o.lease && o.lease.provider === b.provider, ...b })));
  fill('#bids', bids, 'No provider has bid on these orders.', (tr, b) => {
    cell(tr, '#' + b.order); cell(tr, short(b.provider), 'mono', b.provider); cell(tr, amount(b.pricePerHour), 'num');
    cell(tr, resources(b.offered) + (b.attestedBy ? ' (attested by ' + short(b.attestedBy) + ')' : ''), '', b.attestedBy || '');
    cell(tr, b.withdrawn ? 'withdrawn' : b.accepted ? 'leased' : 'open', b.accepted ? 'ok' : '');
  });
  const commitments = leases.flatMap((o) => (o.lease.commitments ? o.lease.commitments.newest : []).map((x) => ({ order: o.id, ...x })));
  fill('#commitments', commitments, 'No lease has committed a training state yet.', (tr, x) => {
    cell(tr, '#' + x.order); cell(tr, String(x.index), 'num'); cell(tr, count(x.step), 'num');
    cell(tr, short(x.root), 'mono', x.root); cell(tr, when(x.time));
  });
  $('#disputes-total').textContent = c.disputesTotal === undefined ? '(no TrainingVerifier in this deployment)' : '(' + c.disputesTotal + ' in all)';
  fill('#disputes', c.disputes, 'No commitment has been disputed.', (tr, d) => {
    cell(tr, '#' + d.id); cell(tr, '#' + d.order); cell(tr, short(d.provider), 'mono', d.provider);
    cell(tr, short(d.challenger), 'mono', d.challenger); cell(tr, String(d.commitmentIndex), 'num');
    cell(tr, d.phase.toLowerCase()); cell(tr, d.lo + '..' + d.hi);
    cell(tr, d.outcome === 'NONE' ? 'open until ' + when(d.deadline) : d.outcome.toLowerCase().replace('_', ' '),
      d.outcome === 'NONE' ? 'warn' : '');
    cell(tr, d.votesProvider + ' / ' + d.votesChallenger + ' / ' + d.votesOther, 'num');
  });
}

// ---- ordering a training job (the second action that spends: quote, then confirm, as funding a channel) ----------

async function showTrainingForm() {
  const t = await api('/ui/api/training');
  $('#train-form').hidden = !t.available;
  if (!t.available) return;
  document.querySelectorAll('.train-symbol').forEach((e) => { e.textContent = state.token.symbol; });
  const select = $('#train-spec'), chosen = select.value;
  if (select.options.length !== t.specs.length) {
    select.replaceChildren(...t.specs.map((x) => { const o = document.createElement('option'); o.value = x.name; o.textContent = x.name; return o; }));
    if (chosen) select.value = chosen;
  }
  state.trainSpecs = t.specs;
  describeSpec();
  fill('#train-placed', t.placed, 'No order placed from this page yet.', (tr, p) => {
    tr.dataset.order = p.order;
    cell(tr, '#' + p.order); cell(tr, p.spec); cell(tr, amount(p.deposit), 'num');
    cell(tr, p.state, p.state === 'failed' || p.state === 'stalled' ? 'bad' : p.state === 'running' ? 'ok' : '');
    cell(tr, p.message);
  });
}

function describeSpec() {
  const x = (state.trainSpecs || []).find((s) => s.name === $('#train-spec').value);
  $('#train-spec-info').textContent = !x ? '' : count(x.steps) + ' steps of batch ' + x.batch + ', ' + count(x.parameters)
    + ' parameters, on dataset ' + short(x.dataset) + (x.datasetInStore ? ' (in this node\'s store)'
    : ' (not in this node\'s store: run hypha dataset import fashion-mnist first)');
}

async function quoteTraining(ev) {
  ev.preventDefault();
  const say = $('#train-state');
  $('#train-confirm').hidden = true; state.trainQuote = null;
  const price = units($('#train-price').value, state.token.decimals), deposit = units($('#train-deposit').value, state.token.decimals);
  if (!price || price === '0' || !deposit || deposit === '0') {
    say.textContent = 'The price and the deposit must be positive amounts of ' + state.token.symbol + ' with at most '
      + state.token.decimals + ' decimals.';
    say.className = 'bad'; return;
  }
  try {
    const q = await postJson('/ui/api/actions/training/quote', { spec: $('#train-spec').value, maxPricePerHour: price, deposit });
    state.trainQuote = q;
    $('#train-action').textContent = 'Order ' + q.spec + ' (' + count(q.steps) + ' steps) on ComputeMarket; bids close '
      + q.bidWindowSeconds + ' s after the order';
    $('#train-escrow').textContent = amount(q.deposit) + ' (refunded, less what a lease used, when it ends)';
    $('#train-rate').textContent = amount(q.maxPricePerHour);
    $('#train-rate-second').textContent = fractionalAmount(q.maxPricePerSecond);
    $('#train-duration').textContent = duration(Number(q.fundedSeconds)) + ' of lease at that price';
    $('#train-needs').textContent = resources(q.needs);
    $('#train-tenant').textContent = q.tenant;
    $('#train-balance').textContent = amount(q.balance) + ' → ' + amount(q.balanceAfter);
    $('#train-unlock').textContent = q.unlock;
    say.textContent = 'Check the cost, then confirm within ' + q.expiresInSeconds + ' s.'; say.className = '';
    $('#train-confirm').hidden = false;
    $('#train-send').focus();
  } catch (e) { say.textContent = 'Not possible: ' + e.message; say.className = 'bad'; }
}

async function confirmTraining() {
  const q = state.trainQuote, say = $('#train-state');
  if (!q) return;
  state.trainQuote = null;
  $('#train-send').disabled = true;
  say.textContent = 'Sending…'; say.className = '';
  try {
    const done = await postJson('/ui/api/actions/training/confirm', { confirm: q.confirm });
    say.textContent = 'Ordered: order #' + done.order + ' holds ' + amount(done.deposit) + '; waiting for bids.';
    say.className = 'ok';
    $('#train-confirm').hidden = true;
    refresh();
  } catch (e) { say.textContent = 'Failed: ' + e.message; say.className = 'bad'; }
  $('#train-send').disabled = false;
}

function cancelTraining() {
  state.trainQuote = null; $('#train-confirm').hidden = true;
  $('#train-state').textContent = 'Cancelled; nothing was sent.'; $('#train-state').className = '';
  $('#train-deposit').focus();
}

/** The loss of the newest reported step (the record's loss is only saved at checkpoints). */
function lastLoss(j) {
  const p = j.points.length ? j.points[j.points.length - 1][1] : j.loss;
  return p === undefined || p === null ? null : p;
}

/** One card per job, with its loss and throughput per step (uPlot, x = step). */
function drawJobs(jobs) {
  (state.jobCharts || []).forEach((c) => c.destroy());
  state.jobCharts = [];
  const box = $('#jobs');
  box.replaceChildren();
  if (jobs.length === 0) {
    const p = document.createElement('p'); p.className = 'muted';
    p.textContent = 'No compute provider runs on this home (start one with `hypha compute offer`), or it has no job yet.';
    box.appendChild(p);
    return;
  }
  for (const j of jobs) {
    const card = document.createElement('article'); card.className = 'job'; card.dataset.order = j.order;
    const h = document.createElement('h3');
    h.textContent = 'Order #' + j.order + ' · ' + j.state.toLowerCase() + (j.steps ? ' · step ' + count(j.lastStep || j.step) + ' of ' + count(j.steps) : '')
      + (lastLoss(j) !== null ? ' · loss ' + lastLoss(j).toFixed(4) : '');
    card.appendChild(h);
    if (j.message) { const m = document.createElement('p'); m.className = 'muted'; m.textContent = j.message; card.appendChild(m); }
    if (j.result) { const m = document.createElement('p'); m.textContent = 'Model: '; const c = document.createElement('code'); c.textContent = j.result; m.appendChild(c); card.appendChild(m); }
    box.appendChild(card);
    if (j.points.length === 0 || typeof uPlot === 'undefined') {
      const p = document.createElement('p'); p.className = 'muted'; p.textContent = 'No step reported yet.'; card.appendChild(p);
      continue;
    }
    const charts = document.createElement('div'); charts.className = 'charts'; card.appendChild(charts);
    const steps = j.points.map((p) => p[0]);
    const curve = (label, values, colour, unit, cls) => {
      const div = document.createElement('div'); div.className = 'chart ' + cls; div.setAttribute('role', 'img');
      div.setAttribute('aria-label', label + ' of order ' + j.order + ' over ' + steps.length + ' reported steps, last ' + values[values.length - 1]);
      charts.appendChild(div);
      const width = Math.max(240, Math.min(560, (box.clientWidth || 600) / 2 - 30));
      state.jobCharts.push(new uPlot({
        width, height: 180, scales: { x: { time: false } },
        axes: [{ label: 'step' }, { label: unit, size: 60, values: (u, vals) => vals.map((v) => +v.toPrecision(3)) }],
        series: [{ label: 'step' }, { label, stroke: colour, width: 2, points: { show: steps.length < 60 },
          value: (u, v) => v == null ? '–' : (+v.toPrecision(5)) + ' ' + unit }],
      }, [steps, values], div));
    };
    curve('loss', j.points.map((p) => p[1]), COLOURS[0], 'loss', 'loss-chart');
    curve('throughput', j.points.map((p) => p[2]), COLOURS[2], 'samples/s', 'throughput-chart');
  }
}

// ---- data and lineage --------------------------------------------------------------------------------------------

/** An amount in a token the page knows (the payment token), else the raw units and the token's address. */
function tokenAmount(units, token) {
  if (state.token.address && token === state.token.address) return amount(units);
  return units + ' units of ' + short(token);
}

async function loadAssets() {
  const a = await api('/ui/api/assets');
  if (!state.token.decimals) { const o = await api('/ui/api/overview'); state.token = o.token; state.stakeToken = o.stakeToken; }
  $('#assets-absent').hidden = a.present;
  if (!a.present) return;
  drawLineage(a);
  const edges = a.assets.flatMap((x) => x.parents.map((p) => ({ child: x.id, parent: p.id, shareBps: p.shareBps })));
  fill('#lineage-edges', edges, 'No registered asset names a parent.', (tr, e) => {
    cell(tr, '#' + e.child); cell(tr, '#' + e.parent); cell(tr, (e.shareBps / 100).toFixed(2) + ' %', 'num');
  });
  $('#assets-total').textContent = '(newest ' + a.assets.length + ' of ' + a.assetsTotal + ')';
  fill('#assets', a.assets, 'No dataset or model is registered (`hypha model register FILE --license SPDX`).', (tr, x) => {
    cell(tr, '#' + x.id); cell(tr, x.kind.toLowerCase()); cell(tr, x.licence.spdx);
    cell(tr, x.licence.terms.toLowerCase().replace(/_/g, ' '));
    cell(tr, x.licence.price === '0' ? '–' : tokenAmount(x.licence.price, x.licence.token), 'num');
    cell(tr, (x.previousVersion ? 'after #' + x.previousVersion : 'first') + (x.nextVersion ? ', superseded by #' + x.nextVersion : ', newest'));
    cell(tr, x.status.toLowerCase(), x.status === 'ACTIVE' ? 'ok' : 'warn');
    cell(tr, short(x.owner), 'mono', x.owner); cell(tr, short(x.cid), 'mono', x.cid);
  });
  fill('#grants', a.grants, a.indexed ? 'No access has been granted.' : 'This node keeps no event index: grants cannot be listed.', (tr, g) => {
    cell(tr, '#' + g.asset); cell(tr, short(g.grantee), 'mono', g.grantee); cell(tr, g.kind);
    cell(tr, String(g.epoch), 'num'); cell(tr, count(g.block), 'num');
    cell(tr, g.active ? 'yes' : 'no (revoked or key rotated)', g.active ? 'ok' : 'muted');
  });
  fill('#royalties', a.royalties, a.indexed ? 'No royalty has been credited yet (`hypha royalties pay ID AMOUNT`).'
    : 'This node keeps no event index: royalty balances cannot be listed.', (tr, r) => {
    cell(tr, r.account, 'mono'); cell(tr, tokenAmount(r.balance, r.token), 'num');
  });
  fill('#pools', a.pools, 'No data pool is open.', (tr, p) => {
    cell(tr, '#' + p.id); cell(tr, short(p.owner), 'mono', p.owner); cell(tr, String(p.contributions), 'num');
    cell(tr, tokenAmount(p.deposited, p.token), 'num'); cell(tr, tokenAmount(p.claimed, p.token), 'num');
    cell(tr, when(p.contributionsEnd)); cell(tr, when(p.scoringEnd));
  });
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(name, attrs, parent) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (parent) parent.appendChild(el);
  return el;
}

/**
 * The lineage as a layered graph drawn by hand in SVG (a few dozen nodes; a layout library would outweigh the page):
 * an asset's row is one below its deepest parent (parents always have smaller ids, so one pass in id order is
 * enough), assets in a row sorted by id; arrows run from parent to child with the parent's share, dashed arrows from
 * a version to the next.
 */
function drawLineage(a) {
  const box = $('#lineage');
  box.replaceChildren();
  const byId = new Map(a.assets.map((x) => [x.id, x]));
  const ids = [...a.olderParents, ...a.assets.map((x) => x.id)].sort((p, q) => p - q);
  if (ids.length === 0) {
    const p = document.createElement('p'); p.className = 'muted'; p.textContent = 'Nothing registered yet.'; box.appendChild(p);
    return;
  }
  const depth = new Map();
  for (const id of ids) {
    const x = byId.get(id);
    const parents = x ? x.parents.map((p) => p.id).concat(x.previousVersion ? [x.previousVersion] : []) : [];
    depth.set(id, parents.reduce((d, p) => Math.max(d, depth.has(p) ? depth.get(p) + 1 : 0), 0));
  }
  const rows = [];
  for (const id of ids) { const d = depth.get(id); (rows[d] = rows[d] || []).push(id); }
  const W = 168, H = 46, GX = 24, GY = 56, PAD = 12, BULGE = 120;
  const widest = Math.max(...rows.map((r) => r.length));
  const skips = a.assets.some((x) => x.parents.map((p) => p.id).concat(x.previousVersion ? [x.previousVersion] : [])
    .some((p) => depth.get(x.id) - depth.get(p) > 1));
  // an arrow that skips rows bends out to the right of the nodes between: leave room for it
  const width = PAD * 2 + widest * W + (widest - 1) * GX + (skips ? BULGE : 0);
  const height = PAD * 2 + rows.length * H + (rows.length - 1) * GY;
  const inner = width - (skips ? BULGE : 0);
  const at = new Map();
  rows.forEach((row, d) => {
    const offset = (inner - (row.length * W + (row.length - 1) * GX)) / 2;
    row.forEach((id, i) => at.set(id, { x: offset + i * (W + GX), y: PAD + d * (H + GY) }));
  });
  const root = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, width, height, role: 'img', 'aria-labelledby': 'lineage-title' }, box);
  svg('title', { id: 'lineage-title' }, root).textContent = 'Lineage of ' + a.assets.length + ' registered assets: '
    + a.assets.filter((x) => x.parents.length).map((x) => '#' + x.id + ' built from ' + x.parents.map((p) => '#' + p.id).join(' and ')).join('; ');
  const defs = svg('defs', {}, root);
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, defs);
  svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#4a5363' }, marker);
  const edge = (from, to, cls, label) => {
    const p = at.get(from), c = at.get(to);
    if (!p || !c) return;
    const x1 = p.x + W / 2, y1 = p.y + H, x2 = c.x + W / 2, y2 = c.y, my = (y1 + y2) / 2;
    if (c.y - p.y > H + GY) {
      // skips a row: leave the parent's right side, pass right of the rows between, enter the child's right side
      const sx = p.x + W, sy = p.y + H / 2, ex = c.x + W, ey = c.y + H / 2, bx = Math.max(sx, ex) + BULGE * 0.8;
      svg('path', { class: 'edge ' + cls, d: `M ${sx} ${sy} C ${bx} ${sy}, ${bx} ${ey}, ${ex} ${ey}`, 'marker-end': 'url(#arrow)' }, root);
      // the curve's farthest point is a quarter of the way from the nodes' side to bx; the label goes just beyond it
      if (label) { const t = svg('text', { class: 'share', x: 0.25 * (sx + ex) / 2 + 0.75 * bx + 4, y: (sy + ey) / 2 + 4 }, root); t.textContent = label; }
      return;
    }
    svg('path', { class: 'edge ' + cls, d: `M ${x1} ${y1} C ${x1} ${my}, ${x2} ${my}, ${x2} ${y2}`, 'marker-end': 'url(#arrow)' }, root);
    if (label) {
      const t = svg('text', { class: 'share', x: (x1 + x2) / 2 + 4, y: my - 2 }, root); t.textContent = label;
    }
  };
  for (const x of a.assets) {
    x.parents.forEach((p) => edge(p.id, x.id, 'parent', (p.shareBps / 100).toFixed(p.shareBps % 100 ? 2 : 0) + ' %'));
    if (x.previousVersion) edge(x.previousVersion, x.id, 'version', 'next version');
  }
  for (const id of ids) {
    const x = byId.get(id), p = at.get(id);
    const g = svg('g', { class: 'node ' + (x ? x.kind.toLowerCase() : 'older'), transform: `translate(${p.x} ${p.y})`, tabindex: 0,
      'data-asset': id }, root);
    svg('title', {}, g).textContent = x ? '#' + id + ' ' + x.kind.toLowerCase() + ', ' + x.licence.spdx + ', ' + x.status.toLowerCase()
      + ', content ' + x.cid : '#' + id + ' (older than the assets listed)';
    svg('rect', { width: W, height: H, rx: 6 }, g);
    const t1 = svg('text', { x: 8, y: 18 }, g); t1.textContent = '#' + id + (x ? ' · ' + x.kind.toLowerCase() : ' · older');
    const t2 = svg('text', { x: 8, y: 36 }, g);
    t2.textContent = x ? (x.licence.spdx.length > 18 ? x.licence.spdx.slice(0, 17) + '…' : x.licence.spdx) + ' · ' + short(x.cid).slice(0, 9) : '';
  }
}

// ---- subnets ----------------------------------------------------------------------------------------------------

/** A table with a caption and column headers, for panels drawn per item (each has its own rows). */
function table(caption, headers, numeric) {
  const wrap = document.createElement('div'); wrap.className = 'scroll';
  const t = document.createElement('table'); wrap.appendChild(t);
  const c = document.createElement('caption'); c.textContent = caption; t.appendChild(c);
  const tr = t.createTHead().insertRow();
  headers.forEach((h, i) => {
    const th = document.createElement('th'); th.scope = 'col'; th.textContent = h;
    if (numeric.includes(i)) th.className = 'num';
    tr.appendChild(th);
  });
  t.createTBody();
  return { wrap, t, body: t.tBodies[0] };
}

async function loadSubnets() {
  const s = await api('/ui/api/subnets');
  if (!state.token.decimals) { const o = await api('/ui/api/overview'); state.token = o.token; state.stakeToken = o.stakeToken; }
  $('#subnets-absent').hidden = s.present;
  if (!s.present) { fill('#subnets', [], 'No subnet contracts in this deployment.', () => {}); $('#subnet-details').replaceChildren(); return; }
  const hyp = state.stakeToken;
  fill('#subnets', s.subnets, 'No subnet yet (`hypha subnet create`).', (tr, n) => {
    tr.dataset.netuid = n.netuid;
    cell(tr, n.netuid, 'num'); cell(tr, short(n.owner), 'mono', n.owner); cell(tr, count(n.uids), 'num');
    cell(tr, amount(n.stake, hyp), 'num'); cell(tr, count(n.tempo), 'num'); cell(tr, n.nextEpoch, 'num');
    cell(tr, count(n.nextEpochBlock), 'num'); cell(tr, amount(n.burnPrice, hyp), 'num'); cell(tr, amount(n.locked, hyp), 'num');
  });
  $('#subnets-bond').textContent = 'A poster bonds ' + amount(s.postBond, hyp) + ' per epoch post; anyone may challenge it for '
    + s.challengeBlocks + ' blocks.' + (s.indexed ? '' : ' This node runs no event index, so per-UID epoch values are not shown.');
  const details = $('#subnet-details'); details.replaceChildren();
  s.subnets.forEach((n) => {
    const card = document.createElement('article'); card.className = 'card subnet'; card.dataset.netuid = n.netuid;
    card.setAttribute('aria-labelledby', 'subnet-h-' + n.netuid);
    const h = document.createElement('h2'); h.id = 'subnet-h-' + n.netuid; h.textContent = 'Subnet ' + n.netuid; card.appendChild(h);
    const uids = table('UIDs' + (n.uidsShown < n.uids ? ' (first ' + n.uidsShown + ' of ' + n.uids + ')' : ''),
      ['UID', 'Account', 'Validator stake', 'Permit', 'Registered at block'], [0, 2, 4]);
    uids.t.classList.add('uids');
    n.uidList.forEach((u) => {
      const tr = uids.body.insertRow();
      cell(tr, u.uid, 'num'); cell(tr, short(u.account), 'mono', u.account); cell(tr, amount(u.stake, hyp), 'num');
      cell(tr, u.permit ? 'validator' : '–'); cell(tr, count(u.registeredAt), 'num');
    });
    if (n.uidList.length === 0) { const tr = uids.body.insertRow(); const td = cell(tr, 'No UID registered yet.', 'empty'); td.colSpan = 5; }
    card.appendChild(uids.wrap);
    const epochs = table('Epochs', ['Epoch', 'Closed at block', 'Status', 'Pool', 'Poster', 'Bond', 'Challenges'], [0, 1, 3, 6]);
    epochs.t.classList.add('epochs');
    n.epochs.forEach((e) => {
      const tr = epochs.body.insertRow(); tr.dataset.epoch = e.epoch;
      cell(tr, e.epoch, 'num'); cell(tr, count(e.block), 'num');
      cell(tr, e.status + (e.status === 'posted' ? ' (challengeable to block ' + count(e.challengeUntilBlock) + ')' : ''),
        e.status === 'finalized' ? 'ok' : e.status.startsWith('challenged') ? 'bad' : 'warn');
      cell(tr, amount(e.pool, hyp), 'num'); cell(tr, e.poster ? short(e.poster) : '–', 'mono', e.poster || '');
      cell(tr, e.bond ? amount(e.bond, hyp) + ', ' + e.bondState : '–'); cell(tr, e.challenges, 'num');
    });
    if (n.epochs.length === 0) { const tr = epochs.body.insertRow(); const td = cell(tr, 'No epoch closed yet.', 'empty'); td.colSpan = 7; }
    card.appendChild(epochs.wrap);
    n.epochs.filter((e) => e.leaves || e.leavesNote).forEach((e) => {
      if (!e.leaves) { const p = document.createElement('p'); p.className = 'muted'; p.textContent = 'Epoch ' + e.epoch + ': ' + e.leavesNote; card.appendChild(p); return; }
      const leaves = table('Epoch ' + e.epoch + ' as posted: incentive and dividends per UID',
        ['UID', 'Account', 'Incentive', 'Dividends', 'Consensus', 'Emission'], [0, 2, 3, 4, 5]);
      leaves.t.classList.add('leaves'); leaves.t.dataset.epoch = e.epoch;
      e.leaves.forEach((l) => {
        const tr = leaves.body.insertRow();
        cell(tr, l.uid, 'num'); cell(tr, short(l.account), 'mono', l.account); cell(tr, l.incentive, 'num');
        cell(tr, l.dividends, 'num'); cell(tr, l.consensus, 'num'); cell(tr, amount(l.emission, hyp), 'num');
      });
      card.appendChild(leaves.wrap);
    });
    details.appendChild(card);
  });
}

// ---- agents -----------------------------------------------------------------------------------------------------

async function loadAgents() {
  const a = await api('/ui/api/agents');
  if (!state.token.decimals) { const o = await api('/ui/api/overview'); state.token = o.token; state.stakeToken = o.stakeToken; }
  $('#agents-absent').hidden = a.present;
  if (!a.present) { fill('#agents', [], 'No agent contracts in this deployment.', () => {}); fill('#agent-accounts', [], 'None.', () => {}); return; }
  fill('#agents', a.agents, 'No agent registered yet.', (tr, g) => {
    cell(tr, g.id, 'num'); cell(tr, short(g.owner), 'mono', g.owner); cell(tr, g.wallet ? short(g.wallet) : '–', 'mono', g.wallet || '');
    cell(tr, g.uri || '–', 'uri', g.uri);
  });
  fill('#agent-accounts', a.accounts || [], a.indexed ? 'No agent account deployed yet.'
    : 'This node runs no event index, so agent accounts cannot be found.', (tr, c) => {
    tr.dataset.account = c.address;
    cell(tr, short(c.address), 'mono', c.address); cell(tr, c.agentId ? '#' + c.agentId : '–');
    cell(tr, short(c.owner), 'mono', c.owner);
    cell(tr, c.frozen ? 'frozen' : c.enabled ? 'spending allowed' : 'no policy for ' + state.token.symbol, c.frozen ? 'bad' : c.enabled ? 'ok' : 'muted');
    const td = cell(tr, '', 'budget');
    const meter = document.createElement('meter'); meter.min = 0; meter.max = 100; meter.high = 80; meter.value = c.usedPercent;
    meter.setAttribute('aria-label', 'budget used: ' + c.usedPercent + ' %');
    const text = document.createElement('span'); text.textContent = ' ' + amount(c.used) + ' (' + c.usedPercent + ' %)';
    td.append(meter, text);
    cell(tr, amount(c.limit), 'num'); cell(tr, amount(c.perCall), 'num');
    cell(tr, c.periodSeconds ? duration(c.periodSeconds) : '–', 'num'); cell(tr, amount(c.balance), 'num');
  });
  drawAgentLogs(a.runtime);
}

/** Each local agent's newest log lines. A log is outside input: every piece goes in as text. */
function drawAgentLogs(runtime) {
  const agents = runtime && runtime.agents ? runtime.agents : [];
  $('#agent-log-empty').hidden = agents.length > 0;
  const box = $('#agent-logs');
  box.replaceChildren(...agents.map((g) => {
    const section = document.createElement('section');
    section.className = 'agent-log'; section.dataset.agent = g.name;
    const h = document.createElement('h3');
    h.textContent = g.name + (g.account ? ' · account ' + short(g.account) : '') + (g.error ? ' · ' + g.error : '');
    if (g.account) h.title = g.account;
    const ol = document.createElement('ol'); ol.className = 'log';
    ol.setAttribute('aria-label', 'log of agent ' + g.name + ', newest last');
    if (!g.lines.length) {
      const li = document.createElement('li'); li.className = 'muted'; li.textContent = 'not run yet (hypha agent run ' + g.name + ')';
      ol.appendChild(li);
    }
    for (const l of g.lines) {
      const li = document.createElement('li'); li.className = 'kind-' + l.kind.replace(/[^a-z]/g, '-');
      const tag = document.createElement('span'); tag.className = 'tag'; tag.textContent = l.tag || '–';
      const kind = document.createElement('span'); kind.className = 'kind'; kind.textContent = l.kind;
      const body = document.createElement('span'); body.className = 'text'; body.textContent = l.text;
      if (l.time) li.title = l.time;
      li.append(tag, ' ', kind, ' ', body);
      ol.appendChild(li);
    }
    const note = document.createElement('p'); note.className = 'muted';
    note.textContent = 'newest ' + g.lines.length + ' lines' + (g.truncated ? ' of a ' + bytes(g.logBytes) + ' log' : '')
      + '; the whole log: hypha agent logs ' + g.name;
    section.append(h, ol, note);
    return section;
  }));
  if (runtime && runtime.total > agents.length) {
    const more = document.createElement('p'); more.className = 'muted';
    more.textContent = (runtime.total - agents.length) + ' more agents in this home are not shown';
    box.appendChild(more);
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
  if (state.page === 'inference' && (changed('receipts') || changed('liveOffers') || changed('earned'))) refresh();
  if (state.page === 'models' && (changed('models') || changed('partialPulls'))) refresh();
  if (state.page === 'compute' && (changed('compute') || changed('block') || changed('training'))) refresh();
  if (state.page === 'assets' && changed('assets')) refresh();
  if (state.page === 'subnets' && changed('subnets')) refresh();
  if (state.page === 'agents' && changed('agents')) refresh();
  if (state.page === 'inference' && changed('channels')) refresh();
  if (state.page === 'overview' && changed('compute')) refresh(); // a lease's run-dry alert
}

document.addEventListener('DOMContentLoaded', () => {
  $('#chat-form').addEventListener('submit', sendChat);
  $('#chat-input').addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) $('#chat-form').requestSubmit(); });
  $('#chat-new').addEventListener('click', () => { state.chat = []; $('#chat-log').replaceChildren(); $('#chat-input').focus(); });
  $('#pull-form').addEventListener('submit', pull);
  $('#fund-form').addEventListener('submit', quoteFunding);
  $('#fund-send').addEventListener('click', confirmFunding);
  $('#fund-cancel').addEventListener('click', cancelFunding);
  $('#train-form').addEventListener('submit', quoteTraining);
  $('#train-send').addEventListener('click', confirmTraining);
  $('#train-cancel').addEventListener('click', cancelTraining);
  $('#train-spec').addEventListener('change', describeSpec);
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
