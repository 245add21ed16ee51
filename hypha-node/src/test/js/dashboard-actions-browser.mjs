// Drives the dashboard's Subnets and Agents pages and its one action that spends (fund a payment channel) in headless
// Chromium (playwright-core, Debian's chromium), and saves screenshots. Run by DashboardBrowserTest; by hand:
//   node dashboard-actions-browser.mjs URL OUT_DIR CHROMIUM PROFILE_DIR NETUID AGENT_ACCOUNT CHANNEL_PROVIDER
// Exits 0 when every check passed.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [url, out, executablePath, profile, netuid, agentAccount, provider] = process.argv.slice(2);
if (!provider) {
  console.error('usage: dashboard-actions-browser.mjs URL OUT_DIR CHROMIUM PROFILE_DIR NETUID AGENT_ACCOUNT CHANNEL_PROVIDER');
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
  check(!(await page.locator('#agent-runtime').isHidden()) && (await text('#agent-runtime')).includes('hypha agent run'),
    'the agent runtime log has its place');
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
  check(posts.filter((p) => p.endsWith('/confirm')).length === 2, 'exactly two confirmations were posted: ' + posts.join(', '));
  await shot('inference-funded.png');

  // Phone width: nothing wider than the screen on the new pages.
  await page.setViewportSize({ width: 390, height: 844 });
  for (const name of ['subnets', 'agents', 'inference']) {
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
