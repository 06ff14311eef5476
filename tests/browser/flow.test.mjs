// The foundation flow in a real browser: a facilitator starts a gathering,
// the screen shows the code and QR code, a phone joins and adds a
// reflection, the reveal reaches every view live; a phone without
// JavaScript posts too; the server is killed and restarted and everything
// comes back by itself. And a phone's script keeps what is being typed
// through the room's changes, and its unsent posts through a closed tab.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  startHearth, launchChromium, phone, projector, laptop, live, artifacts, watchPolicy, policyViolations,
  startGathering, joinPhones, clickWhenEnabled,
} from './support.mjs';

test('the first gathering, from start to reveal, survives a restart', async (t) => {
  const hearth = await startHearth();
  const browser = await launchChromium();
  t.after(async () => { await browser.close(); await hearth.kill(); });

  // The facilitator starts a gathering.
  const facilitator = await (await browser.newContext(laptop)).newPage();
  await watchPolicy(facilitator);
  await facilitator.goto(`${hearth.base}/start`);
  await facilitator.getByLabel('Name of the gathering').fill('Tuesday training');
  await facilitator.getByLabel('One board to build from').check();
  await facilitator.getByRole('button', { name: 'Start gathering' }).click();
  await facilitator.waitForURL(/\/console\/[0-9a-f]{40}$/);
  await live(facilitator);
  const code = (await facilitator.getByTestId('join-code').textContent()).trim();
  assert.match(code, /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/);
  const screenUrl = await facilitator.getByRole('link', { name: 'Open the shared screen' }).getAttribute('href');
  assert.match(screenUrl, /\/screen\/[0-9a-f]{40}$/);

  // The shared screen: code in huge type, QR code, short URL, prompt.
  const screen = await (await browser.newContext(projector)).newPage();
  await watchPolicy(screen);
  await screen.goto(screenUrl);
  await live(screen);
  const bigCode = screen.getByTestId('join-code');
  assert.equal((await bigCode.textContent()).trim(), code);
  const codeSize = await bigCode.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  assert.ok(codeSize >= 64, `the code is huge on the screen (${codeSize}px)`);
  const qr = screen.getByRole('img', { name: /QR code/ });
  await qr.waitFor();
  assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR code loads');
  assert.ok((await screen.locator('.short-url').textContent()).includes('127.0.0.1'));
  await screen.getByRole('heading', { name: "What's bringing you here today?" }).waitFor();

  // A phone joins by typing the code (in lower case, as people do).
  const phonePage = await (await browser.newContext(phone)).newPage();
  await watchPolicy(phonePage);
  await phonePage.goto(hearth.base);
  await phonePage.getByLabel('Join code').fill(code.toLowerCase());
  await phonePage.getByRole('button', { name: 'Join' }).click();
  await phonePage.getByRole('heading', { name: "What's bringing you here today?" }).waitFor();
  await live(phonePage);
  await phonePage.getByRole('textbox', { name: 'Your reflection' }).fill('I came to listen.');
  await phonePage.getByRole('button', { name: 'Add reflection' }).click();
  await phonePage.getByText('Received. Thank you.').waitFor();
  await phonePage.locator('.own-cards').getByText('I came to listen.').waitFor();
  const scrollWidth = await phonePage.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= 360, `no sideways scrolling on a 360 px phone (${scrollWidth})`);
  await phonePage.screenshot({ path: join(artifacts, 'flow-phone-360.png'), fullPage: true });

  // A phone without JavaScript joins and posts with plain forms.
  const plain = await (await browser.newContext({ ...phone, javaScriptEnabled: false })).newPage();
  await plain.goto(hearth.base);
  await plain.getByLabel('Join code').fill(code);
  await plain.getByRole('button', { name: 'Join' }).click();
  await plain.getByRole('textbox', { name: 'Your reflection' }).fill('Posted without any script.');
  await plain.getByRole('button', { name: 'Add reflection' }).click();
  await plain.getByRole('heading', { name: 'Your reflection was received' }).waitFor();
  await plain.getByText('Posted without any script.').waitFor();

  // The reveal reaches the screen and the phone, with no reload.
  const reveal = facilitator.getByRole('button', { name: 'Reveal reflections' });
  await facilitator.waitForFunction(() => {
    const b = [...document.querySelectorAll('button')].find((x) => x.textContent.includes('Reveal reflections'));
    return b && !b.disabled;
  });
  await reveal.click();
  for (const text of ['I came to listen.', 'Posted without any script.']) {
    await screen.locator('.wall .card', { hasText: text }).waitFor();
    await phonePage.locator('.board .card', { hasText: text }).waitFor();
  }
  await screen.screenshot({ path: join(artifacts, 'flow-screen-1920.png') });
  // The script policy lets our own script and WebAssembly run (every view
  // above went live) and had nothing of ours to block.
  for (const page of [facilitator, screen, phonePage]) {
    assert.deepEqual(await policyViolations(page), [], page.url());
  }

  // The server crashes and comes back: every view reconnects by itself.
  await hearth.kill();
  await phonePage.locator('.link-status[data-status="reconnecting"]').waitFor({ state: 'attached' });
  await phonePage.getByText(/Reconnecting/).waitFor();
  // The screen speaks to a room, not to one person's words.
  await screen.getByText('Reconnecting… the screen will catch up by itself.', { exact: false }).waitFor();
  // Written and sent while the server is down: it waits on the phone.
  await phonePage.getByRole('textbox', { name: 'Your reflection' }).fill('Still here after the restart.');
  await phonePage.getByRole('button', { name: 'Add reflection' }).click();
  await phonePage.getByText('Sending…').waitFor();
  await hearth.start();
  await Promise.all([live(facilitator), live(screen), live(phonePage)]);
  assert.equal(await screen.locator('.wall .card').count(), 2, 'every card is still on the screen');
  await phonePage.getByText('Received. Thank you.').waitFor();
  await facilitator.getByRole('button', { name: 'Reveal reflections' }).click();
  await screen.locator('.wall .card', { hasText: 'Still here after the restart.' }).waitFor();

  // And a reload shows the same board from the server.
  await screen.reload();
  assert.equal(await screen.locator('.wall .card').count(), 3);
});

