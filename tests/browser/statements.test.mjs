// The statements step in a real browser: twelve phones write and answer
// statements, one at a time with the three big buttons, into two clear
// opinion groups; the shared screen then shows two groups (soft clouds
// with their sizes, never a point) and the statement everyone shares as
// common ground, and each phone is told privately which group it is
// closest to. Screenshots of each face land in tests/artifacts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  startHearth, launchChromium, startGathering, joinPhones, goToStep, artifacts, accessible, fits,
} from './support.mjs';

// The community agenda's statements step (from 1).
const STATEMENTS_STEP = 5;
const COMMON = 'Everyone deserves a warm home';
const EVEN = ['Parks before parking', 'The market should stay'];
const ODD = ['Cars come first', 'Close the library', 'Fewer buses at night'];

async function write(page, text) {
  await page.getByRole('textbox', { name: 'Add a statement' }).fill(text);
  await page.getByRole('button', { name: 'Add statement' }).click();
  await page.getByText('Received. Thank you.').waitFor();
}

/** A phone answers every statement it is shown, the first six phones
 * agreeing with the even ones and the rest with the odd ones; everyone
 * agrees with the common one. */
async function answerAll(page, first, total) {
  for (let answered = 0; answered < total; answered++) {
    const now = page.locator('#statement-now');
    await now.waitFor();
    const text = (await now.textContent()).trim();
    const agree = text === COMMON || EVEN.includes(text) === first;
    // The button of the statement read: a statement that changed under
    // the thumb (it must not) fails here rather than taking this answer.
    const form = page.locator('form.answer', { has: page.locator('#statement-now', { hasText: text }) });
    await form.getByTestId(agree ? 'agree' : 'disagree').click({ timeout: 5_000 });
    // The next statement takes its place (or the phone says it is done).
    if (answered + 1 < total) {
      await page.locator('#statement-now', { hasNotText: text }).waitFor();
    }
  }
  await page.getByText("You've answered every statement for now.").waitFor();
}

test('twelve phones answer into two groups; the screen shows both and their common ground', async (t) => {
  const hearth = await startHearth();
  const browser = await launchChromium();
  t.after(async () => { await browser.close(); await hearth.kill(); });
  const { facilitator, screen, code } = await startGathering(browser, hearth, { name: 'Town hall', agenda: 'community' });
  const phones = await joinPhones(browser, hearth, code, 12);
  await goToStep(facilitator, STATEMENTS_STEP, phones);

  // Three people each write two statements: let in, shuffled, once three
  // different people have written.
  const all = [COMMON, ...EVEN, ...ODD];
  for (let i = 0; i < all.length; i++) await write(phones[i % 3], all[i]);
  for (const [i, page] of phones.entries()) await answerAll(page, i < 6, all.length);

  // The screen: two groups of six as clouds, and the common ground.
  // (Landscapes made while answers came in may show fewer: wait for the
  // one made from every answer.)
  const picture = screen.locator('.landscape-picture');
  await screen.waitForFunction(() => {
    const sizes = [...document.querySelectorAll('.landscape-picture text')].map((t) => t.textContent);
    return document.querySelectorAll('.landscape-picture ellipse').length === 2
      && sizes.filter((s) => s === '6 people').length === 2;
  }, null, { timeout: 30_000 });
  assert.equal(await picture.locator('ellipse').count(), 2);
  assert.equal(await picture.locator('circle').count(), 0, 'no one is drawn as a point');
  await picture.getByText('Group A').waitFor({ state: 'attached' });
  await picture.getByText('Group B').waitFor({ state: 'attached' });
  assert.equal(await picture.getByText('6 people').count(), 2);
  await screen.getByTestId('common-ground').getByText(COMMON).waitFor();

  // The facilitator puts a divisive statement on screen: each group's answers.
  // (Each row's merge list names the others: find the row by its own words.)
  const row = facilitator.locator('.statement-row').filter({ has: facilitator.locator('p', { hasText: EVEN[0] }) });
  await row.getByRole('button', { name: 'Put on screen' }).click();
  const onScreen = screen.getByTestId('on-screen');
  await onScreen.getByText(EVEN[0]).waitFor();
  await onScreen.getByText('100% agree · 0% disagree · 0% pass').waitFor();
  await onScreen.getByText('0% agree · 100% disagree · 0% pass').waitFor();

  // A phone, privately: the group it is closest to, and why.
  const place = phones[0].getByTestId('your-place');
  await phones[0].reload();
  await place.getByText(/You're closest to Group [AB]\./).waitFor();
  await place.getByText('You agreed:').first().waitFor();

  await fits(screen, { vertical: true });
  await fits(phones[0]);
  await accessible(phones[0], 'statements phone');
  await accessible(screen, 'statements screen');
  await phones[0].screenshot({ path: join(artifacts, 'statements-phone-360.png'), fullPage: true });
  await screen.screenshot({ path: join(artifacts, 'statements-screen-1920.png') });
  await facilitator.screenshot({ path: join(artifacts, 'statements-console-1280.png'), fullPage: true });
});
