// A cheap phone on bad venue Wi-Fi: the join page and the participant page
// must be usable, and a reflection postable, at once: they are plain HTML
// and forms, with one small deferred script and no WebAssembly at all.
// Chromium is slowed through the DevTools protocol to about 400 kbit/s each
// way with 400 ms of round trip, and its CPU 4 times, with an empty cache.
// The test prints the times; README.md keeps them. Its bounds are generous:
// what it asserts is that each page is usable and fetches no WebAssembly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHearth, launchChromium, phone, live, joinPhones } from './support.mjs';

const SLOW = { offline: false, latency: 400, downloadThroughput: 400_000 / 8, uploadThroughput: 400_000 / 8 };
const FAST = { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 };
/** Far above what the pages take. */
const BOUND_MS = 20_000;

/** Starts a gathering over plain HTTP, as the start form does, and reads
 * the join code from the console page. */
async function startGathering(base) {
  const started = await fetch(`${base}/start`, {
    method: 'POST',
    body: new URLSearchParams({ name: 'Slow Wi-Fi', agenda: 'blank' }),
    redirect: 'manual',
  });
  const console = started.headers.get('location');
  assert.ok(console, `starting answered ${started.status}`);
  const html = await (await fetch(new URL(console, base))).text();
  const code = html.match(/data-testid="join-code"[^>]*>([A-Z0-9]+)</)?.[1];
  assert.ok(code, 'the console shows the join code');
  return code;
}

/** Waits until the page is painted with its stylesheet (a field that
 * takes typing is usable only once people can see it), then says how many
 * milliseconds that was after this page's navigation started, whether the
 * phone's script had loaded by then, and whether any WebAssembly had. */
async function usable(page) {
  await page.waitForFunction(() =>
    [...document.styleSheets].some((s) => s.href?.includes('/pkg/hearth.'))
      && performance.getEntriesByType('paint').some((e) => e.name === 'first-contentful-paint'),
  null, { timeout: BOUND_MS, polling: 50 });
  return page.evaluate(() => ({
    ms: Math.round(performance.now()),
    script: performance.getEntriesByType('resource').some((e) => e.name.includes('/pkg/hearth-phone.') && e.responseEnd > 0),
    wasm: performance.getEntriesByType('resource').some((e) => e.name.endsWith('.wasm')),
  }));
}

test('on a slow network and CPU, a phone joins and posts in a few seconds, with no WebAssembly', async (t) => {
  const hearth = await startHearth();
  const browser = await launchChromium();
  t.after(async () => { await browser.close(); await hearth.kill(); });
  const code = await startGathering(hearth.base);

  const context = await browser.newContext(phone);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', SLOW);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });

  // The front door: styled, and the code field takes typing.
  const started = Date.now();
  await page.goto(hearth.base, { waitUntil: 'commit', timeout: BOUND_MS });
  await page.getByLabel('Join code').fill(code, { timeout: BOUND_MS });
  const join = await usable(page);

  // Joining: the participant page shows the prompt and takes a reflection.
  await page.getByRole('button', { name: 'Join' }).click({ timeout: BOUND_MS });
  await page.waitForURL(/\/p\/[0-9a-f]{32}$/, { waitUntil: 'commit', timeout: BOUND_MS });
  await page.getByRole('heading', { name: "What's bringing you here today?" }).waitFor({ timeout: BOUND_MS });
  await page.getByRole('textbox', { name: 'Your reflection' }).fill('The Wi-Fi here is slow.', { timeout: BOUND_MS });
  const participant = await usable(page);
  const participantUrl = page.url();

  // Posting works through the plain form, before the script has run (or
  // through the script, should it have won the race).
  const sending = Date.now();
  await page.getByRole('button', { name: 'Add reflection' }).click({ timeout: BOUND_MS });
  await page.getByRole('heading', { name: 'Your reflection was received' })
    .or(page.getByText('Received. Thank you.')).first().waitFor({ timeout: BOUND_MS });
  const postMs = Date.now() - sending;
  const totalMs = Date.now() - started;

  // Each page's time is from its own navigation start; the post from the
  // tap to the answer; the total is the whole story, typing included.
  console.log(`PHONE join_usable_ms=${join.ms} participant_usable_ms=${participant.ms} `
    + `post_ms=${postMs} total_ms=${totalMs} script_loaded_before_usable=${join.script || participant.script}`);
  for (const [name, at] of [['join page', join], ['participant page', participant]]) {
    assert.ok(at.ms < BOUND_MS, `the ${name} is usable within ${BOUND_MS} ms (${at.ms})`);
    assert.equal(at.wasm, false, `the ${name} fetches no WebAssembly`);
  }

  // On a good network the same page goes live: the hashed assets the page
  // names are there, and the reflection is the phone's own.
  await cdp.send('Network.emulateNetworkConditions', FAST);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  await page.goto(participantUrl);
  await live(page);
  await page.locator('.own-cards').getByText('The Wi-Fi here is slow.').waitFor();
});

