// Drives the dashboard of a running node in headless Chromium (playwright-core, Debian's chromium binary) through its
// main flows and saves a screenshot of each page. Run by DashboardBrowserTest; by hand:
//   node hypha-node/src/test/js/dashboard-browser.mjs http://127.0.0.1:11434/ui OUT_DIR /usr/bin/chromium PROFILE_DIR PROVIDER
// Exits 0 when every check passed, 1 with the failing check's message otherwise.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [url, out, executablePath, profile, provider] = process.argv.slice(2);
if (!url || !out || !executablePath || !profile || !provider) {
  console.error('usage: dashboard-browser.mjs URL OUT_DIR CHROMIUM PROFILE_DIR PROVIDER_ADDRESS');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const problems = [];
const context = await chromium.launchPersistentContext(profile, {
  executablePath, headless: true, viewport: { width: 1280, height: 900 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
const page = context.pages()[0] || await context.newPage();
page.on('pageerror', (e) => problems.push('page error: ' + e.message));
page.on('console', (m) => { if (m.type() === 'error') problems.push('console error: ' + m.text()); });
page.on('requestfailed', (r) => { if (!r.url().endsWith('/ui/api/events')) problems.push('request failed: ' + r.url()); });
page.on('request', (r) => { if (!r.url().startsWith(new URL(url).origin)) problems.push('request outside the node: ' + r.url()); });

const text = (sel) => page.locator(sel).innerText();
const shot = (name) => page.screenshot({ path: join(out, name), fullPage: true });
const check = (ok, what) => { if (!ok) throw new Error(what); console.log('ok: ' + what); };

try {
  // Overview: loads and shows the chain, the node's health, roles, balances.
  const started = Date.now();
  await page.goto(url + '#overview');
  await page.waitForFunction(() => document.querySelector('#chain-id').textContent === '31337');
  const timing = await page.evaluate(() => { const n = performance.getEntriesByType('navigation')[0];
    return { html: Math.round(n.responseEnd), ready: Math.round(n.domContentLoadedEventEnd), data: Math.round(performance.now()) }; });
  console.log('overview usable after ' + (Date.now() - started) + ' ms (page: HTML ' + timing.html + ' ms, scripts ready '
    + timing.ready + ' ms, chain data shown ' + timing.data + ' ms after navigation start)');
  console.log('  requests: ' + (await page.evaluate(() => performance.getEntriesByType('resource')
    .map((r) => new URL(r.name).pathname + ' ' + Math.round(r.startTime) + '+' + Math.round(r.duration) + ' ms').join(', '))));
  await page.waitForFunction(() => document.querySelector('#node-health').textContent === 'ok');
  const again = Date.now();
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#chain-id').textContent === '31337');
  console.log('overview usable after ' + (Date.now() - again) + ' ms on a reload (browser and node warm)');
  check((await text('#roles')).includes('provider'), 'overview lists the provider role');
  await page.waitForFunction(() => document.querySelectorAll('#accounts tbody tr').length === 2);
  check((await text('#accounts')).includes(provider), 'overview shows the provider account');
  check((await text('#accounts')).includes('hUSD'), 'balances are shown in hUSD');
  await page.waitForFunction(() => /block \d/.test(document.querySelector('#live-text').textContent));
  check(true, 'live updates arrive (server-sent events)');
  await shot('overview.png');

  // Chat: pick the model, stream an answer, see who answered and what it cost.
  await page.keyboard.press('Tab'); // the skip link comes first
  check(await page.evaluate(() => document.activeElement.classList.contains('skip')), 'keyboard: first Tab reaches the skip link');
  await page.focus('#nav a[href="#chat"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#page-chat:not([hidden])');
  await page.waitForFunction(() => [...document.querySelectorAll('#chat-model option')].some((o) => o.value.startsWith('hypha-tiny')));
  const model = await page.evaluate(() => [...document.querySelectorAll('#chat-model option')].find((o) => o.value.startsWith('hypha-tiny')).value);
  await page.selectOption('#chat-model', model);
  check((await page.locator('#chat-model option:checked').innerText()).includes('offer'), 'the model is offered on the network');
  // Count how often the answer's text changes while the message is still being answered: streaming shows pieces.
  await page.evaluate(() => {
    window.__pieces = 0;
    new MutationObserver(() => {
      const busy = document.querySelector('.msg.assistant[aria-busy="true"] .text');
      if (busy && busy.textContent.length) window.__pieces++;
    }).observe(document.querySelector('#chat-log'), { subtree: true, childList: true, characterData: true });
  });
  await page.fill('#chat-input', 'Tell me a fortune.');
  await page.click('#chat-send');
  await page.waitForSelector('.msg.assistant .meta .cost', { timeout: 180_000 });
  const answer = await text('.msg.assistant .text');
  check(answer.trim().length > 0, 'the chat answered: ' + JSON.stringify(answer.slice(0, 60)));
  const pieces = await page.evaluate(() => window.__pieces);
  check(pieces > 1, 'the answer streamed in ' + pieces + ' pieces');
  const meta = await text('.msg.assistant .meta');
  check(meta.includes('answered by ' + provider), 'the message names the provider that answered');
  check(/paid \d+(\.\d+)? hUSD/.test(meta), 'the message shows its price: ' + meta.split('\n')[0]);
  check(/\d+ tokens in, \d+ out/.test(meta), 'the message shows its tokens');
  await page.click('.msg.assistant details summary');
  check((await text('.msg.assistant details pre')).includes('"signature"'), 'the signed receipt can be opened');
  // A second conversation: the first answer stays paid, the new one gets its own receipt.
  await page.click('#chat-new');
  check(await page.locator('.msg').count() === 0, 'New chat clears the conversation');
  await page.fill('#chat-input', 'What is a hypha?');
  await page.keyboard.press('Control+Enter');
  await page.waitForSelector('.msg.assistant .meta .cost', { timeout: 180_000 });
  check(/paid \d+(\.\d+)? hUSD/.test(await text('.msg.assistant .meta')), 'Ctrl+Enter sends, and the second answer is paid too');
  await page.click('.msg.assistant details summary');
  await shot('chat.png');

  // Structured output: a JSON schema held to by the provider's engine, paid like any answer.
  await page.click('#chat-new');
  await page.click('#chat-form details summary');
  await page.fill('#chat-format', '{"type":"object","properties":{"mood":{"type":"string","enum":["happy","sad"]},"sure":{"type":"boolean"}},"required":["mood","sure"]}');
  await page.fill('#chat-input', 'How do you feel?');
  await page.click('#chat-send');
  await page.waitForSelector('.msg.assistant .meta .cost', { timeout: 180_000 });
  const structured = JSON.parse(await text('.msg.assistant .text'));
  check(['happy', 'sad'].includes(structured.mood) && typeof structured.sure === 'boolean',
    'structured output follows the schema: ' + JSON.stringify(structured));
  await page.fill('#chat-format', '{not json');
  await page.fill('#chat-input', 'Again?');
  await page.click('#chat-send');
  await page.waitForFunction(() => document.querySelector('#status').textContent.includes('Format is not valid JSON'));
  check(true, 'a malformed schema is refused in the page, naming the field');
  await page.fill('#chat-format', '');
  await shot('chat-structured.png');

  // Inference: the offers table shows the provider, the channel and the spending chart.
  await page.click('#nav a[href="#inference"]');
  await page.waitForFunction((p) => [...document.querySelectorAll('#offers tbody td')].some((td) => td.title === p), provider);
  check((await text('#offers')).includes('hypha-tiny'), 'the offers table shows the provider\'s model');
  check((await text('#offers')).includes('live'), 'the offer is live');
  await page.waitForFunction(() => document.querySelector('#offers tbody').innerText.includes('good'));
  check(true, 'the provider that answered stands good');
  await page.waitForFunction(() => document.querySelector('#channels tbody').innerText.includes('open'));
  check(true, 'the gateway\'s open channel is listed');
  await page.waitForSelector('#earnings-card:not([hidden])');
  check((await text('#earnings-total')).includes('earned'), 'the provider\'s earnings are shown: ' + await text('#earnings-total'));
  await page.waitForSelector('#spend-chart canvas');
  check(true, 'the spending chart is drawn');
  check((await text('#spend-models')).includes('hUSD'), 'spending per model is summed');
  // Earnings over time: the provider's charges per model as a chart, with the table as its text alternative.
  await page.waitForSelector('#earn-chart canvas');
  check(true, 'the earnings chart is drawn');
  check(await page.getAttribute('#earn-chart', 'role') === 'img'
    && (await text('#' + await page.getAttribute('#earn-chart', 'aria-labelledby'))).includes('Earnings over'),
    'the earnings chart is labelled for assistive technology');
  const earned = await text('#earn-models tbody');
  check(earned.includes('hypha-tiny') && earned.includes('hUSD'), 'earnings per model are summed: ' + earned);
  const answers = () => page.evaluate(() => Number(document.querySelector('#earn-models tbody td:nth-child(2)').textContent));
  const before = await answers();
  check(before >= 1, 'the earnings table counts the paid answers: ' + before);
  // One more paid answer while the page stays open: the chart and table follow over server-sent events, no reload.
  await page.evaluate(async () => {
    const res = await fetch('/api/generate', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'hypha-tiny', prompt: 'Once more.', stream: false, options: { num_predict: 8 } }) });
    if (!res.ok) throw new Error('a paid answer failed: HTTP ' + res.status + ' ' + await res.text());
    await res.text();
  });
  await page.waitForFunction((n) => Number(document.querySelector('#earn-models tbody td:nth-child(2)').textContent) === n + 1,
    before, { timeout: 30_000 });
  await page.waitForSelector('#earn-chart canvas');
  check(true, 'the earnings chart and table update live after another paid answer (' + (before + 1) + ' answers)');
  await shot('inference.png');

  // Models: the local store.
  await page.click('#nav a[href="#models"]');
  await page.waitForFunction(() => document.querySelector('#models tbody').innerText.includes('hypha-tiny'));
  check(true, 'the model store lists hypha-tiny');
  await shot('models.png');

  // Phone width: nothing wider than the screen (wide tables scroll inside their card).
  await page.setViewportSize({ width: 390, height: 844 });
  await page.click('#nav a[href="#overview"]');
  await page.waitForFunction(() => document.querySelector('#chain-id').textContent === '31337');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 390, 'phone width: the page is ' + width + ' px wide');
  await shot('overview-phone.png');

  check(problems.length === 0, 'no page errors, failed requests or requests outside the node' + (problems.length ? ': ' + problems.join('; ') : ''));
  await context.close();
  console.log('all dashboard checks passed');
} catch (e) {
  await shot('failure.png').catch(() => {});
  console.error('FAILED: ' + e.message);
  if (problems.length) console.error('page problems: ' + problems.join('; '));
  await context.close().catch(() => {});
  process.exit(1);
}
