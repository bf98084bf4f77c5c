// What a new operator meets on day one, in a real browser against the real server, at desktop
// and phone widths, in Russian and English: every report downloads on a normal click or Enter,
// the explorer opens in view and lives in the address, delete asks first, cancel stops an
// upload, the overlay names its phases, a run that read nothing says so, Russian logs with the
// light model offer the heavy one, the upload page says what to upload, server errors speak the
// UI's language.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  ROOT, analyse, launchBrowser, overlaps, screenshot, startServer, tempDir, validationZip, writeZip,
} from './harness.mjs';

const JOB_TIMEOUT_MS = 120_000;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const SCORER = path.join(ROOT, '..', 'shared', 'tools', 'score_report.py');
const EXPECTED = path.join(ROOT, '..', 'shared', 'data', 'validation_expected.csv');

let server;
let browser;
let zipPath;
let done; // the validation cases, analysed once through the API

before(async () => {
  zipPath = validationZip();
  server = await startServer();
  browser = await launchBrowser();
  done = await analyse(server.url, zipPath);
  assert.equal(done.state, 'succeeded');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function newPage(viewport = DESKTOP, { lang } = {}) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  if (lang) await page.addInitScript((l) => localStorage.setItem('loglens.lang', l), lang);
  return { page, errors, context };
}

const inViewport = (page, locator) => locator.evaluate((el) => {
  const r = el.getBoundingClientRect();
  return r.top >= 0 && r.left >= 0 && r.top < window.innerHeight && r.right <= window.innerWidth + 1 && r.height > 0;
});

async function sessionsTotal() {
  return (await (await fetch(`${server.url}/api/sessions`)).json()).total;
}

test('every report and export downloads on a normal click and on Enter; submit_report scores F1 1.000', async () => {
  const { page, errors, context } = await newPage();
  await page.goto(`${server.url}/dashboard/${done.session_id}`);
  const links = page.locator('[data-testid=downloads] a');
  await links.first().waitFor();
  assert.equal(await links.count(), 12, 'zip, eight reports, three exports');
  const url = page.url();
  const dir = tempDir('downloads');
  const names = [];
  for (let i = 0; i < 12; i += 1) {
    // Chromium lets one page start at most ten downloads in a row: a person does not click
    // twelve links at once, so the second half is taken after a reload, as they would.
    if (i === 6) {
      await page.reload();
      await links.first().waitFor();
    }
    const link = links.nth(i);
    // half by mouse, half by keyboard: both are how people start a download
    const activate = i % 2 === 0 ? link.click() : link.focus().then(() => page.keyboard.press('Enter'));
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), activate]);
    assert.equal(await download.failure(), null);
    const name = download.suggestedFilename();
    names.push(name);
    await download.saveAs(path.join(dir, name));
    assert.equal(page.url(), url, `the page stays where it is after ${name}`);
  }
  assert.deepEqual(names.sort(), [
    'vc_Results_Light.zip', 'vc_export.json', 'vc_export.pdf', 'vc_export.xml', 'vc_incidents.xlsx',
    'vc_novel_anomalies.xlsx', 'vc_patterns.xlsx', 'vc_playbooks_recommendations.csv', 'vc_playbooks_recommendations.txt',
    'vc_predictive_alerts.xlsx', 'vc_report.json', 'vc_submit_report.xlsx',
  ], 'every file is named after the analysis');
  const bytes = (n) => readFileSync(path.join(dir, n));
  assert.equal(bytes('vc_export.pdf').subarray(0, 5).toString(), '%PDF-');
  assert.equal(bytes('vc_Results_Light.zip').subarray(0, 2).toString(), 'PK');
  assert.equal(JSON.parse(bytes('vc_report.json')).links.length, 8);
  const score = execFileSync('python3', [SCORER, path.join(dir, 'vc_submit_report.xlsx'), EXPECTED]).toString();
  assert.match(score, /f1 1\.000/, score);
  assert.equal(await page.getByTestId('link-row').count(), 8, 'still the dashboard');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the explorer opens in view (click, timeline point, keyboard), lives in the address, closes with Esc', async () => {
  for (const viewport of [DESKTOP, PHONE]) {
    const { page, errors, context } = await newPage(viewport);
    await page.goto(`${server.url}/dashboard/${done.session_id}`);
    const rows = page.getByTestId('incident-row');
    await rows.first().waitFor();
    const last = rows.last();
    const key = await last.getAttribute('data-key');
    await last.scrollIntoViewIfNeeded();
    await last.click();
    const explorer = page.getByTestId('explorer');
    await explorer.waitFor();
    assert.ok(await inViewport(page, explorer), 'opened where the user looks');
    assert.ok(await inViewport(page, page.getByTestId('root-cause')), 'its content too');
    assert.match(page.url(), new RegExp(`\\?incident=${key}$`));
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'explorer', 'focus moves into it');
    await screenshot(page, `explorer-${viewport.width}`);
    // a reload (or a shared link) opens it again
    await page.reload();
    await explorer.waitFor();
    assert.ok(await inViewport(page, explorer));
    assert.match(await explorer.locator('h3').textContent(), new RegExp(key.replace('-', '.*')));
    // Esc closes it, the address forgets it, focus returns to the row
    await page.keyboard.press('Escape');
    await explorer.waitFor({ state: 'detached' });
    assert.doesNotMatch(page.url(), /incident=/);
    await page.waitForFunction((k) => document.activeElement?.dataset?.key === k, key);
    // the keyboard alone: Tab reaches rows, Enter opens
    await rows.first().focus();
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.dataset?.key);
    assert.ok(focused, 'rows are reachable with Tab');
    await page.keyboard.press('Enter');
    await explorer.waitFor();
    assert.match(page.url(), new RegExp(`incident=${focused}$`));
    await page.getByTestId('explorer-close').click();
    await explorer.waitFor({ state: 'detached' });
    assert.deepEqual(errors, []);
    await context.close();
  }
  // from the timeline: a point far above the incidents table opens the explorer in view too
  const { page, context } = await newPage();
  await page.goto(`${server.url}/dashboard/${done.session_id}`);
  await page.locator('[data-testid=chart-timeline] canvas').first().waitFor();
  const pixel = await page.evaluate(() => {
    const el = document.querySelector('[data-testid=chart-timeline]');
    const chart = echarts.getInstanceByDom(el);
    return chart.convertToPixel({ seriesIndex: 0 }, chart.getOption().series[0].data[0].value);
  });
  const box = await page.getByTestId('chart-timeline').boundingBox();
  await page.mouse.click(box.x + pixel[0], box.y + pixel[1]);
  await page.getByTestId('explorer').waitFor();
  assert.ok(await inViewport(page, page.getByTestId('explorer')));
  assert.match(page.url(), /\?incident=\d+-\d+$/);
  await context.close();
});

