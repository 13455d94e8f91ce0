// End-to-end: the analysis views on a small real sweep — brushing the parallel coordinates
// filters the table, a trial's confusion matrix and P/R/F1, CSV export, and a screenshot of
// every view (test-results/analysis-*.png).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { useApp } from './harness.mjs';
import { sweepEnded, sweepsDone } from './page.mjs';

const SHOTS = 'test-results';
const TABLE = 'section[aria-labelledby="table-title"]';
const ROWS = `${TABLE} tbody tr`;
mkdirSync(SHOTS, { recursive: true });
const app = useApp();

/** Trial numbers of the table's rows, in order. */
const tableIds = (page) => page.$$eval(ROWS, (trs) => trs.map((tr) => Number(tr.dataset.trial)));

/** Clicks `button` and returns the text of the file it downloads. */
async function download(page, click) {
  const [dl] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: dl.suggestedFilename(), text: readFileSync(await dl.path(), 'utf8') };
}

const pct = (x) => `${(Math.round(x * 1000) / 10).toFixed(1)}%`;

test('analysis views: brush, trial metrics, CSV export, screenshots', { timeout: 170_000 }, async () => {
  const context = await app.browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => /Content Security Policy/i.test(m.text()) && errors.push(m.text()));
  await page.goto(app.server.url);
  await page.waitForFunction(() => !document.querySelector('button.primary')?.disabled, null, { timeout: 30_000 });

  // a small real sweep on the default experiment
  await page.getByRole('spinbutton', { name: /Trial budget/ }).fill('6');
  const n = await sweepsDone(page);
  await page.getByRole('button', { name: /Run sweep/ }).click();
  await sweepEnded(page, n, 150_000);
  assert.equal((await tableIds(page)).length, 6);

  // the raw values of every trial, from the CSV export
  const all = await download(page, () => page.getByRole('button', { name: 'Export CSV' }).click());
  assert.match(all.name, /\.csv$/);
  const allRows = Papa.parse(all.text, { header: true, dynamicTyping: true, skipEmptyLines: true }).data;
  assert.equal(allRows.length, 6);
  assert.ok(allRows.every((r) => r.learningRate > 0 && Number.isInteger(r.trial)));

  // brush the learning-rate axis from its top down to between the 3rd and 4th largest value
  await page.getByRole('tab', { name: 'Parallel coordinates' }).click();
  const axis = page.locator('[data-axis="learningRate"]');
  const [lo, hi] = JSON.parse(await axis.getAttribute('data-domain'));
  assert.equal(await axis.getAttribute('data-log'), 'true');
  const box = await axis.locator('rect.grab').boundingBox();
  const top = box.y + 4;
  const len = box.height - 8;
  const yOf = (v) => top + len * (1 - Math.log(v / lo) / Math.log(hi / lo));
  const lrs = allRows.map((r) => r.learningRate).sort((a, b) => b - a);
  const cut = Math.sqrt(lrs[2] * lrs[3]);
  const x = box.x + box.width / 2;
  await page.mouse.move(x, top + 1);
  await page.mouse.down();
  await page.mouse.move(x, (top + 1 + yOf(cut)) / 2, { steps: 4 });
  await page.mouse.move(x, yOf(cut), { steps: 4 });
  await page.mouse.up();
  await page.waitForFunction((sel) => document.querySelectorAll(sel).length < 6, ROWS);
  const bLo = Number(await axis.getAttribute('data-lo'));
  const bHi = Number(await axis.getAttribute('data-hi'));
  const expected = allRows.filter((r) => r.learningRate >= bLo && r.learningRate <= bHi).map((r) => r.trial).sort((a, b) => a - b);
  const shown = (await tableIds(page)).sort((a, b) => a - b);
  assert.ok(shown.length > 0 && shown.length < 6, `the brush keeps some trials (${shown.length})`);
  assert.deepEqual(shown, expected);
  await page.getByRole('button', { name: `Clear filters (${6 - shown.length} hidden)` }).waitFor();
  await page.locator('section.analysis').screenshot({ path: `${SHOTS}/analysis-parallel-coordinates-brushed.png` });

  // the exported CSV holds exactly the visible rows
  const csv = await download(page, () => page.getByRole('button', { name: 'Export CSV' }).click());
  const csvRows = Papa.parse(csv.text, { header: true, dynamicTyping: true, skipEmptyLines: true }).data;
  assert.deepEqual(csvRows.map((r) => r.trial).sort((a, b) => a - b), expected);
  assert.ok(csvRows.every((r) => r.learningRate >= bLo && r.learningRate <= bHi));
  assert.ok(csvRows.every((r) => typeof r.final_val_acc_pct === 'number' && typeof r.verdict === 'string'));

  // a chart exports as SVG (styles inlined) and PNG
  const svg = await download(page, async () => {
    await page.locator('#pcoords-title').locator('xpath=../..').getByText('Export', { exact: true }).click();
    await page.getByRole('button', { name: 'SVG (vector)' }).click();
  });
  assert.match(svg.name, /^parallel-coordinates.*\.svg$/);
  assert.match(svg.text, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg.text, /<path[^>]*style="[^"]*stroke:/);
  const [png] = await Promise.all([page.waitForEvent('download'), (async () => {
    await page.locator('#pcoords-title').locator('xpath=../..').getByText('Export', { exact: true }).click();
    await page.getByRole('button', { name: 'PNG (image)' }).click();
  })()]);
  assert.equal(readFileSync(await png.path()).subarray(1, 4).toString(), 'PNG');

  // keyboard brushing: arrow keys create and move a brush on a focused axis, Escape clears it
  const final = page.locator('[data-axis="final"]');
  await final.focus();
  await page.keyboard.press('ArrowUp');
  assert.ok(await final.getAttribute('data-lo'));
  await page.keyboard.press('Escape');
  assert.equal(await final.getAttribute('data-lo'), null);

  // select a visible trial: its confusion matrix and precision / recall / F1 agree
  await page.locator(ROWS).first().click();
  const detail = page.locator('section[aria-labelledby="detail-title"]');
  await detail.getByTestId('class-report').waitFor();
  const cm = await detail.getByTestId('confusion').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.textContent))));
  const report = await detail.getByTestId('class-report').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
  const k = cm.length;
  assert.equal(k, 2);
  const total = cm.flat().reduce((a, b) => a + b, 0);
  for (let c = 0; c < k; c++) {
    const tp = cm[c][c];
    const support = cm[c].reduce((a, b) => a + b, 0);
    const predicted = cm.reduce((a, row) => a + row[c], 0);
    const p = predicted ? tp / predicted : 0;
    const r = support ? tp / support : 0;
    const f1 = p + r ? (2 * p * r) / (p + r) : 0;
    assert.deepEqual(report[c], [pct(p), pct(r), pct(f1), String(support)]);
  }
  const acc = cm.reduce((a, row, i) => a + row[i], 0) / total;
  assert.equal(await detail.getByTestId('accuracy').textContent(), pct(acc));
  assert.match(await detail.getByTestId('ms-per-epoch').textContent(), /\d+ (ms|s)/);
  await detail.screenshot({ path: `${SHOTS}/analysis-trial-detail.png` });

  // every view, with the brush still on
  for (const name of ['Learning curves', 'Parallel coordinates', 'Gap map', 'History', 'Importance', 'Decision boundaries']) {
    await page.getByRole('tab', { name }).click();
    await page.locator('section.analysis figure').first().waitFor();
    await page.locator('section.analysis').screenshot({ path: `${SHOTS}/analysis-${name.toLowerCase().replace(/ /g, '-')}.png` });
  }
  await page.locator(TABLE).screenshot({ path: `${SHOTS}/analysis-table.png` });
  await page.getByRole('button', { name: /Clear filters/ }).click();
  assert.equal((await tableIds(page)).length, 6);

  // the verdict chips filter the table too: tick the first one, only its trials stay
  const chip = page.locator(`${TABLE} .chip`).first();
  const [, label, count] = (await chip.textContent()).trim().match(/^\S+\s+(.+?)\s+\((\d+)\)$/);
  await chip.locator('input').check();
  await page.waitForFunction(([sel, n]) => document.querySelectorAll(sel).length === n, [ROWS, Number(count)]);
  const verdicts = await page.$$eval(`${ROWS} td:nth-child(2)`, (tds) => tds.map((td) => td.textContent.trim()));
  assert.ok(verdicts.every((v) => v.endsWith(label) || v.includes(label)), `${verdicts} are all ${label}`);
  await page.getByRole('button', { name: /Clear filters/ }).click();
  assert.deepEqual(errors, []);
  await context.close();
});
