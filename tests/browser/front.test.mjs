// The front of the room (issue 16): a console a facilitator can run under
// pressure, whose live controls all sit in a laptop's first screenful, and
// a shared screen that reads from the back row, whatever it shows: its
// smallest words measured at 1920x1080 with 5, 30 and 150 cards, nothing
// spilling out of its box or off the screen. Screenshots of each land in
// tests/artifacts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  startHearth, launchChromium, startGathering, joinPhones, goToStep, clickWhenEnabled, fits, artifacts, accessible, live,
} from './support.mjs';

async function post(page, text) {
  await page.getByRole('textbox', { name: 'Your reflection' }).fill(text);
  await page.getByRole('button', { name: 'Add reflection' }).click();
  await page.getByText('Received. Thank you.').waitFor();
}

/** The parts of the console that must be in its first screenful, each with
 * the box it takes, read at the top of the page. */
async function liveControls(page) {
  await page.evaluate(() => window.scrollTo(0, 0));
  const parts = {
    'the current prompt': page.locator('#current-title'),
    'the picture of the screen': page.getByTestId('screen-preview'),
    'the waiting count': page.locator('.now .tally'),
    'Reveal': page.getByRole('button', { name: 'Reveal reflections' }),
    'Previous': page.getByRole('button', { name: 'Previous step' }),
    'Next': page.getByRole('button', { name: 'Next step' }),
    'a card': page.locator('.moderation .card').first(),
    'its Hide': page.locator('.moderation .card:not(.hidden)').first().getByRole('button', { name: 'Hide' }),
    'its Blur': page.locator('.moderation .card:not(.hidden)').first().getByRole('button', { name: 'Blur' }),
    'Show again': page.getByRole('button', { name: 'Show again' }),
    'the timer': page.getByRole('button', { name: 'Start the timer' }),
    'the join code': page.getByTestId('join-code'),
    'Open the shared screen': page.getByRole('link', { name: 'Open the shared screen' }),
  };
  const boxes = {};
  for (const [name, locator] of Object.entries(parts)) boxes[name] = await locator.boundingBox();
  return boxes;
}

test('the console keeps the room\'s now in a laptop\'s first screenful', async (t) => {
  const hearth = await startHearth();
  const browser = await launchChromium();
  t.after(async () => { await browser.close(); await hearth.kill(); });
  const { facilitator, code } = await startGathering(browser, hearth);
  // A new gathering says what to do first.
  await facilitator.getByTestId('first-steps').getByText('Open the shared screen on the projector').waitFor();
  const phones = await joinPhones(browser, hearth, code, 3);
  for (const [i, p] of phones.entries()) await post(p, `Check-in words number ${i + 1}, about why I came today.`);
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  await facilitator.locator('.moderation .card').nth(2).waitFor();
  await facilitator.getByTestId('first-steps').waitFor({ state: 'detached' });
  await facilitator.locator('.moderation .card').first().getByRole('button', { name: 'Hide' }).click();
  await facilitator.getByRole('button', { name: 'Show again' }).waitFor();
  await facilitator.getByTestId('screen-preview').locator('.card').nth(1).waitFor();

  for (const [width, height] of [[1366, 768], [1440, 900]]) {
    await facilitator.setViewportSize({ width, height });
    const boxes = await liveControls(facilitator);
    for (const [name, box] of Object.entries(boxes)) {
      assert.ok(box, `${name} is shown at ${width}x${height}`);
      assert.ok(box.y >= 0 && box.y + box.height <= height && box.x >= 0 && box.x + box.width <= width,
        `${name} is inside the first ${width}x${height} screenful: ${JSON.stringify(box)}`);
    }
    await fits(facilitator);
    await accessible(facilitator, `the console at ${width}x${height}`);
    await facilitator.screenshot({ path: join(artifacts, `console-desk-${width}.png`) });
  }

  // "Reveal by itself" with too few writers says it holds cards back, on
  // the console and on the writer's phone; Reveal lets them go.
  await facilitator.getByRole('button', { name: 'Reveal by itself' }).click();
  await facilitator.getByRole('button', { name: 'Reveal by itself', pressed: true }).waitFor();
  await post(phones[0], 'Words held back for a while.');
  await facilitator.getByTestId('held-back').waitFor();
  await phones[0].locator('.own-card', { hasText: 'Words held back for a while.' })
    .getByText('once a few more people have written').waitFor();
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  await facilitator.locator('.moderation .card', { hasText: 'Words held back for a while.' }).waitFor();
  await facilitator.getByTestId('held-back').waitFor({ state: 'detached' });

  // A paste too long for the box is cut to 500 characters, and the phone
  // says so.
  await phones[1].getByRole('textbox', { name: 'Your reflection' }).fill('x'.repeat(600));
  await phones[1].getByText('Only the first 500 characters fit, so the last 100 were left out.').waitFor();
  assert.equal((await phones[1].getByRole('textbox', { name: 'Your reflection' }).inputValue()).length, 500);

  // The presenter view, for one laptop screen in a video call: the
  // picture of the room's screen takes most of the window, and every live
  // control is still in the first screenful.
  await facilitator.getByRole('link', { name: 'Presenter view' }).click();
  await facilitator.waitForURL(/layout=presenter/);
  await live(facilitator);
  for (const [width, height] of [[1366, 768], [1440, 900]]) {
    await facilitator.setViewportSize({ width, height });
    await facilitator.reload();
    await live(facilitator);
    const boxes = await liveControls(facilitator);
    for (const [name, box] of Object.entries(boxes)) {
      assert.ok(box && box.y >= 0 && box.y + box.height <= height && box.x + box.width <= width,
        `presenter view: ${name} is inside the first ${width}x${height} screenful: ${JSON.stringify(box)}`);
    }
    const picture = boxes['the picture of the screen'];
    assert.ok(picture.width >= width / 2, `presenter view: the picture is half the window or more: ${picture.width}`);
    await facilitator.screenshot({ path: join(artifacts, `console-presenter-${width}.png`) });
  }
  await facilitator.getByRole('link', { name: 'Whole console' }).click();
  await facilitator.waitForURL((url) => !url.search.includes('presenter'));
  await live(facilitator);

  // Ending asks before it acts.
  await facilitator.getByRole('button', { name: 'End the gathering' }).click();
  await facilitator.getByText('End now? Joining and adding close for everyone.').waitFor();
  await facilitator.getByRole('button', { name: 'Cancel' }).click();
  await facilitator.getByRole('button', { name: 'End the gathering' }).waitFor();
});

