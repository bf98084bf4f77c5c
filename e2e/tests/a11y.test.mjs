// Accessibility (issue 15): axe-core, run inside the real pages of a real server, finds no
// serious or critical violation on the upload page, the progress overlay, the dashboard with
// the explorer open, its patterns section and the history, in Russian and in English.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT, startServer, launchBrowser, validationZip, analyse, screenshot } from './harness.mjs';

const AXE = path.join(ROOT, 'e2e', 'node_modules', 'axe-core', 'axe.min.js');
const BLOCKING = new Set(['serious', 'critical']);
let server;
let browser;
let done;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  done = await analyse(server.url, validationZip());
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** axe-core on the page as it is now: the serious and critical violations, described. */
async function violations(page) {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
  });
  return found.filter((v) => BLOCKING.has(v.impact));
}

async function expectClean(page, where) {
  const found = await violations(page);
  assert.deepEqual(found, [], `${where}: ${JSON.stringify(found, null, 1)}`);
}

for (const lang of ['ru', 'en']) {
  test(`no serious or critical violations (${lang}): upload, overlay, dashboard with the explorer, patterns, history`, async () => {
    // The app's CSP forbids injected scripts, rightly: the checker is let in by the context.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${server.url}/?lang=${lang}`);
    await page.getByTestId('dropzone').waitFor();
    await expectClean(page, 'upload');

    // The overlay, held still by a pause.
    await page.getByTestId('file-input').setInputFiles(validationZip(100_000, 'a11y.zip'));
    await page.getByTestId('start').click();
    await page.getByTestId('phase-processing').and(page.locator('[aria-current=step]')).waitFor({ timeout: 30_000 });
    await page.getByTestId('pause-resume').click();
    await page.getByTestId('paused-note').waitFor();
    await expectClean(page, 'overlay');
    await page.getByTestId('cancel').click();

    // The dashboard with the explorer open on an incident, then its patterns.
    const report = await (await fetch(`${server.url}/api/sessions/${done.session_id}/result`)).json();
    const first = report.incidents[0];
    await page.goto(`${server.url}/dashboard/${done.session_id}?lang=${lang}&incident=${first.scenario_id}-${first.problem_id}`);
    await page.getByTestId('explorer').waitFor();
    await page.waitForTimeout(500);
    await expectClean(page, 'dashboard with the explorer');
    await page.keyboard.press('Escape');
    // The time machine from the keyboard: Home goes back to the first moment.
    const state = page.getByTestId('tm-state');
    const end = await state.textContent();
    await page.getByTestId('tm-slider').focus();
    await page.keyboard.press('Home');
    await page.waitForFunction((was) => document.querySelector('[data-testid=tm-state]').textContent !== was, end);
    await page.keyboard.press('End');
    await page.waitForFunction((was) => document.querySelector('[data-testid=tm-state]').textContent === was, end);
    await page.getByTestId('nav-patterns').click();
    await page.getByTestId('pattern-row').first().getByTestId('pattern-samples').locator('summary').click();
    await expectClean(page, 'patterns');

    await page.goto(`${server.url}/history?lang=${lang}`);
    await page.getByTestId('history-row').first().waitFor();
    // The cancelled run says why it ended, in the page's language.
    const cancelled = page.getByTestId('history-row').filter({ hasText: 'a11y.zip' }).first();
    assert.match(await cancelled.getByTestId('reason').textContent(), lang === 'ru' ? /отмен/ : /cancelled/);
    // The finished run says what it found (checked with the rest of the page).
    await page.getByTestId('history-row').filter({ hasText: 'vc.zip' }).getByTestId('found-kb').waitFor();
    await expectClean(page, 'history');
    await screenshot(page, `history-${lang}`);
    await context.close();
  });
}
