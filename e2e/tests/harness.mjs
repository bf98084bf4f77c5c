// Shared e2e harness: starts a real `loglens serve` on a free port and a headless Debian
// Chromium driven by playwright-core (never a downloaded browser).
import { before, after } from 'node:test';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACTS = path.join(ROOT, 'e2e', 'artifacts');
const BIN = process.env.LOGLENS_BIN ?? path.join(ROOT, 'target', 'debug', 'loglens');
const START_TIMEOUT_MS = 30_000;

/** Temporary folders of this test process (server data, archives), removed when it exits. */
const TEMP_DIRS = [];
process.on('exit', () => {
  for (const dir of TEMP_DIRS) rmSync(dir, { recursive: true, force: true });
});

/** A new empty folder under the system temp dir, removed when the test process exits. */
export function tempDir(prefix) {
  const dir = mkdtempSync(path.join(tmpdir(), `loglens-e2e-${prefix}-`));
  TEMP_DIRS.push(dir);
  return dir;
}

/** The workspace version, read from the top-level Cargo.toml. */
export function workspaceVersion() {
  const toml = readFileSync(path.join(ROOT, 'Cargo.toml'), 'utf8');
  const m = toml.match(/\[workspace\.package\][^[]*?\nversion = "([^"]+)"/);
  if (!m) throw new Error('no [workspace.package] version in Cargo.toml');
  return m[1];
}

/** Starts the server (with `extraArgs` after the defaults); resolves to { url, stop, dataDir }
 * once it printed its URL. */
export async function startServer(extraArgs = []) {
  const dataDir = tempDir('data');
  // The data dir relative to the working directory, as the quick start's `./data` is.
  const child = spawn(BIN, ['serve', '--bind', '127.0.0.1:0', '--data-dir', path.relative(ROOT, dataDir),
    '--static-dir', path.join(ROOT, 'dist'), '--models-dir', path.join(ROOT, 'models'), ...extraArgs], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${log}`)), START_TIMEOUT_MS);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}:\n${log}`)); });
    child.on('error', (e) => { clearTimeout(timer); reject(new Error(`cannot start ${BIN}: ${e.message}`)); });
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  return { url, stop, dataDir, logs: () => log };
}

/** Launches headless Debian Chromium. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'],
  });
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The validation cases (the organizers' generator; `lines` per file), as a zip in a temp dir. */
export function validationZip(lines = 2000, name = 'vc.zip') {
  const zipPath = path.join(tempDir('zip'), name);
  execFileSync('python3', [path.join(ROOT, '..', 'shared', 'tools', 'gen_cases.py'),
    '--validation', '--lines', String(lines), '--out', zipPath]);
  return zipPath;
}

/** Starts a server and a browser before this file's tests and stops both after them; the
 * returned object has `server` and `browser` once the tests run. */
export function serverAndBrowser(extraArgs = []) {
  const ctx = {};
  before(async () => {
    ctx.server = await startServer(extraArgs);
    ctx.browser = await launchBrowser();
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.stop();
  });
  return ctx;
}

/** A zip at `zipPath` holding `entries` ({ name: text }), written by Python's zipfile. */
export function writeZip(zipPath, entries) {
  execFileSync('python3', ['-c', `
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for name, text in json.loads(sys.stdin.read()).items():
        z.writestr(name, text)`, zipPath], { input: JSON.stringify(entries) });
  return zipPath;
}

/** Uploads `zipPath` through `POST /process` and waits for the end by polling the snapshot;
 * resolves to the final snapshot. */
export async function analyse(serverUrl, zipPath, { model = 'light', name = path.basename(zipPath), timeoutMs = 120_000 } = {}) {
  const form = new FormData();
  form.append('model', model);
  form.append('file', new Blob([readFileSync(zipPath)], { type: 'application/zip' }), name);
  const accepted = await fetch(`${serverUrl}/process`, { method: 'POST', body: form });
  if (accepted.status !== 202) throw new Error(`upload refused: ${accepted.status} ${await accepted.text()}`);
  const { session_id: id } = await accepted.json();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snap = await (await fetch(`${serverUrl}/api/sessions/${id}`)).json();
    if (['succeeded', 'failed', 'cancelled'].includes(snap.state)) return snap;
    if (Date.now() > deadline) throw new Error(`analysis ${id} did not finish in time`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Whether two boxes (from `locator.boundingBox()`) overlap. */
export function overlaps(a, b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}