/** The phones' plain forms, sent straight from the test, each from its
 * own device (`device` is a number), on the step the room is on. */
async function formsOf(facilitator, hearth) {
  const joinUrl = (await facilitator.locator('.links code.url').last().textContent()).trim();
  const token = joinUrl.split('/').pop();
  const secret = new URL(facilitator.url()).pathname.split('/').pop();
  const room = async () => (await (await fetch(`${hearth.base}/api/console`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ secret }),
  })).json()).gathering;
  const step = String((await room()).current);
  const send = async (what, device, fields) => {
    const response = await fetch(`${hearth.base}/p/${token}/${what}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: `hearth_device=${(device + 1).toString(16).padStart(32, '0')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ step, ...fields }),
    });
    assert.equal(response.status, 303, `${what} from device ${device}`);
    const landed = response.headers.get('location') ?? '';
    assert.ok(!landed.includes('error='), `${what} from device ${device}: ${landed}`);
  };
  return { step, room, send };
}

/** Posts `texts` as reflections on the step the room is on (with any
 * `extra` fields the step's form has), each from its own device, and
 * reveals them. */
async function wall(facilitator, screen, hearth, texts, extra = () => ({})) {
  const { send } = await formsOf(facilitator, hearth);
  await Promise.all(texts.map((text, i) =>
    send('reflect', i, { id: `legible-${texts.length}-${i}`, text, ...extra(i) })));
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  await screen.waitForFunction((n) => document.querySelectorAll('.wall .card').length === n, texts.length);
  // The wall has found its size: nothing in it overflows any more.
  await screen.waitForFunction(() => {
    const w = document.querySelector('.wall');
    return w && w.scrollHeight <= w.clientHeight + 1;
  });
}

/** What the screen shows, measured: the smallest card text, any card
 * outside the screen, any card whose words are cut off. */
function measure(screen) {
  return screen.evaluate(() => {
    const cards = [...document.querySelectorAll('.wall .card')];
    const texts = cards.map((c) => c.querySelector('.card-text'));
    return {
      smallest: Math.min(...texts.map((t) => parseFloat(getComputedStyle(t).fontSize))),
      outside: cards.filter((c) => {
        const r = c.getBoundingClientRect();
        return r.top < 0 || r.left < 0 || r.bottom > window.innerHeight || r.right > window.innerWidth;
      }).length,
      clipped: texts.filter((t) => t.scrollHeight > t.clientHeight + 1).length,
      clamped: document.querySelector('.wall')?.hasAttribute('data-lines'),
    };
  });
}

const words = 'Something I noticed about how we listen to each other when it gets hard, and what helped.';
const long = `${'A long story, told the way it was told to me, with every word of it kept. '.repeat(7)}`.slice(0, 500);

