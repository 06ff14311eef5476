// Languages and accessibility in a real browser: the pages around the
// three views (start, front door, received, harvest) checked by axe-core
// at WCAG 2.2 AA and photographed at three widths; a phone used by
// keyboard alone, with its text at 200 %, measured for touch targets and
// listened to for its live announcements; the language switch with and
// without script; the screen's language and high-contrast theme set from
// the console; and Spanish screenshots of every view of a board.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  startHearth, launchChromium, startGathering, joinPhones, clickWhenEnabled, fits, artifacts, accessible,
  live, phone, laptop, projector,
} from './support.mjs';

const sizes = [[360, 740], [768, 1024], [1920, 1080]];

/** axe, no sideways scrolling and a screenshot at each width. */
async function check(page, name) {
  for (const [width, height] of sizes) {
    await page.setViewportSize({ width, height });
    await fits(page);
    await accessible(page, `${name} at ${width} px`);
    await page.screenshot({ path: join(artifacts, `${name}-${width}.png`), fullPage: true });
  }
}

/** Collects what would mean the browser's render disagreed with the
 * server's: script errors and hydration complaints. */
function watchHydration(page) {
  const problems = [];
  page.on('pageerror', (e) => problems.push(`error: ${e.message}`));
  page.on('console', (m) => {
    // A missing favicon is the network's business, not the render's.
    if (/Failed to load resource/.test(m.text())) return;
    if (m.type() === 'error' || /hydrat/i.test(m.text())) problems.push(`${m.type()}: ${m.text()}`);
  });
  return problems;
}

async function post(page, text) {
  await page.getByRole('textbox', { name: 'Your reflection' }).fill(text);
  await page.getByRole('button', { name: 'Add reflection' }).click();
  await page.getByText('Received. Thank you.').waitFor();
}

test('the start page, the front door, the received page and the harvest pass axe at every width', async (t) => {
  const hearth = await startHearth();
  const browser = await launchChromium();
  t.after(async () => { await browser.close(); await hearth.kill(); });
  const page = await (await browser.newContext(laptop)).newPage();
  await page.goto(`${hearth.base}/start`);
  await check(page, 'start');
  await page.goto(`${hearth.base}/?error=unknown&code=ABC`);
  await check(page, 'home-error');
  await page.goto(hearth.base);
  await check(page, 'home');

  const g = await startGathering(browser, hearth, { agenda: 'introduction' });
  // A phone without script posts by the plain form and lands on "received".
  const plain = await (await browser.newContext({ ...phone, javaScriptEnabled: false })).newPage();
  await plain.goto(hearth.base);
  await plain.getByLabel('Join code').fill(g.code);
  await plain.getByRole('button', { name: 'Join' }).click();
  await plain.getByRole('textbox', { name: 'Your reflection' }).fill('Words that stay');
  await plain.getByRole('button', { name: 'Add reflection' }).click();
  await plain.getByRole('heading', { name: 'Your reflection was received' }).waitFor();
  // axe needs script, which this phone has not: the same page, checked in
  // a browser that runs it.
  await page.goto(plain.url());
  await page.getByRole('heading', { name: 'Your reflection was received' }).waitFor();
  await check(page, 'received');

  await clickWhenEnabled(g.facilitator, 'Reveal reflections');
  const href = await g.facilitator.getByRole('link', { name: /Harvest/ }).getAttribute('href');
  await page.goto(`${hearth.base}${href}`);
  await page.getByText('Words that stay').first().waitFor();
  assert.match(await page.locator('.harvest-head').textContent(), /Harvested on \d{1,2} [A-Z][a-z]+ \d{4}/);
  await check(page, 'harvest');
});

