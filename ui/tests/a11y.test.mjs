// The accessibility audit: axe-core over every screen and dialog, in light and dark; any
// serious or critical violation fails the build. Same built UI and in-memory backend as
// browser.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startBrowser } from './harness.mjs';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let browser, base, close;

before(async () => {
  ({ base, browser, close } = await startBrowser());
});

after(async () => {
  await close?.();
});

async function open(query, scheme) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: scheme });
  await page.goto(`${base}/?step=400${query ? '&' + query : ''}`);
  await page.locator('[data-testid=workspace-card]').first().waitFor();
  return page;
}

/** Serious and critical violations on the page as it is now, one line each. */
async function audit(page, screen) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axePath });
  // Transitions and spinners settle first: axe reads colours as painted.
  await page.waitForTimeout(0);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  return violations.map((v) => `${screen}: ${v}`);
}

for (const scheme of ['light', 'dark']) {
  test(`every screen and dialog passes the audit (${scheme})`, async () => {
    const found = [];
    const page = await open('teams&real', scheme);
    const check = async (screen) => found.push(...(await audit(page, `${screen} (${scheme})`)));
    const close = async (testid) => {
      await page.keyboard.press('Escape');
      await page.getByTestId(testid).waitFor({ state: 'detached' });
    };

    await check('cards');
    await page.getByTestId('group-by-account').click();
    await check('cards grouped');

    await page.getByTestId('new-workspace').click();
    await page.getByTestId('create-wizard').waitFor();
    await check('wizard: account');
    await page.locator('#wizard-account').selectOption('demo-aether');
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('wizard-create').waitFor();
    await page.getByTestId('wizard-create').click(); // with its field errors showing
    await check('wizard: details');
    await close('create-wizard');

    await page.getByTestId('open-accounts').click();
    await page.getByTestId('add-account').waitFor();
    await check('accounts');
    await page.getByTestId('edit-account-open').first().click();
    await page.getByTestId('edit-account').waitFor();
    await check('account edit');
    await page.keyboard.press('Escape');
    await page.getByTestId('add-account').waitFor({ state: 'detached' });

    await page.getByTestId('open-settings').click();
    await page.getByTestId('settings').waitFor();
    await page.getByTestId('budget-daily').fill('-1');
    await page.getByTestId('settings-save').click();
    await check('settings (with an error)');
    await close('settings');

    const stopped = page.locator('[data-testid=workspace-card][data-id="d4e5f6a7-0003"]');
    await stopped.getByRole('button', { name: 'Delete' }).click();
    await page.getByTestId('confirm-delete').waitFor();
    await check('confirm delete');
    await close('confirm-delete');
    await stopped.getByTestId('edit').click();
    await page.getByTestId('edit-workspace').waitFor();
    await check('edit workspace');
    await close('edit-workspace');

    await page.locator('[data-id="c3d4e5f6-0002"]').getByRole('button', { name: 'VS Code' }).click();
    await page.getByTestId('consent-line').filter({ hasText: 'Include' }).waitFor();
    await check('ssh consent');
    await close('ssh-consent');

    await page.locator('[data-id="c3d4e5f6-0002"]').getByTestId('card-name').click();
    await page.getByTestId('timeline').waitFor();
    await page.getByTestId('details-raw').locator('summary').click();
    await check('details panel');
    await close('details');

    await page.keyboard.press('Control+k');
    await page.getByTestId('palette-input').waitFor();
    await page.keyboard.type('stop');
    await check('palette');
    await close('palette');
    await page.close();

    for (const query of ['empty', 'fail']) {
      const other = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: scheme });
      await other.goto(`${base}/?${query}`);
      await other.getByTestId(query === 'empty' ? 'no-workspaces' : 'account-failure').waitFor();
      found.push(...(await audit(other, `${query} (${scheme})`)));
      await other.close();
    }
    assert.deepEqual(found, [], `serious or critical accessibility violations:\n${found.join('\n')}`);
  });
}

test('dialogs trap Tab and give focus back to what opened them', async () => {
  const page = await open('', 'light');
  await page.getByTestId('open-settings').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('settings').waitFor();
  const inside = () => page.evaluate(() => !!document.activeElement?.closest('[data-testid=settings]'));
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press(i % 7 === 6 ? 'Shift+Tab' : 'Tab');
    assert.ok(await inside(), `focus left the dialog after ${i + 1} Tab presses`);
  }
  await page.keyboard.press('Escape');
  await page.getByTestId('settings').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement?.dataset?.testid), 'open-settings', 'focus went back to the Settings button');
  await page.close();
});

test('state changes are announced politely', async () => {
  const page = await open('', 'light');
  const live = page.getByTestId('announcer');
  assert.equal(await live.getAttribute('aria-live'), 'polite');
  await page.locator('[data-id="b2c3d4e5-0001"]').getByRole('button', { name: 'Stop' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=announcer]')?.textContent === 'web-app · b2c3d4e5 is now Stopped', null, { timeout: 5000 });
  await page.close();
});
