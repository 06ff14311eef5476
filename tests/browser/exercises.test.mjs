// Every exercise kind in a real browser, through its three faces: the
// facilitator's console, the shared screen and the phones. Each test runs
// one kind from the ready introduction agenda; the last runs the whole
// agenda start to finish with five phones. Screenshots of each face land
// in tests/artifacts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  startHearth, launchChromium, startGathering, joinPhones, goToStep, clickWhenEnabled, fits, artifacts, accessible, phone, withdraw,
} from './support.mjs';

async function setUp(t, phones = 3) {
  const hearth = await startHearth();
  const browser = await launchChromium();
  t.after(async () => { await browser.close(); await hearth.kill(); });
  const g = await startGathering(browser, hearth);
  const p = await joinPhones(browser, hearth, g.code, phones);
  return { hearth, browser, ...g, phones: p };
}

/** Every view of a kind at a phone's, a tablet's and a projector's width:
 * never any sideways scrolling, the screen never scrolling at all at
 * 1920×1080, no WCAG 2.2 AA violation (axe-core) at any width, and a
 * screenshot of each in tests/artifacts. */
async function shoot(kind, { facilitator, screen, phones }) {
  const sizes = [[360, 740], [768, 1024], [1920, 1080]];
  for (const [name, page] of [['console', facilitator], ['screen', screen], ['phone', phones[0]]]) {
    const before = page.viewportSize();
    for (const [width, height] of sizes) {
      await page.setViewportSize({ width, height });
      await fits(page, { vertical: name === 'screen' && width === 1920 });
      await accessible(page, `${kind} ${name} at ${width} px`);
      await page.screenshot({ path: join(artifacts, `${kind}-${name}-${width}.png`), fullPage: name !== 'screen' });
    }
    await page.setViewportSize(before);
  }
}

async function post(page, text) {
  await page.getByRole('textbox', { name: /Your reflection|What I want to move towards/ }).fill(text);
  await page.getByRole('button', { name: 'Add reflection' }).click();
  await page.getByText('Received. Thank you.').waitFor();
}

test('board: columns, a content note, resonance, moderation, withdrawal and the timer', async (t) => {
  const g = await setUp(t, 2);
  const { facilitator, screen, phones } = g;
  // The facilitator gives the first step two columns.
  await facilitator.locator('.agenda-step').nth(0).getByRole('button', { name: 'Edit' }).click();
  await facilitator.getByLabel('Columns, one per line').fill('Hopes\nWorries');
  await facilitator.getByRole('button', { name: 'Save', exact: true }).click();
  await facilitator.getByText('Saved.', { exact: true }).waitFor();

  await phones[0].getByRole('radio', { name: 'Hopes' }).check();
  await phones[0].getByLabel('Content note').check();
  await post(phones[0], 'That we listen.');
  await phones[1].getByRole('radio', { name: 'Worries' }).check();
  await post(phones[1], 'That I say too much.');
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  const hopes = screen.locator('.column', { has: screen.getByRole('heading', { name: 'Hopes' }) });
  await hopes.locator('.card.blurred', { hasText: 'That we listen.' }).waitFor();
  await screen.locator('.column', { hasText: 'Worries' }).locator('.card', { hasText: 'That I say too much.' }).waitFor();

  // The facilitator shows the blurred card; a phone resonates with the other.
  await facilitator.locator('.moderation .card', { hasText: 'That we listen.' }).getByRole('button', { name: 'Unblur' }).click();
  await hopes.locator('.card:not(.blurred)', { hasText: 'That we listen.' }).waitFor();
  const worry = phones[0].locator('.board .card', { hasText: 'That I say too much.' });
  await worry.getByRole('button', { name: /This resonates/ }).click();
  await worry.locator('button[aria-pressed="true"]').waitFor();
  await screen.locator('.card', { hasText: 'That I say too much.' }).getByText('Resonates with 1').waitFor();

  // Hidden: gone from the screen and the phones; the console keeps it.
  await facilitator.locator('.moderation .card', { hasText: 'That I say too much.' }).getByRole('button', { name: 'Hide' }).click();
  await screen.locator('.card', { hasText: 'That I say too much.' }).waitFor({ state: 'detached' });
  await phones[0].locator('.board .card', { hasText: 'That I say too much.' }).waitFor({ state: 'detached' });
  await facilitator.locator('.moderation .card.hidden', { hasText: 'That I say too much.' }).waitFor();

  // The timer: set, counting on the screen, paused.
  await facilitator.getByLabel('Minutes').fill('2');
  await facilitator.getByRole('button', { name: 'Start the timer' }).click();
  await screen.locator('.timer[data-state="running"]').waitFor();
  assert.match(await screen.locator('.timer').textContent(), /^[12]:\d\d/);
  await facilitator.getByRole('button', { name: 'Pause', exact: true }).click();
  await screen.locator('.timer[data-state="paused"]').waitFor();
  await shoot('board', g);

  // Withdrawal: gone from every view.
  await withdraw(phones[0], 'That we listen.');
  await screen.locator('.card', { hasText: 'That we listen.' }).waitFor({ state: 'detached' });
  await facilitator.locator('.moderation .card', { hasText: 'That we listen.' }).waitFor({ state: 'detached' });
});

