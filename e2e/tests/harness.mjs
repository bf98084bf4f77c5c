// Shared e2e harness: starts a real `loglens serve` on a free port and a headless Debian
// Chromium driven by playwright-core (never a downloaded browser).
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

/** Starts the server; resolves to { url, stop } once it printed its URL. */
export async function startServer() {
  const dataDir = tempDir('data');
  const child = spawn(BIN, ['serve', '--bind', '127.0.0.1:0', '--data-dir', dataDir,
    '--static-dir', path.join(ROOT, 'dist'), '--models-dir', path.join(ROOT, 'models')], {
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
  return { url, stop, logs: () => log };
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

/** The validation cases (the organizers' generator, small files), as a zip in a temp dir. */
export function validationZip() {
  const zipPath = path.join(tempDir('zip'), 'vc.zip');
  execFileSync('python3', [path.join(ROOT, '..', 'shared', 'tools', 'gen_cases.py'),
    '--validation', '--lines', '2000', '--out', zipPath]);
  return zipPath;
}
