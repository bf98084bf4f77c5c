// The core journey in a real browser against the real server: upload (file input or drop),
// live overlay, dashboard with the official answer, toast; with WebSockets missing or dropped
// the same run completes through polling or reconnection.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startServer, launchBrowser, screenshot, tempDir, validationZip } from './harness.mjs';

const JOB_TIMEOUT_MS = 90_000;
let server;
let browser;
let zipPath;

before(async () => {
  zipPath = validationZip();
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// Records every percent and stage the overlay shows, from page start.
const RECORDER = () => {
  window.__percents = [];
  window.__stages = [];
  window.__uploads = [];
  setInterval(() => {
    // The analysis phase's percent (the upload phase has its own bar before it).
    const analysing = document.querySelector('[data-testid=phase-processing][aria-current=step]');
    const p = analysing && document.querySelector('[data-testid=overlay-percent]')?.textContent;
    const s = document.querySelector('[data-testid=overlay-stage]')?.textContent;
    if (p && window.__percents.at(-1) !== p) window.__percents.push(p);
    if (s && window.__stages.at(-1) !== s) window.__stages.push(s);
    const u = document.querySelector('[data-testid=upload-progress]')?.textContent;
    if (u && window.__uploads.at(-1) !== u) window.__uploads.push(u);
  }, 10);
};

async function newPage(initScripts = []) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(RECORDER);
  for (const s of initScripts) await page.addInitScript(s);
  await page.goto(server.url);
  // `goto` returns on load; the wasm app mounts a moment later (later still on a busy machine)
  await page.getByTestId('dropzone').waitFor();
  return { page, errors };
}

async function expectDashboard(page) {
  await page.waitForURL(/\/dashboard\/[0-9a-f-]+/, { timeout: JOB_TIMEOUT_MS });
  await page.getByTestId('link-row').first().waitFor({ timeout: 15_000 });
  assert.equal(await page.getByTestId('link-row').count(), 8, 'the 8 official links');
}

test('upload through the file input: live overlay, dashboard, toast once', async () => {
  const { page, errors } = await newPage();
  await page.getByTestId('file-input').setInputFiles(zipPath);
  await page.getByTestId('chosen-file').filter({ hasText: 'vc.zip' }).waitFor();
  await screenshot(page, 'upload');
  await page.getByTestId('start').click();
  await page.getByTestId('overlay').waitFor({ timeout: 10_000 });
  await screenshot(page, 'overlay');
  await expectDashboard(page);
  const percents = (await page.evaluate(() => window.__percents)).map((p) => parseInt(p, 10));
  const stages = await page.evaluate(() => window.__stages);
  assert.ok(percents.length >= 2, `several percents seen: ${percents}`);
  assert.ok(percents.every((p, i) => i === 0 || p >= percents[i - 1]), `never decreasing: ${percents}`);
  assert.ok(stages.some((s) => s.includes('из 11')), `stage names shown: ${stages}`);
  const toast = page.getByTestId('toast');
  await toast.waitFor();
  assert.match(await toast.textContent(), /Успешно — Анализ логов завершен! Результаты отображены ниже\./);
  await page.waitForTimeout(400); // let the slide-in finish before the picture
  await screenshot(page, 'dashboard');
  await toast.waitFor({ state: 'detached', timeout: 7_000 });
  // incidents, the scenario filter, and the explorer with the real log context
  assert.equal(await page.getByTestId('incident-row').count(), 4);
  await page.getByTestId('scenario-filter').selectOption('2');
  assert.equal(await page.getByTestId('incident-row').count(), 1);
  await page.getByTestId('incident-row').first().click();
  const explorer = page.getByTestId('explorer');
  await explorer.waitFor();
  const root = await page.getByTestId('root-cause').textContent();
  assert.match(root, /ERROR database: Index corruption on table/);
  const own = explorer.locator('[data-testid=context] span[data-own=true]');
  assert.equal(await own.count(), 1);
  assert.ok((await own.textContent()).includes(root), 'the highlighted context line is the ERROR itself');
  assert.ok(await explorer.locator('[data-testid=context] span').count() >= 6, 'real neighbouring lines');
  assert.equal(await page.locator('[data-testid=linked-anomalies] li').count(), 3);
  assert.ok(await page.locator('[data-testid=playbook-steps] li').count() >= 3);
  assert.ok(await page.getByTestId('prediction-row').count() > 0);
  await explorer.scrollIntoViewIfNeeded();
  await screenshot(page, 'explorer');
  await page.getByTestId('scenario-filter').selectOption('');
  // the time machine replays the incidents on the real time axis (here, over several days)
  const slider = page.getByTestId('tm-slider');
  const state = page.getByTestId('tm-state');
  assert.match(await state.textContent(), /инцидентов: 4, связей: 8/);
  await slider.fill(await slider.getAttribute('min'));
  const early = await state.textContent();
  assert.match(early, /^[23] окт 2025, /, early);
  assert.doesNotMatch(early, /инцидентов: 4/, 'fewer incidents at the start');
  await page.getByTestId('tm-speed').selectOption('4');
  await page.getByTestId('tm-play').click();
  await state.filter({ hasText: 'инцидентов: 4, связей: 8' }).waitFor({ timeout: 8_000 });
  await page.getByTestId('tm-play').filter({ hasText: 'Воспроизвести' }).waitFor({ timeout: 3_000 });
  assert.doesNotMatch(page.url(), /from_analysis/, 'the toast flag leaves the address');
  // a reload shows the same data, and no second toast
  await page.reload();
  await page.getByTestId('link-row').first().waitFor();
  assert.equal(await page.getByTestId('link-row').count(), 8);
  await page.waitForTimeout(500);
  assert.equal(await page.getByTestId('toast').count(), 0);
  assert.deepEqual(errors, []);
});

test('a dropped file is taken like a chosen one, and the toast closes on ×', async () => {
  const { page } = await newPage();
  const b64 = readFileSync(zipPath).toString('base64');
  await page.evaluate(async (data) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'dropped.zip', { type: 'application/zip' }));
    const zone = document.querySelector('[data-testid=dropzone]');
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, b64);
  await page.getByTestId('chosen-file').filter({ hasText: 'dropped.zip' }).waitFor();
  await page.getByTestId('start').click();
  await expectDashboard(page);
  await page.getByTestId('toast').waitFor();
  await page.getByTestId('toast-close').click();
  await page.getByTestId('toast').waitFor({ state: 'detached', timeout: 2_000 });
});

