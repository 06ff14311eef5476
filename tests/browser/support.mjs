// Shared set-up for the browser tests: the real Hearth binary on a free
// port with its own SQLite file, and Debian's Chromium driven by
// playwright-core (no browser downloads). Tests wait for facts (a page
// showing something, a line in the server's log); a timeout only turns a
// hang into a failure.
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const artifacts = join(root, 'tests', 'artifacts');
mkdirSync(artifacts, { recursive: true });

const bin = process.env.HEARTH_BIN ?? join(root, 'target', 'debug', 'hearth');

// What the server prints once it listens, before the address it got.
const LISTENING = 'Hearth is running. Open http://';

/** Waits until the log, from byte `from` on, says where Hearth listens,
 * and returns that address (`127.0.0.1:<port>`). */
async function listeningAddress(child, logFile, from) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const run = readFileSync(logFile).subarray(from).toString('utf8');
    const line = run.split('\n').find((l) => l.includes(LISTENING));
    if (line) return line.split(LISTENING)[1].split(/\s/)[0];
    if (child.exitCode !== null) throw new Error(`hearth exited:\n${readFileSync(logFile, 'utf8')}`);
    // Polling a file: the line is the fact, this is how often to look.
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`hearth did not start:\n${readFileSync(logFile, 'utf8')}`);
}

/** A running Hearth that can be killed (SIGKILL) and started again. The
 * first start asks for port 0, so the system gives a free port as Hearth
 * binds it (none is picked here and released, for another process to
 * take); a restart asks for that same port, as phones come back to it.
 * Links name the same address: with no --public-url, Hearth makes it from
 * the address it bound. */
export async function startHearth() {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-browser-'));
  const logFile = join(dir, 'server.log');
  const server = {
    addr: '127.0.0.1:0',
    base: null,
    dir,
    child: null,
    async start() {
      const out = openSync(logFile, 'a');
      const from = fstatSync(out).size;
      this.child = spawn(bin, [
        '--addr', this.addr,
        '--database', join(dir, 'hearth.db'),
        '--config', join(root, 'Leptos.toml'),
      ], { cwd: root, stdio: ['ignore', out, out] });
      closeSync(out);
      this.addr = await listeningAddress(this.child, logFile, from);
      this.base = `http://${this.addr}`;
    },
    async kill() {
      if (!this.child || this.child.exitCode !== null) return;
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGKILL');
      await exited;
    },
    log() { return readFileSync(logFile, 'utf8'); },
  };
  await server.start();
  return server;
}

/** Debian's Chromium, headless, with the flags this machine needs. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** A phone: 360 px wide, touch. */
export const phone = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
/** A projector. */
export const projector = { viewport: { width: 1920, height: 1080 } };
/** A laptop. */
export const laptop = { viewport: { width: 1280, height: 800 } };

/** Waits until a page's live link is connected (the script has run). */
export async function live(page) {
  await page.locator('.link-status[data-status="live"]').waitFor({ state: 'attached', timeout: 20_000 });
}

/** Starts a gathering from the start page with a ready agenda (by its form
 * value: `introduction`, `community`, `blank`), and opens the console on a
 * laptop and the shared screen on a projector. */
export async function startGathering(browser, hearth, { name = 'Tuesday training', agenda = 'introduction' } = {}) {
  const facilitator = await (await browser.newContext(laptop)).newPage();
  await facilitator.goto(`${hearth.base}/start`);
  await facilitator.getByLabel('Name of the gathering').fill(name);
  await facilitator.locator(`input[name="agenda"][value="${agenda}"]`).check();
  await facilitator.getByRole('button', { name: 'Start gathering' }).click();
  await facilitator.waitForURL(/\/console\/[0-9a-f]{40}$/);
  await live(facilitator);
  const code = (await facilitator.getByTestId('join-code').textContent()).trim();
  const screenUrl = await facilitator.getByRole('link', { name: 'Open the shared screen' }).getAttribute('href');
  const screen = await (await browser.newContext(projector)).newPage();
  await screen.goto(screenUrl);
  await live(screen);
  return { facilitator, screen, code, screenUrl };
}

/** `n` phones that join by typing the code. */
export async function joinPhones(browser, hearth, code, n) {
  const phones = [];
  for (let i = 0; i < n; i++) {
    const page = await (await browser.newContext(phone)).newPage();
    await page.goto(hearth.base);
    await page.getByLabel('Join code').fill(code);
    await page.getByRole('button', { name: 'Join' }).click();
    await page.waitForURL(/\/p\/[0-9a-f]{32}$/);
    await live(page);
    phones.push(page);
  }
  return phones;
}

/** The facilitator moves the room to the agenda's step number `n` (from 1),
 * and each of `phones` waits until it shows that step's prompt, as a person
 * looks up before typing: a phone fetches its new page a moment after the
 * console moves, and words typed into the step before would go nowhere. */
export async function goToStep(facilitator, n, phones = []) {
  const step = facilitator.locator('.agenda-step').nth(n - 1);
  await step.getByRole('button', { name: 'Go to this step' }).click();
  await step.getByText('Now', { exact: true }).waitFor();
  const prompt = (await step.locator('.agenda-prompt').textContent()).trim();
  for (const page of phones) {
    await page.getByRole('heading', { level: 1, name: prompt, exact: true }).waitFor();
  }
}

/** A participant withdraws one of their reflections: it asks once. */
export async function withdraw(page, text) {
  const card = page.locator('.own-card', { hasText: text });
  await card.locator('summary', { hasText: 'Withdraw' }).click();
  await card.getByRole('button', { name: 'Yes, withdraw it' }).click();
}

/** Waits until a button is enabled, then clicks it. */
export async function clickWhenEnabled(page, name) {
  const button = page.getByRole('button', { name, exact: true });
  await button.and(page.locator(':enabled')).waitFor();
  await button.click();
}

/** Neither sideways scrolling nor, on the screen, any scrolling at all. */
export async function fits(page, { vertical = false } = {}) {
  const { sw, sh, w, h } = await page.evaluate(() => ({
    sw: document.documentElement.scrollWidth,
    sh: document.documentElement.scrollHeight,
    w: window.innerWidth,
    h: window.innerHeight,
  }));
  if (sw > w) throw new Error(`the page scrolls sideways (${sw} > ${w})`);
  if (vertical && sh > h) throw new Error(`the page scrolls (${sh} > ${h})`);
}

/** Records every Content-Security-Policy violation the page reports, so a
 * test can check the policy lets Hearth's own scripts and WebAssembly run
 * and blocks nothing of ours. Read them with `policyViolations(page)`. */
export async function watchPolicy(page) {
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
}

export function policyViolations(page) {
  return page.evaluate(() => window.__violations ?? ['not watched']);
}

/** The WCAG 2.2 AA rules axe-core checks (A and AA of 2.0, 2.1 and 2.2). */
export const WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core on the page as it is now and fails, naming each rule and
 * where it broke, on any WCAG 2.2 AA violation. axe is evaluated over the
 * DevTools protocol, which the page's Content-Security-Policy does not
 * govern, so the policy stays as strict as in use. */
export async function accessible(page, what) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.evaluate(axeSource);
  }
  const violations = await page.evaluate(async (tags) => {
    // Judge what stays on the page, not a card caught fading in.
    document.getAnimations().forEach((a) => a.finish());
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 4)
      .map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`).join('\n    ')}`);
  }, WCAG_AA);
  if (violations.length) throw new Error(`${what}: ${violations.length} WCAG 2.2 AA violation(s)\n  ${violations.join('\n  ')}`);
}
