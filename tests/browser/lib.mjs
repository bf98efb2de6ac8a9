// What the browser tests share: Debian's Chromium through playwright-core
// (from web/'s node_modules, never a downloaded browser) with a fresh
// profile, TAP-like "ok - name" / "not ok - name" lines, and numbered
// full-page screenshots in $SCREENSHOTS.
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(new URL('../../web/package.json', import.meta.url));
export const playwright = require('playwright-core');

// A browser session: { context, page, test, assert, shot, errors, close }.
// prefix names the tests ("jury: ") and the screenshots ("jury-").
export async function session(prefix = '') {
  const shots = process.env.SCREENSHOTS || 'tests/out/screenshots';
  mkdirSync(shots, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'pitwall-chromium-'));
  const context = await playwright.chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage'],
    ignoreHTTPSErrors: true,
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(30000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  let n = 0;
  const s = {
    context, page, errors, failed: 0,
    async test(name, fn) {
      try {
        await fn();
        console.log('ok - ' + prefix + name);
      } catch (e) {
        s.failed++;
        console.log('not ok - ' + prefix + name);
        console.log('# ' + String(e && e.stack || e).split('\n').slice(0, 6).join('\n# '));
      }
    },
    assert(c, msg) { if (!c) throw new Error(msg); },
    shot(p, name) {
      return p.screenshot({ path: join(shots, prefix.replace(/: $/, '-') + String(++n).padStart(2, '0') + '-' + name + '.png'), fullPage: true });
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
  return s;
}
