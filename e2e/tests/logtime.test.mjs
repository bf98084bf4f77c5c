// Log time is parsed once, on the server: lines stamped with a zone (`Z`, `+03:00`) or with a
// blank instead of `T` are placed on the timeline chart and in the time machine at the wall-clock
// time they state, in a real browser against the real server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { analyse, screenshot, serverAndBrowser, tempDir, writeZip } from './harness.mjs';

const ctx = serverAndBrowser();

test('zone-suffixed and blank-separated timestamps appear on the timeline chart', async () => {
  const zip = writeZip(path.join(tempDir('zones'), 'zones.zip'), {
    'Case 4/anomalies_problems.csv': [
      'a;b;c;d',
      '7;Slow query from index issue;9;Index corruption on table',
      '8;Replication lag growing;10;Replica fell out of sync',
    ].join('\n') + '\n',
    'Case 4/db.log': [
      '2025-10-06T10:00:00Z WARNING db: Slow query from index issue',
      '2025-10-06T10:05:00.500+03:00 ERROR db: Index corruption on table',
      '2025-10-06 10:20:00 WARNING db: Replication lag growing',
      '2025-10-06 10:30:00,250 ERROR db: Replica fell out of sync',
    ].join('\n') + '\n',
  });
  const snap = await analyse(ctx.server.url, zip);
  assert.equal(snap.state, 'succeeded', JSON.stringify(snap));
  const report = await (await fetch(`${ctx.server.url}/api/sessions/${snap.session_id}/result`)).json();
  // the wire carries the text as written and its wall-clock milliseconds
  const error = report.links.find((l) => l.problem_id === 9).error;
  assert.equal(error.timestamp.raw, '2025-10-06T10:05:00.500+03:00');
  assert.equal(error.timestamp.ms, Date.UTC(2025, 9, 6, 10, 5, 0, 500));

  const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${ctx.server.url}/dashboard/${snap.session_id}`);
  await page.locator('[data-testid=chart-timeline] canvas').first().waitFor({ timeout: 15_000 });
  const series = await page.evaluate(() => {
    const el = document.querySelector('[data-testid=chart-timeline]');
    return echarts.getInstanceByDom(el).getOption().series.map((s) => s.data.map((d) => d.value[0]));
  });
  assert.deepEqual(series[0].sort(), ['2025-10-06 10:05:00.500', '2025-10-06 10:30:00.250'], 'both ERROR lines');
  assert.deepEqual(series[1].sort(), ['2025-10-06 10:00:00.000', '2025-10-06 10:20:00.000'], 'both WARNING lines');
  // the time machine spans them all, and the incidents table shows the zoned first-seen readably
  await page.getByTestId('tm-slider').waitFor();
  const rows = page.getByTestId('incident-row');
  assert.equal(await rows.count(), 2);
  const firstSeen = await page.locator('[data-testid=incident-row] time').allTextContents();
  assert.ok(firstSeen.every((t) => /2025, 10:\d\d:00/.test(t)), firstSeen.join(' | '));
  await screenshot(page, 'logtime-zones');
  assert.deepEqual(errors, []);
});
