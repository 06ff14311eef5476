// Small groups in a real browser: seven phones dealt into triads (3 + 2 + 2)
// when the room enters the introduction's practice step, three rounds with
// the roles swapping, an observer noting a disconnect privately, a group's
// board seen at once by its members and never by another group, two
// groups bringing a card back for the room's reveal, and a second practice
// dealt afresh once the console has asked (the boards go, what was brought
// back stays the room's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startHearth, launchChromium, startGathering, joinPhones, goToStep, clickWhenEnabled, artifacts, accessible } from './support.mjs';

/** Each phone's group number, place and role now, read from its page. */
async function seats(phones) {
  const found = [];
  for (const page of phones) {
    const sign = page.locator('.group-sign');
    await sign.waitFor();
    const group = Number(await sign.getAttribute('data-group'));
    const placeText = await page.getByText(/You are person \d+ of \d+/).textContent();
    const place = Number(placeText.match(/person (\d+)/)[1]);
    found.push({ page, group, place });
  }
  return found;
}

/** The phone at `place` of group `group`. */
function member(all, group, place) {
  const seat = all.find((s) => s.group === group && s.place === place);
  assert.ok(seat, `group ${group} has a person ${place}`);
  return seat.page;
}

async function write(page, text) {
  await page.getByRole('textbox', { name: 'Write for your group' }).fill(text);
  await page.getByRole('button', { name: 'Add to our board' }).click();
  await page.locator('.group-card', { hasText: text }).waitFor();
}

async function round(facilitator, screen, phones, n, heading) {
  await facilitator.getByRole('button', { name: `Start round ${n}` }).click();
  await screen.getByText(heading, { exact: true }).waitFor();
  for (const page of phones) await page.getByText(heading, { exact: true }).waitFor();
}

