// End-to-end: the built app in headless Chromium, used as a person would.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from './harness.mjs';
import { open as openPage, runAnyway, runToEnd, setNumber, smallSweep, tableRows } from './page.mjs';

const SHOTS = 'test-results';
const ROWS = 'section[aria-labelledby="table-title"] tbody tr';
const app = useApp();

/** A fresh page (own context: no shared storage) with page errors collected. */
const open = (hash = '') => openPage(app, hash);

describe('Hyperparameter Playground', () => {
  test('refuses invalid input at the field and disables Run until it is fixed', async () => {
    const page = await open();
    const run = page.getByRole('button', { name: /Run sweep/ });
    await page.waitForFunction(() => !document.querySelector('button.primary')?.disabled);
    const min = page.getByRole('spinbutton', { name: 'Learning rate minimum' });
    await min.fill('0.5');
    await page.locator('.field-error', { hasText: /minimum \(0\.5\) is greater than maximum/ }).waitFor();
    assert.equal(await run.isDisabled(), true);
    assert.equal(await min.getAttribute('aria-invalid'), 'true');
    await min.fill('0.001');
    await page.waitForFunction(() => !document.querySelector('button.primary')?.disabled);
    // dropout >= 1 and an empty choice list are refused too
    await page.getByRole('combobox', { name: 'Dropout search mode' }).selectOption('linear');
    await page.getByRole('spinbutton', { name: 'Dropout maximum' }).fill('1');
    await page.locator('.field-error', { hasText: /Dropout must be less than 1/ }).waitFor();
    assert.equal(await run.isDisabled(), true);
    await page.getByRole('combobox', { name: 'Dropout search mode' }).selectOption('fixed');
    await page.getByRole('combobox', { name: 'Batch size search mode' }).selectOption('choices');
    await page.getByRole('textbox', { name: /Batch size choices/ }).fill('');
    await page.locator('.field-error', { hasText: /list of choices is empty/ }).waitFor();
    assert.equal(await run.isDisabled(), true);
    await page.getByRole('textbox', { name: /Batch size choices/ }).fill('16, 32');
    await page.waitForFunction(() => !document.querySelector('button.primary')?.disabled);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('runs a sweep on the wasm backend: every trial gets a verdict, curves and a table row', async () => {
    const page = await open();
    await smallSweep(page, { budget: 4, epochs: 12, backend: 'wasm', concurrency: 2 });
    await runToEnd(page);
    const rows = await tableRows(page);
    assert.equal(rows.length, 4);
    for (const r of rows) {
      assert.equal(r.Backend, 'wasm');
      assert.equal(r.Status, 'complete');
      assert.match(r.Verdict, /Underfitting|Overfitting|Good fit|Diverged|Unstable|Still improving/);
      assert.equal(r.Epochs, '12/12');
      assert.match(r['Final val acc.'], /^\d+(\.\d)?%$/);
    }
    assert.deepEqual(await page.getByTestId('backend').allTextContents(), ['wasm', 'wasm']);
    // learning curves: a train and a validation path per trial, with real geometry
    const paths = await page.locator('figure[aria-labelledby="curves-title"] g.trial path[stroke-dasharray]').evaluateAll((ps) => ps.map((p) => p.getAttribute('d')?.length ?? 0));
    assert.equal(paths.length, 4);
    assert.ok(paths.every((n) => n > 50), `curve paths too short: ${paths}`);
    // scatter: one mark per trial in each searched-parameter panel (3 searched)
    assert.equal(await page.locator('figure[aria-labelledby="scatter-title"] svg path[role="presentation"]').count(), 12);
    // selecting a row shows that trial's verdict sentence with numbers from its curves
    await page.locator(ROWS).first().click();
    const sentence = await page.locator('.sentence').textContent();
    assert.match(sentence, /epoch|loss/i);
    assert.match(sentence, /\d/);
    await page.screenshot({ path: `${SHOTS}/wasm-sweep.png`, fullPage: true });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('trains on the real WebGPU backend when chosen', async () => {
    const page = await open();
    await smallSweep(page, { budget: 2, epochs: 3, backend: 'webgpu' });
    await runToEnd(page, 300_000);
    const rows = await tableRows(page);
    assert.equal(rows.length, 2);
    for (const r of rows) {
      assert.equal(r.Backend, 'webgpu');
      assert.equal(r.Status, 'complete');
      assert.notEqual(r.Verdict, '');
    }
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('the automatic backend passes over a software WebGPU adapter', async () => {
    const page = await open();
    await smallSweep(page, { budget: 1, epochs: 2, backend: 'auto' });
    await runToEnd(page);
    const backend = await page.getByTestId('backend').first().textContent();
    assert.notEqual(backend, 'webgpu');
    // In a browser just started, the check for a GPU can answer after wasm is ready: the sweep
    // then starts on wasm and says the GPU is measured next time. The next sweep knows.
    const note = () => page.locator('.backends .note').first().textContent();
    if (/not measured yet/.test(await note())) {
      await runToEnd(page);
      assert.notEqual(await page.getByTestId('backend').first().textContent(), 'webgpu');
    }
    assert.match(await note(), /software/);
    await page.context().close();
  });

  test('Cancel stops everything within a second and keeps finished trials', async () => {
    const page = await open();
    // the cpu backend (tens of ms an epoch) and many trials: the sweep is surely still running when Cancel is clicked
    await smallSweep(page, { budget: 64, epochs: 40, backend: 'cpu' });
    await page.getByRole('button', { name: /Run sweep/ }).click();
    await runAnyway(page);
    // wait for one finished trial, then for the next one to be running
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length >= 2 && [...document.querySelectorAll(sel)].some((r) => r.textContent.includes('complete')), ROWS, { timeout: 120_000 });
    await setNumber(page, 'Epochs', 25); // editing while running must not disturb the sweep
    const before = await tableRows(page);
    // Measure inside the page, from the click event to the sweep having stopped (Cancel disabled again),
    // so the automation's own latency does not count.
    await page.evaluate(() => {
      const btn = document.querySelector('button.danger');
      window.__cancel = new Promise((resolve) => {
        btn.addEventListener('click', () => {
          const t = performance.now();
          const mo = new MutationObserver(() => btn.disabled && (mo.disconnect(), resolve(performance.now() - t)));
          mo.observe(btn, { attributes: true });
        }, { once: true });
      });
    });
    await page.getByRole('button', { name: /Cancel/ }).click();
    const ms = await page.evaluate(() => window.__cancel);
    assert.ok(ms < 1000, `cancel took ${ms} ms`);
    const rows = await tableRows(page);
    assert.ok(rows.length < 64);
    assert.ok(rows.some((r) => r.Status === 'complete'), 'finished trials are kept: ' + JSON.stringify({ before, rows }));
    assert.ok(rows.some((r) => r.Status === 'cancelled'));
    assert.equal(await page.getByRole('button', { name: /Run sweep/ }).isDisabled(), false);
    await page.context().close();
  });

  test('a copied URL reopens the same experiment in a fresh browser context', async () => {
    const page = await open();
    await page.getByRole('combobox', { name: 'Dataset' }).selectOption('moons');
    await setNumber(page, 'Epochs', 33);
    await page.getByRole('spinbutton', { name: 'Learning rate maximum' }).fill('0.2');
    await page.getByRole('combobox', { name: 'Strategy' }).selectOption('grid');
    await page.getByRole('spinbutton', { name: /Search seed/ }).fill('1234');
    await page.getByRole('button', { name: 'Remove layer 3' }).click();
    await page.waitForFunction(() => location.hash.startsWith('#x1='));
    await page.waitForTimeout(100);
    const url = page.url();
    const other = await open(url.slice(url.indexOf('#')));
    assert.equal(await other.getByRole('combobox', { name: 'Dataset' }).inputValue(), 'moons');
    assert.equal(await other.getByRole('spinbutton', { name: 'Epochs', exact: true }).inputValue(), '33');
    assert.equal(await other.getByRole('spinbutton', { name: 'Learning rate maximum' }).inputValue(), '0.2');
    assert.equal(await other.getByRole('combobox', { name: 'Strategy' }).inputValue(), 'grid');
    assert.equal(await other.getByRole('spinbutton', { name: /Search seed/ }).inputValue(), '1234');
    assert.equal(await other.locator('ol.layers li').count(), 2);
    assert.equal(await other.getByRole('alert').count(), 0);
    await other.context().close();
    await page.context().close();
  });

  test('a malformed or hostile hash opens the defaults with a message naming the problem', async () => {
    for (const [hash, message] of [
      ['#x1=NobodyCanDecompressThis%%%', /damaged/],
      ['#x1=' + 'N4Ig'.repeat(10), /damaged|invalid/],
      ['#x7=abc', /format version 7/],
    ]) {
      const page = await open(hash);
      const alert = page.getByRole('alert').filter({ hasText: /default experiment/ });
      await alert.waitFor();
      assert.match(await alert.textContent(), message);
      assert.equal(await page.getByRole('combobox', { name: 'Dataset' }).inputValue(), 'spiral');
      assert.equal(await page.getByRole('button', { name: /Run sweep/ }).isDisabled(), false);
      assert.deepEqual(page.errors, []);
      await page.context().close();
    }
  });

  test('a diverging learning rate ends that trial as diverged, the page stays responsive', async () => {
    const page = await open();
    await smallSweep(page, { budget: 1, epochs: 20, backend: 'wasm' });
    await page.getByRole('combobox', { name: 'Learning rate search mode' }).selectOption('fixed');
    await page.getByRole('combobox', { name: 'Optimizer', exact: true }).selectOption('sgd');
    await page.getByRole('spinbutton', { name: /^Learning rate\s*\(/ }).fill('10');
    await runToEnd(page);
    const [row] = await tableRows(page);
    assert.match(row.Verdict, /Diverged/);
    assert.match(row.Status, /diverged|complete/);
    await page.locator(ROWS).first().click();
    const detail = await page.locator('section[aria-labelledby="detail-title"]').innerText();
    assert.match(detail, /learning rate/, detail);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe('your own CSV file', () => {
  test('a broken CSV is explained and the current data kept; a good one trains and survives a reload', async () => {
    const page = await open();
    const input = page.locator('#csv-file');
    await input.setInputFiles({ name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from('only_one_column\n1\n2\n') });
    const err = page.locator('.field-error', { hasText: /Could not read broken\.csv: .*at least two columns.*unchanged/ });
    await err.waitFor();
    assert.equal(await page.getByRole('combobox', { name: 'Dataset' }).inputValue(), 'spiral');
    assert.equal(await page.getByRole('button', { name: /Run sweep/ }).isDisabled(), false);

    // a small two-class table: class from the sign of x1 + x2, with a text column that is ignored
    const rows = Array.from({ length: 80 }, (_, i) => {
      const a = Math.sin(i * 1.7) * 2;
      const b = Math.cos(i * 0.9) * 2;
      return `${a.toFixed(3)},${b.toFixed(3)},note${i},${a + b > 0 ? 'yes' : 'no'}`;
    });
    await input.setInputFiles({ name: 'mine.csv', mimeType: 'text/csv', buffer: Buffer.from('x1,x2,comment,label\n' + rows.join('\n')) });
    await page.getByText(/Loaded 80 rows with 2 features as a classification of 2 classes.*Column "comment" \(text\) is not used as a feature/).waitFor();
    assert.equal(await page.getByRole('combobox', { name: 'Dataset' }).inputValue(), 'csv');
    await smallSweep(page, { budget: 2, epochs: 5, backend: 'wasm' });
    await runToEnd(page);
    const trials = await tableRows(page);
    assert.equal(trials.length, 2);
    assert.ok(trials.every((r) => r.Status === 'complete'));

    // the file is kept in this browser: a reload restores the study with it
    await page.reload();
    await page.getByRole('button', { name: /Run sweep/ }).waitFor();
    await page.waitForFunction(() => !document.querySelector('button.primary')?.disabled, null, { timeout: 10_000 });
    assert.equal(await page.getByRole('combobox', { name: 'Dataset' }).inputValue(), 'csv');
    assert.match(await page.locator('.card').first().textContent(), /mine\.csv: 80 samples × 2 features, 2 classes/);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe('a worker that cannot run', () => {
  test('a training worker whose script fails to load gives one clear message and loses nothing', async () => {
    const page = await open();
    await setNumber(page, 'Epochs', 3);
    await page.getByRole('spinbutton', { name: /Trial budget/ }).fill('3');
    // The worker chunk cannot be fetched (as after a broken deploy or a dropped connection).
    await page.context().route(/(?<!search\.)worker-[^/]*\.js/, (route) => route.abort());
    await page.getByRole('button', { name: /Run sweep/ }).click();
    const alert = page.locator('.field-error', { hasText: /A training worker could not start/ });
    await alert.waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector('button.danger')?.hasAttribute('disabled'), null, { timeout: 30_000 });
    // The page is still usable: settings kept, Run enabled again, no uncaught error.
    assert.equal(await page.getByRole('spinbutton', { name: 'Epochs', exact: true }).inputValue(), '3');
    assert.equal(await page.getByRole('button', { name: /Run sweep/ }).isDisabled(), false);
    const rows = await tableRows(page);
    assert.ok(rows.every((r) => r.Status !== 'complete'));
    assert.deepEqual(page.errors, []);
    // Once the script loads again, the same page trains normally.
    await page.context().unroute(/(?<!search\.)worker-[^/]*\.js/);
    await runToEnd(page);
    assert.ok((await tableRows(page)).every((r) => r.Status === 'complete'));
    await page.context().close();
  });

  test('a search worker whose script fails to load says so, starts nothing and loses nothing', async () => {
    const page = await open();
    await setNumber(page, 'Epochs', 3);
    await page.getByRole('spinbutton', { name: /Trial budget/ }).fill('3');
    await page.context().route(/search\.worker-[^/]*\.js/, (route) => route.abort());
    await page.getByRole('button', { name: /Run sweep/ }).click();
    await page.getByText('The search worker could not start (its script did not load). Reload the page to try again; nothing was lost.').waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('.runbar').getAttribute('data-state'), 'idle');
    assert.equal(await page.getByRole('spinbutton', { name: 'Epochs', exact: true }).inputValue(), '3');
    assert.equal(await page.getByRole('button', { name: /Run sweep/ }).isDisabled(), false);
    assert.deepEqual(page.errors, []);
    await page.context().unroute(/search\.worker-[^/]*\.js/);
    await runToEnd(page);
    assert.ok((await tableRows(page)).every((r) => r.Status === 'complete'));
    await page.context().close();
  });
});
