// The anonymity audit's browser half (the WebSocket half is
// server/tests/audit.rs): real Chromium phones with their own user agent
// join, post, mark and withdraw; then the database, its write-ahead log,
// the server's log, and everything the console and screen pages hold are
// searched for the phones' user agent, device tokens and withdrawn words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startHearth, launchChromium, startGathering, clickWhenEnabled, phone, withdraw } from './support.mjs';

function stored(hearth) {
  const db = join(hearth.dir, 'hearth.db');
  const parts = [readFileSync(db)];
  if (existsSync(`${db}-wal`)) parts.push(readFileSync(`${db}-wal`));
  return Buffer.concat(parts);
}

test('nothing a browser phone sends identifies it, and withdrawn words leave the disk', async (t) => {
  const hearth = await startHearth();
  const browser = await launchChromium();
  t.after(async () => { await browser.close(); await hearth.kill(); });
  const { facilitator, screen, code } = await startGathering(browser, hearth, { agenda: 'blank' });
  const secret = randomBytes(6).toString('hex');
  const userAgent = `AuditBrowser/1.0 (secret-ua-${secret})`;
  const phones = [];
  for (let i = 0; i < 3; i++) {
    const context = await browser.newContext({ ...phone, userAgent });
    const page = await context.newPage();
    await page.goto(hearth.base);
    await page.getByLabel('Join code').fill(code);
    await page.getByRole('button', { name: 'Join' }).click();
    await page.locator('.link-status[data-status="live"]').waitFor({ state: 'attached', timeout: 20_000 });
    phones.push({ page, context });
  }
  const canary = `withdrawn-canary-${secret}`;
  for (const [i, { page }] of phones.entries()) {
    await page.getByRole('textbox', { name: 'Your reflection' }).fill(i === 0 ? canary : `kept ${i} ${secret}`);
    await page.getByRole('button', { name: 'Add reflection' }).click();
    await page.getByText('Received. Thank you.').waitFor();
  }
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  await screen.locator('.wall .card', { hasText: canary }).waitFor();
  const other = phones[1].page.locator('.board .card', { hasText: `kept 2 ${secret}` });
  await other.getByRole('button', { name: /This resonates/ }).click();
  await other.locator('button[aria-pressed="true"]').waitFor();
  await withdraw(phones[0].page, canary);
  await screen.locator('.wall .card', { hasText: canary }).waitFor({ state: 'detached' });

  const tokens = [];
  for (const { context } of phones) {
    const cookie = (await context.cookies()).find((c) => c.name === 'hearth_device');
    assert.ok(cookie && /^[0-9a-f]{32}$/.test(cookie.value), 'each phone holds a device token');
    tokens.push(cookie.value);
  }
  const haystacks = [
    ['database and its log', stored(hearth)],
    ['server log', Buffer.from(hearth.log())],
    ['console page', Buffer.from(await facilitator.content())],
    ['screen page', Buffer.from(await screen.content())],
  ];
  const needles = [['user agent', userAgent], ['user agent marker', `secret-ua-${secret}`],
    ...tokens.map((token, i) => [`device token of phone ${i}`, token]), ['withdrawn words', canary]];
  const found = [];
  for (const [where, bytes] of haystacks) {
    for (const [what, needle] of needles) {
      if (bytes.includes(Buffer.from(needle))) found.push(`${what} in the ${where}`);
    }
  }
  assert.deepEqual(found, []);
  // The audit can see: what was kept is still there.
  assert.ok(stored(hearth).includes(Buffer.from(`kept 1 ${secret}`)), 'the search reads the real file');
});
