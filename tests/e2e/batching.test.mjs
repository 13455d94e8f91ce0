// End-to-end: batched trials (several trials with the same network trained as one computation in
// one worker) show the same per-trial curves and results as trials trained one by one.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from './harness.mjs';
import { sweepEnded, sweepsDone } from './page.mjs';

const app = useApp();

const CURVES = 'figure[aria-labelledby="curves-title"] g.trial path[stroke-dasharray], figure[aria-labelledby="curves-title"] g.trial path:not([stroke-dasharray]):not([role])';

/** Runs the sweep set up on `page` and returns, per trial (table order), its row and its curve geometry. */
async function runAndRead(page, { batching }) {
  const box = page.getByRole('checkbox', { name: /same network together/ });
  if (batching) await box.check(); else await box.uncheck();
  // Record the most trials seen running at once (one worker: more than one means a batch).
  await page.evaluate(() => {
    window.__maxRunning = 0;
    const tick = () => {
      window.__maxRunning = Math.max(window.__maxRunning, document.querySelectorAll('ul.running li').length);
      if (!window.__stop) requestAnimationFrame(tick);
    };
    window.__stop = false;
    requestAnimationFrame(tick);
  });
  const n = await sweepsDone(page);
  await page.getByRole('button', { name: /Run sweep/ }).click();
  await sweepEnded(page, n);
  const maxRunning = await page.evaluate(() => ((window.__stop = true), window.__maxRunning));
  const rows = await page.evaluate(() => {
    const heads = [...document.querySelectorAll('section[aria-labelledby="table-title"] thead th')].map((th) => th.textContent.replace(/[▲▼]/g, '').trim());
    return [...document.querySelectorAll('section[aria-labelledby="table-title"] tbody tr')].map((tr) =>
      Object.fromEntries([...tr.querySelectorAll('td')].map((td, i) => [heads[i], td.textContent.trim()])));
  });
  const paths = await page.locator(CURVES).evaluateAll((ps) => ps.map((p) => (p.getAttribute('d') ?? '').match(/-?\d+(\.\d+)?/g)?.map(Number) ?? []));
  const workers = await page.getByTestId('backend').count();
  return { rows, paths, maxRunning, workers };
}

describe('batched trials', () => {
  test('a sweep with batching on shows the same per-trial curves and results as one without', async () => {
    const context = await app.browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => /Content Security Policy/i.test(m.text()) && errors.push(m.text()));
    await page.goto(app.server.url);
    await page.getByRole('button', { name: /Run sweep/ }).waitFor();
    // Four trials of the same network (units fixed; learning rate and L2 searched), one worker, on
    // the tfjs cpu backend: its epochs take tens of ms, so trials that train together are seen
    // running together for many frames (the fused wasm kernel finishes them within one redraw).
    await page.getByRole('combobox', { name: 'Units per hidden layer search mode' }).selectOption('fixed');
    await page.getByRole('spinbutton', { name: 'Epochs', exact: true }).fill('8');
    await page.getByRole('spinbutton', { name: /Trial budget/ }).fill('4');
    await page.getByRole('spinbutton', { name: /Parallel trials/ }).fill('1');
    await page.getByRole('combobox', { name: 'Compute backend' }).selectOption('cpu');
    await page.waitForFunction(() => !document.querySelector('button.primary')?.disabled);

    const one = await runAndRead(page, { batching: false });
    const batched = await runAndRead(page, { batching: true });

    assert.equal(one.workers, 1);
    assert.equal(batched.workers, 1);
    // Unbatched, a trial may still show as running for one redraw after the next one started.
    assert.ok(one.maxRunning <= 2, `unbatched: one trial at a time on one worker (saw ${one.maxRunning})`);
    assert.equal(batched.maxRunning, 4, 'batched: the four trials train together on the one worker');
    assert.equal(batched.rows.length, 4);
    // Same trials, same outcome: every trial sees the same mini-batches either way, and a trial's
    // gradients in a batch depend on its own loss only.
    for (const [i, r] of batched.rows.entries()) {
      const o = one.rows[i];
      for (const col of ['Status', 'Epochs', 'Final val acc.', 'Verdict']) assert.equal(r[col], o[col], `trial ${i + 1}, ${col}`);
    }
    // Curves: a train and a validation path per trial, the same shape point for point (within a pixel).
    assert.equal(batched.paths.length, 8);
    assert.equal(one.paths.length, 8);
    batched.paths.forEach((p, i) => {
      assert.equal(p.length, one.paths[i].length, `path ${i}: same number of points`);
      const worst = Math.max(...p.map((v, j) => Math.abs(v - one.paths[i][j])));
      assert.ok(worst < 1, `path ${i} differs by ${worst.toFixed(2)} px`);
    });
    assert.deepEqual(errors, []);
    await context.close();
  });
});