test('without WebSocket the run completes through polling', async () => {
  const { page } = await newPage([() => { delete window.WebSocket; }]);
  await page.getByTestId('file-input').setInputFiles(zipPath);
  await page.getByTestId('start').click();
  await page.getByTestId('transport').filter({ hasText: 'HTTP-опрос' }).waitFor({ timeout: 10_000 });
  await expectDashboard(page);
});

test('a socket dropped mid-job is resumed and the run completes', async () => {
  const dropFirstSocket = () => {
    const Native = window.WebSocket;
    window.__sockets = 0;
    window.WebSocket = function (url, protocols) {
      const ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
      window.__sockets += 1;
      if (window.__sockets === 1) {
        let n = 0;
        ws.addEventListener('message', () => { n += 1; if (n === 2) ws.close(); });
      }
      return ws;
    };
    window.WebSocket.prototype = Native.prototype;
  };
  const { page } = await newPage([dropFirstSocket]);
  await page.getByTestId('file-input').setInputFiles(zipPath);
  await page.getByTestId('start').click();
  await expectDashboard(page);
  assert.ok(await page.evaluate(() => window.__sockets) >= 2, 'reconnected after the drop');
});

test('the drop zone opens the file picker from the keyboard too', async () => {
  const { page } = await newPage();
  // The picker is the browser's; what the app must do is click the file input, as a mouse would.
  await page.getByTestId('file-input').evaluate((input) => {
    window.__pickerOpened = 0;
    input.addEventListener('click', (e) => { e.preventDefault(); window.__pickerOpened += 1; });
  });
  await page.getByTestId('dropzone').focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press(' ');
  await page.keyboard.press('a');
  assert.equal(await page.evaluate(() => window.__pickerOpened), 2, 'Enter and Space open it, other keys do not');
  assert.equal(await page.getByTestId('dropzone').getAttribute('role'), 'button');
  await page.close();
});