test('a phone is used by keyboard alone, focus always visible, and announces a reveal once', async (t) => {
  const hearth = await startHearth();
  const browser = await launchChromium();
  t.after(async () => { await browser.close(); await hearth.kill(); });
  const g = await startGathering(browser, hearth, { agenda: 'blank' });
  const [p, other] = await joinPhones(browser, hearth, g.code, 2);

  // Tab from the top of the page to the reflection field; every stop shows
  // where it is.
  let reached = false;
  for (let i = 0; i < 30 && !reached; i++) {
    await p.keyboard.press('Tab');
    const focus = await p.evaluate(() => {
      const el = document.activeElement;
      const style = getComputedStyle(el);
      return {
        name: el.getAttribute('name'),
        tag: el.tagName,
        visible: el.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
      };
    });
    assert.ok(focus.visible, `focus is visible on ${focus.tag} ${focus.name ?? ''}`);
    reached = focus.name === 'text';
  }
  assert.ok(reached, 'the reflection field is reached by Tab');
  await p.keyboard.type('Typed without a mouse');
  // On to the button, and Enter sends it.
  for (let i = 0; i < 10; i++) {
    await p.keyboard.press('Tab');
    if (await p.evaluate(() => document.activeElement.textContent.trim() === 'Add reflection')) break;
  }
  assert.equal(await p.evaluate(() => document.activeElement.textContent.trim()), 'Add reflection');
  await p.keyboard.press('Enter');
  await p.getByText('Received. Thank you.').waitFor();
  await post(other, 'A second voice');

  // The reveal of two cards is one polite announcement, not two.
  const said = [];
  await p.exposeFunction('__heard', (text) => said.push(text));
  await p.evaluate(() => {
    const region = document.querySelector('[data-testid="announcer"]');
    new MutationObserver(() => window.__heard(region.textContent)).observe(region, { childList: true, subtree: true, characterData: true });
  });
  assert.equal(await p.locator('[data-testid="announcer"]').getAttribute('aria-live'), 'polite');
  await clickWhenEnabled(g.facilitator, 'Reveal reflections');
  await p.locator('[data-testid="announcer"]', { hasText: '2 new cards on the board' }).waitFor();
  // A later reveal is announced after anything the first one said: once
  // it is heard, the first was said exactly once (a fact, not a pause).
  await post(other, 'A third voice');
  await clickWhenEnabled(g.facilitator, 'Reveal reflections');
  await p.locator('[data-testid="announcer"]', { hasText: '1 new card on the board' }).waitFor();
  assert.deepEqual(said.filter((s) => s.trim()), ['2 new cards on the board', '1 new card on the board']);
});

