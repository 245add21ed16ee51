// Drives the dashboard's compute and asset pages of a running node in headless Chromium (playwright-core, Debian's
// chromium) while a real training job runs there, and saves screenshots. Run by DashboardBrowserTest; by hand:
//   node dashboard-compute-browser.mjs URL OUT_DIR CHROMIUM PROFILE_DIR ORDER_ID RELEASE_FILE DATASET_ID MODEL_ID GRANTEE
// The job waits at its step-100 checkpoint until RELEASE_FILE exists: this script writes it once the page has drawn the
// first half of the job's curve, then checks that the curve grows without a reload. Exits 0 when every check passed.
import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';

const [url, out, executablePath, profile, order, release, dataset, model, grantee] = process.argv.slice(2);
if (!grantee) {
  console.error('usage: dashboard-compute-browser.mjs URL OUT_DIR CHROMIUM PROFILE_DIR ORDER_ID RELEASE_FILE DATASET_ID MODEL_ID GRANTEE');
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
const job = '.job[data-order="' + order + '"]';
/** How many reported steps the job's loss chart draws (its label says so). */
const drawnSteps = () => page.evaluate((sel) => {
  const chart = document.querySelector(sel + ' .loss-chart');
  const m = chart && /over (\d+) reported steps/.exec(chart.getAttribute('aria-label'));
  return m ? Number(m[1]) : 0;
}, job);

try {
  // Overview: both new areas are present, and the lease (deposit for about half an hour) raises its alert.
  await page.goto(url + '#overview');
  await page.waitForFunction(() => document.querySelector('#chain-id').textContent === '31337');
  await page.waitForFunction(() => [...document.querySelectorAll('#areas a')].map((a) => a.textContent).includes('compute'));
  check((await text('#areas')).includes('assets'), 'overview lists the compute and assets areas as present');
  await page.waitForFunction((o) => document.querySelector('#alerts').innerText.includes('lease of order ' + o + ' '), order);
  const alert = await text('#alerts');
  check(/runs dry in \d+ min/.test(alert), 'overview alerts that the lease runs dry soon: '
    + alert.split('\n').find((l) => l.includes('runs dry')));

  // Compute: the running job's curves, drawn from its reports so far (it waits at step 100).
  await page.focus('#nav a[href="#compute"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#page-compute:not([hidden])');
  await page.waitForSelector(job + ' .loss-chart canvas');
  await page.waitForSelector(job + ' .throughput-chart canvas');
  const before = await drawnSteps();
  check(before > 1, 'the running job\'s loss and throughput curves are drawn (' + before + ' steps so far)');
  check((await text(job + ' h3')).includes('running'), 'the job is running: ' + await text(job + ' h3'));
  check(before <= 25, 'the curve stops at the step-100 checkpoint while the job waits (' + before + ' of 50 points)');
  await page.waitForFunction((o) => document.querySelector('#leases tbody').innerText.includes('#' + o + ' (this node)'), order);
  const lease = await page.locator('#leases tbody tr', { hasText: '#' + order + ' ' }).innerText();
  check(/hUSD/.test(lease) && /\d+ min/.test(lease), 'the lease shows its rate, paid amount and time left: ' + lease.replace(/\s+/g, ' '));
  check((await text('#bids tbody')).includes('leased'), 'the accepted bid is listed');
  check((await text('#orders tbody')).includes('#' + order), 'the order is listed');
  await page.waitForFunction((o) => document.querySelector('#commitments tbody').innerText.includes('#' + o), order);
  check(true, 'the lease\'s training-state commitments are listed');
  await page.waitForFunction(() => document.querySelector('#disputes tbody').innerText.includes('bisect'));
  check(true, 'the open dispute is listed (bisection phase)');
  await shot('compute-running.png');

  // Let the job go on: the page redraws the curve from the node's live ticks, without a reload.
  const navigations = await page.evaluate(() => performance.getEntriesByType('navigation').length);
  mkdirSync(dirname(release), { recursive: true });
  writeFileSync(release, 'go');
  await page.waitForFunction((sel) => document.querySelector(sel + ' h3').innerText.includes('done'), job, { timeout: 120_000 });
  await page.waitForFunction((sel) => {
    const chart = document.querySelector(sel + ' .loss-chart');
    const m = chart && /over (\d+) reported steps/.exec(chart.getAttribute('aria-label'));
    return m && Number(m[1]) === 50;
  }, job, { timeout: 30_000 });
  const after = await drawnSteps();
  check(after > before, 'the curve moved live: ' + before + ' → ' + after + ' reported steps');
  check(await page.evaluate(() => performance.getEntriesByType('navigation').length) === navigations, 'without reloading the page');
  check((await text(job)).includes('Model: '), 'the finished job names its model');
  await shot('compute.png');

  // Data and lineage: the graph of the registered assets, their licences, the grant and the royalty balance.
  await page.click('#nav a[href="#assets"]');
  await page.waitForSelector('#lineage svg g.node[data-asset="' + model + '"]');
  const graph = await page.evaluate(() => ({ nodes: document.querySelectorAll('#lineage svg g.node').length,
    parents: document.querySelectorAll('#lineage svg path.edge.parent').length,
    versions: document.querySelectorAll('#lineage svg path.edge.version').length,
    shares: [...document.querySelectorAll('#lineage svg text.share')].map((t) => t.textContent) }));
  check(graph.nodes >= 3 && graph.parents >= 2 && graph.versions >= 1, 'the lineage graph is drawn: ' + JSON.stringify(graph));
  check(graph.shares.includes('25 %'), 'each parent edge shows the parent\'s share');
  const box = (id) => page.locator('#lineage g.node[data-asset="' + id + '"]').boundingBox();
  const [d, m] = [await box(dataset), await box(model)];
  check(d && m && d.y + d.height < m.y, 'the dataset is drawn above the model built from it');
  await page.focus('#lineage g.node[data-asset="' + model + '"]');
  check(await page.evaluate(() => document.activeElement.dataset.asset), 'the keyboard reaches the graph\'s nodes');
  await page.evaluate(() => document.activeElement.blur()); // the screenshot shows the graph unfocused
  check((await text('#assets tbody')).includes('Apache-2.0'), 'the assets table shows licences');
  check((await text('#assets tbody')).includes('2 hUSD'), 'the assets table shows the price in hUSD');
  check((await page.locator('#grants tbody td[title="' + grantee + '"]').count()) === 1, 'the grant to ' + grantee + ' is listed');
  check((await text('#grants tbody')).includes('yes'), 'the grant is held');
  check(/\d hUSD/.test(await text('#royalties tbody')), 'royalty balances are shown in hUSD: ' + (await text('#royalties tbody')).replace(/\s+/g, ' '));
  await shot('assets.png');

  // Phone width: nothing wider than the screen on either page.
  await page.setViewportSize({ width: 390, height: 844 });
  for (const name of ['compute', 'assets']) {
    await page.click('#nav a[href="#' + name + '"]');
    await page.waitForSelector('#page-' + name + ':not([hidden])');
    // the page redraws its charts at the new width when shown; wait for that (or give up and report the width)
    await page.waitForFunction(() => document.documentElement.scrollWidth <= 390, null, { timeout: 10_000 }).catch(() => {});
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check(width <= 390, 'phone width: the ' + name + ' page is ' + width + ' px wide');
  }
  await shot('assets-phone.png');

  check(problems.length === 0, 'no page errors, failed requests or requests outside the node' + (problems.length ? ': ' + problems.join('; ') : ''));
  await context.close();
  console.log('all compute and asset checks passed');
} catch (e) {
  await shot('failure-compute.png').catch(() => {});
  console.error('FAILED: ' + e.message);
  if (problems.length) console.error('page problems: ' + problems.join('; '));
  await context.close().catch(() => {});
  process.exit(1);
}