for (const [n, floor] of [[5, 28], [30, 22], [150, 18]]) {
  test(`the screen reads from the back with ${n} cards at 1920x1080`, async (t) => {
    const hearth = await startHearth();
    const browser = await launchChromium();
    t.after(async () => { await browser.close(); await hearth.kill(); });
    const { facilitator, screen } = await startGathering(browser, hearth, { agenda: 'blank' });
    // A few cards, one of them 500 characters long; or many ordinary ones.
    const texts = Array.from({ length: n }, (_, i) => (n === 5 && i === 2 ? long : `${i + 1}. ${words}`));
    await wall(facilitator, screen, hearth, texts);
    // Enough people wrote for the screen to say how many.
    await screen.getByTestId('writers').getByText(`${n} people have written`).waitFor();
    await fits(screen, { vertical: true });
    const m = await measure(screen);
    assert.ok(m.smallest >= floor, `card text at least ${floor} px with ${n} cards: ${m.smallest} px`);
    assert.equal(m.outside, 0, 'every card is on the screen');
    if (n === 5) {
      assert.equal(m.clipped, 0, 'a few cards, the long one too, keep every word');
      assert.ok(!m.clamped);
    }
    await accessible(screen, `the screen with ${n} cards`);
    await screen.screenshot({ path: join(artifacts, `screen-board-${n}-1920.png`) });
  });
}

// The other kinds whose cards go on a wall, each on its step of the
// introduction, with what its form asks for besides the words.
const kinds = [
  ['stories to reframe', 4, () => ({})],
  ['give and receive', 6, (i) => ({ column: String(i % 2) })],
  ['moving towards', 7, () => ({ toward: '1', from: 'Keeping it all to myself' })],
];
for (const [kind, stepNumber, extra] of kinds) {
  for (const [n, floor] of [[5, 28], [30, 22], [150, 18]]) {
    test(`the screen reads from the back with ${n} cards of ${kind} at 1920x1080`, async (t) => {
      const hearth = await startHearth();
      const browser = await launchChromium();
      t.after(async () => { await browser.close(); await hearth.kill(); });
      const { facilitator, screen } = await startGathering(browser, hearth);
      await goToStep(facilitator, stepNumber);
      const texts = Array.from({ length: n }, (_, i) => `${i + 1}. ${words}`);
      await wall(facilitator, screen, hearth, texts, extra);
      await fits(screen, { vertical: true });
      const m = await measure(screen);
      assert.ok(m.smallest >= floor, `${kind}: card text at least ${floor} px with ${n} cards: ${m.smallest} px`);
      assert.equal(m.outside, 0, `${kind}: every card is on the screen`);
      await screen.screenshot({ path: join(artifacts, `screen-${kind.replaceAll(' ', '-')}-${n}-1920.png`) });
    });
  }
}

/** The smallest words anywhere in the screen's main part, in CSS pixels,
 * and whether anything there spills out of the screen. */
function smallestWords(screen) {
  return screen.evaluate(() => {
    const texts = [...document.querySelectorAll('.screen-main *')].filter((el) =>
      [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim())
      && el.getClientRects().length > 0 && !el.closest('.visually-hidden'));
    const outside = texts.filter((el) => {
      const r = el.getBoundingClientRect();
      return r.bottom > window.innerHeight + 1 || r.right > window.innerWidth + 1;
    }).length;
    return { smallest: Math.min(...texts.map((el) => parseFloat(getComputedStyle(el).fontSize))), outside };
  });
}

// A spectrum and a dialogue have no cards: what is measured is every word
// the room reads there (the poles, the counts, the lines and their tags),
// with 5, 30 and 150 people taking part.
for (const n of [5, 30, 150]) {
  test(`a spectrum and a dialogue read from the back with ${n} people at 1920x1080`, async (t) => {
    const hearth = await startHearth();
    const browser = await launchChromium();
    t.after(async () => { await browser.close(); await hearth.kill(); });
    const { facilitator, screen } = await startGathering(browser, hearth);
    await goToStep(facilitator, 2);
    const spectrum = await formsOf(facilitator, hearth);
    await Promise.all(Array.from({ length: n }, (_, i) =>
      spectrum.send('mark', i, { mark: 'spectrum', at: String((i * 37) % 101) })));
    await screen.waitForFunction((n) => [...document.querySelectorAll('.bar-count')]
      .reduce((sum, c) => sum + Number(c.textContent), 0) === n, n);
    let m = await smallestWords(screen);
    assert.ok(m.smallest >= 18, `spectrum words at least 18 px with ${n} people: ${m.smallest} px`);
    assert.equal(m.outside, 0, 'nothing of the spectrum leaves the screen');
    await screen.screenshot({ path: join(artifacts, `screen-spectrum-${n}-1920.png`) });

    await goToStep(facilitator, 3);
    for (let shown = 1; shown <= 8; shown++) {
      await facilitator.getByRole('button', { name: 'Show the next line' }).click();
      await facilitator.getByText(`${shown} of 8 lines shown`).waitFor();
    }
    const dialogue = await formsOf(facilitator, hearth);
    await Promise.all(Array.from({ length: n }, (_, i) =>
      dialogue.send('mark', i, { mark: 'tag', line: String(i % 8), tag: String(i % 7) })));
    // Every tagged line shows its heat.
    await screen.waitForFunction((lines) => document.querySelectorAll('.dialogue-heat .heat-part').length >= lines, Math.min(8, n));
    await fits(screen, { vertical: true });
    m = await smallestWords(screen);
    assert.ok(m.smallest >= 18, `dialogue words at least 18 px with ${n} people: ${m.smallest} px`);
    assert.equal(m.outside, 0, 'nothing of the dialogue leaves the screen');
    await screen.screenshot({ path: join(artifacts, `screen-dialogue-${n}-1920.png`) });
  });
}

