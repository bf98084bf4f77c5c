// The dashboard's charts (Apache ECharts, options built in Rust) and the language switch, in a
// real browser against the real server, on the validation cases analysed through the real API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, screenshot, tempDir, validationZip } from './harness.mjs';

const JOB_TIMEOUT_MS = 90_000;
let server;
let browser;
let sessionId;
let report;
let zipPath;

/** Uploads the zip through `POST /process` and waits for the end by polling the snapshot. */
async function analyse(zipPath) {
  const form = new FormData();
  form.append('model', 'light');
  form.append('file', new Blob([readFileSync(zipPath)], { type: 'application/zip' }), 'vc.zip');
  const accepted = await fetch(`${server.url}/process`, { method: 'POST', body: form });
  assert.equal(accepted.status, 202, await accepted.clone().text());
  const { session_id: id } = await accepted.json();
  const deadline = Date.now() + JOB_TIMEOUT_MS;
  for (;;) {
    const snap = await (await fetch(`${server.url}/api/sessions/${id}`)).json();
    if (snap.state === 'succeeded') return id;
    assert.ok(!['failed', 'cancelled'].includes(snap.state), JSON.stringify(snap));
    assert.ok(Date.now() < deadline, 'analysis finished in time');
    await new Promise((r) => setTimeout(r, 250));
  }
}