test('a 360 px phone at 200 % text loses nothing, and every target is at least 44 px', async (t) => {
  const hearth = await startHearth();
  const browser = await launchChromium();
  t.after(async () => { await browser.close(); await hearth.kill(); });
  const g = await startGathering(browser, hearth, { agenda: 'introduction' });
  const [p, other] = await joinPhones(browser, hearth, g.code, 2);
  await post(other, 'Something to resonate with');
  await clickWhenEnabled(g.facilitator, 'Reveal reflections');
  await p.locator('.board .card', { hasText: 'Something to resonate with' }).waitFor();
  await post(p, 'Mine to withdraw');

  const small = await p.evaluate(() => {
    const targets = document.querySelectorAll('a[href], button, input:not([type="hidden"]), select, textarea, summary');
    const out = [];
    for (const el of targets) {
      // A radio or checkbox is operated through its labelled row.
      const target = el.matches('[type="radio"], [type="checkbox"]') ? el.closest('.choice') ?? el : el;
      const box = target.getBoundingClientRect();
      const shown = box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
      const onPage = box.right > 0 && box.left < window.innerWidth;
      if (shown && onPage && (box.width < 44 || box.height < 44)) {
        out.push(`${el.tagName} "${(el.textContent || el.getAttribute('name') || '').trim()}" ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
    }
    return { out, count: targets.length };
  });
  assert.ok(small.count > 8, `the phone has its controls (${small.count})`);
  assert.deepEqual(small.out, [], 'every touch target is at least 44 × 44 px');

  await p.evaluate(() => { document.documentElement.style.fontSize = '200%'; });
  await fits(p);
  for (const control of [
    p.getByRole('textbox', { name: 'Your reflection' }),
    p.getByRole('button', { name: 'Add reflection' }),
    p.getByRole('button', { name: 'Pass' }),
    p.locator('.own-card summary', { hasText: 'Withdraw' }).first(),
  ]) {
    await control.scrollIntoViewIfNeeded();
    const box = await control.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 360, `a key control stays on the screen: ${JSON.stringify(box)}`);
  }
  await p.screenshot({ path: join(artifacts, 'board-phone-360-text-200.png'), fullPage: true });
});

test('Spanish: chosen by the browser, switched with and without script, and set for the screen from the console', async (t) => {
  const hearth = await startHearth();
  const browser = await launchChromium();
  t.after(async () => { await browser.close(); await hearth.kill(); });

  // The browser's language decides, and the script agrees with the server.
  const spanish = await (await browser.newContext({ ...laptop, locale: 'es-ES' })).newPage();
  const problems = watchHydration(spanish);
  await spanish.goto(`${hearth.base}/start`);
  assert.equal(await spanish.getAttribute('html', 'lang'), 'es');
  await spanish.getByRole('heading', { name: 'Iniciar un encuentro' }).waitFor();
  await spanish.getByLabel('Nombre del encuentro').fill('Martes');
  await spanish.getByRole('button', { name: 'Iniciar el encuentro' }).click();
  await spanish.waitForURL(/\/console\//);
  await live(spanish);
  await spanish.getByRole('heading', { name: '¿Qué te trae hoy aquí?' }).first().waitFor();
  assert.deepEqual(problems, [], 'the hydrated console renders exactly what the server did');
  await accessible(spanish, 'the console in Spanish');

  // Without script, the switch is a plain form that comes back in Spanish.
  const plain = await (await browser.newContext({ ...phone, javaScriptEnabled: false })).newPage();
  await plain.goto(hearth.base);
  await plain.getByRole('heading', { name: 'Join a gathering' }).waitFor();
  await plain.getByRole('button', { name: 'Español' }).click();
  await plain.getByRole('heading', { name: 'Únete a un encuentro' }).waitFor();
  assert.equal(await plain.getAttribute('html', 'lang'), 'es');
  assert.equal(await plain.getByRole('button', { name: 'Español' }).getAttribute('aria-pressed'), 'true');

  // The screen starts in the facilitator's language and follows the console.
  const screenUrl = await spanish.getByRole('link', { name: 'Abrir la pantalla compartida' }).getAttribute('href');
  const screen = await (await browser.newContext(projector)).newPage();
  const screenProblems = watchHydration(screen);
  await screen.goto(screenUrl);
  await live(screen);
  await screen.getByText('Únete en').waitFor();
  assert.equal(await screen.locator('.language-bar').count(), 0, 'no switch on a projector');
  await spanish.getByTestId('screen-language-en').click();
  await screen.getByText('Join at').waitFor();
  assert.equal(await screen.locator('main').getAttribute('lang'), 'en');
  await spanish.getByTestId('screen-theme-high-contrast').click();
  await screen.locator('main[data-theme="high-contrast"]').waitFor();
  await accessible(screen, 'the screen in high contrast');
  await screen.screenshot({ path: join(artifacts, 'board-screen-1920-high-contrast.png') });
  await spanish.getByTestId('screen-language-es').click();
  await screen.getByText('Únete en').waitFor();
  assert.deepEqual(screenProblems, [], 'the screen hydrates without complaint');

  // A phone switches after the script has run too, and keeps its place.
  const code = (await spanish.getByTestId('join-code').textContent()).trim();
  const [p] = await joinPhones(browser, hearth, code, 1);
  const phoneProblems = watchHydration(p);
  const at = p.url();
  await p.getByRole('button', { name: 'Español' }).click();
  await p.getByRole('button', { name: 'Añadir reflexión' }).waitFor();
  assert.equal(p.url(), at, 'back on the same page');
  await live(p);
  await p.getByRole('textbox', { name: 'Tu reflexión' }).fill('Palabras en español');
  await p.getByRole('button', { name: 'Añadir reflexión' }).click();
  await p.getByText('Recibida. Gracias.').waitFor();
  await spanish.getByRole('button', { name: 'Revelar las reflexiones' }).click();
  await screen.locator('.card', { hasText: 'Palabras en español' }).waitFor();
  await p.locator('[data-testid="announcer"]', { hasText: '1 tarjeta nueva en el tablero' }).waitFor();
  assert.deepEqual(phoneProblems, [], 'the Spanish phone hydrates without complaint');

  // Spanish screenshots of every view of a board, checked like the English.
  for (const [name, page] of [['console', spanish], ['screen', screen], ['phone', p]]) {
    for (const [width, height] of sizes) {
      await page.setViewportSize({ width, height });
      await fits(page, { vertical: name === 'screen' && width === 1920 });
      await accessible(page, `Spanish ${name} at ${width} px`);
      await page.screenshot({ path: join(artifacts, `es-board-${name}-${width}.png`), fullPage: name !== 'screen' });
    }
  }
});