test('spectrum: people place themselves; the screen shows only the spread', async (t) => {
  const g = await setUp(t, 3);
  const { facilitator, screen, phones } = g;
  await goToStep(facilitator, 2, phones);
  for (const [i, at] of [[0, '10'], [1, '90']]) {
    await phones[i].getByLabel(/Where are you, between Helping and Learning/).fill(at);
    await phones[i].getByRole('button', { name: 'Place me here' }).click();
    await phones[i].getByText("You're placed. The room sees only the spread.").waitFor();
  }
  await screen.getByText('The spread appears once a few people have placed themselves.').waitFor();
  await phones[2].getByLabel(/Where are you/).fill('15');
  await phones[2].getByRole('button', { name: 'Place me here' }).click();
  await screen.locator('.spectrum .bars').waitFor();
  const counts = await screen.locator('.bar-count').allTextContents();
  assert.equal(counts.length, 10);
  assert.deepEqual(counts.map(Number).reduce((a, b) => a + b, 0), 3);
  assert.equal(Number(counts[0]), 1);
  assert.equal(Number(counts[1]), 1);
  assert.equal(Number(counts[8]), 1);
  // Every count stands inside the chart, above its bar, clear of the prompt;
  // one person on a band is a short bar, not the chart's full height.
  const chart = await screen.evaluate(() => {
    const bars = document.querySelector('.spectrum .bars').getBoundingClientRect();
    const prompt = document.querySelector('.screen-prompt').getBoundingClientRect();
    return {
      inside: [...document.querySelectorAll('.band')].every((band) => {
        const c = band.querySelector('.bar-count').getBoundingClientRect();
        const b = band.querySelector('.bar').getBoundingClientRect();
        return c.top >= bars.top && c.top >= prompt.bottom && c.bottom <= b.top + 1;
      }),
      tallest: Math.max(...[...document.querySelectorAll('.spectrum .bar')].map((b) => b.getBoundingClientRect().height)) / bars.height,
    };
  });
  assert.ok(chart.inside, 'the counts are readable above their bars');
  assert.ok(chart.tallest < 0.5, `one person is not everyone (${chart.tallest})`);
  await screen.getByText('3 people have placed themselves').waitFor();
  await facilitator.locator('.preview .spectrum .bars').waitFor();
  await shoot('spectrum', g);
  // Taking a place back hides the spread again (two would be two people).
  await phones[2].getByRole('button', { name: 'Take my place back' }).click();
  await screen.getByText('The spread appears once a few people have placed themselves.').waitFor();
});

test('scenario: lines appear one at a time and the room tags them', async (t) => {
  const g = await setUp(t, 2);
  const { facilitator, screen, phones } = g;
  await goToStep(facilitator, 3, phones);
  await phones[0].getByText('The dialogue will appear here, a line at a time.').waitFor();
  await facilitator.getByRole('button', { name: 'Show the next line' }).click();
  await facilitator.getByText('1 of 8 lines shown').waitFor();
  await facilitator.getByRole('button', { name: 'Show the next line' }).click();
  await facilitator.getByText('2 of 8 lines shown').waitFor();
  await phones[0].getByText('You should really try going to bed earlier.', { exact: false }).waitFor();
  assert.equal(await phones[0].locator('.tag-lines .line').count(), 2);
  await phones[0].locator('.tag-lines .line').nth(1).getByLabel('Tag this line').selectOption({ label: 'Pushing an agenda' });
  await phones[1].locator('.tag-lines .line').nth(1).getByLabel('Tag this line').selectOption({ label: 'Lecturing' });
  await phones[1].getByText('Saved. The room sees only totals.').waitFor();
  const heat = screen.locator('.dialogue-heat .line').nth(1).locator('.heat');
  await screen.waitForFunction(() => {
    const bar = document.querySelectorAll('.dialogue-heat .heat')[1];
    return bar && /Pushing an agenda: 1/.test(bar.getAttribute('aria-label')) && /Lecturing: 1/.test(bar.getAttribute('aria-label'));
  });
  assert.equal(await heat.locator('.heat-part').count(), 2);
  await shoot('scenario', g);
});

