// The map's frame rate under a storm: the shared screen in Chromium at
// 1920×1080 while the load tool has hundreds of phones place every card
// of a worldview map at once. A measuring tool, not a test (it prints
// figures; the README keeps them):
//
//   node tests/browser/map-fps.mjs [participants] [cards]
//
// It uses the release build when there is one (scripts/build.sh --release
// and cargo build --release -p hearth-tests --bin load), else the debug
// build. Frames are read from the browser's own timeline: every
// requestAnimationFrame timestamp while the storm lasts, and the long
// tasks the PerformanceObserver reports. The last line printed is:
//
//   FPS screen_fps=… p95_frame_ms=… worst_frame_ms=… long_tasks=… long_task_ms=… map_cards=… storm="MAP …"
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const release = (name) => join(root, 'target', 'release', name);
const debug = (name) => join(root, 'target', 'debug', name);
const pick = (name) => (existsSync(release(name)) ? release(name) : debug(name));
process.env.HEARTH_BIN ??= pick('hearth');
const { startHearth, launchChromium, startGathering, goToStep } = await import('./support.mjs');

const participants = Number(process.argv[2] ?? 500);
const cards = Number(process.argv[3] ?? 40);
if (!(participants >= 1 && participants <= 5000 && cards >= 1 && cards <= 200)) {
  console.error('usage: node tests/browser/map-fps.mjs [participants 1-5000] [cards 1-200]');
  process.exit(2);
}

const hearth = await startHearth();
const browser = await launchChromium();
try {
  const { facilitator, screen } = await startGathering(browser, hearth, { name: 'Map storm' });
  await screen.setViewportSize({ width: 1920, height: 1080 });
  const secret = new URL(facilitator.url()).pathname.split('/').pop();
  const joinUrl = (await facilitator.locator('.links code.url').last().textContent()).trim();
  const token = joinUrl.split('/').pop();
  await goToStep(facilitator, 5);
  // The facilitator's console is closed for the storm: it would share the
  // machine's two cores with the screen being measured.
  await facilitator.close();

  const load = spawn(pick('load'), [
    '--map-storm', '--server', hearth.base, '--console', secret, '--join', token,
    '--participants', String(participants), '--cards', String(cards),
  ], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let summary = '';
  const lines = createInterface({ input: load.stdout });
  const done = new Promise((resolve, reject) => {
    load.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the load tool exited with ${code}`))));
  });
  let measuring = null;
  for await (const line of lines) {
    console.log(line);
    if (line === 'PLACING') {
      await screen.evaluate(() => {
        window.__frames = [];
        window.__long = [];
        window.__recording = true;
        const tick = (t) => {
          window.__frames.push(t);
          if (window.__recording) requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) window.__long.push(entry.duration);
        }).observe({ type: 'longtask' });
      });
      measuring = true;
    } else if (line === 'PLACED' && measuring) {
      // The last totals reach the screen a moment after the last placement.
      await new Promise((r) => setTimeout(r, 2000));
      measuring = await screen.evaluate(() => {
        window.__recording = false;
        return {
          frames: window.__frames,
          long: window.__long,
          cards: document.querySelectorAll('.map-card').length,
        };
      });
    } else if (line.startsWith('MAP ')) {
      summary = line;
    }
  }
  await done;
  if (!measuring || measuring === true) throw new Error('the storm never started or ended');
  const { frames, long, cards: drawn } = measuring;
  const gaps = frames.slice(1).map((t, i) => t - frames[i]).sort((a, b) => a - b);
  const seconds = (frames[frames.length - 1] - frames[0]) / 1000;
  const fps = (frames.length - 1) / seconds;
  const p95 = gaps[Math.floor(gaps.length * 0.95)] ?? 0;
  const worst = gaps[gaps.length - 1] ?? 0;
  const longMs = long.reduce((a, b) => a + b, 0);
  console.log(`FPS screen_fps=${fps.toFixed(1)} p95_frame_ms=${p95.toFixed(1)} worst_frame_ms=${worst.toFixed(1)} long_tasks=${long.length} long_task_ms=${longMs.toFixed(0)} map_cards=${drawn} storm="${summary}"`);
} finally {
  await browser.close();
  await hearth.kill();
}