test('delete asks first, names the analysis, and an old link shows a deleted page with a way home', async () => {
  const victim = await analyse(server.url, zipPath, { name: 'to-delete.zip' });
  for (const [viewport, lang] of [[PHONE, 'ru'], [DESKTOP, 'en']]) {
    const { page, errors, context } = await newPage(viewport, { lang });
    await page.goto(`${server.url}/history`);
    const row = page.getByTestId('history-row').filter({ hasText: 'to-delete.zip' });
    await row.waitFor();
    const before = await page.getByTestId('history-row').count();
    await row.getByTestId('delete').click();
    const dialog = page.getByTestId('confirm-delete');
    await dialog.waitFor({ state: 'visible' });
    assert.match(await page.getByTestId('confirm-text').textContent(), /to-delete\.zip/);
    await screenshot(page, `confirm-delete-${viewport.width}`);
    // Esc (or Cancel) keeps it
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.getByTestId('history-row').count(), before, 'nothing deleted without a yes');
    if (lang === 'ru') {
      await row.getByTestId('delete').click();
      await page.getByTestId('confirm-no').click();
      assert.equal(await page.getByTestId('history-row').count(), before);
      assert.deepEqual(errors, []);
      await context.close();
      continue;
    }
    await row.getByTestId('delete').click();
    await page.getByTestId('confirm-yes').click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=history-row]').length === n - 1, before);
    await page.goto(`${server.url}/dashboard/${victim.session_id}`);
    const gone = page.getByTestId('deleted');
    await gone.waitFor();
    assert.match(await gone.textContent(), /Analysis deleted/);
    assert.doesNotMatch(await page.locator('body').innerText(), /no session|[А-Яа-яЁё]/);
    await screenshot(page, 'deleted');
    await page.getByTestId('go-home').click();
    await page.getByTestId('dropzone').waitFor();
    assert.deepEqual(errors.filter((e) => !/410/.test(e)), []);
    await context.close();
  }
  // in Russian, and for an id that never existed
  const { page, context } = await newPage();
  await page.goto(`${server.url}/dashboard/${victim.session_id}`);
  await page.getByTestId('deleted').filter({ hasText: 'Анализ удалён' }).waitFor();
  await page.goto(`${server.url}/dashboard/00000000-0000-4000-8000-000000000000`);
  await page.getByTestId('missing').filter({ hasText: 'Анализ не найден' }).waitFor();
  await context.close();
});

