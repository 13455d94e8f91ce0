// End-to-end: the search views of issue #3 — what the sampler is thinking (TPE densities, ASHA
// rungs, pruned trials with their reasons) and the strategy race — in the built app, used as a
// person would. Kept small: one 8-trial sweep of 12 epochs and two tiny races (under 3 minutes).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launch, serve } from './harness.mjs';

const SHOTS = 'test-results';
const TABLE = 'section[aria-labelledby="table-title"]';
mkdirSync(SHOTS, { recursive: true });
let server;
let browser;
let page;

before(async () => {
  server = await serve();
  browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => /Content Security Policy/i.test(m.text()) && page.errors.push(m.text()));
  await page.goto(server.url);
  await page.getByRole('button', { name: /Run sweep/ }).waitFor();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** Types a value into a labelled number field. */
async function setNumber(name, value) {
  await page.getByRole('spinbutton', { name }).fill(String(value));
}

/** Rows of the trials table as objects keyed by column header. */
async function tableRows() {
  return page.evaluate((sel) => {
    const heads = [...document.querySelectorAll(`${sel} thead th`)].map((th) => th.textContent.replace(/[▲▼]/g, '').trim());
    return [...document.querySelectorAll(`${sel} tbody tr`)].map((tr) =>
      Object.fromEntries([...tr.querySelectorAll('td')].map((td, i) => [heads[i], td.textContent.trim()])));
  }, TABLE);
}

/** Whether the race's Start button is enabled (i.e. no race is running and one may start). */
const raceIdle = () => [...document.querySelectorAll('button')].some((b) => b.textContent.includes('Start race') && !b.disabled);

describe('Search views', () => {
  test('a TPE sweep with ASHA prunes trials, says why, and shows the densities and the rungs', async () => {
    await page.getByRole('combobox', { name: 'Strategy' }).selectOption('tpe');
    await page.getByRole('combobox', { name: 'Pruner' }).selectOption('asha');
    await setNumber(/Epochs before first check/, 2);
    await setNumber(/Reduction factor/, 2);
    await page.getByRole('spinbutton', { name: 'Epochs', exact: true }).fill('12');
    await setNumber(/Trial budget/, 8);
    await setNumber(/Parallel trials/, 2);
    await page.getByRole('combobox', { name: 'Compute backend' }).selectOption('wasm');
    await page.waitForFunction(() => !document.querySelector('button.primary')?.disabled);

    // the race cannot start while the sweep runs: read both buttons in one frame, at a moment
    // the sweep is known to be running (its Cancel button enabled), whatever the sweep's speed
    await page.getByRole('tab', { name: 'Strategy race' }).click();
    await page.getByRole('button', { name: /Start race/ }).waitFor();
    const whileRunning = page.evaluate(() => new Promise((resolve) => {
      const check = () => {
        const cancel = document.querySelector('.runbar button.danger');
        if (!cancel || cancel.disabled) return false;
        const race = [...document.querySelectorAll('button')].find((b) => b.textContent.includes('Start race'));
        resolve({ raceDisabled: race?.disabled ?? null });
        return true;
      };
      if (check()) return;
      const mo = new MutationObserver(() => check() && mo.disconnect());
      mo.observe(document.body, { attributes: true, childList: true, subtree: true });
    }));
    await page.getByRole('button', { name: /Run sweep/ }).click();
    assert.deepEqual(await whileRunning, { raceDisabled: true });
    await page.getByRole('tab', { name: 'What the sampler is thinking' }).click();
    await page.waitForFunction(() => document.querySelector('.runbar button.danger')?.hasAttribute('disabled'), null, { timeout: 150_000 });

    // at least one trial was pruned, and its detail gives the pruner's reason
    const rows = await tableRows();
    assert.equal(rows.length, 8);
    const pruned = rows.filter((r) => r.Status === 'pruned');
    assert.ok(pruned.length >= 1, `no pruned trial: ${JSON.stringify(rows.map((r) => r.Status))}`);
    await page.locator(`${TABLE} tbody tr`, { hasText: 'pruned' }).first().click();
    assert.match(await page.getByTestId('prune-reason').textContent(), /Pruned at epoch \d+, rung \d+ \(epoch \d+\): val accuracy [\d.]+% was not/);

    // TPE's good and bad densities, one chart per searched parameter (3 numeric ones)
    const sampler = page.locator('section.search-views');
    assert.match(await sampler.locator('h3').first().textContent(), /What the sampler is thinking — TPE/);
    const densities = sampler.getByTestId('tpe-density');
    assert.equal(await densities.count(), 3);
    for (const svg of await densities.all()) {
      assert.equal(await svg.getAttribute('role'), 'img');
      assert.equal(await svg.getAttribute('tabindex'), '0');
      assert.match(await svg.getAttribute('aria-label'), /good density l\(x\).*bad density g\(x\)/);
      const good = await svg.locator('path.good').getAttribute('d');
      const bad = await svg.locator('path.bad').getAttribute('d');
      assert.ok(good.length > 100 && bad.length > 100 && good !== bad, 'good and bad density paths are drawn');
    }
    assert.match(await sampler.innerText(), /TPE samples where the good density is high relative to the bad one/);

    // the ASHA rungs: after 2, 4 and 8 epochs, with the trials that went on or stopped and a cut-off
    const rungs = sampler.getByTestId('rung-chart');
    assert.equal(await rungs.count(), 1);
    assert.deepEqual(await rungs.locator('g.axes text:not(.title)').evaluateAll((ts) => ts.map((t) => t.textContent).filter((s) => s.startsWith('after'))),
      ['after 2 epochs', 'after 4 epochs', 'after 8 epochs']);
    assert.ok(await rungs.locator('path.stopped').count() >= 1);
    assert.ok(await rungs.locator('circle.promoted').count() >= 1);
    assert.ok(await rungs.locator('line.cutoff').count() >= 1);
    const log = await sampler.getByTestId('pruned-list').locator('li').allTextContents();
    assert.equal(log.length, pruned.length);
    assert.ok(log.every((l) => /^Trial #\d+, after epoch \d+: at epoch \d+, rung/.test(l)), log.join('\n'));
    await sampler.screenshot({ path: `${SHOTS}/sampler-tpe-asha.png` });
    assert.deepEqual(page.errors, []);
  });

  test('a tiny race of random vs TPE reads as a sentence and leaves the sweep\'s trials alone', async () => {
    const before = await tableRows();
    await setNumber(/Trial budget/, 4);
    await page.getByRole('spinbutton', { name: 'Epochs', exact: true }).fill('3');
    await page.getByRole('tab', { name: 'Strategy race' }).click();
    for (const box of await page.locator('fieldset.kinds input[type="checkbox"]').all()) await box.uncheck();
    await page.getByRole('checkbox', { name: /Random/ }).check();
    await page.getByRole('checkbox', { name: /TPE/ }).check();
    await setNumber(/Seeds per strategy/, 1);
    assert.match(await page.getByTestId('race-cost').innerText(), /trains 8 networks: 2 strategies × 1 seed × 4 trials, 3 epochs each/);

    await page.getByRole('button', { name: /Start race/ }).click();
    await page.waitForFunction(raceIdle, null, { timeout: 120_000 });
    const sentences = await page.getByTestId('race-sentences').locator('li').allTextContents();
    assert.equal(sentences.length, 2);
    assert.match(sentences[0].trim(), /^Random is the yardstick: its best, \d+\.\d%, came after \d trials?\.$/);
    assert.match(sentences[1].trim(), /^TPE (reached \d+\.\d% \(Random's best\) in \d trials?; Random needed \d|did not reach \d+\.\d% \(Random's best\) in its 4 trials; its best was \d+\.\d%)/);
    const chart = page.getByTestId('race-chart');
    assert.equal(await chart.getAttribute('role'), 'img');
    assert.equal(await chart.locator('path.median').count(), 2);
    // the race kept its own results: the sweep's trials are still the 8 of the first test
    assert.equal(before.length, 8);
    assert.deepEqual(await tableRows(), before);

    // Cancel stops a race at once and keeps what finished: a race long enough to be surely running
    // (the cpu backend, 300 epochs a trial) is cancelled the moment its Cancel button is enabled
    await page.getByRole('spinbutton', { name: 'Epochs', exact: true }).fill('300');
    await page.getByRole('combobox', { name: 'Compute backend' }).selectOption('cpu');
    await page.getByRole('button', { name: /Start race/ }).click();
    await page.waitForFunction(() => [...document.querySelectorAll('button')].some((b) => b.textContent.includes('Cancel race') && !b.disabled));
    const t0 = Date.now();
    await page.getByRole('button', { name: /Cancel race/ }).click();
    await page.waitForFunction(raceIdle, null, { timeout: 5_000 });
    assert.ok(Date.now() - t0 < 2000, `cancelling the race took ${Date.now() - t0} ms`);
    await page.getByText(/The race was cancelled/).waitFor();
    assert.equal(await page.getByRole('button', { name: /Run sweep/ }).isDisabled(), false);
    await page.locator('section.search-views').screenshot({ path: `${SHOTS}/race.png` });
    assert.deepEqual(page.errors, []);
  });
});
