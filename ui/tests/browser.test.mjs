// The built UI in a real browser (Debian's chromium through playwright-core). The Rust core
// cannot run in a browser, so these tests use the in-memory backend behind the IPC layer
// (src/lib/backend/memory.ts); the built desktop app is driven end to end in tests/e2e.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const dist = resolve(import.meta.dirname, '../dist');
const shots = resolve(process.env.HANGAR_SCREENSHOTS ?? join(import.meta.dirname, '../../tests/out/screenshots'));
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png' };
let server, browser, base;

before(async () => {
  await mkdir(shots, { recursive: true });
  server = createServer(async (req, res) => {
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
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function open(query = '', scheme = 'light', viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport, colorScheme: scheme });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/?step=700${query ? '&' + query : ''}`);
  return { page, errors };
}

const cards = (page) => page.getByTestId('workspace-card');

test('cards show name, state, GPU and age, marked as demo', async () => {
  for (const scheme of ['light', 'dark']) {
    const { page, errors } = await open('', scheme);
    await page.getByTestId('workspace-card').first().waitFor();
    assert.equal(await cards(page).count(), 3);
    assert.ok(await page.getByTestId('demo-badge').isVisible(), 'demo marker visible');
    assert.equal(await page.getByTestId('gpu').first().textContent(), '1 × A100-40GB');
    const gpuCard = cards(page).filter({ has: page.getByTestId('gpu') });
    assert.match(await gpuCard.textContent(), /age 2 d/);
    assert.equal(await gpuCard.getByTestId('state').getAttribute('title'), 'Provider state: running');
    await page.screenshot({ path: join(shots, `cards-${scheme}.png`) });
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('stop follows the transition and a double click sends one call', async () => {
  const { page } = await open();
  const card = cards(page).filter({ hasText: 'web-app · b2c3d4e5' });
  const stop = card.getByRole('button', { name: 'Stop' });
  await stop.dblclick();
  await page.locator('[data-id="b2c3d4e5-0001"][data-state="stopping"]').waitFor({ timeout: 5000 });
  await page.locator('[data-id="b2c3d4e5-0001"][data-state="stopped"]').waitFor({ timeout: 5000 });
  assert.equal(await page.getByTestId('card-error').count(), 0, 'the second click did not send a second stop');
  await page.close();
});

test('slash focuses search and typing filters the cards', async () => {
  const { page } = await open();
  await cards(page).first().waitFor();
  await page.keyboard.press('/');
  await page.keyboard.type('ml-res');
  assert.equal(await cards(page).count(), 1);
  await page.getByLabel('Search workspaces').fill('zzz');
  assert.ok(await page.getByTestId('no-match').isVisible());
  await page.close();
});

test('the wizard refuses bad input on its field, then creates a card that becomes running', async () => {
  const { page } = await open();
  await cards(page).first().waitFor();
  await page.getByTestId('new-workspace').click();
  await page.getByTestId('wizard-next').click();
  await page.getByTestId('field-gpu_kind').locator('select').selectOption('a10');
  await page.getByTestId('field-volume_size_gb').locator('input').fill('9999');
  await page.getByTestId('wizard-create').click();
  assert.match(await page.getByTestId('field-volume_size_gb').textContent(), /at most 500/);
  assert.match(await page.getByTestId('create-wizard').textContent(), /Name is required/);
  assert.equal(await cards(page).count(), 3, 'nothing created');
  await page.screenshot({ path: join(shots, 'wizard-gpu-step.png') });
  await page.getByTestId('field-volume_size_gb').locator('input').fill('50');
  await page.getByLabel('Name *').fill('<img src=x onerror=alert(1)>');
  await page.getByTestId('wizard-create').click();
  const created = cards(page).filter({ hasText: '<img src=x onerror=alert(1)>' });
  await created.waitFor();
  assert.equal(await page.locator('article img').count(), 0, 'a name is shown as text, never as HTML');
  assert.equal(await created.getByTestId('gpu').textContent(), '1 × A10');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=workspace-card]')].some((c) => c.textContent.includes('<img') && c.getAttribute('data-state') === 'running'), null, { timeout: 5000 });
  await page.close();
});

test('open hands the provider link to the opener; delete asks first', async () => {
  const { page } = await open();
  const card = cards(page).filter({ hasText: 'web-app · b2c3d4e5' });
  await card.getByRole('button', { name: 'Open' }).click();
  await page.waitForFunction(() => globalThis.__hangarOpened?.length === 1);
  assert.match(await page.evaluate(() => globalThis.__hangarOpened[0]), /^https:\/\/3000-b2c3d4e5\.preview\./);
  await card.getByRole('button', { name: 'Delete' }).click();
  assert.match(await page.getByTestId('confirm-delete').textContent(), /web-app · b2c3d4e5/);
  await page.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await cards(page).count(), 3, 'cancel keeps it');
  await card.getByRole('button', { name: 'Delete' }).click();
  await page.getByTestId('confirm-delete-button').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=workspace-card]').length === 2);
  await page.close();
});

test('loading, empty and failed accounts are three different screens', async () => {
  const slow = await open('slow&empty');
  assert.ok(await slow.page.getByTestId('loading').isVisible(), 'loading first');
  await slow.page.getByTestId('no-workspaces').waitFor();
  await slow.page.close();

  const cached = await open('slow');
  await cached.page.getByTestId('stale').waitFor();
  await cached.page.getByTestId('stale').waitFor({ state: 'detached', timeout: 5000 });
  await cached.page.close();

  const failed = await open('fail');
  const banner = failed.page.getByTestId('account-failure');
  await banner.waitFor();
  assert.match(await banner.textContent(), /team-cloud.*401 Unauthorized/s);
  assert.ok(await banner.getByRole('button', { name: 'Fix credentials' }).isVisible());
  assert.equal(await cards(failed.page).count(), 3, 'the other account still shows its cards');
  await failed.page.close();
});

test('adding an account shows the provider error in place and never echoes the token', async () => {
  const { page } = await open('', 'light', { width: 800, height: 600 });
  await page.getByTestId('open-accounts').click();
  const form = page.getByTestId('add-account');
  await form.getByLabel('Account name').fill('work');
  await form.getByLabel('API key or access token').fill('wrong-token');
  await form.getByRole('button', { name: 'Test and add' }).click();
  const err = page.getByTestId('account-error');
  await err.waitFor();
  assert.match(await err.textContent(), /401/);
  assert.ok(!(await page.content()).includes('wrong-token'), 'the token is not echoed into the page');
  await page.screenshot({ path: join(shots, 'accounts.png') });
  await form.getByLabel('API key or access token').fill('good-token');
  await form.getByRole('button', { name: 'Test and add' }).click();
  await page.getByText('Account work added.').waitFor();
  assert.equal(await page.getByTestId('account-row').count(), 2);
  await page.close();
});

test('keyboard alone moves between cards and opens one', async () => {
  const { page } = await open();
  await cards(page).first().waitFor();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'workspace-card');
  const first = await page.evaluate(() => document.activeElement.dataset.id);
  await page.keyboard.press('ArrowRight');
  const second = await page.evaluate(() => document.activeElement.dataset.id);
  assert.notEqual(first, second, 'the arrow moved to the next card');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.id), first);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => globalThis.__hangarOpened?.length === 1);
  await page.close();
});

test('IDE links, SSH command and editing a stopped workspace', async () => {
  const { page } = await open();
  const running = cards(page).filter({ hasText: 'web-app · b2c3d4e5' });
  await running.getByRole('button', { name: 'VS Code' }).click();
  await page.waitForFunction(() => globalThis.__hangarOpened?.some((u) => u.startsWith('vscode://vscode-remote/ssh-remote+hangar-b2c3d4e5')));
  await running.getByTestId('copy-ssh').click();
  assert.match(await running.getByRole('status').textContent(), /ssh -p 2222 dev@b2c3d4e5\.example\.test/);

  const stopped = cards(page).filter({ hasText: 'web-app · d4e5f6a7' });
  await stopped.getByTestId('edit').click();
  const dialog = page.getByTestId('edit-workspace');
  await dialog.getByTestId('field-volume_size_gb').locator('input').fill('9999');
  await dialog.getByTestId('edit-save').click();
  assert.match(await dialog.getByTestId('field-volume_size_gb').textContent(), /at most 500/);
  await dialog.getByTestId('field-volume_size_gb').locator('input').fill('');
  await dialog.getByTestId('field-cpus').locator('select').selectOption('8');
  await dialog.getByTestId('edit-save').click();
  await stopped.getByText('8 CPU').waitFor();
  await page.close();
});

test('settings switch the theme and keep notification choices', async () => {
  const { page } = await open();
  await cards(page).first().waitFor();
  await page.getByTestId('open-settings').click();
  await page.getByTestId('theme').selectOption('dark');
  await page.getByLabel('A workspace stopped').uncheck();
  await page.getByTestId('settings-save').click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  assert.equal(bg, 'rgb(20, 24, 30)', 'dark colours applied');
  await page.screenshot({ path: join(shots, 'settings-dark.png') });
  await page.getByTestId('open-settings').click();
  assert.equal(await page.getByLabel('A workspace stopped').isChecked(), false, 'the choice was kept');
  await page.close();
});

test('a hangar://open link focuses its card; an unknown one says so', async () => {
  const { page } = await open('link=' + encodeURIComponent('hangar://open?account=demo-aether&workspace=d4e5f6a7-0003') + '&state=x');
  await page.waitForFunction(() => document.activeElement?.dataset?.id === 'd4e5f6a7-0003');
  await page.close();
  const unknown = await open('link=' + encodeURIComponent('hangar://open?account=demo-aether&workspace=nope'));
  assert.match(await unknown.page.getByTestId('notice').textContent(), /No workspace 'nope' in account 'demo-aether'/);
  await unknown.page.close();
});
