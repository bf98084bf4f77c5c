// The page loads from `loglens serve`, runs its wasm, fetches /api/version and renders it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { screenshot, serverAndBrowser, workspaceVersion } from './harness.mjs';

const ctx = serverAndBrowser();

test('home page renders the backend version', async () => {
  const page = await ctx.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(ctx.server.url);
  const version = page.getByTestId('version');
  await version.filter({ hasText: `LogLens ${workspaceVersion()}` }).waitFor({ timeout: 15_000 });
  assert.equal(await version.textContent(), `LogLens ${workspaceVersion()}`);
  assert.deepEqual(errors, []);
  await screenshot(page, 'home');
});

test('a client-side route serves the same app', async () => {
  const page = await ctx.browser.newPage();
  await page.goto(`${ctx.server.url}/history`);
  await page.getByTestId('version').filter({ hasText: 'LogLens' }).waitFor({ timeout: 15_000 });
});
