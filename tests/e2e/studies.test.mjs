// End-to-end: studies that outlive the tab — a reload mid-sweep loses nothing and Resume finishes
// it as if it had never stopped; a study travels as a file and as a results link; two saved
// studies compare side by side.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useApp } from './harness.mjs';
import { open, plainSweep, runAnyway, runToEnd, runnable, SHOTS, sweepEnded, sweepsDone, tableRows, TABLE } from './page.mjs';

const app = useApp();
/** The columns that identify a trial's configuration. */
const configOf = (r) => ({ n: r['#'], lr: r['Learning rate'], l2: r['L2 penalty'], units: r['Units per hidden layer'] });


describe('studies that outlive the tab', () => {
  test('a reload mid-sweep keeps every finished trial, and Resume completes the budget with the same trials as an uninterrupted run', async () => {
    const page = await open(app);
    await plainSweep(page, { budget: 6, epochs: 40, backend: 'cpu' });
    const hash = new URL(page.url()).hash;
    await runnable(page);
    await page.getByRole('button', { name: /Run sweep/ }).click();
    await page.waitForFunction((sel) => [...document.querySelectorAll(`${sel} tbody tr`)].filter((r) => r.textContent.includes('complete')).length >= 2, TABLE, { timeout: 120_000 });
    const before = (await tableRows(page)).filter((r) => r.Status === 'complete');
    // the page says when the browser has kept them (a write takes a moment; a tab closed sooner keeps the earlier state)
    await page.waitForFunction((n) => Number(/(\d+) finished trials? saved in this browser/.exec(document.querySelector('[data-testid="saved-status"]')?.textContent ?? '')?.[1] ?? -1) >= n, before.length, { timeout: 15_000 });
    // leaving while the sweep runs asks first
    const asked = [];
    page.on('dialog', (d) => { asked.push(d.type()); void d.accept(); });
    await page.reload();
    assert.deepEqual(asked, ['beforeunload']);
    await page.getByRole('button', { name: /Run sweep/ }).waitFor();
    const resume = page.getByRole('button', { name: /^Resume \(\d+ trials? left\)$/ });
    await resume.waitFor({ timeout: 15_000 });
    const back = await tableRows(page);
    for (const r of before) {
      const again = back.find((x) => x['#'] === r['#']);
      assert.ok(again, `trial ${r['#']} is back`);
      assert.deepEqual({ ...again, Time: '' }, { ...r, Time: '' });
    }
    assert.match(await page.getByTestId('resume-note').textContent(), /stopped before its end/);
    await runnable(page);
    const n = await sweepsDone(page);
    await resume.click();
    await sweepEnded(page, n);
    const resumed = await tableRows(page);
    assert.equal(resumed.length, 6);
    assert.ok(resumed.every((r) => r.Status !== 'cancelled' && r.Status !== 'running'), JSON.stringify(resumed.map((r) => r.Status)));
    await page.locator(TABLE).screenshot({ path: `${SHOTS}/resumed.png` });

    // the same experiment straight through, in a fresh browser: the same trials
    const straight = await open(app, hash);
    await runToEnd(straight);
    assert.deepEqual((await tableRows(straight)).map(configOf), resumed.map(configOf));
    assert.deepEqual(page.errors, []);
    assert.deepEqual(straight.errors, []);
    await straight.context().close();
    await page.context().close();
  });

  test('a study saved to a file opens in a fresh browser with the same table', async () => {
    const page = await open(app);
    await plainSweep(page, { budget: 4, epochs: 8, backend: 'wasm' });
    await runToEnd(page);
    const rows = await tableRows(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save to file' }).click()]);
    assert.match(download.suggestedFilename(), /\.hpstudy\.json$/);
    const text = readFileSync(await download.path(), 'utf8');

    const other = await open(app);
    // a broken file is refused with a reason, and nothing changes
    await other.getByLabel('Study file to open').setInputFiles({ name: 'broken.hpstudy.json', mimeType: 'application/json', buffer: Buffer.from(text.slice(0, text.length / 2)) });
    await other.getByRole('alert').filter({ hasText: /Could not open broken\.hpstudy\.json: .*Nothing was changed/ }).waitFor();
    assert.equal((await tableRows(other)).length, 0);
    await other.getByLabel('Study file to open').setInputFiles({ name: download.suggestedFilename(), mimeType: 'application/json', buffer: Buffer.from(text) });
    await other.waitForFunction((sel) => document.querySelectorAll(`${sel} tbody tr`).length === 4, TABLE);
    assert.deepEqual(await tableRows(other), rows);
    assert.match(await other.getByTestId('study-name').textContent(), /spiral · random/);
    assert.deepEqual(page.errors, []);
    assert.deepEqual(other.errors, []);
    await other.context().close();
    await page.context().close();
  });

  test('a results link opens the finished study read-only, and Run it again here reproduces it on wasm', async () => {
    const page = await open(app, '', { context: { permissions: ['clipboard-read', 'clipboard-write'] } });
    await plainSweep(page, { budget: 4, epochs: 8, backend: 'wasm' });
    await runToEnd(page);
    const rows = await tableRows(page);
    await page.getByRole('button', { name: 'Copy results link' }).click();
    await page.getByText(/Results link copied \(\d[\d,]* characters\)/).waitFor();
    const link = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(link, /#s1=/);
    assert.ok(link.length < 9000, `link of ${link.length} characters`);

    const other = await open(app, new URL(link).hash);
    await other.waitForFunction((sel) => document.querySelectorAll(`${sel} tbody tr`).length === 4, TABLE);
    const shown = await tableRows(other);
    assert.deepEqual(shown.map((r) => [r['#'], r.Verdict, r['Final val acc.']]), rows.map((r) => [r['#'], r.Verdict, r['Final val acc.']]));
    assert.equal(await other.getByRole('button', { name: /Run sweep/ }).isDisabled(), true);
    await other.getByText(/finished results from a link/).waitFor();
    const n = await sweepsDone(other);
    await other.getByRole('button', { name: 'Run it again here' }).click();
    await sweepEnded(other, n);
    const report = other.getByTestId('rerun-report');
    await report.waitFor();
    assert.equal(await report.getAttribute('data-verdict'), 'exact', await report.textContent());
    assert.match(await report.textContent(), /Reproduced exactly: all 4 trials/);
    assert.deepEqual(other.errors, []);
    await other.context().close();
    await page.context().close();
  });

  test('two saved studies compare side by side with what differs between them', async () => {
    const page = await open(app);
    await plainSweep(page, { budget: 3, epochs: 6, backend: 'wasm' });
    await runToEnd(page);
    await page.getByRole('spinbutton', { name: /^Dropout/ }).fill('0.3');
    await runToEnd(page);
    const list = page.getByRole('list', { name: 'Saved studies' });
    await list.getByRole('listitem').nth(1).waitFor();
    for (const box of await list.getByRole('checkbox').all()) await box.check();
    // the line appears once both studies are read from the store
    const diff = page.getByTestId('compare-diff');
    await diff.getByText(/everything else equal|identical/).waitFor();
    assert.match(await diff.textContent(), /dropout 0 → 0\.3; everything else equal|dropout 0\.3 → 0; everything else equal/i);
    assert.equal(await page.locator('section.compare tbody tr').count(), 2);
    assert.equal(await page.locator('section.compare svg g path[stroke-width="2.2"]').count(), 2);
    await page.locator('section.compare').screenshot({ path: `${SHOTS}/compare-studies.png` });
    // rename, then delete and undo
    await list.getByRole('button', { name: /^Delete / }).first().click();
    await page.getByRole('button', { name: 'Undo' }).click();
    await list.getByRole('listitem').nth(1).waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('two tabs on one study: the second follows the first live and cannot run it at the same time', async () => {
    const a = await open(app);
    // a sweep long enough that tab A is still running when tab B is checked; A cancels it at the end
    await plainSweep(a, { budget: 40, epochs: 30, backend: 'cpu' });
    await runnable(a);
    const n = await sweepsDone(a);
    await a.getByRole('button', { name: /Run sweep/ }).click();
    await runAnyway(a);
    await a.waitForFunction((sel) => document.querySelectorAll(`${sel} tbody tr`).length >= 1, TABLE, { timeout: 60_000 });
    // a second tab of the same browser opens the study being run
    const b = await a.context().newPage();
    b.errors = [];
    b.on('pageerror', (e) => b.errors.push(e.message));
    await b.goto(app.server.url);
    const follows = b.getByText('Another tab is running this study: this tab follows it.');
    await follows.waitFor({ timeout: 20_000 });
    assert.equal(await b.getByRole('button', { name: /Run sweep/ }).isDisabled(), true);
    // it follows: trials finished in tab A appear in tab B, and every update keeps B from running it
    await b.waitForFunction((sel) => [...document.querySelectorAll(`${sel} tbody tr`)].filter((r) => r.textContent.includes('complete')).length >= 3, TABLE, { timeout: 120_000 });
    const bDisabled = await b.getByRole('button', { name: /Run sweep/ }).isDisabled();
    const bSays = await follows.isVisible();
    // A still running after B was read means A's last message to B said "running"
    assert.equal(await a.locator('.runbar').getAttribute('data-state'), 'running');
    assert.equal(bDisabled, true);
    assert.equal(bSays, true);
    await a.getByRole('button', { name: /Cancel/ }).click();
    await sweepEnded(a, n);
    const rowsA = await tableRows(a);
    await b.waitForFunction(([sel, count]) => document.querySelectorAll(`${sel} tbody tr`).length === count && ![...document.querySelectorAll(`${sel} tbody tr`)].some((r) => r.textContent.includes('running')), [TABLE, rowsA.length], { timeout: 30_000 });
    assert.deepEqual((await tableRows(b)).map(configOf), rowsA.map(configOf));
    await runnable(b);
    assert.deepEqual(a.errors, []);
    assert.deepEqual(b.errors, []);
    await a.context().close();
  });
});
