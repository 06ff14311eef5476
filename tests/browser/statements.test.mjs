// The statements step in a real browser: twelve phones write and answer
// statements, one at a time with the three big buttons, into two clear
// opinion groups; the shared screen then shows two groups (soft clouds
// with their sizes, never a point) and the statement everyone shares as
// common ground, and each phone is told privately which group it is
// closest to. Then the facilitator's side: seeds set up in the step
// editor, the pre-screen queue appearing on the console as people write,
// and a merged duplicate told to its author. Screenshots of each face land
// in tests/artifacts.
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
// The ready step's own seeds, which the phones answer too (with the odd
// ones: they are not in EVEN).
const SEEDS = 3;

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
  for (const [i, page] of phones.entries()) await answerAll(page, i < 6, all.length + SEEDS);

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

test('seeds set up in the step editor, the pre-screen queue live on the console, a merged duplicate told to its author', async (t) => {
  const hearth = await startHearth();
  const browser = await launchChromium();
  t.after(async () => { await browser.close(); await hearth.kill(); });
  const { facilitator, code } = await startGathering(browser, hearth, { name: 'Hall evening', agenda: 'community' });
  const phones = await joinPhones(browser, hearth, code, 2);

  // The step editor: the ready step's seeds, one a line, to add to.
  const step = facilitator.locator('.agenda-step').nth(STATEMENTS_STEP - 1);
  await step.getByRole('button', { name: 'Edit' }).click();
  const seeds = facilitator.getByLabel(/Statements of your own to start with/);
  const ready = await seeds.inputValue();
  assert.equal(ready.split('\n').length, SEEDS);
  // One over a statement's limit is named as a statement's, and not saved.
  await seeds.fill(`${ready}\n${'a'.repeat(141)}`);
  await facilitator.getByRole('button', { name: 'Save', exact: true }).click();
  await facilitator.locator('.editor').getByText('A statement has at most 140 characters.').waitFor();
  const NEW_SEED = 'The river path should be lit at night';
  await seeds.fill(`${ready}\n${NEW_SEED}`);
  await facilitator.getByLabel('Read each statement before it reaches the room (pre-screen)').check();
  await facilitator.getByRole('button', { name: 'Save', exact: true }).click();
  await facilitator.getByText('Saved.').waitFor();

  // The room enters the step: every seed is there to answer at once.
  await goToStep(facilitator, STATEMENTS_STEP, phones);
  const inRoom = facilitator.locator('.in-room');
  // A statement in the room, by its own row (the merge lists name it too).
  const listed = (text) => inRoom.locator('.statement-row > p', { hasText: text });
  await listed(NEW_SEED).waitFor();
  assert.equal(await inRoom.locator('.statement-row').count(), SEEDS + 1);
  await phones[0].locator('#statement-now').waitFor();
  const live = facilitator.getByRole('button', { name: 'Reveal by itself' });
  await live.click();
  await facilitator.locator('button[aria-pressed="false"]', { hasText: 'Reveal by itself' }).waitFor();

  // A statement written now waits for the facilitator, on the open console.
  const queue = facilitator.getByTestId('queue');
  const FIRST = 'Benches by the river, please';
  const SAME = 'More benches by the river';
  await write(phones[0], FIRST);
  await queue.getByText(FIRST).waitFor();
  await queue.locator('li', { hasText: FIRST }).getByRole('button', { name: 'Let in' }).click();
  await listed(FIRST).waitFor();
  await write(phones[1], SAME);
  await queue.getByText(SAME).waitFor();
  await queue.locator('li', { hasText: SAME }).getByRole('button', { name: 'Let in' }).click();
  await listed(SAME).waitFor();
  await queue.getByText('No statements waiting.').waitFor();

  // The facilitator merges the duplicate into the one it repeats.
  const row = inRoom.locator('.statement-row').filter({ has: facilitator.locator('p', { hasText: SAME }) });
  await row.getByRole('combobox', { name: 'Same as…' }).selectOption({ label: FIRST });
  await row.getByRole('button', { name: 'Merge' }).click();
  await listed(SAME).waitFor({ state: 'detached' });

  // Its author's phone says it was joined, and with which one.
  const own = phones[1].locator('.own-card', { hasText: SAME });
  const merged = own.getByTestId('merged');
  await merged.getByText('Someone else said this too').waitFor();
  await merged.getByText(FIRST).waitFor();
  assert.equal(await own.getByText('Not shown to the room').count(), 0);
  await accessible(phones[1], 'merged statement phone');
  await fits(phones[1]);
  await phones[1].screenshot({ path: join(artifacts, 'statements-merged-phone-360.png'), fullPage: true });
});