before(async () => {
  zipPath = validationZip();
  server = await startServer();
  browser = await launchBrowser();
  sessionId = await analyse(zipPath);
  report = await (await fetch(`${server.url}/api/sessions/${sessionId}/result`)).json();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function openDashboard(viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${server.url}/dashboard/${sessionId}`);
  await page.getByTestId('link-row').first().waitFor({ timeout: 15_000 });
  return { page, errors };
}

/** The option ECharts is drawing in the chart element with this test id. */
async function option(page, testid) {
  await page.locator(`[data-testid=${testid}] canvas`).first().waitFor();
  return page.evaluate((id) => {
    const el = document.querySelector(`[data-testid=${id}]`);
    const o = echarts.getInstanceByDom(el).getOption();
    return {
      title: o.title?.[0]?.text,
      xType: o.xAxis?.[0]?.type,
      xMin: o.xAxis?.[0]?.min,
      xMax: o.xAxis?.[0]?.max,
      categories: o.yAxis?.[0]?.data,
      series: o.series.map((s) => ({ name: s.name, type: s.type, data: s.data })),
    };
  }, testid);
}

const distinct = (xs) => new Set(xs).size;

test('charts show the report: timeline on real time, problems by impact, affected systems', async () => {
  const { page, errors } = await openDashboard();
  const timeline = await option(page, 'chart-timeline');
  assert.equal(timeline.xType, 'time');
  assert.equal(timeline.categories.length, report.incidents.length, 'one row per incident');
  const timedErrors = report.incidents.flatMap((i) => i.errors.filter((e) => e.timestamp)).length;
  assert.equal(timeline.series[0].data.length, timedErrors, 'every timed ERROR line is a point');
  const warnings = distinct(report.links.map((l) => `${l.scenario_id}/${l.problem_id}/${l.warning.file}:${l.warning.line}`));
  assert.equal(timeline.series[1].data.length, warnings, 'every linked WARNING line is a point');
  // the validation cases span several days: the axis is not folded into one day
  const days = distinct([timeline.xMin, timeline.xMax].map((t) => t.slice(0, 10)));
  assert.ok(days >= 2, `axis from ${timeline.xMin} to ${timeline.xMax}`);

  const impact = await option(page, 'chart-impact');
  assert.equal(impact.series[0].type, 'bar');
  assert.equal(impact.categories.length, distinct(report.incidents.map((i) => i.problem_id)));
  const values = impact.series[0].data.map((d) => d.value);
  assert.deepEqual(values, [...values].sort((a, b) => b - a), 'ranked by impact');
  assert.equal(values.reduce((a, b) => a + b, 0), report.incidents.reduce((a, i) => a + i.impact, 0));

  const systems = await option(page, 'chart-systems');
  assert.equal(systems.categories.length, report.summary.affected_systems, 'one bar per affected system (the KPI)');
  assert.deepEqual(systems.series.map((s) => s.name), ['ERROR', 'WARNING']);

  // the time machine at its start shows fewer points on the same axis
  const slider = page.getByTestId('tm-slider');
  await slider.fill(await slider.getAttribute('min'));
  await page.waitForFunction((n) => {
    const o = echarts.getInstanceByDom(document.querySelector('[data-testid=chart-timeline]')).getOption();
    return o.series[0].data.length + o.series[1].data.length < n;
  }, timeline.series[0].data.length + timeline.series[1].data.length);
  const early = await option(page, 'chart-timeline');
  assert.equal(early.xMin, timeline.xMin);
  assert.equal(early.xMax, timeline.xMax);
  await slider.fill(await slider.getAttribute('max'));

  // clicking an ERROR point of the timeline opens that incident in the explorer
  const target = report.incidents[report.incidents.length - 1];
  const row = report.incidents.length - 1;
  const pixel = await page.evaluate((r) => {
    const el = document.querySelector('[data-testid=chart-timeline]');
    const chart = echarts.getInstanceByDom(el);
    const point = chart.getOption().series[0].data.find((d) => d.value[1] === r);
    return chart.convertToPixel({ seriesIndex: 0 }, point.value);
  }, row);
  const box = await page.getByTestId('chart-timeline').boundingBox();
  await page.mouse.click(box.x + pixel[0], box.y + pixel[1]);
  const explorer = page.getByTestId('explorer');
  await explorer.waitFor();
  assert.match(await explorer.locator('h3').textContent(), new RegExp(`${target.scenario_id}: .*${target.problem_id} — `));
  const detail = await option(page, 'chart-explorer');
  assert.equal(detail.xType, 'time');
  assert.equal(detail.categories.length, 1 + target.anomaly_ids.length, 'ERROR row + one per linked anomaly');
  await page.getByTestId('chart-timeline').scrollIntoViewIfNeeded();
  await screenshot(page, 'charts');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the incidents table sorts by any column and filters by scenario and words', async () => {
  const { page, errors } = await openDashboard();
  const column = (n) => page.locator(`[data-testid=incident-row] td:nth-child(${n})`).allTextContents();
  const impacts = async () => (await column(4)).map(Number);
  const ranked = await impacts();
  assert.deepEqual(ranked, [...ranked].sort((a, b) => b - a), 'by impact at first');
  await page.getByTestId('sort-scenario').click();
  const scenarios = (await column(1)).map(Number);
  assert.deepEqual(scenarios, [...scenarios].sort((a, b) => a - b), `ascending: ${scenarios}`);
  assert.equal(await page.locator('th[aria-sort=ascending]').count(), 1);
  await page.getByTestId('sort-scenario').click();
  const reversed = (await column(1)).map(Number);
  assert.deepEqual(reversed, [...scenarios].reverse(), 'a second click reverses');
  await page.getByTestId('sort-firstseen').click();
  // readable times on screen, the log's own text in the tooltip
  const first = await page.locator('[data-testid=incident-row] td:nth-child(7) time').evaluateAll((ts) => ts.map((t) => t.title));
  assert.deepEqual(first, [...first].sort((a, b) => Date.parse(a.replace(' ', 'T')) - Date.parse(b.replace(' ', 'T'))));
  assert.match((await column(7))[0], /^\d{1,2} (янв|фев|мар|апр|мая|июн|июл|авг|сен|окт|ноя|дек) \d{4}, \d\d:\d\d:\d\d$/);
  // words: every one must match, any case
  const target = report.incidents[0];
  const word = target.problem.split(' ').sort((a, b) => b.length - a.length)[0];
  await page.getByTestId('incident-search').fill(word.toUpperCase());
  const expected = report.incidents.filter((i) => i.problem.toLowerCase().includes(word.toLowerCase())).length;
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=incident-row]').length === n, expected);
  assert.match(await page.getByTestId('incident-count').textContent(), new RegExp(`${expected} из ${report.incidents.length}`));
  await page.getByTestId('incident-search').fill('no-such-problem-anywhere');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=incident-row]').length === 0);
  await page.getByTestId('incident-search').fill('');
  assert.equal(await page.getByTestId('incident-row').count(), report.incidents.length);
  assert.deepEqual(errors, []);
  await page.close();
});

test('English is one click away, applies everywhere and is remembered', async () => {
  const { page, errors } = await openDashboard();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'ru');
  assert.equal(await page.getByTestId('nav-new').textContent(), 'Новый анализ');
  await page.getByTestId('lang-en').click();
  await page.getByTestId('nav-new').filter({ hasText: 'New analysis' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.match(await page.getByTestId('tm-state').textContent(), /incidents: \d+, links: 8/);
  assert.match(await page.getByTestId('incidents').locator('thead').textContent(), /Impact/);
  await page.waitForFunction(() => echarts.getInstanceByDom(
    document.querySelector('[data-testid=chart-impact]')).getOption().title[0].text === 'Problems by impact');
  // the whole dashboard, explorer open, has no Russian left (the data itself is English here)
  await page.getByTestId('incident-row').first().click();
  await page.getByTestId('explorer').waitFor();
  const dashboard = await page.locator('body').innerText();
  assert.doesNotMatch(dashboard, /[А-Яа-яЁё]/, dashboard.match(/.{0,40}[А-Яа-яЁё].{0,40}/)?.[0]);
  // remembered across a reload, and the upload page follows
  await page.reload();
  await page.getByTestId('link-row').first().waitFor();
  assert.equal(await page.getByTestId('nav-history').textContent(), 'History');
  await page.getByTestId('nav-new').click();
  await page.getByTestId('start').filter({ hasText: 'Start analysis' }).waitFor();
  await screenshot(page, 'upload-en');
  // no Russian left on the English upload page
  const text = await page.locator('body').innerText();
  assert.doesNotMatch(text, /[А-Яа-яЁё]/, text);
  await page.getByTestId('nav-history').click();
  await page.getByTestId('history-row').first().waitFor();
  const history = await page.locator('body').innerText();
  assert.match(history, /Analysis history[\s\S]*done/);
  assert.doesNotMatch(history, /[А-Яа-яЁё]/, history);
  await page.getByTestId('nav-new').click();
  await page.getByTestId('lang-ru').click();
  await page.getByTestId('start').filter({ hasText: 'Запустить анализ' }).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('the dashboard with its charts fits a phone', async () => {
  const { page, errors } = await openDashboard({ width: 390, height: 844 });
  await page.locator('[data-testid=chart-impact] canvas').first().waitFor();
  const widths = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    charts: [...document.querySelectorAll('.chart')].map((c) => c.getBoundingClientRect().right),
  }));
  assert.ok(widths.page <= 390, `no horizontal scroll of the page: ${widths.page}`);
  for (const right of widths.charts) assert.ok(right <= 390, `chart inside the screen: ${right}`);
  await screenshot(page, 'dashboard-phone');
  assert.deepEqual(errors, []);
  await page.close();
});

test('an analysis watched in English: overlay stages and server messages, toast', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(() => {
    window.__seen = [];
    setInterval(() => {
      for (const id of ['overlay-stage', 'overlay-message', 'transport']) {
        const t = document.querySelector(`[data-testid=${id}]`)?.textContent;
        if (t && !window.__seen.includes(t)) window.__seen.push(t);
      }
    }, 10);
  });
  await page.goto(`${server.url}/?lang=en`);
  await page.getByTestId('start').filter({ hasText: 'Start analysis' }).waitFor();
  await page.getByTestId('file-input').setInputFiles(zipPath);
  await page.getByTestId('start').click();
  await page.getByTestId('overlay').filter({ hasText: 'PROCESSING DATA' }).waitFor({ timeout: 10_000 });
  await page.waitForURL(/\/dashboard\//, { timeout: JOB_TIMEOUT_MS });
  const toast = page.getByTestId('toast');
  await toast.waitFor();
  assert.match(await toast.textContent(), /^Success — Log analysis complete! The results are shown below\./);
  const seen = await page.evaluate(() => window.__seen);
  assert.ok(seen.some((t) => /^Stage \d+ of 11: /.test(t)), `English stage names: ${seen}`);
  assert.ok(seen.some((t) => /^(Parsing|Lines read|Reading|Loading|Knowledge|Exact|Semantic|Ranking|Predictions|Writing|Done|Analysis started|Scenarios)/.test(t)),
    `server messages in English: ${seen}`);
  for (const t of seen) assert.doesNotMatch(t, /[А-Яа-яЁё]/, `no Russian in the English overlay: ${t}`);
  assert.deepEqual(errors, []);
  await page.evaluate(() => localStorage.removeItem('loglens.lang'));
  await page.close();
});

test('an ERROR repeated all day: the explorer says how many, the timeline shows an even sample', async () => {
  const zip = path.join(tempDir('repeat'), 'repeats.zip');
  execFileSync('python3', ['-c', `
import sys, zipfile
lines = ["2025-10-06T00:00:00 WARNING database: Slow query from index issue"]
lines += ["2025-10-06T%02d:%02d:%02d ERROR database: Index corruption on table" % (i // 3600, i // 60 % 60, i % 60) for i in range(1003)]
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("Case 4/db.log", "\\n".join(lines) + "\\n")`, zip]);
  const id = await analyse(zip);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${server.url}/dashboard/${id}`);
  await page.getByTestId('incident-row').first().click();
  assert.match(await page.getByTestId('errors-sampled').textContent(), /1003.*200/);
  const timeline = await option(page, 'chart-timeline');
  assert.equal(timeline.series[0].data.length, 200, 'a bounded number of ERROR points');
  const times = timeline.series[0].data.map((d) => d.value[0]);
  assert.equal(times[0], '2025-10-06 00:00:00.000');
  assert.equal(times.at(-1), '2025-10-06 00:16:42.000', 'the last ERROR is on the axis too');
  await page.close();
});