test('reframe: a story, then "what happened?" under it', async (t) => {
  const g = await setUp(t, 2);
  const { facilitator, screen, phones } = g;
  await goToStep(facilitator, 4, phones);
  await post(phones[0], 'They said I was too sensitive.');
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  const story = phones[1].locator('.board .card', { hasText: 'They said I was too sensitive.' });
  await story.getByText('Add a reframe').click();
  await story.getByLabel('What happened? Your reframe').fill('You noticed what others missed.');
  await story.getByRole('button', { name: 'Add this reframe' }).click();
  await phones[1].getByText('Received. Thank you.').waitFor();
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  await screen.locator('.story', { hasText: 'They said I was too sensitive.' })
    .locator('.reframes li', { hasText: 'You noticed what others missed.' }).waitFor();
  await phones[0].locator('.reframes li', { hasText: 'You noticed what others missed.' }).waitFor();
  await shoot('reframe', g);
});

/** An element's box on a map. The screen and the console redraw their map
 * as totals stream in, so the box is read again if the element was being
 * replaced at that instant. */
async function settledBox(locator) {
  for (let i = 0; i < 50; i++) {
    const found = await locator.boundingBox();
    if (found) return found;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error('no box for a map card');
}

test('worldview map: five phones place stories, the screen draws the group and its disagreement', async (t) => {
  const g = await setUp(t, 5);
  const { facilitator, screen, phones } = g;
  await goToStep(facilitator, 5, phones);
  await post(phones[0], 'Asking for help is weakness.');
  await post(phones[1], 'Doctors know best.');
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  const story = (p, text) => p.locator('.board .card', { hasText: text });
  // Everyone agrees where the first story comes from; the second splits
  // the room between fear and hope. Four tap the mini-map; one uses the
  // lists, as a keyboard or a screen reader would.
  // Each story opens its mini-map with "Place it": one at a time.
  const open = async (card) => {
    await card.getByRole('link', { name: 'Place it' }).click();
    await card.locator('.mini-map').waitFor();
  };
  await Promise.all(phones.map(async (p, i) => {
    const weakness = story(p, 'Asking for help is weakness.');
    const doctors = story(p, 'Doctors know best.');
    await open(weakness);
    assert.equal(await p.locator('.mini-map').count(), 1, 'one mini-map on the page');
    if (i === 4) {
      await weakness.getByLabel('Left to right').selectOption({ label: 'Family' });
      await weakness.getByLabel('Bottom to top').selectOption({ label: 'Fear' });
      await weakness.locator('.map-lists button').click();
    } else {
      await weakness.getByRole('button', { name: 'Family, Fear', exact: true }).click();
    }
    await weakness.getByText('You placed this one.').waitFor();
    await open(doctors);
    await doctors.getByRole('button', { name: `Services and systems, ${i % 2 ? 'Hope' : 'Fear'}`, exact: true }).click();
    await doctors.getByText('You placed this one.').waitFor();
  }));
  const drawn = (text) => screen.locator('.map-card', { has: screen.locator('title', { hasText: text }) });
  await drawn('Doctors know best.').and(screen.locator('[data-split="true"]')).waitFor();
  await drawn('Asking for help is weakness.').waitFor();
  assert.equal(await drawn('Asking for help is weakness.').getAttribute('data-split'), null, 'agreement is not marked');
  const box = (text) => settledBox(drawn(text).locator('rect').first());
  const [weakness, doctors] = [await box('Asking for help is weakness.'), await box('Doctors know best.')];
  assert.ok(weakness.x < doctors.x, 'family is left of services');
  assert.ok(weakness.y > doctors.y, 'fear sits below the middle');
  assert.ok(await screen.locator('.map-spread').count() >= 2, 'the spread is drawn');

  // One person moves their placement, then takes it back.
  const mine = story(phones[0], 'Doctors know best.');
  await mine.getByRole('button', { name: 'Take my placement back' }).click();
  await mine.getByText('You placed this one.').waitFor({ state: 'detached' });
  await mine.locator('.spot[aria-pressed="true"]').waitFor({ state: 'detached' });

  // The facilitator drags the first story to the top right, gathers it
  // into a theme, and the screen follows.
  const card = facilitator.locator('.room-view .map-card', { has: facilitator.locator('title', { hasText: 'Asking for help is weakness.' }) });
  await facilitator.locator('.room-view .map-board').scrollIntoViewIfNeeded();
  const from = await settledBox(card.locator('rect').first());
  const board = await facilitator.locator('.room-view .map-board').boundingBox();
  await facilitator.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await facilitator.mouse.down();
  await facilitator.mouse.move(board.x + board.width * 0.9, board.y + board.height * 0.1, { steps: 8 });
  await facilitator.mouse.up();
  await screen.waitForFunction(() => {
    const title = [...document.querySelectorAll('.map-card title')].find((t) => t.textContent.includes('Asking for help'));
    const rect = title?.parentElement.querySelector('rect')?.getBoundingClientRect();
    const svg = document.querySelector('.map-board svg')?.getBoundingClientRect();
    return rect && svg && rect.x > svg.x + svg.width * 0.6 && rect.y < svg.y + svg.height * 0.3;
  });
  // Dragged away, the card keeps a line back to where the group put it.
  await screen.waitForFunction(() => {
    const title = [...document.querySelectorAll('.map-card title')].find((t) => t.textContent.includes('Asking for help'));
    const rect = title?.parentElement.querySelector('rect');
    if (!rect) return false;
    const at = (name) => Number(rect.getAttribute(name));
    const [cx, cy] = [at('x') + at('width') / 2, at('y') + at('height') / 2];
    return [...document.querySelectorAll('.map-board line')].some((l) =>
      Math.abs(Number(l.getAttribute('x2')) - cx) < 1 && Math.abs(Number(l.getAttribute('y2')) - cy) < 1);
  });
  await facilitator.getByLabel('Theme name').fill('What we were taught');
  await facilitator.getByRole('button', { name: 'Start a theme' }).click();
  await facilitator.locator('.map-cards li', { hasText: 'Asking for help is weakness.' }).getByLabel('Themes').selectOption({ label: 'What we were taught' });
  await screen.locator('.map-theme', { hasText: 'What we were taught' }).waitFor();
  // The map leaves as SVG and PNG from the console.
  const svgLink = facilitator.getByRole('link', { name: 'Map as SVG' });
  const svg = await (await fetch(new URL(await svgLink.getAttribute('href'), hearth(facilitator)))).text();
  assert.ok(svg.startsWith('<svg') && svg.includes('What we were taught') && svg.includes('Doctors know best.'));
  const png = await fetch(new URL(await facilitator.getByRole('link', { name: 'Map as PNG' }).getAttribute('href'), hearth(facilitator)));
  assert.equal(png.headers.get('content-type'), 'image/png');
  await shoot('map', g);
});

/** The origin a page was served from. */
function hearth(page) {
  return new URL(page.url()).origin;
}

test('give and receive: offers and hopes side by side', async (t) => {
  const g = await setUp(t, 2);
  const { facilitator, screen, phones } = g;
  await goToStep(facilitator, 6, phones);
  await phones[0].getByRole('radio', { name: 'I can offer' }).check();
  await post(phones[0], 'Cooking for a crowd.');
  // Forgetting to choose a side is named, and nothing is sent.
  await phones[1].getByRole('textbox', { name: 'Your reflection' }).fill('How to rest.');
  await phones[1].getByRole('button', { name: 'Add reflection' }).click();
  await phones[1].getByText("That doesn't fit this step. Choose where it goes and try again.").waitFor();
  await phones[1].getByRole('radio', { name: 'I hope to learn' }).check();
  await phones[1].getByRole('button', { name: 'Add reflection' }).click();
  await phones[1].getByText('Received. Thank you.').waitFor();
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  await screen.locator('.column', { hasText: 'I can offer' }).locator('.card', { hasText: 'Cooking for a crowd.' }).waitFor();
  await screen.locator('.column', { hasText: 'I hope to learn' }).locator('.card', { hasText: 'How to rest.' }).waitFor();
  await shoot('give-receive', g);
});

test('moving towards: away turned towards, then dots within a budget', async (t) => {
  const g = await setUp(t, 2);
  const { facilitator, screen, phones } = g;
  await goToStep(facilitator, 7, phones);
  await phones[0].getByLabel('What I want to stop or avoid (optional)').fill('Rushing every meeting');
  await post(phones[0], 'Meetings with room to breathe');
  await post(phones[1], 'More laughter at work');
  await facilitator.getByRole('button', { name: 'Pause adding' }).click();
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  const card = phones[1].locator('.board .card', { hasText: 'Meetings with room to breathe' });
  await card.getByText('Moving away from: Rushing every meeting').waitFor();
  for (let i = 0; i < 3; i++) {
    await card.getByRole('button', { name: 'Add a dot' }).click();
    await card.getByText(`${i + 1} of yours`).waitFor();
  }
  await phones[1].getByText('You have 0 of 3 dots left.').waitFor();
  assert.ok(await card.getByRole('button', { name: 'Add a dot' }).isDisabled(), 'no dots beyond the budget');
  await screen.locator('.card', { hasText: 'Meetings with room to breathe' }).getByText('3 dots').waitFor();
  await card.getByRole('button', { name: 'Remove a dot' }).click();
  await screen.locator('.card', { hasText: 'Meetings with room to breathe' }).getByText('2 dots').waitFor();
  await shoot('moving-towards', g);
});

test('a whole ready agenda, start to finish, with five phones', async (t) => {
  const g = await setUp(t, 5);
  const { facilitator, screen, phones } = g;
  const next = async (expected) => {
    await facilitator.getByRole('button', { name: 'Next step' }).click();
    await Promise.all([screen, ...phones].map((p) => p.getByRole('heading', { name: expected }).waitFor()));
    // What a phone was told of the last step ("Received. Thank you.") goes with it.
    for (const p of phones) assert.equal((await p.locator('.feedback').textContent()).trim(), '', 'a new step starts unanswered');
  };
  const everyone = (f) => Promise.all(phones.map((p, i) => f(p, i)));

  // 1. Check-in board.
  await everyone((p, i) => post(p, `Here for reason ${i}`));
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  await screen.locator('.wall .card').nth(4).waitFor();
  assert.equal(await screen.locator('.wall .card').count(), 5);

  // 2. Spectrum.
  await next('When someone I care about is struggling, my first move is closer to…');
  await everyone(async (p, i) => {
    await p.getByLabel(/Where are you/).fill(String(i * 20));
    await p.getByRole('button', { name: 'Place me here' }).click();
    await p.getByText("You're placed. The room sees only the spread.").waitFor();
  });
  await screen.waitForFunction(() => [...document.querySelectorAll('.bar-count')].reduce((a, b) => a + Number(b.textContent), 0) === 5);

  // 3. Scenario.
  await next('Read along. Where does connection happen, and where does it break?');
  await facilitator.getByRole('button', { name: 'Show all lines' }).click();
  await everyone(async (p) => {
    await p.locator('.tag-lines .line').nth(7).waitFor();
    await p.locator('.tag-lines .line').nth(7).getByLabel('Tag this line').selectOption({ label: 'Connection' });
    await p.getByText('Saved. The room sees only totals.').waitFor();
  });
  await screen.waitForFunction(() => /Connection: 5/.test(document.querySelectorAll('.dialogue-heat .heat')[7]?.getAttribute('aria-label') ?? ''));

  // 4. Reframe.
  await next('A label or story about yourself, in the words you were given.');
  await post(phones[0], 'I was called lazy.');
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  await everyone(async (p, i) => {
    if (i === 0) return;
    const story = p.locator('.board .card', { hasText: 'I was called lazy.' });
    await story.getByText('Add a reframe').click();
    await story.getByLabel('What happened? Your reframe').fill(`I was exhausted ${i}`);
    await story.getByRole('button', { name: 'Add this reframe' }).click();
    await p.getByText('Received. Thank you.').waitFor();
  });
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  await screen.waitForFunction(() => document.querySelectorAll('.story .reframes li').length === 4);

  // 5. The worldview map: one story, placed by three.
  await next('Something you believe about distress or getting help. Where did you learn it?');
  await post(phones[2], 'Keep it in the family.');
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  await Promise.all(phones.slice(0, 3).map(async (p) => {
    const card = p.locator('.board .card', { hasText: 'Keep it in the family.' });
    await card.getByRole('link', { name: 'Place it' }).click();
    await card.getByRole('button', { name: 'Family, In between', exact: true }).click();
    await card.getByText('You placed this one.').waitFor();
  }));
  await screen.locator('.map-card', { has: screen.locator('title', { hasText: 'Keep it in the family.' }) }).waitFor();

  // 6. Give and receive.
  await next('Something I can offer, and something I hope to learn.');
  await everyone(async (p, i) => {
    await p.getByRole('radio', { name: i % 2 ? 'I hope to learn' : 'I can offer' }).check();
    await post(p, `Side ${i}`);
  });
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  await screen.waitForFunction(() => document.querySelectorAll('.column .card').length === 5);

  // 7. Moving towards, with dots.
  await next('Something I want to move away from, and what I want to move towards instead.');
  await everyone((p, i) => post(p, `Towards ${i}`));
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  await everyone(async (p) => {
    const card = p.locator('.board .card', { hasText: 'Towards 0' });
    await card.getByRole('button', { name: 'Add a dot' }).click();
    await card.getByText('1 of yours').waitFor();
  });
  await screen.locator('.card', { hasText: 'Towards 0' }).getByText('5 dots').waitFor();

  // 8. The closing board, then the end.
  await next('What are we learning together?');
  await post(phones[3], 'That passing is fine.');
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  await screen.locator('.wall .card', { hasText: 'That passing is fine.' }).waitFor();

  // 9. Practice in triads: the five phones are dealt into a three and a two.
  await next('Tell a time when someone really listened to you. What did they do?');
  await everyone((p) => p.locator('.group-sign').waitFor());
  await screen.getByText('Find your group: look for your sign on your phone').waitFor();
  await screen.getByText('2 groups', { exact: false }).first().waitFor();
  assert.ok(await facilitator.getByRole('button', { name: 'Next step' }).isDisabled(), 'the last step has no next');
  // Going back loses nothing.
  await facilitator.getByRole('button', { name: 'Previous step' }).click();
  await screen.locator('.wall .card', { hasText: 'That passing is fine.' }).waitFor();
  await facilitator.getByRole('button', { name: 'Previous step' }).click();
  await screen.locator('.card', { hasText: 'Towards 0' }).getByText('5 dots').waitFor();
  await facilitator.getByRole('button', { name: 'End the gathering' }).click();
  await facilitator.getByRole('button', { name: 'Yes, end it' }).click();
  await Promise.all(phones.map((p) => p.getByText('This gathering has ended.', { exact: false }).first().waitFor()));
  await screen.getByText('This gathering has ended.', { exact: false }).first().waitFor();
});

test('the agenda is edited from the console, with bad input named', async (t) => {
  const hearth = await startHearth();
  const browser = await launchChromium();
  t.after(async () => { await browser.close(); await hearth.kill(); });
  const { facilitator } = await startGathering(browser, hearth, { agenda: 'blank' });
  await facilitator.getByLabel('Add a step from the library').selectOption({ label: 'Spectrum' });
  await facilitator.getByRole('button', { name: 'Add', exact: true }).click();
  await facilitator.locator('.agenda-step').nth(1).getByText('Spectrum').waitFor();
  await facilitator.locator('.agenda-step').nth(1).getByRole('button', { name: 'Move up' }).click();
  await facilitator.locator('.agenda-step').nth(0).getByText('Spectrum').waitFor();
  // A prompt over its limit is named in the editor, and nothing is sent.
  await facilitator.locator('.agenda-step').nth(0).getByRole('button', { name: 'Edit' }).click();
  await facilitator.getByLabel('Prompt', { exact: true }).fill('x'.repeat(301));
  await facilitator.getByRole('button', { name: 'Save', exact: true }).click();
  await facilitator.getByText("That's a little long", { exact: false }).waitFor();
  await facilitator.getByLabel('Left end').fill('Alone');
  await facilitator.getByLabel('Prompt', { exact: true }).fill('Where do you stand?');
  await facilitator.getByRole('button', { name: 'Save', exact: true }).click();
  await facilitator.locator('.agenda-step').nth(0).getByText('Where do you stand?').waitFor();
  // Kept as a template, it starts the next gathering.
  await facilitator.getByLabel('Keep this agenda as a template, named').fill('Tuesday shape');
  await facilitator.getByRole('button', { name: 'Save template' }).click();
  await facilitator.getByText("Saved. It's on the start page for your next gathering.").waitFor();
  await facilitator.locator('.agenda-step').nth(1).getByRole('button', { name: 'Remove' }).click();
  await facilitator.waitForFunction(() => document.querySelectorAll('.agenda-step').length === 1);
  assert.ok(await facilitator.locator('.agenda-step').getByRole('button', { name: 'Remove' }).isDisabled(), 'the last step stays');
  const next = await (await browser.newContext()).newPage();
  await next.goto(`${hearth.base}/start`);
  await next.getByRole('radio', { name: /Tuesday shape/ }).check();
  await next.getByRole('button', { name: 'Start gathering' }).click();
  await next.waitForURL(/\/console\//);
  assert.equal(await next.locator('.agenda-step').count(), 2);
  await next.locator('.agenda-step').nth(0).getByText('Where do you stand?').waitFor();
  // The template is deleted from the start page, after being asked; keeping
  // it is one tap away, and the gathering started from it keeps its steps.
  await next.goto(`${hearth.base}/start`);
  await next.getByRole('link', { name: 'Delete the template Tuesday shape' }).click();
  await next.getByRole('heading', { name: 'Delete the template “Tuesday shape”?' }).waitFor();
  await accessible(next, 'the start page asking before deleting a template');
  await next.getByRole('link', { name: 'Keep it' }).click();
  await next.getByRole('radio', { name: /Tuesday shape/ }).waitFor();
  await next.getByRole('link', { name: 'Delete the template Tuesday shape' }).click();
  await next.getByRole('button', { name: 'Delete it' }).click();
  await next.getByText('The template is deleted.').waitFor();
  assert.equal(await next.getByRole('radio', { name: /Tuesday shape/ }).count(), 0);
  await facilitator.reload();
  await facilitator.locator('.agenda-step').nth(0).getByText('Where do you stand?').waitFor();
});

test('an export starts a new gathering with the same agenda and cards; a foreign file creates nothing', async (t) => {
  const hearth = await startHearth();
  const browser = await launchChromium();
  t.after(async () => { await browser.close(); await hearth.kill(); });
  const g = await startGathering(browser, hearth, { agenda: 'community' });
  const [p] = await joinPhones(browser, hearth, g.code, 1);
  await post(p, 'A lamp left on for us');
  await clickWhenEnabled(g.facilitator, 'Reveal reflections');
  await g.screen.locator('.wall .card', { hasText: 'A lamp left on for us' }).waitFor();
  const href = await g.facilitator.getByRole('link', { name: 'The whole gathering (JSON)' }).getAttribute('href');
  const file = await (await fetch(`${hearth.base}${href}`)).text();
  assert.equal(JSON.parse(file).format, 'hearth-gathering');

  const page = await (await browser.newContext()).newPage();
  // A file that is not an export: named, and nothing is created.
  await page.goto(`${hearth.base}/start`);
  await page.getByLabel('A gathering exported from Hearth').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"hello":1}') });
  await page.getByRole('button', { name: 'Start from this file' }).click();
  await page.getByText("That file isn't a gathering exported from Hearth. Nothing was created.").waitFor();
  assert.match(page.url(), /\/start\?error=import_foreign$/);
  // The real export, with its cards.
  await page.getByLabel('A gathering exported from Hearth').setInputFiles({ name: 'hearth-gathering.json', mimeType: 'application/json', buffer: Buffer.from(file) });
  await page.getByLabel('Name (leave empty').fill('Second evening');
  await page.getByLabel('Bring its cards too').check();
  await page.getByRole('button', { name: 'Start from this file' }).click();
  await page.waitForURL(/\/console\/[0-9a-f]{40}$/);
  await page.getByRole('heading', { name: 'Second evening' }).waitFor();
  // The community dialogue's nine steps, its statements step among them.
  assert.equal(await page.locator('.agenda-step').count(), 9);
  await page.locator('.preview .card', { hasText: 'A lamp left on for us' }).waitFor();
});

test('the harvest prints to a clean PDF, one page per step, without hidden cards', async (t) => {
  const g = await setUp(t, 1);
  const { facilitator, phones } = g;
  await post(phones[0], 'Words worth keeping');
  await post(phones[0], 'Words to hide');
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  await facilitator.locator('.moderation .card', { hasText: 'Words to hide' }).getByRole('button', { name: 'Hide' }).click();
  await facilitator.locator('.moderation .card.hidden', { hasText: 'Words to hide' }).waitFor();
  const href = await facilitator.getByRole('link', { name: /Harvest/ }).getAttribute('href');
  const page = await (await g.browser.newContext()).newPage();
  await page.goto(`${g.hearth.base}${href}`);
  await page.getByRole('heading', { name: 'Tuesday training' }).waitFor();
  assert.equal(await page.locator('.harvest-step').count(), 9);
  await page.locator('.harvest-step').first().getByText('Words worth keeping').waitFor();
  assert.equal(await page.getByText('Words to hide').count(), 0, 'hidden cards stay out');
  await page.emulateMedia({ media: 'print' });
  const pdf = await page.pdf({ path: join(artifacts, 'harvest.pdf'), format: 'A4', printBackground: true });
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  assert.ok(pages >= 8, `one page per step at least (${pages})`);
  // Asked for, hidden cards are part of the record.
  await page.goto(`${g.hearth.base}${href}?hidden=true`);
  await page.getByText('Words to hide').waitFor();
});

/** Marks the page so a test can tell it was not reloaded: a choice the
 * phone's script sends must not leave the page. */
async function stays(page, act) {
  await page.evaluate(() => { window.hearthStayed = true; });
  await act();
  assert.equal(await page.evaluate(() => window.hearthStayed === true), true, 'the page did not post its form');
}

test('a phone whose script has not arrived takes part through plain forms', async (t) => {
  const g = await setUp(t, 1);
  const { facilitator, screen, phones, browser, hearth, code } = g;
  const quick = phones[0];
  // A phone with no script at all: everything it does is a form.
  const slow = await (await browser.newContext({ ...phone, javaScriptEnabled: false })).newPage();
  await slow.goto(hearth.base);
  await slow.getByLabel('Join code').fill(code);
  await slow.getByRole('button', { name: 'Join' }).click();
  await slow.waitForURL(/\/p\/[0-9a-f]{32}$/);
  const page = slow.url();
  const saved = () => slow.getByText('Saved. The room sees only totals.').waitFor();
  const card = (p, text) => p.locator('.board .card', { hasText: text });

  // The board: its own words, a resonance on someone else's, withdrawing.
  await slow.getByRole('textbox', { name: 'Your reflection' }).fill('Sent before any script.');
  await slow.getByRole('button', { name: 'Add reflection' }).click();
  await slow.waitForURL(/\/received/);
  await post(quick, 'Written with the script.');
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  await slow.goto(page);
  await card(slow, 'Written with the script.').getByRole('button', { name: 'This resonates' }).click();
  await saved();
  assert.equal(await card(slow, 'Written with the script.').getByRole('button', { name: /This resonates/ }).getAttribute('aria-pressed'), 'true');
  await stays(quick, async () => {
    await card(quick, 'Sent before any script.').getByRole('button', { name: /This resonates/ }).click();
    await quick.getByText('Saved. The room sees only totals.').waitFor();
  });
  await screen.locator('.card', { hasText: 'Sent before any script.' }).waitFor();
  await withdraw(slow, 'Sent before any script.');
  await slow.getByText("Withdrawn. It's gone from every view.").waitFor();
  assert.equal(await slow.locator('.own-card').count(), 0);
  await screen.locator('.card', { hasText: 'Sent before any script.' }).waitFor({ state: 'detached' });

  // The spectrum: the slider and its button.
  await goToStep(facilitator, 2);
  await slow.goto(page);
  await slow.getByLabel(/Where are you, between Helping and Learning/).fill('20');
  await slow.getByRole('button', { name: 'Place me here' }).click();
  await saved();
  await slow.getByText("You're placed. The room sees only the spread.").waitFor();
  assert.equal(await slow.getByLabel(/Where are you/).inputValue(), '20', 'the page shows where the phone stands');

  // The scenario: a tag, saved with its own button.
  await goToStep(facilitator, 3);
  await facilitator.getByRole('button', { name: 'Show the next line' }).click();
  await facilitator.getByText('1 of 8 lines shown').waitFor();
  await slow.goto(page);
  const line = slow.locator('.tag-lines .line').first();
  await line.getByLabel('Tag this line').selectOption({ label: 'Lecturing' });
  await line.getByRole('button', { name: 'Save this tag' }).click();
  await saved();
  assert.equal(await slow.locator('.tag-lines .line').first().locator('option:checked').textContent(), 'Lecturing');
  await screen.waitForFunction(() => /Lecturing: 1/.test(document.querySelector('.dialogue-heat .heat')?.getAttribute('aria-label') ?? ''));
  assert.equal(await quick.getByRole('button', { name: 'Save this tag' }).count(), 0, 'with the script, choosing is enough');

  // The map: a tap on the mini-map.
  await goToStep(facilitator, 5, [quick]);
  await post(quick, 'Asking for help is weakness.');
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  await slow.goto(page);
  await card(slow, 'Asking for help is weakness.').getByRole('link', { name: 'Place it' }).click();
  await card(slow, 'Asking for help is weakness.').getByRole('button', { name: 'Family, Fear', exact: true }).click();
  await saved();
  await card(slow, 'Asking for help is weakness.').getByText('You placed this one.').waitFor();
  await stays(quick, async () => {
    await card(quick, 'Asking for help is weakness.').getByRole('link', { name: 'Place it' }).click();
    await card(quick, 'Asking for help is weakness.').getByRole('button', { name: 'Family, Hope', exact: true }).click();
    await card(quick, 'Asking for help is weakness.').getByText('You placed this one.').waitFor();
  });

  // Moving towards: a dot.
  await goToStep(facilitator, 7, [quick]);
  await post(quick, 'More laughter at work');
  await facilitator.getByRole('button', { name: 'Pause adding' }).click();
  await clickWhenEnabled(facilitator, 'Reveal reflections');
  await slow.goto(page);
  await card(slow, 'More laughter at work').getByRole('button', { name: 'Add a dot' }).click();
  await saved();
  await card(slow, 'More laughter at work').getByText('1 of yours').waitFor();
  await stays(quick, async () => {
    await card(quick, 'More laughter at work').getByRole('button', { name: 'Add a dot' }).click();
    await card(quick, 'More laughter at work').getByText('1 of yours').waitFor();
  });
  await screen.locator('.card', { hasText: 'More laughter at work' }).getByText('2 dots').waitFor();
});
