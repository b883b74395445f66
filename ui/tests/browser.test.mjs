// The built UI in a real browser (Debian's chromium through playwright-core). The Rust core
// cannot run in a browser, so these tests use the in-memory backend behind the IPC layer
// (src/lib/backend/memory.ts); the built desktop app is driven end to end in tests/e2e.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startBrowser } from './harness.mjs';

const shots = resolve(process.env.HANGAR_SCREENSHOTS ?? join(import.meta.dirname, '../../tests/out/screenshots'));
let browser, base, close;

before(async () => {
  await mkdir(shots, { recursive: true });
  ({ base, browser, close } = await startBrowser());
});

after(async () => {
  await close?.();
});

async function open(query = '', scheme = 'light', viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport, colorScheme: scheme });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/?step=700${query ? '&' + query : ''}`);
  return { page, errors };
}

// Filtered-out cards stay mounted, hidden: count only the ones shown.
const cards = (page) => page.locator('[data-testid=workspace-card]:visible');

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
  await page.keyboard.press('o');
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

test('the IDE chooser offers the installed IDEs, opens the one picked and remembers it', async () => {
  const { page, errors } = await open();
  const running = cards(page).filter({ hasText: 'web-app · b2c3d4e5' });
  const chooser = running.getByTestId('ide-chooser');
  await chooser.waitFor();
  const offered = await chooser.locator('option').allTextContents();
  assert.deepEqual(offered, ['Other IDE…', 'Cursor', 'Zed', 'JetBrains Gateway']);
  await chooser.focus();
  const card = await running.boundingBox();
  await page.screenshot({ path: join(shots, 'ide-chooser.png'), clip: { x: card.x - 8, y: card.y - 8, width: card.width + 16, height: card.height + 16 } });
  await chooser.selectOption('zed');
  await page.waitForFunction(() => globalThis.__hangarOpened?.some((u) => u.startsWith('zed://ssh/hangar-b2c3d4e5')));
  await running.getByTestId('ide-button').getByRole('button', { name: 'Zed' }).waitFor();
  assert.deepEqual(errors, []);
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

const headers = (page) =>
  page.locator('[data-testid=group-header]:visible').evaluateAll((els) => els.map((e) => e.textContent.replace(/\s+/g, ' ').trim()));

test('an account is edited in place: a bad URL is refused on its field, a good one is checked and saved', async () => {
  for (const scheme of ['light', 'dark']) {
    const { page, errors } = await open('real', scheme, { width: 900, height: 760 });
    await page.getByTestId('open-accounts').click();
    await page.getByTestId('edit-account-open').click();
    const form = page.getByTestId('edit-account');
    const url = form.getByTestId('edit-base-url');
    assert.equal(await url.inputValue(), 'http://127.0.0.1:1', 'prefilled with the stored base URL');

    await url.fill('http://example.com');
    await form.getByTestId('edit-account-save').click();
    assert.match(await form.getByTestId('edit-account-error').textContent(), /must start with https:\/\//);
    assert.equal(await url.getAttribute('aria-invalid'), 'true', 'the error is on the base URL field');

    // Another address: the stored key is never sent there, so the form asks for it again.
    await url.fill('https://refused.example.test');
    await form.getByTestId('edit-account-save').click();
    assert.match(await form.getByTestId('edit-account-error').textContent(), /enter its credentials again/);
    assert.equal(await form.getByTestId('credential-token').getAttribute('aria-invalid'), 'true', 'the error points at the credentials');
    await form.getByTestId('credential-token').fill('key-for-the-new-address');
    await form.getByTestId('edit-account-save').click();
    await form.getByText(/was not changed: answered 401/).waitFor();
    assert.match(await page.getByTestId('account-row').textContent(), /127\.0\.0\.1:1/, 'nothing changed after a failed check');
    await page.screenshot({ path: join(shots, `accounts-edit-${scheme}.png`) });

    await url.fill('https://api.example.test/');
    await form.getByTestId('edit-options').fill('preview_port=8080');
    await form.getByTestId('edit-account-save').click();
    await page.getByText('Account demo-aether changed.').waitFor();
    assert.match(await page.getByTestId('account-row').textContent(), /aether · https:\/\/api\.example\.test(?!\/)/);
    await page.getByTestId('edit-account-open').click();
    assert.equal(await page.getByTestId('edit-options').inputValue(), 'preview_port=8080', 'the saved options prefill the form');

    // A rotated API key: empty is refused on its field, a refused key keeps the old one.
    const creds = page.getByTestId('replace-credentials');
    const key = creds.getByTestId('credential-token');
    assert.equal(await key.getAttribute('type'), 'password', 'secrets are never shown');
    await creds.getByTestId('replace-credentials-save').click();
    assert.match(await creds.getByTestId('credentials-error').textContent(), /API key or access token is required/);
    assert.equal(await key.getAttribute('aria-invalid'), 'true');
    await key.fill('wrong-key');
    await creds.getByTestId('replace-credentials-save').click();
    await creds.getByText(/keeps its old credentials: answered 401/).waitFor();
    await key.fill('a-new-key');
    await creds.getByTestId('replace-credentials-save').click();
    await creds.getByTestId('credentials-saved').waitFor();
    assert.equal(await key.inputValue(), '', 'the form forgets the secret once it is stored');
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('cards group by account or provider with counts; filter and keyboard work across groups', async () => {
  for (const scheme of ['light', 'dark']) {
    const { page, errors } = await open('teams', scheme);
    await cards(page).first().waitFor();
    assert.deepEqual(await headers(page), [], 'no headers without grouping');
    await page.getByTestId('group-by-account').click();
    assert.deepEqual(await headers(page), ['demo-aether 3', 'team-exalsius 2']);
    await page.screenshot({ path: join(shots, `grouped-${scheme}.png`) });
    await page.getByTestId('group-by-provider').click();
    assert.deepEqual(await headers(page), ['aether 3', 'exalsius 2']);
    assert.equal(await cards(page).count(), 5);

    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press('/');
    await page.keyboard.type('web-app');
    assert.deepEqual(await headers(page), ['aether 2'], 'a group the filter empties loses its header');
    assert.equal(await cards(page).count(), 2);
    await page.getByLabel('Search workspaces').fill('');

    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.id), 'b2c3d4e5-0001', 'the first card of the first group');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.id), 'e1f2a3b4-0004', 'down crosses into the next group');
    await page.keyboard.press('ArrowUp');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.id), 'b2c3d4e5-0001');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('o');
    await page.waitForFunction(() => globalThis.__hangarOpened?.some((u) => u.startsWith('https://3000-e1f2a3b4.')));
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('settings keep the refresh intervals within their bounds', async () => {
  for (const scheme of ['light', 'dark']) {
    const { page } = await open('', scheme, { width: 900, height: 1000 });
    await cards(page).first().waitFor();
    await page.getByTestId('open-settings').click();
    const refresh = page.getByTestId('refresh');
    assert.match(await refresh.textContent(), /\(2–30 s\).*\(30–3600 s\)/s, 'the bounds are shown');
    assert.match(await page.getByTestId('ssh-include-help').textContent(), /one Include line at the top of your ~\/\.ssh\/config/);
    const changing = page.getByLabel('Refresh while changing, seconds');
    const settled = page.getByLabel('Refresh when settled, seconds');
    assert.equal(await changing.inputValue(), '2');
    assert.equal(await settled.inputValue(), '60');
    await changing.fill('1');
    await settled.fill('120');
    await page.getByTestId('settings-save').click();
    assert.match(await refresh.textContent(), /While changing: a whole number from 2 to 30/);
    assert.ok(await page.getByTestId('settings').isVisible(), 'not saved, still open');
    await page.screenshot({ path: join(shots, `settings-refresh-${scheme}.png`) });
    await changing.fill('5');
    await page.getByTestId('settings-save').click();
    await page.getByTestId('settings').waitFor({ state: 'detached' });
    await page.getByTestId('open-settings').click();
    assert.equal(await page.getByLabel('Refresh while changing, seconds').inputValue(), '5');
    assert.equal(await page.getByLabel('Refresh when settled, seconds').inputValue(), '120');
    await page.close();
  }
});

test('an IDE link that needs the SSH include asks first: allow opens it, decline shows the line', async () => {
  for (const scheme of ['light', 'dark']) {
    const { page, errors } = await open('', scheme);
    const gpuCard = cards(page).filter({ hasText: 'ml-research · c3d4e5f6' });
    await gpuCard.getByRole('button', { name: 'VS Code' }).click();
    const dialog = page.getByTestId('ssh-consent');
    await dialog.waitFor();
    // The core's exact line and file (the memory backend's stand-in for them).
    await page.waitForFunction(() => document.querySelector('[data-testid=consent-line]')?.textContent?.startsWith('Include'));
    assert.equal(await dialog.getByTestId('consent-line').textContent(), 'Include "/home/you/.ssh/hangar/config"');
    assert.equal(await dialog.getByTestId('consent-file').textContent(), '/home/you/.ssh/config');
    assert.equal(await page.evaluate(() => globalThis.__hangarOpened.length), 0, 'nothing opened before the answer');
    await page.screenshot({ path: join(shots, `ssh-consent-${scheme}.png`) });
    await dialog.getByTestId('consent-allow').click();
    await page.waitForFunction(() => globalThis.__hangarOpened?.some((u) => u.startsWith('vscode://vscode-remote/ssh-remote+hangar-c3d4e5f6')));
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('open-settings').click();
    assert.equal(await page.getByTestId('ssh-include').inputValue(), 'allowed', 'the answer was saved');
    assert.deepEqual(errors, []);
    await page.close();
  }

  const { page } = await open();
  await cards(page).filter({ hasText: 'ml-research · c3d4e5f6' }).getByRole('button', { name: 'VS Code' }).click();
  await page.getByTestId('consent-decline').click();
  const dialog = page.getByTestId('ssh-consent');
  await dialog.getByTestId('consent-copy').waitFor();
  assert.equal(await dialog.getByTestId('consent-line').textContent(), 'Include "/home/you/.ssh/hangar/config"');
  assert.equal(await page.evaluate(() => globalThis.__hangarOpened.length), 0, 'declining opens nothing');
  await dialog.getByRole('button', { name: 'Done' }).click();
  await page.getByTestId('open-settings').click();
  assert.equal(await page.getByTestId('ssh-include').inputValue(), 'declined');
  await page.close();
});

test('running cards show their rate, its source, spend and deadline; the header adds them up', async () => {
  for (const scheme of ['light', 'dark']) {
    const { page, errors } = await open('teams', scheme);
    await page.getByTestId('totals').waitFor();
    assert.match(await page.getByTestId('totals').textContent(), /^3 running · 2 GPUs · ≈ \$\d+\.\d\d\/h · today ≈ \$[\d.]+/);
    const gpuCard = cards(page).filter({ hasText: 'ml-research · c3d4e5f6' });
    assert.equal(await gpuCard.getByTestId('rate').textContent(), '≈ $1.29/h');
    assert.equal(await gpuCard.getByTestId('rate-source').textContent(), 'your rates');
    assert.match(await gpuCard.getByTestId('rate').getAttribute('title'), /your rate table/);
    assert.match(await gpuCard.getByTestId('spent').textContent(), /^≈ \$2\.\d\d so far \(estimate\)$/);
    assert.match(await gpuCard.getByTestId('deadline').textContent(), /^stops in (46|47) min$/);
    const vendor = cards(page).filter({ hasText: 'vision-train' });
    assert.equal(await vendor.getByTestId('rate-source').textContent(), 'vendor');
    assert.match(await cards(page).filter({ hasText: 'web-app · b2c3d4e5' }).getByTestId('deadline').textContent(), /stops when idle for 10 min/);
    assert.equal(await cards(page).filter({ hasText: 'web-app · d4e5f6a7' }).getByTestId('card-money').count(), 0, 'a stopped card shows no money line');
    await page.screenshot({ path: join(shots, `money-${scheme}.png`) });
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('credits stay credits: the header shows one part per unit', async () => {
  const { page, errors } = await open('credits');
  await page.getByTestId('totals').waitFor();
  const parts = (await page.getByTestId('totals').textContent()).split(' · ');
  assert.deepEqual(parts.slice(0, 2), ['3 running', '3 GPUs']);
  assert.ok(parts.includes('≈ 4.5 credits/h'), `a credits part in ${parts}`);
  assert.ok(parts.some((p) => /^≈ \$\d+\.\d\d\/h$/.test(p)), `a dollars part in ${parts}`);
  const card = cards(page).filter({ hasText: 'fine-tune' });
  assert.equal(await card.getByTestId('rate').textContent(), '≈ 4.5 credits/h');
  assert.match(await card.getByTestId('deadline').textContent(), /^stops in 1 h 5[78] min$/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('details open with Enter, show the timeline of window and tray actions with their causes, and Esc returns to the card', async () => {
  const { page, errors } = await open();
  await cards(page).first().waitFor();
  await page.keyboard.press('ArrowRight');
  const id = await page.evaluate(() => document.activeElement.dataset.id);
  assert.equal(id, 'b2c3d4e5-0001');
  await page.keyboard.press('Enter');
  const panel = page.getByTestId('details');
  await panel.getByTestId('timeline').waitFor();
  assert.equal(await page.evaluate(() => globalThis.__hangarOpened.length), 0, 'Enter shows details, it does not open the workspace');
  assert.equal(await panel.getByTestId('details-ssh-command').textContent(), 'ssh hangar-b2c3d4e5');
  assert.match(await panel.getByTestId('details-state').textContent(), /Running.*vendor: running/);
  assert.ok(!(await panel.getByTestId('details-raw').evaluate((d) => d.open)), 'the raw record starts collapsed');
  assert.ok(!(await panel.textContent()).includes('ptk_'), 'no preview token in the raw record');
  const before = await panel.locator('[data-testid=timeline] li').count();

  // From the tray, then from the window (the panel stays open, its timeline grows).
  await page.evaluate(() => globalThis.__hangarTray('b2c3d4e5-0001', 'stop'));
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=timeline] li').length === n + 2, before, { timeout: 5000 });
  await page.keyboard.press('Escape');
  await panel.waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement?.dataset?.id), id, 'focus is back on the card');
  await cards(page).filter({ hasText: 'web-app · b2c3d4e5' }).getByRole('button', { name: 'Start' }).click();
  await page.locator('[data-id="b2c3d4e5-0001"][data-state="running"]').waitFor({ timeout: 5000 });
  await cards(page).filter({ hasText: 'web-app · b2c3d4e5' }).getByTestId('card-name').click();
  await panel.getByTestId('timeline').waitFor();
  const items = await panel.locator('[data-testid=timeline] li').evaluateAll((lis) => lis.map((li) => li.textContent.replace(/^\S+ \S+ /, '')));
  assert.deepEqual(items.slice(before), [
    'Running → Stopping, by the tray',
    'Stopping → Stopped, by the tray',
    'Stopped → Starting, by you',
    'Starting → Running, by you',
  ]);
  await page.screenshot({ path: join(shots, 'details.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

/** Ctrl+K, then wait until the palette's input has focus: keys typed before it mounts go to the page. */
async function paletteOpen(page) {
  await page.keyboard.press('Control+k');
  await page.getByTestId('palette-input').waitFor();
  await page.waitForFunction(() => document.activeElement?.dataset?.testid === 'palette-input');
}

test('the command palette runs actions by typing, with the keyboard alone', async () => {
  const { page, errors } = await open('teams');
  await cards(page).first().waitFor();
  await page.keyboard.press('Control+k');
  const input = page.getByTestId('palette-input');
  await input.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.dataset?.testid), 'palette-input', 'the input has focus');
  await page.keyboard.type('open');
  await page.keyboard.press('ArrowDown');
  await page.screenshot({ path: join(shots, 'palette.png') });
  await input.fill('new workspace on exalsius');
  assert.equal(await page.getByTestId('palette-option').first().textContent().then((t) => t.trim()), 'New workspace on exalsius (team-exalsius)…');
  await input.fill('stop web b2c3');
  assert.equal(await page.getByTestId('palette-option').first().textContent().then((t) => t.trim()), 'Stop web-app · b2c3d4e5');
  await page.keyboard.press('Enter');
  await page.getByTestId('palette').waitFor({ state: 'detached' });
  await page.locator('[data-id="b2c3d4e5-0001"][data-state="stopped"]').waitFor({ timeout: 5000 });

  await paletteOpen(page);
  await page.keyboard.type('zzzz');
  assert.equal(await page.getByTestId('palette-option').count(), 0);
  await input.fill('open vision');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => globalThis.__hangarOpened?.some((u) => u.startsWith('https://3000-e1f2a3b4.')));

  await paletteOpen(page);
  await page.keyboard.type('details ml');
  await page.keyboard.press('Enter');
  await page.getByTestId('details').getByTestId('timeline').waitFor();
  await page.keyboard.press('Escape');
  // A dialog's close event comes a task after Escape; Ctrl+K over an open dialog does nothing.
  await page.getByTestId('details').waitFor({ state: 'detached' });
  await paletteOpen(page);
  await page.keyboard.type('settings');
  await page.keyboard.press('Enter');
  await page.getByTestId('settings').waitFor();
  await page.keyboard.press('Escape');
  await page.getByTestId('settings').waitFor({ state: 'detached' });
  await paletteOpen(page);
  await page.keyboard.press('Escape');
  await page.getByTestId('palette').waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
  await page.close();
});

/** The rate table and budgets, as one picture. */
async function shootMoneySettings(page, name) {
  await page.getByTestId('rates').scrollIntoViewIfNeeded();
  const a = await page.getByTestId('rates').boundingBox();
  const b = await page.getByTestId('budgets').boundingBox();
  await page.screenshot({ path: join(shots, name), clip: { x: a.x - 12, y: a.y - 12, width: a.width + 24, height: b.y + b.height - a.y + 24 } });
}

test('the rate table, budgets and auto-stop are edited in Settings within their bounds', async () => {
  const { page, errors } = await open('teams', 'light', { width: 1000, height: 1400 });
  await cards(page).first().waitFor();
  await page.getByTestId('open-settings').click();
  const rates = page.getByTestId('rates');
  assert.equal(await rates.getByTestId('rates-currency').inputValue(), 'USD');
  assert.equal(await rates.getByTestId('gpu-rate').count(), 3, 'the demo rate table');
  await rates.getByTestId('add-gpu-rate').click();
  await rates.getByLabel('GPU kind 4', { exact: true }).fill('L4');
  await rates.getByLabel('Price per hour of GPU kind 4').fill('-3');
  await page.getByTestId('budget-daily').fill('-1');
  await page.getByTestId('auto-stop-hours').fill('0');
  await page.getByTestId('settings-save').click();
  assert.match(await rates.textContent(), /L4: a number from 0 to 1,000,000/);
  assert.match(await page.getByTestId('budgets').textContent(), /Daily budget: a number from 0 to 1,000,000,000.*Stop GPU workspaces after: a whole number from 1 to 8,760/s);
  assert.ok(await page.getByTestId('settings').isVisible(), 'not saved, still open');
  await shootMoneySettings(page, 'settings-rates-errors.png');

  await rates.getByLabel('Price per hour of GPU kind 4').fill('0.8');
  await rates.getByLabel('Price per hour of GPU kind 1').fill('2.00');
  await page.getByTestId('budget-daily').fill('50');
  await page.getByTestId('auto-stop-hours').fill('8');
  await page.getByLabel('Daily budget, team-exalsius').fill('100');
  assert.equal(await page.getByTestId('budgets').getByRole('alert').count(), 0, 'corrected values clear their errors');
  await shootMoneySettings(page, 'settings-rates.png');
  await page.getByTestId('settings-save').click();
  await page.getByTestId('settings').waitFor({ state: 'detached' });
  // The demo's A100 price changed: its card is priced again from the table.
  await page.waitForFunction(() => document.querySelector('[data-id="c3d4e5f6-0002"] [data-testid=rate]')?.textContent === '≈ $2.00/h');
  await page.getByTestId('open-settings').click();
  assert.equal(await page.getByLabel('GPU kind 4', { exact: true }).inputValue(), 'L4');
  assert.equal(await page.getByTestId('budget-daily').inputValue(), '50');
  assert.equal(await page.getByLabel('Daily budget, team-exalsius').inputValue(), '100');
  assert.equal(await page.getByTestId('auto-stop-hours').inputValue(), '8');
  assert.deepEqual(errors, []);
  await page.close();
});
