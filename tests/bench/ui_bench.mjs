// 1000 workspace cards in Chromium (the real UI on its in-memory backend, `?many=N`):
// time to the cards painted, and filter-as-you-type time per keystroke (from keydown to the
// frame after the DOM update). Usage: node ui_bench.mjs DIST_DIR RUNS N  → prints JSON.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname, join, resolve } from 'node:path';

const require = createRequire(resolve(import.meta.dirname, '../../ui/package.json'));
const { chromium } = require('playwright-core');

const [dist, runs = '3', many = '1000'] = process.argv.slice(2);
const N = Number(many);
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png' };
const server = createServer(async (req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  const file = join(dist, path === '/' ? 'index.html' : path);
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});

// Typed into the search box: narrows 1000 → 500 → 1 card, then Backspace widens back to all.
const QUERY = 'ml-research · w12';
const results = [];
try {
  for (let run = 0; run < Number(runs); run++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}/?step=700&many=${N}`, { waitUntil: 'commit' });
    await page.waitForFunction(
      (n) => {
        if (document.querySelectorAll('[data-testid=workspace-card]').length < n) return false;
        globalThis.__cardsAt ??= performance.now();
        return true;
      },
      N,
      { polling: 'raf', timeout: 60000 },
    );
    const renderMs = await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(() => r(performance.now()), 0))));
    const cardsAt = await page.evaluate(() => globalThis.__cardsAt);
    // Per keystroke: keydown → the input's DOM update → the next frame (rAF, then a task after it).
    await page.evaluate(() => {
      globalThis.__keys = [];
      let t0 = 0;
      const box = document.querySelector('input[type=search]');
      box.addEventListener('keydown', () => { t0 = performance.now(); }, true);
      box.addEventListener('input', () => {
        const start = t0;
        requestAnimationFrame(() => setTimeout(() => {
          globalThis.__keys.push({ ms: performance.now() - start, cards: document.querySelectorAll('[data-testid=workspace-card]').length });
        }, 0));
      });
    });
    await page.getByLabel('Search workspaces').click();
    const settle = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 30))));
    for (const ch of QUERY) {
      await page.keyboard.type(ch);
      await settle();
    }
    for (let i = 0; i < QUERY.length; i++) {
      await page.keyboard.press('Backspace');
      await settle();
    }
    const keys = await page.evaluate(() => globalThis.__keys);
    const finalCards = await page.getByTestId('workspace-card').count();
    results.push({ run, cards_painted_ms: cardsAt, after_next_frame_ms: renderMs, keystrokes: keys, final_cards: finalCards, errors });
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
process.stdout.write(JSON.stringify({ many: N, query: QUERY, runs: results }) + '\n');