test('cancel during a slow upload stores and queues nothing; leaving asks first; the overlay names its phases', async () => {
  const big = validationZip(50_000, 'big.zip');
  const before = await sessionsTotal();
  // Every file kept, resumable uploads' parts included (their folder itself is no upload).
  const uploads = () => readdirSync(path.join(server.dataDir, 'uploads'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort();
  const stored = uploads();
  for (const viewport of [DESKTOP, PHONE]) {
    const { page, errors, context } = await newPage(viewport);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 256 * 1024,
    });
    await page.goto(server.url);
    await page.getByTestId('file-input').setInputFiles(big);
    await page.getByTestId('start').click();
    const overlay = page.getByTestId('overlay');
    await overlay.waitFor();
    assert.equal(await page.getByTestId('phase-uploading').getAttribute('aria-current'), 'step');
    await page.getByTestId('upload-progress').filter({ hasText: /из .* · .*\/с · осталось/ }).waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => parseInt(document.querySelector('[data-testid=overlay-percent]').textContent, 10) >= 2);
    const text = await overlay.innerText();
    assert.doesNotMatch(text, /Ожидание в очереди|Архив\s+0 Б|Прочитано 0 Б|подключение/, 'no noise while uploading');
    const card = await page.locator('.overlay-card').boundingBox();
    assert.ok(card.x >= 0 && card.x + card.width <= viewport.width, `the card fits: ${JSON.stringify(card)}`);
    await screenshot(page, `overlay-upload-${viewport.width}`);
    if (viewport === DESKTOP) {
      // a reload during the upload asks first; staying keeps the upload going
      let asked = null;
      page.once('dialog', async (d) => { asked = d.type(); await d.dismiss(); });
      await page.reload({ timeout: 3_000 }).catch(() => {});
      assert.equal(asked, 'beforeunload');
      assert.equal(await overlay.count(), 1, 'still uploading');
    }
    await page.getByTestId('cancel').click();
    await overlay.waitFor({ state: 'detached', timeout: 5_000 });
    await page.getByTestId('upload-notice').filter({ hasText: 'Загрузка отменена' }).waitFor();
    assert.equal(await page.getByTestId('start').isDisabled(), false, 'ready to try again');
    assert.deepEqual(errors.filter((e) => !/net::ERR|Failed to load resource/.test(e)), []);
    await context.close();
  }
  // the server saw the connection go: nothing stored, nothing queued
  const deadline = Date.now() + 10_000;
  while (uploads().length > stored.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.deepEqual(uploads(), stored, 'no upload kept');
  assert.equal(await sessionsTotal(), before, 'no analysis queued');
});