/** The paths of the scripts and WebAssembly this document has fetched
 * from `/pkg/`, without their hashes (`/pkg/hearth-phone.js` for the
 * phone's script, `/pkg/hearth.js` and `/pkg/hearth.wasm` for the
 * WebAssembly and its glue). Waits until a script has arrived. */
async function fetched(page) {
  const code = () => performance.getEntriesByType('resource')
    .filter((e) => /\/pkg\/.*\.(js|wasm)$/.test(new URL(e.name).pathname));
  await page.waitForFunction(`(${code})().some((e) => e.responseEnd > 0)`, null, { timeout: BOUND_MS });
  const paths = await page.evaluate(`(${code})().map((e) => new URL(e.name).pathname)`);
  return [...new Set(paths.map((p) => p.replace(/\.[0-9a-f]{20}\./, '.')))].sort();
}

test('a phone fetches only its small script, never the WebAssembly, and each side finds the other', async (t) => {
  const hearth = await startHearth();
  const browser = await launchChromium();
  t.after(async () => { await browser.close(); await hearth.kill(); });
  const code = await startGathering(hearth.base);

  const page = await (await browser.newContext(phone)).newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  // A failed load is named by the response (the browser has no favicon to
  // find, which is no problem); anything else the console calls an error is.
  page.on('response', (r) => {
    if (r.status() >= 400 && new URL(r.url()).pathname !== '/favicon.ico') problems.push(`${r.status()} ${r.url()}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(m.text());
  });

  // The front door and the participant's page: the phone's script alone.
  await page.goto(hearth.base);
  assert.deepEqual(await fetched(page), ['/pkg/hearth-phone.js'], 'the front door loads the phone script');
  await page.getByLabel('Join code').fill(code);
  await page.getByRole('button', { name: 'Join' }).click();
  await page.waitForURL(/\/p\/[0-9a-f]{32}$/);
  await live(page);
  assert.deepEqual(await fetched(page), ['/pkg/hearth-phone.js'], 'the participant page loads the phone script');

  // The start page is hydrated by the WebAssembly.
  await page.goto(`${hearth.base}/start`);
  await page.getByLabel('Name of the gathering').waitFor({ timeout: BOUND_MS });
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('.wasm') && e.responseEnd > 0));
  assert.deepEqual(await fetched(page), ['/pkg/hearth.js', '/pkg/hearth.wasm'], 'the start page loads the WebAssembly');

  // A link its router follows to a participant's page (the front door) is
  // loaded from the server, with the phone's script, not called missing.
  await page.evaluate(() => {
    const link = document.createElement('a');
    link.href = '/';
    link.textContent = 'Front door';
    document.body.append(link);
    link.click();
  });
  await page.getByLabel('Join code').waitFor({ timeout: BOUND_MS });
  assert.deepEqual(await fetched(page), ['/pkg/hearth-phone.js'], 'the front door comes from the server');
  assert.deepEqual(problems, [], 'no script errors on the way');
});

test('a second reflection written before the page has caught up with the first is kept as its own', async (t) => {
  const hearth = await startHearth();
  const browser = await launchChromium();
  t.after(async () => { await browser.close(); await hearth.kill(); });
  const code = await startGathering(hearth.base);
  const [page] = await joinPhones(browser, hearth, code, 1);

  // A slow network: the fresh copy of the page that follows a post is held
  // back until the second reflection has been written and sent.
  const own = new URL(page.url()).pathname;
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route((url) => url.pathname === own, async (route) => {
    if (route.request().method() === 'GET') await held;
    await route.continue();
  });
  const box = page.getByRole('textbox', { name: 'Your reflection' });
  await box.fill('The first thing I wrote.');
  await page.getByRole('button', { name: 'Add reflection' }).click();
  // Stored: the phone empties the box at once, before its fresh page.
  await page.waitForFunction(() => document.querySelector('#reflection')?.value === '');
  await box.fill('A second thing, written before the page came back.');
  await page.getByRole('button', { name: 'Add reflection' }).click();
  release();

  // Both are the participant's, each once.
  const mine = page.locator('.own-cards');
  await mine.getByText('A second thing, written before the page came back.').waitFor();
  await mine.getByText('The first thing I wrote.').waitFor();
  assert.equal(await page.locator('.own-card').count(), 2);
});