/** Puts `n` stories on the introduction's map (step 5), each placed by
 * three phones at a place of its own, through the phones' plain forms. */
async function mapWith(facilitator, screen, hearth, n) {
  await goToStep(facilitator, 5);
  const { step, room, send } = await formsOf(facilitator, hearth);
  await Promise.all(Array.from({ length: n }, (_, i) =>
    send('reflect', i, { id: `map-story-${n}-${i}`, text: `${i + 1}. ${words}` })));
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  // The console lists them once the reveal is in; then their ids are read once.
  await facilitator.waitForFunction((n) => document.querySelectorAll('.moderation .card').length === n, n);
  const cards = (await room()).cards.filter((c) => String(c.step) === step);
  assert.equal(cards.length, n);
  for (const [i, card] of cards.entries()) {
    const spot = `${i % 6},${5 + ((i * 37) % 90)}`;
    await Promise.all([0, 1, 2].map((k) => send('mark', (i + k) % n, { mark: 'place', card: card.id, spot })));
  }
  await screen.waitForFunction((n) => document.querySelectorAll('.map-board .map-card').length === n, n);
  return cards;
}

/** The smallest card words on the screen's map, in CSS pixels. */
function smallestMapText(screen) {
  return screen.evaluate(() => {
    const svg = document.querySelector('.screen .map-board svg');
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const sizes = [...svg.querySelectorAll('.map-card:not(.map-dot) > text')]
      .filter((t) => !/^[0-9]+$/.test(t.textContent))
      .map((t) => parseFloat(t.getAttribute('font-size')) * scale);
    return { smallest: Math.min(...sizes), count: sizes.length };
  });
}

for (const [n, floor] of [[5, 28], [30, 22]]) {
  test(`the map reads from the back with ${n} cards at 1920x1080`, async (t) => {
    const hearth = await startHearth();
    const browser = await launchChromium();
    t.after(async () => { await browser.close(); await hearth.kill(); });
    const { facilitator, screen } = await startGathering(browser, hearth);
    const cards = await mapWith(facilitator, screen, hearth, n);
    const m = await smallestMapText(screen);
    assert.ok(m.count >= n, `every card shows words: ${m.count}`);
    assert.ok(m.smallest >= floor, `map words at least ${floor} px with ${n} cards: ${m.smallest.toFixed(1)} px`);
    await fits(screen, { vertical: true });
    await screen.screenshot({ path: join(artifacts, `screen-map-${n}-1920.png`) });
    if (n !== 30) return;
    // "Open on screen" makes one card large enough to read from the back.
    const item = facilitator.locator('.map-cards li').first();
    await item.getByRole('button', { name: 'Open on screen' }).click();
    await screen.locator('.map-opened').waitFor();
    const opened = await screen.evaluate(() => {
      const svg = document.querySelector('.screen .map-board svg');
      const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      const texts = [...document.querySelectorAll('.map-opened text')].filter((t) => !/^[0-9]+$/.test(t.textContent));
      const box = document.querySelector('.map-opened rect').getBoundingClientRect();
      return {
        size: Math.min(...texts.map((t) => parseFloat(t.getAttribute('font-size')) * scale)),
        inside: box.top >= 0 && box.left >= 0 && box.bottom <= window.innerHeight && box.right <= window.innerWidth,
      };
    });
    assert.ok(opened.size >= 28, `an opened card reads large: ${opened.size.toFixed(1)} px`);
    assert.ok(opened.inside, 'the opened card is on the screen');
    assert.ok(cards.length === n);
    await screen.screenshot({ path: join(artifacts, `screen-map-opened-1920.png`) });
  });
}
