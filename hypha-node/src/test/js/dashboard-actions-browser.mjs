// Drives the dashboard's Subnets and Agents pages (with the agent runtime's log) and its two actions that spend (fund
// a payment channel, order a training job) in headless Chromium (playwright-core, Debian's chromium), and saves
// screenshots. Run by DashboardBrowserTest; by hand:
//   node dashboard-actions-browser.mjs URL OUT_DIR CHROMIUM PROFILE_DIR NETUID AGENT_ACCOUNT CHANNEL_PROVIDER AGENT_LOG
//        train|skip PAYER
// Exits 0 when every check passed.
import { chromium } from 'playwright-core';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [url, out, executablePath, profile, netuid, agentAccount, provider, agentLog, trainMode, payer] = process.argv.slice(2);
if (!payer) {
  console.error('usage: dashboard-actions-browser.mjs URL OUT_DIR CHROMIUM PROFILE_DIR NETUID AGENT_ACCOUNT CHANNEL_PROVIDER'
    + ' AGENT_LOG train|skip PAYER');
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
const posts = [];
page.on('request', (r) => { if (r.method() === 'POST') posts.push(new URL(r.url()).pathname); });

const text = (sel) => page.locator(sel).innerText();
const shot = (name) => page.screenshot({ path: join(out, name), fullPage: true });
const check = (ok, what) => { if (!ok) throw new Error(what); console.log('ok: ' + what); };
const subnet = '.subnet[data-netuid="' + netuid + '"]';
const short = (hex) => hex.slice(0, 8) + '…' + hex.slice(-4);

try {
  await page.goto(url + '#overview');
  await page.waitForFunction(() => document.querySelector('#chain-id').textContent === '31337');
  await page.waitForFunction(() => ['subnets', 'agents'].every((n) =>
    [...document.querySelectorAll('#areas a')].map((a) => a.textContent).includes(n)));
  check(true, 'overview lists the subnets and agents areas as present');

  // Subnets, reached by keyboard: the subnet, its UIDs with stake, the posted epoch and its per-UID values.
  await page.focus('#nav a[href="#subnets"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#page-subnets:not([hidden])');
  await page.waitForSelector(subnet + ' table.leaves[data-epoch="1"] tbody tr');
  const row = await text('#subnets tbody tr[data-netuid="' + netuid + '"]');
  check(/\t3\t/.test(row) && row.includes('1000 HYP'), 'the subnet is listed with 3 UIDs and its validator stake: ' + row.replace(/\s+/g, ' '));
  check(await page.locator(subnet + ' table.uids tbody tr').count() === 3, 'its three UIDs are listed');
  check((await text(subnet + ' table.uids tbody')).includes('validator'), 'the staked UID holds a validator permit');
  const epochs = await text(subnet + ' table.epochs tbody');
  check(epochs.includes('posted') && epochs.includes('HYP, held'), 'epoch 1 is posted and its bond held: ' + epochs.replace(/\s+/g, ' '));
  check(epochs.includes('finalized') && epochs.includes('returned to the poster'), 'epoch 0 is finalized and its bond returned');
  const leaves = await page.locator(subnet + ' table.leaves[data-epoch="1"] tbody tr').allInnerTexts();
  check(leaves.length === 3, 'the posted epoch lists incentive and dividends for each of the 3 UIDs');
  const incentives = leaves.map((l) => Number(l.split('\t')[2]));
  check(incentives[1] > 0 && incentives[2] > 0 && incentives[1] > incentives[2],
    'the weighed miners earn incentive in the validator\'s proportion: ' + incentives.join(', '));
  check(await page.locator(subnet + ' caption').count() >= 3, 'each table has a caption');
  await shot('subnets.png');

  // Agents: the identity, the agent account and its budget used against its policy, and the runtime log's place.
  await page.click('#nav a[href="#agents"]');
  await page.waitForSelector('#page-agents:not([hidden])');
  await page.waitForSelector('#agent-accounts tr[data-account="' + agentAccount + '"]');
  check((await text('#agents tbody')).includes('https://agents.example/dashboard-agent.json'), 'the ERC-8004 agent is listed with its card');
  const acct = await text('#agent-accounts tr[data-account="' + agentAccount + '"]');
  check(acct.includes('1 hUSD (20 %)') && acct.includes('5 hUSD') && acct.includes('spending allowed'),
    'the agent account shows 1 of its 5 hUSD window used: ' + acct.replace(/\s+/g, ' '));
  check(await page.locator('#agent-accounts meter[aria-label="budget used: 20 %"]').count() === 1, 'the budget meter is labelled');
  // The agent runtime's log: the local agent's steps, every line as text (the markup and script in it stay text).
  const agentSel = '#agent-logs section[data-agent="dashboard-agent"]';
  await page.waitForSelector(agentSel + ' li');
  const items = await page.locator(agentSel + ' li').allInnerTexts();
  check(items.length === 5, 'the agent runtime log shows the agent\'s 5 lines: ' + items.length);
  check(items[0].includes('<script>window.pwned = 1</script>summarize'), 'markup in the prompt is shown as text');
  check(items[1].includes('<img src=x onerror=window.pwned=2>'), 'markup in a tool call is shown as text');
  check(items[4].includes('<b onmouseover=window.pwned=3>bold</b> answer'), 'markup in a result is shown as text');
  check(await page.locator('#agent-logs script, #agent-logs img, #agent-logs b').count() === 0, 'no element was made from a log line');
  check(await page.evaluate(() => window.pwned === undefined), 'no script from a log line ran');
  const kinds = await page.locator(agentSel + ' li .kind').allInnerTexts();
  check(kinds.join(',') === 'prompt,tool call,payment,payment,result', 'each step is labelled: ' + kinds.join(','));
  check(items[3].includes('settled in 0x' + 'ab'.repeat(32)) && items[2].includes('nonce 0x'),
    'the payments show their voucher nonce and settlement transaction');
  check((await text(agentSel + ' h3')).includes(short(agentAccount)), 'the agent is shown with its account');
  // Live: a line the runtime appends arrives without a reload.
  appendFileSync(agentLog, new Date().toISOString() + ' run | finished: 1 steps, 1 paid this run (1000000)\n');
  await page.waitForFunction((sel) => document.querySelectorAll(sel + ' li').length === 6, agentSel, { timeout: 20_000 });
  check((await page.locator(agentSel + ' li .kind').last().innerText()) === 'end', 'a new log line arrives live');
  await shot('agents.png');

  // Inference: fund a channel. Asking shows the cost; nothing is sent until it is confirmed.
  await page.click('#nav a[href="#inference"]');
  await page.waitForSelector('#fund-form:not([hidden])');
  await page.fill('#fund-provider', provider);
  await page.fill('#fund-amount', '2');
  await page.focus('#fund-amount');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#fund-confirm:not([hidden])');
  check((await text('#fund-action')).startsWith('Open a new channel to ' + provider), 'the quote says it opens a channel');
  check((await text('#fund-cost')).startsWith('2 hUSD'), 'the quote shows the cost: ' + await text('#fund-cost'));
  check((await text('#fund-deposit')) === '0 hUSD → 2 hUSD', 'and the deposit before and after');
  check(await page.evaluate(() => document.activeElement.id) === 'fund-send', 'the keyboard lands on the confirm button');
  check(!(await text('#channels tbody')).includes(short(provider)), 'nothing was sent before confirming');
  await shot('fund-confirm.png');
  await page.locator('#fund-form').screenshot({ path: join(out, 'fund-form.png') }); // the README's picture
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#fund-state').textContent.startsWith('Opened'));
  await page.waitForFunction((p) => [...document.querySelectorAll('#channels tbody tr')].some((tr) =>
    tr.innerText.includes(p) && tr.innerText.includes('2 hUSD')), short(provider));
  check(true, 'the opened channel appears in the channels panel with its 2 hUSD deposit');

  // Top it up the same way; then a quote that is cancelled sends nothing.
  await page.fill('#fund-amount', '0.5');
  await page.click('#fund-quote');
  await page.waitForFunction(() => document.querySelector('#fund-action').textContent.startsWith('Top up'));
  check((await text('#fund-deposit')) === '2 hUSD → 2.5 hUSD', 'a second quote tops the channel up');
  await page.click('#fund-send');
  await page.waitForFunction(() => document.querySelector('#fund-state').textContent.startsWith('Topped up'));
  await page.waitForFunction((p) => [...document.querySelectorAll('#channels tbody tr')].some((tr) =>
    tr.innerText.includes(p) && tr.innerText.includes('2.5 hUSD')), short(provider));
  check(true, 'the channels panel shows the topped-up deposit of 2.5 hUSD');
  await page.fill('#fund-amount', '1');
  await page.click('#fund-quote');
  await page.waitForSelector('#fund-confirm:not([hidden])');
  await page.click('#fund-cancel');
  check((await text('#fund-state')).includes('nothing was sent') && await page.locator('#fund-confirm').isHidden(), 'a cancelled quote sends nothing');
  check(posts.filter((p) => p.endsWith('/channel/confirm')).length === 2, 'exactly two confirmations were posted: ' + posts.join(', '));
  await shot('inference-funded.png');

  // Compute: order a training job of a built-in spec. The quote shows what it costs; the order then appears.
  const pages = ['subnets', 'agents', 'inference'];
  if (trainMode === 'train') {
    pages.push('compute');
    await page.click('#nav a[href="#compute"]');
    await page.waitForSelector('#train-form:not([hidden])');
    await page.selectOption('#train-spec', 'fashion-mnist-mlp');
    await page.waitForFunction(() => document.querySelector('#train-spec-info').textContent.includes('11,250 steps'));
    check((await text('#train-spec-info')).includes('in this node\'s store'), 'the spec\'s dataset is in the store');
    const mine = () => page.evaluate((p) => [...document.querySelectorAll('#orders tbody tr')]
      .filter((tr) => tr.innerText.includes(p)).length, short(payer));
    const before = await mine();
    await page.fill('#train-price', '0.001');
    await page.fill('#train-deposit', '0.5');
    await page.focus('#train-deposit');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#train-confirm:not([hidden])');
    check((await text('#train-action')).startsWith('Order fashion-mnist-mlp (11,250 steps)'), 'the quote names the spec');
    check((await text('#train-escrow')).startsWith('0.5 hUSD'), 'the quote shows the escrow: ' + await text('#train-escrow'));
    check((await text('#train-rate')) === '0.001 hUSD', 'the price per hour');
    check((await text('#train-rate-second')) === '0.000000277777 hUSD', 'the price per second: ' + await text('#train-rate-second'));
    check((await text('#train-duration')).startsWith('500 h 0 min'), 'how long the deposit lasts: ' + await text('#train-duration'));
    check((await text('#train-tenant')) === payer, 'the paying account');
    const [was, after] = (await text('#train-balance')).split(' → ').map((t) => Number(t.replace(' hUSD', '')));
    check(Math.abs(was - after - 0.5) < 1e-6, 'the balance before and after: ' + await text('#train-balance'));
    check(await page.evaluate(() => document.activeElement.id) === 'train-send', 'the keyboard lands on the confirm button');
    check(await mine() === before, 'nothing was ordered before confirming');
    await shot('train-confirm.png');
    await page.locator('#train-form').screenshot({ path: join(out, 'train-form.png') });
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('#train-state').textContent.startsWith('Ordered'));
    const id = /order #(\d+)/.exec(await text('#train-state'))[1];
    await page.waitForFunction((id) => [...document.querySelectorAll('#orders tbody tr')].some((tr) =>
      tr.innerText.startsWith('#' + id + '\t') && tr.innerText.includes('0.5 hUSD') && tr.innerText.includes('open')), id);
    check(true, 'order #' + id + ' appears in the orders panel, open, with 0.5 hUSD held');
    check((await text('#train-placed tr[data-order="' + id + '"]')).includes('fashion-mnist-mlp'), 'and among the orders placed here');
    check(posts.filter((p) => p.endsWith('/training/confirm')).length === 1, 'exactly one order was confirmed');
    await shot('compute-ordered.png');
  } else {
    console.log('skipped: ordering training (Fashion-MNIST is not installed)');
  }

  // Phone width: nothing wider than the screen on the new pages.
  await page.setViewportSize({ width: 390, height: 844 });
  for (const name of pages) {
    await page.click('#nav a[href="#' + name + '"]');
    await page.waitForSelector('#page-' + name + ':not([hidden])');
    await page.waitForFunction(() => document.documentElement.scrollWidth <= 390, null, { timeout: 10_000 }).catch(() => {});
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check(width <= 390, 'phone width: the ' + name + ' page is ' + width + ' px wide');
  }
  await shot('subnets-phone.png');

  check(problems.length === 0, 'no page errors, failed requests or requests outside the node' + (problems.length ? ': ' + problems.join('; ') : ''));
  await context.close();
  console.log('all subnet, agent and action checks passed');
} catch (e) {
  await shot('failure-actions.png').catch(() => {});
  console.error('FAILED: ' + e.message);
  if (problems.length) console.error('page problems: ' + problems.join('; '));
  await context.close().catch(() => {});
  process.exit(1);
}