test('a wrong file gets an inline error and cannot be started', async () => {
  const { page } = await newPage();
  const notes = path.join(tempDir('notes'), 'notes.pdf');
  writeFileSync(notes, 'not an archive');
  await page.getByTestId('file-input').setInputFiles(notes);
  const err = page.getByTestId('upload-error');
  await err.waitFor();
  assert.match(await err.textContent(), /\.zip.*notes\.pdf/);
  assert.equal(await page.getByTestId('start').isDisabled(), true);
  // a file named .zip that is not one passes the browser's check; the server's problem+json
  // detail is shown inline and the page stays usable
  const fake = path.join(path.dirname(notes), 'fake.zip');
  writeFileSync(fake, 'still not an archive');
  await page.getByTestId('file-input').setInputFiles(fake);
  await page.getByTestId('start').click();
  await err.filter({ hasText: '«fake.zip» — не архив ZIP' }).waitFor({ timeout: 10_000 });
  assert.equal(await page.getByTestId('overlay').count(), 0);
  assert.equal(await page.getByTestId('start').isDisabled(), false);
});

test('history lists the analyses; two can be compared, one deleted, one reopened', async () => {
  const { page } = await newPage();
  await page.getByTestId('nav-history').click();
  await page.getByTestId('history-row').first().waitFor();
  const before = await page.getByTestId('history-row').count();
  assert.ok(before >= 4, `the analyses of the tests above: ${before}`);
  const picks = page.locator('[data-testid=pick]:not([disabled])');
  await picks.nth(0).check();
  await picks.nth(1).check();
  await page.getByTestId('compare').click();
  await page.getByTestId('compare-both').filter({ hasText: 'Общих связей: 8' }).waitFor();
  await page.goBack();
  await page.getByTestId('history-row').first().waitFor();
  await screenshot(page, 'history');
  await page.getByTestId('delete').first().click();
  await page.getByTestId('confirm-yes').click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=history-row]').length === n - 1, before);
  await page.getByTestId('open').first().click();
  await page.waitForURL(/\/dashboard\//);
  await page.getByTestId('link-row').first().waitFor();
  assert.equal(await page.getByTestId('link-row').count(), 8);
});

test('an uploaded knowledge base is used for a bare archive, and every report downloads', async () => {
  const dir = tempDir('kb');
  const bare = path.join(dir, 'bare.zip');
  execFileSync('python3', ['-c', `
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED)
z.writestr("a.txt", "2025-10-06T00:00:01 WARNING db: Slow query from index issue\\n2025-10-06T00:00:02 ERROR db: Index corruption on table\\n")
z.close()`, bare]);
  const kb = path.join(dir, 'my_kb.csv');
  writeFileSync(kb, 'id;anomaly;id;problem\n7;Slow query from index issue;9;Index corruption on table\n');
  const { page } = await newPage();
  await page.getByTestId('file-input').setInputFiles(bare);
  await page.locator('details.extras summary').click();
  await page.getByTestId('kb-input').setInputFiles(kb);
  await page.getByTestId('start').click();
  await page.waitForURL(/\/dashboard\//, { timeout: JOB_TIMEOUT_MS });
  await page.getByTestId('link-row').first().waitFor();
  assert.equal(await page.getByTestId('link-row').count(), 1);
  const cells = await page.getByTestId('link-row').first().locator('td').allTextContents();
  assert.deepEqual(cells.slice(0, 3), ['1', '7', '9'], 'ids from the uploaded knowledge base');
  const hrefs = await page.locator('[data-testid=downloads] a').evaluateAll((as) => as.map((a) => a.href));
  assert.equal(hrefs.length, 12, 'zip, eight reports, three exports');
  for (const href of hrefs) {
    const r = await page.request.get(href);
    assert.equal(r.status(), 200, href);
  }
});

test('cancel from the overlay stops the analysis and the upload page stays usable', async () => {
  const dir = tempDir('big');
  const big = path.join(dir, 'big.zip');
  execFileSync('python3', [path.join(ROOT, '..', 'shared', 'tools', 'gen_cases.py'), '--validation', '--out', big]);
  const { page } = await newPage();
  await page.getByTestId('file-input').setInputFiles(big);
  await page.getByTestId('start').click();
  await page.getByTestId('overlay').waitFor();
  await page.getByTestId('overlay-stage').filter({ hasText: 'из 11' }).waitFor({ timeout: 30_000 });
  const uploads = await page.evaluate(() => window.__uploads);
  assert.ok(uploads.some((u) => /^.+ из .+ · .+\/с · осталось .+$/.test(u)), `upload progress shown: ${uploads}`);
  await page.getByTestId('cancel').click();
  const err = page.getByTestId('upload-error');
  await err.filter({ hasText: 'Анализ отменён' }).waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId('overlay').count(), 0);
  assert.equal(await page.getByTestId('start').isDisabled(), false);
});