test('a half-written reflection survives a reload and is sent once', async (t) => {
  const hearth = await startHearth();
  const browser = await launchChromium();
  t.after(async () => { await browser.close(); await hearth.kill(); });
  const r = await fetch(`${hearth.base}/start`, {
    method: 'POST', body: new URLSearchParams({ name: 'Drafts', agenda: 'blank' }), redirect: 'manual',
  });
  const facilitator = await (await browser.newContext(laptop)).newPage();
  await facilitator.goto(hearth.base + r.headers.get('location'));
  const code = (await facilitator.getByTestId('join-code').textContent()).trim();

  const page = await (await browser.newContext(phone)).newPage();
  await page.goto(`${hearth.base}/join?code=${code}`);
  await live(page);
  const box = page.getByRole('textbox', { name: 'Your reflection' });
  await box.fill('Half a thought that must not be lost');
  await page.reload();
  await live(page);
  await page.waitForFunction(() => document.querySelector('#reflection')?.value === 'Half a thought that must not be lost');
  await page.getByRole('button', { name: 'Add reflection' }).click();
  await page.getByText('Received. Thank you.').waitFor();
  assert.equal(await box.inputValue(), '', 'the box is empty once the reflection is stored');
  await page.reload();
  await live(page);
  assert.equal(await page.locator('#reflection').inputValue(), '', 'nothing comes back once it was sent');
  assert.equal(await page.locator('.own-cards li').count(), 1);
});

test('a phone keeps what is being typed while the room changes, and a post made offline is sent once, even after the tab closed', async (t) => {
  const hearth = await startHearth();
  const browser = await launchChromium();
  t.after(async () => { await browser.close(); await hearth.kill(); });
  const { facilitator, screen, code } = await startGathering(browser, hearth, { name: 'Typing', agenda: 'blank' });
  const [writer, other] = await joinPhones(browser, hearth, code, 2);

  // Half a thought, the caret in the box, the very node marked.
  const box = writer.getByRole('textbox', { name: 'Your reflection' });
  await box.fill('Half a thought');
  await writer.evaluate(() => { document.querySelector('#reflection').hearthSameNode = true; });
  await other.getByRole('textbox', { name: 'Your reflection' }).fill('Another voice');
  await other.getByRole('button', { name: 'Add reflection' }).click();
  await other.getByText('Received. Thank you.').waitFor();
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  // The writer's page took in the reveal (a fresh copy from the server)...
  await writer.locator('.board .card', { hasText: 'Another voice' }).waitFor();
  // ...and what was being typed, the focus and the node itself stayed.
  assert.equal(await box.inputValue(), 'Half a thought');
  assert.deepEqual(await writer.evaluate(() => [document.activeElement?.id, document.querySelector('#reflection').hearthSameNode]),
    ['reflection', true]);

  // Offline: the post waits on the phone, the tab is closed, and the next
  // visit sends it, once.
  const url = writer.url();
  const device = writer.context();
  await device.setOffline(true);
  await writer.getByRole('button', { name: 'Add reflection' }).click();
  await writer.getByText('Sending…').waitFor();
  await writer.close();
  await device.setOffline(false);
  const again = await device.newPage();
  await again.goto(url);
  await again.locator('.own-cards').getByText('Half a thought').waitFor();
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  await screen.locator('.wall .card', { hasText: 'Half a thought' }).waitFor();
  await again.reload();
  await live(again);
  assert.equal(await again.locator('.own-cards li').count(), 1, 'stored once');
  assert.equal(await screen.locator('.wall .card', { hasText: 'Half a thought' }).count(), 1);
  assert.equal(await again.locator('#reflection').inputValue(), '', 'the draft is gone once stored');
});
