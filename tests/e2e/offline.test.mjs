// End-to-end: the installable, offline app, and a school server on plain http.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { launch, useApp } from './harness.mjs';
import { open, runToEnd, smallSweep, tableRows } from './page.mjs';

const app = useApp();

describe('works offline and from any host', () => {
  test('after one visit the page loads and runs a sweep with the network off', async () => {
    const page = await open(app);
    // The service worker has precached everything once it controls the page.
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
    const manifest = await page.evaluate(async () => (await fetch(document.querySelector('link[rel=manifest]').href)).json());
    assert.equal(manifest.name, 'Hyperparameter Playground');
    assert.ok(manifest.icons.some((i) => i.sizes === '512x512'));

    await page.context().setOffline(true);
    await page.reload();
    await page.getByRole('button', { name: /Run sweep/ }).waitFor();
    await smallSweep(page, { budget: 2, epochs: 5, backend: 'wasm' });
    await runToEnd(page);
    const rows = await tableRows(page);
    assert.equal(rows.length, 2);
    assert.ok(rows.every((r) => r.Status === 'complete'), JSON.stringify(rows));
    // a shipped dataset loads offline too
    await page.getByRole('combobox', { name: 'Dataset' }).selectOption('iris');
    await page.locator('.card', { hasText: /iris/i }).first().waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('over plain http (not a secure page) the page says WebGPU is unavailable and trains on the next backend', async () => {
    // "school.lan" resolves to this machine but is not a secure origin, as a LAN server would be.
    const port = new URL(app.server.url).port;
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--enable-unsafe-webgpu', '--no-sandbox', '--host-resolver-rules=MAP school.lan 127.0.0.1', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage();
      page.errors = [];
      page.on('pageerror', (e) => page.errors.push(e.message));
      await page.goto(`http://school.lan:${port}/app/`);
      await page.getByRole('button', { name: /Run sweep/ }).waitFor();
      assert.equal(await page.evaluate(() => window.isSecureContext), false);
      assert.match(await page.getByTestId('insecure').textContent(), /plain http.*no WebGPU/);
      await smallSweep(page, { budget: 1, epochs: 3, backend: 'webgpu' });
      await runToEnd(page);
      assert.notEqual(await page.getByTestId('backend').first().textContent(), 'webgpu');
      assert.match(await page.locator('.runbar details.note').first().textContent(), /WebGPU needs a secure page/);
      assert.deepEqual(page.errors, []);
    } finally {
      await browser.close();
    }
  });
});