test('seven phones practise in triads through three rounds and two groups bring cards back', async (t) => {
  const hearth = await startHearth();
  const browser = await launchChromium();
  t.after(async () => { await browser.close(); await hearth.kill(); });
  const { facilitator, screen, code } = await startGathering(browser, hearth);
  const phones = await joinPhones(browser, hearth, code, 7);
  await goToStep(facilitator, 9, phones);

  // Dealt on entering: every phone has a sign to hold up; 3 + 2 + 2.
  await screen.getByText('Find your group: look for your sign on your phone').waitFor();
  const all = await seats(phones);
  const sizes = [1, 2, 3].map((n) => all.filter((s) => s.group === n).length);
  assert.deepEqual(sizes, [3, 2, 2]);
  await facilitator.getByTestId('groups-desk').getByText(/3 groups/).waitFor();

  // Round 1: roles. The phone says plainly that the group sees its words.
  await round(facilitator, screen, phones, 1, 'Round 1 of 3');
  const [teller, listener, observer] = [1, 2, 3].map((p) => member(all, 1, p));
  await observer.getByRole('heading', { name: /Your role this round: Observer/ }).waitFor();
  await teller.getByRole('heading', { name: /Your role this round: Storyteller/ }).waitFor();
  await teller.getByText('Your group sees what you write here, straight away.').waitFor();
  await accessible(observer, 'small groups observer phone');
  await accessible(facilitator, 'small groups console');
  await accessible(screen, 'small groups screen');
  await facilitator.screenshot({ path: join(artifacts, 'groups-console.png'), fullPage: true });
  await observer.screenshot({ path: join(artifacts, 'groups-observer-phone.png'), fullPage: true });

  // The observer notes a disconnect: on their phone only.
  await observer.getByLabel('A few words (optional)').fill('a question too soon');
  await observer.getByRole('button', { name: 'Probing' }).click();
  const note = observer.locator('.group-card.private', { hasText: 'a question too soon' });
  await note.waitFor();
  await note.getByText('Only you see this').waitFor();

  // The storyteller writes: the listener sees it at once, group 2 never.
  await write(teller, 'Being asked what happened, not what is wrong');
  await listener.locator('.group-card', { hasText: 'Being asked what happened' }).waitFor();
  const other = member(all, 2, 1);
  assert.equal(await other.locator('.group-card', { hasText: 'Being asked what happened' }).count(), 0);
  assert.equal(await teller.getByText('a question too soon').count(), 0, 'the note stays private');
  assert.equal(await screen.getByText('Being asked what happened').count(), 0);
  assert.equal(await facilitator.getByText('Being asked what happened').count(), 0);

  // The observer shares the note with the group.
  await note.getByRole('button', { name: 'Share with my group' }).click();
  await teller.locator('.group-card', { hasText: 'a question too soon' }).waitFor();

  // Rounds 2 and 3: the roles swap.
  await round(facilitator, screen, phones, 2, 'Round 2 of 3: swap roles');
  await observer.getByRole('heading', { name: /Your role this round: Storyteller/ }).waitFor();
  await listener.getByRole('heading', { name: /Your role this round: Observer/ }).waitFor();
  await round(facilitator, screen, phones, 3, 'Round 3 of 3: swap roles');
  await screen.screenshot({ path: join(artifacts, 'groups-screen-1920.png') });

  // Two groups bring a card back: one proposes, another agrees.
  const card = teller.locator('.group-card', { hasText: 'Being asked what happened' });
  await card.getByRole('button', { name: 'Propose for the room' }).click();
  await teller.getByText('You proposed this for the room. Another member needs to agree.').waitFor();
  const theirs = listener.locator('.group-card', { hasText: 'Being asked what happened' });
  await theirs.getByRole('button', { name: 'Agree: send to the room' }).click();
  await theirs.getByText('Sent to the room').waitFor();
  const [two1, two2] = [1, 2].map((p) => member(all, 2, p));
  await write(two1, 'Silence that felt like room to think');
  await two1.locator('.group-card', { hasText: 'Silence that felt' }).getByRole('button', { name: 'Propose for the room' }).click();
  const agree = two2.locator('.group-card', { hasText: 'Silence that felt' }).getByRole('button', { name: 'Agree: send to the room' });
  await agree.waitFor();
  await agree.click();
  await screen.getByText('2 groups have brought something back').waitFor();
  // Nothing brought back shows before the reveal.
  assert.equal(await screen.getByText('Silence that felt like room to think').count(), 0);

  // Everyone comes back; the reveal shows what the groups sent.
  await facilitator.getByRole('button', { name: 'Bring everyone back' }).click();
  await screen.getByText('Welcome back').waitFor();
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  await screen.locator('.card', { hasText: 'Being asked what happened, not what is wrong' }).waitFor();
  await screen.locator('.card', { hasText: 'Silence that felt like room to think' }).waitFor();
  assert.equal(await screen.getByText('a question too soon').count(), 0, 'a shared note stays in its group');
  await other.getByText('Everyone is back in the room.', { exact: false }).waitFor();

  // A second practice with fresh triads. The groups wrote, so dealing
  // again asks first; cancelling changes nothing.
  const desk = facilitator.getByTestId('groups-desk');
  const asked = desk.getByText('What they wrote and did not bring back will be gone for good.', { exact: false });
  await desk.getByRole('button', { name: 'Deal again' }).click();
  await asked.waitFor();
  await accessible(facilitator, 'small groups console asking before dealing again');
  await desk.getByRole('button', { name: 'Cancel' }).click();
  await asked.waitFor({ state: 'detached' });
  await screen.getByText('Welcome back').waitFor();
  await desk.getByRole('button', { name: 'Deal again' }).click();
  await desk.getByRole('button', { name: 'Yes, deal again' }).click();

  // Dealt afresh: every phone before its first round, its board empty;
  // the cards brought back stay on the room's board.
  await screen.getByText('Find your group: look for your sign on your phone').waitFor();
  for (const page of phones) await page.getByText('The first round starts soon.').waitFor();
  const again = await seats(phones);
  assert.deepEqual([1, 2, 3].map((n) => again.filter((s) => s.group === n).length), [3, 2, 2]);
  for (const page of phones) assert.equal(await page.locator('.group-card').count(), 0);
  await screen.locator('.card', { hasText: 'Silence that felt like room to think' }).waitFor();
  await round(facilitator, screen, phones, 1, 'Round 1 of 3');
  await member(again, 1, 3).getByRole('heading', { name: /Your role this round: Observer/ }).waitFor();
});
