// End-to-end: what a careless or unlucky user meets — stale data after a new CSV, a searched
// epoch count, a grid of 10⁹ points, a sweep that would take hours, and a worker that dies
// without a word. The page must tell the truth and never hang or go blank.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from './harness.mjs';
import { open, plainSweep, runAnyway, runToEnd, runnable, setNumber, SHOTS, sweepEnded, sweepsDone, tableRows, TABLE } from './page.mjs';

const app = useApp();

/** A CSV of `n` rows: `d` numeric features and a label made by `label(features, i)`. */
function csv(n, d, label, seed = 1) {
  let s = seed;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 4 - 2;
  const head = [...Array.from({ length: d }, (_, j) => `x${j + 1}`), 'label'].join(',');
  const rows = Array.from({ length: n }, (_, i) => {
    const x = Array.from({ length: d }, rnd);
    return [...x.map((v) => v.toFixed(4)), label(x, i)].join(',');
  });
  return Buffer.from(`${head}\n${rows.join('\n')}\n`);
}

/** Sets a hyperparameter's search mode in the search-space editor. */
const mode = (page, label, value) => page.getByRole('combobox', { name: `${label} search mode` }).selectOption(value);

describe('the page tells the truth', () => {
  test('a second CSV file trains on its own data, not on the previous file kept by warm workers', async () => {
    const page = await open(app);
    const input = page.locator('#csv-file');
    // A: two features, the class is the sign of x1 (easy); B: five features, coin-flip labels.
    await input.setInputFiles({ name: 'a.csv', mimeType: 'text/csv', buffer: csv(200, 2, (x) => (x[0] > 0 ? 'pos' : 'neg')) });
    await page.getByText(/Loaded 200 rows with \d features as a classification/).waitFor();
    await setNumber(page, 'Epochs', 30);
    await setNumber(page, /Trial budget/, 2);
    await setNumber(page, /Parallel trials/, 1);
    await page.getByRole('combobox', { name: 'Compute backend' }).selectOption('wasm');
    await runToEnd(page);
    const a = await tableRows(page);
    assert.ok(a.some((r) => parseFloat(r['Final val acc.']) >= 90), `A is learnable: ${JSON.stringify(a)}`);

    let flip = 7;
    const coin = () => ((flip = (flip * 48271) % 2147483647) % 2 ? 'heads' : 'tails');
    await input.setInputFiles({ name: 'b.csv', mimeType: 'text/csv', buffer: csv(200, 5, coin, 99) });
    // A's "Loaded 200 rows…" is still on the page: wait for B's own report and card
    await page.getByText(/Loaded 200 rows with 5 features as a classification/).waitFor();
    await page.locator('.card').first().filter({ hasText: /b\.csv: 200 samples × 5 features, 2 classes/ }).waitFor();
    await runToEnd(page);
    const b = await tableRows(page);
    assert.equal(b.length, 2);
    // Coin flips cannot be predicted: about 50% (a stale network on A's data scored 100%).
    for (const r of b) assert.ok(parseFloat(r['Final val acc.']) < 75, `B scores ${r['Final val acc.']}: trained on stale data?`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('searching the number of epochs keeps the page whole, through the form and through its link', async () => {
    const page = await open(app);
    await mode(page, 'Epochs', 'linear');
    await page.getByRole('spinbutton', { name: 'Epochs minimum' }).fill('3');
    await page.getByRole('spinbutton', { name: 'Epochs maximum' }).fill('6');
    await setNumber(page, /Trial budget/, 3);
    await page.getByRole('combobox', { name: 'Compute backend' }).selectOption('wasm');
    await runToEnd(page);
    const rows = await tableRows(page);
    assert.equal(rows.length, 3);
    for (const r of rows) {
      const [done, of] = r.Epochs.split('/').map(Number);
      assert.ok(of >= 3 && of <= 6 && done === of, `epochs column ${r.Epochs}`);
    }
    // the link that holds this state opens a working page, with the Run button
    const hash = new URL(page.url()).hash;
    const again = await open(app, hash);
    assert.equal(await again.getByRole('spinbutton', { name: 'Epochs maximum' }).inputValue(), '6');
    await runnable(again);
    assert.equal(await again.locator(TABLE).count(), 1);
    assert.deepEqual(page.errors, []);
    assert.deepEqual(again.errors, []);
    await page.context().close();
    await again.context().close();
  });

  test('a grid of over 10⁹ points starts at once; a sweep expected to take hours asks first', async () => {
    const page = await open(app);
    await page.getByRole('combobox', { name: 'Strategy' }).selectOption('grid');
    await setNumber(page, /Grid points per range/, 10);
    for (const p of ['Learning rate', 'Dropout', 'L2 penalty', 'L1 penalty', 'Units per hidden layer', 'Hidden layers', 'Epochs']) {
      const box = page.getByRole('combobox', { name: `${p} search mode` });
      if ((await box.inputValue()) === 'fixed') await box.selectOption(p === 'Learning rate' || p.startsWith('L') ? 'log' : 'linear');
    }
    await mode(page, 'Optimizer', 'choices');
    await mode(page, 'Activation', 'choices');
    await page.getByRole('spinbutton', { name: 'Epochs maximum' }).fill('8');
    await page.getByRole('spinbutton', { name: 'Epochs minimum' }).fill('1');
    await page.getByRole('spinbutton', { name: 'Units per hidden layer maximum' }).fill('16');
    await setNumber(page, /Trial budget/, 2);
    await page.getByRole('combobox', { name: 'Compute backend' }).selectOption('wasm');
    await runnable(page);
    const n0 = await sweepsDone(page);
    const t0 = Date.now();
    await page.getByRole('button', { name: /Run sweep/ }).click();
    // the two trials are trained and the sweep is over within seconds: nothing enumerates the grid
    await sweepEnded(page, n0, 30_000);
    const took = Date.now() - t0;
    assert.ok(took < 20_000, `a 2-trial sweep of a 10⁹-point grid took ${took} ms`);
    assert.equal((await tableRows(page)).length, 2);

    // near every limit at once: the page states the expected time and asks before starting
    await setNumber(page, /Trial budget/, 256);
    await mode(page, 'Epochs', 'fixed');
    await setNumber(page, 'Epochs', 500);
    await page.getByRole('spinbutton', { name: 'Units per hidden layer maximum' }).fill('512');
    await page.getByRole('spinbutton', { name: 'Units per hidden layer minimum' }).fill('256');
    await page.getByRole('spinbutton', { name: 'Hidden layers maximum' }).fill('6');
    await page.getByRole('spinbutton', { name: 'Hidden layers minimum' }).fill('4');
    await page.getByRole('combobox', { name: 'Validation' }).selectOption('kfold');
    await setNumber(page, /Folds \(k\)/, 10);
    await setNumber(page, /Repeats per configuration/, 5);
    assert.match(await page.getByTestId('estimate').textContent(), /about .* on this device, at most/);
    const n = await sweepsDone(page);
    await page.getByRole('button', { name: /Run sweep/ }).click();
    const ask = page.getByRole('alertdialog');
    await ask.waitFor();
    assert.match(await ask.textContent(), /This sweep is expected to take \d+ (min|h|d)/);
    await ask.getByRole('button', { name: 'Not now' }).click();
    assert.equal(await ask.count(), 0);
    assert.equal(await page.locator('.runbar').getAttribute('data-state'), 'idle');
    assert.equal(await sweepsDone(page), n);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('a worker that dies without a word is noticed: the trial is retried once, then failed with the reason, and the sweep goes on', async () => {
    const page = await open(app);
    // the cpu backend: tens of ms an epoch, so the worker is surely still training when it is closed
    await plainSweep(page, { budget: 3, epochs: 60, backend: 'cpu' });
    await runnable(page);
    const n = await sweepsDone(page);
    await page.getByRole('button', { name: /Run sweep/ }).click();
    await runAnyway(page);

    /** Waits until trial 1 (in its `retry`-th attempt) has trained a few epochs, then closes its worker from the inside. */
    const killDuringTrialOne = async (retry) => {
      await page.waitForFunction((k) => {
        const li = [...document.querySelectorAll('.runbar ul.running li')].find((l) => l.textContent.includes('Trial #1'));
        const m = li && /epoch (\d+) of/.exec(li.textContent);
        return m && Number(m[1]) >= 3 && li.textContent.includes(k ? `(retry ${k})` : 'Trial #1') && (k || !li.textContent.includes('retry'));
      }, retry, { timeout: 60_000 });
      const live = page.workers().filter((w) => /\/worker-[^/]*\.js/.test(w.url()));
      assert.equal(live.length, 1, 'one training worker');
      const closed = new Promise((r) => live[0].once('close', r));
      await Promise.race([live[0].evaluate(() => self.close()).catch(() => {}), new Promise((r) => setTimeout(r, 3000))]);
      await closed;
    };
    await killDuringTrialOne(0);
    await killDuringTrialOne(1);
    await sweepEnded(page, n, 180_000);

    const rows = await tableRows(page);
    assert.equal(rows.length, 3);
    assert.equal(rows[0].Status, 'failed (retried 1×)');
    assert.deepEqual(rows.slice(1).map((r) => r.Status), ['complete', 'complete']);
    assert.match(await page.getByTestId('trial-tally').textContent(), /1 failed, 1 retried after a lost worker/);
    const reason = await page.locator(`${TABLE} tbody tr`).first().locator('.badge').getAttribute('title');
    assert.match(reason, /stopped responding .* retried once on a fresh worker/);
    await page.locator(TABLE).screenshot({ path: `${SHOTS}/dead-worker.png` });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('a search worker that goes silent stops the sweep with a sentence; finished trials stay and Resume completes the budget', async () => {
    const page = await open(app);
    await plainSweep(page, { budget: 4, epochs: 30, backend: 'cpu' });
    await page.getByRole('combobox', { name: 'Strategy' }).selectOption('gp');
    await runnable(page);
    const n = await sweepsDone(page);
    await page.getByRole('button', { name: /Run sweep/ }).click();
    await runAnyway(page);
    await page.waitForFunction((sel) => [...document.querySelectorAll(`${sel} tbody tr`)].some((r) => r.textContent.includes('complete')), TABLE, { timeout: 120_000 });
    // the strategy's worker closes itself: it says nothing, its answers stop
    const search = page.workers().filter((w) => /search\.worker-[^/]*\.js/.test(w.url()));
    assert.equal(search.length, 1, 'one search worker');
    await search[0].evaluate(() => self.close()).catch(() => {});
    await sweepEnded(page, n, 60_000);
    await page.getByText(/The sweep stopped: The search worker stopped answering \(no answer in 15 s\)\. Finished trials are kept; Resume continues the study\./).waitFor();
    const kept = (await tableRows(page)).filter((r) => r.Status === 'complete');
    assert.ok(kept.length >= 1);
    // a fresh search worker replays the log and the study goes on to its budget
    const resume = page.getByRole('button', { name: /^Resume \(\d+ trials? left\)$/ });
    await runnable(page);
    const m = await sweepsDone(page);
    await resume.click();
    await sweepEnded(page, m);
    const rows = await tableRows(page);
    assert.equal(rows.length, 4);
    assert.ok(rows.every((r) => r.Status === 'complete'), JSON.stringify(rows.map((r) => r.Status)));
    for (const r of kept) assert.deepEqual({ ...rows.find((x) => x['#'] === r['#']), Time: '' }, { ...r, Time: '' });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