test('a job waiting behind another shows its place in the queue, then its analysis', async () => {
  // Long enough (about 15 s here) for the second upload to wait behind it.
  const big = validationZip(150_000, 'first.zip');
  const form = new FormData();
  form.append('file', new Blob([readFileSync(big)]), 'first.zip');
  const first = await (await fetch(`${server.url}/process`, { method: 'POST', body: form })).json();
  const { page, errors, context } = await newPage();
  await page.goto(server.url);
  await page.getByTestId('file-input').setInputFiles(zipPath);
  await page.getByTestId('start').click();
  await page.getByTestId('queue-place').filter({ hasText: 'Место в очереди: 1' }).waitFor({ timeout: 15_000 });
  assert.equal(await page.getByTestId('phase-queued').getAttribute('aria-current'), 'step');
  assert.equal(await page.getByTestId('overlay-percent').textContent(), '…');
  await screenshot(page, 'overlay-queued');
  assert.match(page.url(), /\?watch=[0-9a-f-]+$/, 'the watched session is in the address');
  await page.getByTestId('phase-processing').and(page.locator('[aria-current=step]')).waitFor({ timeout: JOB_TIMEOUT_MS });
  await page.waitForURL(/\/dashboard\//, { timeout: JOB_TIMEOUT_MS });
  assert.deepEqual(errors, []);
  await context.close();
  await fetch(`${server.url}/api/sessions/${first.session_id}/cancel`, { method: 'POST' });
});

test('a run that read nothing, or did not use the uploaded file, ends "with warnings" and says why', async () => {
  const dir = tempDir('warn');
  const words = writeZip(path.join(dir, 'words.zip'), {
    'notes.log': Array.from({ length: 300 }, (_, i) => `just words on line ${i}`).join('\n'),
  });
  const own = writeZip(path.join(dir, 'own.zip'), {
    'Case 3/anomalies_problems.csv': 'a;b;c;d\n7;Slow query from index issue;9;Index corruption on table\n',
    'Case 3/db.log': '2025-10-06T00:00:01 WARNING db: Slow query from index issue\n2025-10-06T00:00:02 ERROR db: Index corruption on table\n',
  });
  const kb = path.join(dir, 'mine.csv');
  writeFileSync(kb, 'id;anomaly;id;problem\n1;x;2;y\n');
  for (const viewport of [DESKTOP, PHONE]) {
    const { page, errors, context } = await newPage(viewport);
    await page.goto(server.url);
    await page.getByTestId('file-input').setInputFiles(words);
    await page.getByTestId('start').click();
    await page.waitForURL(/\/dashboard\//, { timeout: JOB_TIMEOUT_MS });
    const toast = page.getByTestId('toast');
    await toast.waitFor();
    assert.equal(await toast.getAttribute('data-kind'), 'warnings');
    assert.match(await toast.textContent(), /^Завершено с предупреждениями/);
    const notice = page.locator('[data-testid=notice][data-kind=mostly_unreadable]');
    assert.match(await notice.textContent(), /Не прочитано 300 из 300 строк/);
    const file = page.locator('[data-testid=notice][data-kind=unreadable_file]');
    assert.match(await file.textContent(), /«notes\.log»: не прочитано 300 из 300 строк.*«just words on line 0»/);
    assert.ok(await inViewport(page, page.getByTestId('notices')), 'the warnings lead the page');
    // the toast keeps off the navigation and the language switch
    const t = await toast.boundingBox();
    for (const id of ['nav-new', 'nav-history', 'lang']) {
      assert.ok(!overlaps(t, await page.getByTestId(id).boundingBox()), `toast clear of ${id}`);
    }
    await screenshot(page, `dashboard-warnings-${viewport.width}`);
    assert.deepEqual(errors, []);
    await context.close();
  }
  const { page, context } = await newPage(DESKTOP, { lang: 'en' });
  await page.goto(server.url);
  await page.getByTestId('file-input').setInputFiles(own);
  await page.locator('details.extras summary').click();
  await page.getByTestId('kb-input').setInputFiles(kb);
  await page.getByTestId('start').click();
  await page.waitForURL(/\/dashboard\//, { timeout: JOB_TIMEOUT_MS });
  const unused = page.locator('[data-testid=notice][data-kind=uploaded_kb_unused]');
  await unused.waitFor();
  assert.match(await unused.textContent(), /The uploaded knowledge base «mine\.csv» was not used/);
  assert.equal(await page.getByTestId('link-row').count(), 1, 'the case used its own');
  await page.getByTestId('nav-history').click();
  await page.getByTestId('history-row').first().waitFor();
  assert.match(await page.getByTestId('state').first().textContent(), /done, warnings: 1/);
  await context.close();
});

test('a log format of one\'s own: the formats file picked beside the archive reads it; the files section says how each file was read', async () => {
  const dir = tempDir('formats');
  const log = Array.from({ length: 12 }, (_, i) => `<<01.05.2024 10:00:${String(i).padStart(2, '0')}>> ERROR@payments ~ card declined for order ${i}`).join('\n');
  const zip = writeZip(path.join(dir, 'billing.zip'), {
    'case 1/billing.log': log,
    'case 1/core': `\x7fELF\x02\x01\x01\x00${'x'.repeat(64)}`, // a core dump: binary
  });
  const formats = path.join(dir, 'my-formats.toml');
  writeFileSync(formats, '[[format]]\nname = "billing"\nformat = "<<<timestamp>>> <level>@<source> ~ <message>"\ntime = "%d.%m.%Y %H:%M:%S"\n');
  const bad = path.join(dir, 'bad.toml');
  writeFileSync(bad, '[[format]]\nname = "billing"\nformat = oops\n');
  for (const lang of ['en', 'ru']) {
    const { page, errors, context } = await newPage(DESKTOP, { lang });
    await page.goto(server.url);
    // the example formats file downloads
    const [tpl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('template-formats').click()]);
    assert.equal(tpl.suggestedFilename(), 'formats.toml');
    const tplPath = path.join(dir, `tpl-${lang}.toml`);
    await tpl.saveAs(tplPath);
    assert.match(readFileSync(tplPath, 'utf8'), /\[\[format\]\]/);
    // a mistake is named with its file and line, in the UI language
    await page.getByTestId('file-input').setInputFiles(zip);
    await page.locator('details.extras summary').click();
    await page.getByTestId('formats-input').setInputFiles(bad);
    await page.getByTestId('start').click();
    const err = page.getByTestId('upload-error');
    await err.waitFor({ timeout: 15_000 });
    assert.match(await err.textContent(), lang === 'en'
      ? /The log formats file «bad\.toml», line 3: /
      : /Файл форматов журналов «bad\.toml», строка 3: /);
    if (lang === 'ru') {
      await context.close();
      continue;
    }
    // the right one reads every line
    await page.getByTestId('formats-input').setInputFiles(formats);
    await page.getByTestId('start').click();
    await page.waitForURL(/\/dashboard\//, { timeout: JOB_TIMEOUT_MS });
    const binary = page.locator('[data-testid=notice][data-kind=binary_file_skipped]');
    await binary.waitFor();
    assert.match(await binary.textContent(), /«case 1\/core» is not a text file/);
    await page.getByTestId('files').locator('summary').click();
    const rows = page.getByTestId('file-row');
    await rows.first().waitFor();
    const cells = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
    assert.deepEqual(cells, [
      ['1', 'billing.log', 'billing', '12', '12', '12', '0'],
      ['1', 'core', 'binary, skipped', '0', '0', '0', '0'],
    ]);
    await screenshot(page, 'dashboard-files');
    assert.deepEqual(errors.filter((e) => !/400/.test(e)), []);
    await context.close();
  }
});

test('a glossary of one\'s own picked beside the archive: the operator\'s name for the UPS links by meaning, and the link row says how', async () => {
  const dir = tempDir('glossary');
  const zip = writeZip(path.join(dir, 'power.zip'), {
    'case 1/app.log': [
      '2025-10-06T10:00:01 INFO app: service started',
      '2025-10-06T10:00:02 WARNING power: kestrel-7 switched to battery power',
      '2025-10-06T10:00:04 ERROR power: power outage, the kestrel-7 shut down the servers',
    ].join('\n'),
  });
  const kb = path.join(dir, 'site-kb.csv');
  writeFileSync(kb, 'ID аномалии;Аномалия;ID проблемы;Проблема\n1;UPS switched to battery power;1;Power outage: the UPS shut down the servers\n2;Disk read timeout;2;Disk failure\n');
  const glossary = path.join(dir, 'site-terms.csv');
  writeFileSync(glossary, 'alias,canonical\nkestrel-7,ups\n');
  const bad = path.join(dir, 'bad-terms.csv');
  writeFileSync(bad, 'alias,canonical\nkestrel-7,\n');
  for (const lang of ['ru', 'en']) {
    const { page, errors, context } = await newPage(DESKTOP, { lang });
    await page.goto(server.url);
    // the built-in glossary downloads as a template
    const [tpl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('template-glossary').click()]);
    assert.equal(tpl.suggestedFilename(), 'glossary.csv');
    const tplPath = path.join(dir, `tpl-${lang}.csv`);
    await tpl.saveAs(tplPath);
    assert.match(readFileSync(tplPath, 'utf8'), /^alias,canonical\n[\s\S]*ибп/);
    // a mistake is named with its file and line, in the UI language
    await page.getByTestId('file-input').setInputFiles(zip);
    await page.locator('details.extras summary').click();
    await page.getByTestId('kb-input').setInputFiles(kb);
    await page.getByTestId('glossary-input').setInputFiles(bad);
    await page.getByTestId('start').click();
    const err = page.getByTestId('upload-error');
    await err.waitFor({ timeout: 15_000 });
    assert.match(await err.textContent(), lang === 'en'
      ? /The glossary «bad-terms\.csv», line 2: /
      : /Глоссарий «bad-terms\.csv», строка 2: /);
    if (lang === 'ru') {
      await context.close();
      continue;
    }
    await page.getByTestId('glossary-input').setInputFiles(glossary);
    await page.getByTestId('start').click();
    await page.waitForURL(/\/dashboard\//, { timeout: JOB_TIMEOUT_MS });
    const row = page.getByTestId('link-row');
    await row.first().waitFor();
    assert.equal(await row.count(), 1);
    const cells = await row.first().evaluate((tr) => [...tr.cells].map((c) => c.textContent.trim()));
    // scenario, anomaly, problem, file, line, log line, WARNING line, method, similarity, margin
    assert.deepEqual(cells.slice(0, 5), ['1', '1', '1', 'app.log', '3']);
    assert.match(cells[6], /WARNING power: kestrel-7 switched to battery power/);
    assert.equal(cells[7], 'glossary');
    assert.ok(Number(cells[8]) >= 0.85 && Number(cells[8]) <= 1.0, `similarity ${cells[8]}`);
    assert.match(cells[9], /^\+\d\.\d\d$/, 'a margin over the runner-up');
    // the matched KB texts and the runner-ups are named on hover
    assert.equal(await row.first().locator('td').nth(1).getAttribute('title'), 'UPS switched to battery power');
    assert.equal(await row.first().locator('td').nth(2).getAttribute('title'), 'Power outage: the UPS shut down the servers');
    assert.match(await page.getByTestId('link-margin').first().getAttribute('title'),
      /Problem: the closest other knowledge-base text is «Disk failure» \(-?\d\.\d\d\)/);
    await screenshot(page, 'dashboard-glossary-link');
    assert.deepEqual(errors.filter((e) => !/400/.test(e)), []);
    await context.close();
  }
});

test('Russian logs read with the light model: the dashboard says so and re-runs with heavy in one click', async () => {
  const dir = tempDir('ru');
  const ru = writeZip(path.join(dir, 'ru-logs.zip'), {
    'Case 5/app.log': [
      '2025-10-06T10:00:01 INFO app: Служба запущена',
      '2025-10-06T10:00:02 WARNING disk: Массив RAID работает в деградированном режиме',
      '2025-10-06T10:00:03 WARNING net: Интерфейс eth0 потерял соединение',
      '2025-10-06T10:00:04 ERROR disk: Сбой прошивки контроллера RAID',
      '2025-10-06T10:00:05 WARNING db: Медленный запрос из-за проблемы с индексом',
    ].join('\n'),
  });
  const { page, errors, context } = await newPage();
  await page.goto(server.url);
  await page.getByTestId('file-input').setInputFiles(ru);
  await page.getByTestId('start').click();
  await page.waitForURL(/\/dashboard\//, { timeout: JOB_TIMEOUT_MS });
  const notice = page.locator('[data-testid=notice][data-kind=cyrillic_with_light]');
  await notice.waitFor();
  assert.match(await notice.textContent(), /4 из 4 строк WARNING\/ERROR написаны кириллицей/);
  await screenshot(page, 'dashboard-cyrillic');
  const light = page.url();
  await page.getByTestId('rerun-heavy').click();
  await page.getByTestId('overlay').waitFor();
  await page.waitForURL((u) => /\/dashboard\//.test(u.toString()) && u.toString() !== light, { timeout: JOB_TIMEOUT_MS });
  await page.getByTestId('kpi-lines').waitFor();
  assert.equal(await page.locator('[data-testid=notice][data-kind=cyrillic_with_light]').count(), 0, 'heavy reads Russian');
  const id = page.url().match(/dashboard\/([0-9a-f-]+)/)[1];
  const snap = await (await fetch(`${server.url}/api/sessions/${id}`)).json();
  assert.equal(snap.model, 'heavy');
  assert.equal(snap.upload_name, 'ru-logs.zip');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a first visit says what to upload, offers the built-in files as templates, in the UI language', async () => {
  for (const [viewport, lang] of [[DESKTOP, 'ru'], [PHONE, 'en']]) {
    const { page, errors, context } = await newPage(viewport, { lang });
    await page.goto(server.url);
    const help = page.getByTestId('help');
    await help.waitFor();
    if (lang === 'ru') {
      assert.match(await help.innerText(), /Что загрузить[\s\S]*сценарий — папка с журналами[\s\S]*anomalies_problems\.csv[\s\S]*Плейбуки/);
    } else {
      assert.match(await help.innerText(), /What to upload[\s\S]*a scenario is a folder of logs[\s\S]*anomalies_problems\.csv[\s\S]*Playbooks/);
    }
    const [kb] = await Promise.all([page.waitForEvent('download'), page.getByTestId('template-kb').click()]);
    assert.equal(kb.suggestedFilename(), 'anomalies_problems.csv');
    const kbPath = path.join(tempDir('tpl'), 'kb.csv');
    await kb.saveAs(kbPath);
    assert.match(readFileSync(kbPath, 'utf8'), /^ID аномалии;Аномалия;ID проблемы;Проблема/);
    const [pb] = await Promise.all([page.waitForEvent('download'), page.getByTestId('template-playbooks').click()]);
    assert.equal(pb.suggestedFilename(), 'playbooks.toml');
    // file inputs speak the UI's language
    await page.locator('details.extras summary').click();
    const [choose, none] = lang === 'ru' ? ['Выбрать файл', 'Файл не выбран'] : ['Choose file', 'No file chosen'];
    assert.equal(await page.getByTestId('kb-input-button').textContent(), choose);
    assert.equal(await page.getByTestId('kb-input-name').textContent(), none);
    await page.getByTestId('kb-input').setInputFiles(kbPath);
    await page.getByTestId('kb-input-name').filter({ hasText: 'kb.csv' }).waitFor();
    await page.getByTestId('kb-input-remove').click();
    await page.getByTestId('kb-input-name').filter({ hasText: none }).waitFor();
    // a chosen archive: the remove button stands clear of the start button
    await page.getByTestId('file-input').setInputFiles(zipPath);
    const start = await page.getByTestId('start').boundingBox();
    const remove = await page.getByTestId('remove-file').boundingBox();
    const gap = Math.max(remove.x - (start.x + start.width), start.x - (remove.x + remove.width),
      remove.y - (start.y + start.height), start.y - (remove.y + remove.height));
    assert.ok(gap >= 8, `a gap between «remove» and «start»: ${gap}px`);
    await screenshot(page, `upload-${lang}-${viewport.width}`);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('the drop zone opens the real file picker without a console error', async () => {
  const { page, errors, context } = await newPage();
  await page.goto(server.url);
  for (const open of [() => page.getByTestId('dropzone').click(), () => page.getByTestId('dropzone').focus().then(() => page.keyboard.press('Enter'))]) {
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), open()]);
    await chooser.setFiles(zipPath);
    await page.getByTestId('chosen-file').filter({ hasText: 'vc.zip' }).waitFor();
  }
  await page.waitForTimeout(300);
  assert.deepEqual(errors, [], 'no "closure invoked recursively" or other error');
  await context.close();
});

test('server errors are said in the UI language, naming the file and the line', async () => {
  const dir = tempDir('errs');
  const badKb = path.join(dir, 'my_kb.csv');
  writeFileSync(badKb, 'id;anomaly;id;problem\nx;Disk slow;7;Disk failed\n');
  const badPlaybooks = path.join(dir, 'mine.toml');
  writeFileSync(badPlaybooks, '# mine\n[[playbook]\n');
  const noLogs = writeZip(path.join(dir, 'nologs.zip'), { 'readme.md': 'hello' });
  const before = await sessionsTotal();
  const cases = [
    { lang: 'ru', kb: badKb, text: /В базе знаний «my_kb\.csv» нет ни одной пригодной строки; строка 2: ID аномалии «x» — не целое число/ },
    { lang: 'en', kb: badKb, text: /The knowledge base «my_kb\.csv» has no usable row; line 2: anomaly id «x» is not a whole number/ },
    { lang: 'ru', playbooks: badPlaybooks, text: /Файл плейбуков «mine\.toml», строка 2: ошибка формата/ },
    { lang: 'ru', zip: noLogs, text: /В архиве «nologs\.zip» нет журналов/ },
    { lang: 'en', zip: noLogs, text: /«nologs\.zip» holds no logs/ },
  ];
  for (const c of cases) {
    const { page, errors, context } = await newPage(DESKTOP, { lang: c.lang });
    await page.goto(server.url);
    await page.getByTestId('file-input').setInputFiles(c.zip ?? zipPath);
    if (c.kb || c.playbooks) await page.locator('details.extras summary').click();
    if (c.kb) await page.getByTestId('kb-input').setInputFiles(c.kb);
    if (c.playbooks) await page.getByTestId('playbooks-input').setInputFiles(c.playbooks);
    await page.getByTestId('start').click();
    const err = page.getByTestId('upload-error');
    await err.waitFor({ timeout: 15_000 });
    const text = await err.textContent();
    assert.match(text, c.text);
    if (c.lang === 'ru') assert.doesNotMatch(text, /knowledge base|playbooks|archive holds/);
    assert.equal(await page.getByTestId('overlay').count(), 0);
    assert.deepEqual(errors.filter((e) => !/400/.test(e)), []);
    if (c === cases[0]) await screenshot(page, 'upload-error-kb');
    await context.close();
  }
  assert.equal(await sessionsTotal(), before, 'nothing queued for a refused upload');
});

test('numbers carry thousands separators and log times read as dates, raw text in the tooltip', async () => {
  for (const [lang, sep, month] of [['ru', '\u00a0', 'окт'], ['en', ',', 'Oct']]) {
    const { page, context } = await newPage(DESKTOP, { lang });
    await page.goto(`${server.url}/dashboard/${done.session_id}`);
    const lines = page.locator('[data-testid=kpi-lines] .kpi-value');
    await lines.waitFor();
    const total = (await (await fetch(`${server.url}/api/sessions/${done.session_id}/result`)).json()).summary.lines;
    assert.ok(total >= 1000, `enough lines to group: ${total}`);
    assert.equal(await lines.textContent(), total.toLocaleString('en').replaceAll(',', sep));
    const time = page.locator('[data-testid=incident-row] time').first();
    assert.match(await time.textContent(), new RegExp(`^\\d{1,2} ${month} 2025, \\d\\d:\\d\\d:\\d\\d$`));
    assert.match(await time.getAttribute('title'), /^2025-10-\d\dT\d\d:\d\d:\d\d/);
    await context.close();
  }
});
