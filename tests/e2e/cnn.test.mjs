// End-to-end: a small CNN sweep on MNIST through the UI, with augmentation and a learning-rate
// schedule searched, and the image views a person expects.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from './harness.mjs';
import { open, runToEnd, setNumber, SHOTS, TABLE, tableRows } from './page.mjs';

const app = useApp();

describe('CNNs on images', () => {
  test('a CNN sweep on mnist_2500 searching augmentation and schedule shows samples, misclassified images and filters', async () => {
    const page = await open(app, '', { viewport: { width: 1366, height: 768 } });
    await page.getByRole('combobox', { name: 'Dataset' }).selectOption('mnist_2500');
    const samples = page.getByTestId('image-samples');
    await samples.waitFor({ timeout: 30_000 });
    // ten classes, six images each, every image named for a screen reader
    assert.equal(await samples.locator('tbody tr').count(), 10);
    assert.equal(await samples.getByRole('img', { name: 'training image of class 7' }).count(), 6);
    await page.locator('.card', { hasText: /CC-BY-SA-3.0/ }).first().waitFor();

    // Network: one conv block (8 filters 3×3, max pooling), one dense layer of 32.
    await page.getByRole('button', { name: '+ Add conv block' }).click();
    for (let i = 3; i >= 2; i--) await page.getByRole('button', { name: `Remove layer ${i}` }).click();
    await page.getByRole('spinbutton', { name: 'Layer 1 units', exact: true }).fill('32');
    const shapes = page.locator('details.shapes');
    await shapes.getByText('conv 8 × 3×3, same, relu').waitFor();
    assert.match(await shapes.locator('tbody').innerText(), /max pool 2×2\s+14×14×8/);
    assert.equal(await page.getByTestId('param-count').innerText(), (80 + 1568 * 32 + 32 + 330).toLocaleString('en'));

    // Search: augmentation shift 0..3 pixels and the schedule (constant or cosine); nothing else.
    for (const name of ['Units per hidden layer', 'L2 penalty']) await page.getByRole('combobox', { name: `${name} search mode` }).selectOption('fixed');
    await page.getByRole('combobox', { name: 'Augment: shift search mode' }).selectOption('linear');
    await page.getByRole('combobox', { name: 'LR schedule search mode' }).selectOption('choices');
    // a flip is refused for digits, and says why
    assert.equal(await page.getByRole('combobox', { name: 'Augment: flip search mode' }).count(), 0);

    await setNumber(page, 'Epochs', 3);
    await setNumber(page, /Trial budget/, 4);
    await page.getByRole('combobox', { name: 'Compute backend' }).selectOption('wasm');
    await runToEnd(page, 600_000);

    const rows = await tableRows(page);
    assert.equal(rows.length, 4);
    assert.ok(rows.every((r) => r.Status === 'complete'), JSON.stringify(rows));
    const shifts = rows.map((r) => r['Augment: shift']);
    assert.ok(shifts.every((s) => /^[0-3]$/.test(s)), JSON.stringify(shifts));
    assert.ok(rows.every((r) => ['constant', 'cosine'].includes(r['LR schedule'])), JSON.stringify(rows));
    // the CNN learns: the best validation accuracy is far above chance (10%)
    const accs = rows.map((r) => parseFloat(r['Best val acc.']));
    assert.ok(Math.max(...accs) > 70, JSON.stringify(rows));

    // Select a trial: its misclassified validation images and its first-layer filters.
    await page.locator(`${TABLE} tbody tr`).first().click();
    const wrong = page.getByTestId('misclassified');
    await wrong.waitFor();
    const pics = wrong.getByRole('img', { name: /^validation image of \d, predicted \d$/ });
    assert.ok((await pics.count()) > 0);
    const first = await pics.first().getAttribute('aria-label');
    const [, truth, predicted] = /of (\d), predicted (\d)/.exec(first);
    assert.notEqual(truth, predicted);
    const filters = page.getByTestId('filters');
    assert.match(await filters.innerText(), /8 learned 3×3 filters/);
    assert.equal(await filters.getByRole('img', { name: /^filter \d+$/ }).count(), 8);
    await page.screenshot({ path: `${SHOTS}/cnn-sweep.png`, fullPage: true });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
