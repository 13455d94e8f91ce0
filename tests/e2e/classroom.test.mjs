// End-to-end: the classroom — a class of 30 hand-ins compared on the teacher's screen (3 broken
// files named with reasons), and a teacher's lesson link with locked and hidden sections.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useApp } from './harness.mjs';
import { open, runToEnd, setNumber, SHOTS, tableRows, TABLE } from './page.mjs';

const app = useApp();

/** One real study file, made by running a small sweep in the page and saving it. */
async function oneStudyFile() {
  const page = await open(app);
  await setNumber(page, 'Epochs', 8);
  await setNumber(page, /Trial budget/, 3);
  await page.getByRole('combobox', { name: 'Compute backend' }).selectOption('wasm');
  await runToEnd(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save to file' }).click()]);
  const text = readFileSync(await download.path(), 'utf8');
  await page.context().close();
  return JSON.parse(text);
}

/** Student `i`'s hand-in: the real study, renamed, its test scores shifted so ranks differ. */
function student(doc, i) {
  const d = structuredClone(doc);
  d.id = `student-${i}`;
  d.name = `Study of student ${i}`;
  d.author = `Student ${String(i).padStart(2, '0')}`;
  for (const t of d.trials) if (t.result?.test?.acc !== undefined && t.result.test.acc !== null) t.result.test.acc = Math.min(1, Math.max(0, t.result.test.acc - i * 0.004));
  return Buffer.from(JSON.stringify(d));
}

describe('the classroom', () => {
  test('a class of 30 hand-ins, 3 of them broken: 27 loaded, 3 named with reasons, a leaderboard by test score', async () => {
    const doc = await oneStudyFile();
    const files = Array.from({ length: 27 }, (_, i) => ({ name: `student-${i + 1}.hpstudy.json`, mimeType: 'application/json', buffer: student(doc, i + 1) }));
    const good = student(doc, 99).toString();
    files.push({ name: 'truncated.hpstudy.json', mimeType: 'application/json', buffer: Buffer.from(good.slice(0, good.length / 3)) });
    files.push({ name: 'foreign.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ hello: 'world' })) });
    files.push({ name: 'future.hpstudy.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ ...JSON.parse(good), version: 99 })) });

    const page = await open(app);
    await page.getByRole('button', { name: 'Compare a class' }).click();
    await page.getByLabel("Students' study files").setInputFiles(files);
    await page.getByTestId('class-count').waitFor();
    assert.match(await page.getByTestId('class-count').textContent(), /^27 studies loaded, 81 trials pooled/);
    const refused = await page.getByTestId('class-refused').locator('li').allTextContents();
    assert.equal(refused.length, 3);
    assert.match(refused.find((r) => r.startsWith('truncated')), /truncated\.hpstudy\.json: .+/);
    assert.match(refused.find((r) => r.startsWith('foreign')), /foreign\.json: .+/);
    assert.match(refused.find((r) => r.startsWith('future')), /future\.hpstudy\.json: .*(newer|version)/i);

    // the leaderboard: 27 students, best held-out test score first, and why not by validation
    const board = await page.getByTestId('leaderboard').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
    assert.equal(board.length, 27);
    const tests = board.map((r) => parseFloat(r[2]));
    assert.deepEqual([...tests].sort((a, b) => b - a), tests, 'ranked by test score');
    assert.equal(board[0][1], 'Student 01');
    assert.match(await page.getByTestId('class-why').textContent(), /Ranked by the held-out test score, not the validation score/);
    // every pooled trial is in the views, tagged by student
    const rows = await tableRows(page);
    assert.equal(rows.length, 81);
    assert.ok(rows.every((r) => /^Student \d\d$/.test(r.Student)));
    await page.locator('section.classview').screenshot({ path: `${SHOTS}/class-compare.png` });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('a lesson link opens with the mission, locked and hidden sections; a tampered one still opens with a message', async () => {
    const teacher = await open(app, '', { context: { permissions: ['clipboard-read', 'clipboard-write'] } });
    await teacher.getByRole('button', { name: 'Lessons' }).click();
    await teacher.locator('details.teacher summary').click();
    await teacher.getByLabel('Mission').fill('Find the learning rate where the loss stops falling smoothly.');
    await teacher.getByRole('combobox', { name: 'Network for students' }).selectOption('locked');
    await teacher.getByRole('combobox', { name: 'Data for students' }).selectOption('hidden');
    await teacher.getByRole('button', { name: 'Copy lesson link' }).click();
    await teacher.getByTestId('lesson-link-note').waitFor();
    const link = await teacher.evaluate(() => navigator.clipboard.readText());
    assert.match(link, /#t1=/);

    const student = await open(app, new URL(link).hash);
    assert.equal(await student.getByTestId('mission').textContent(), 'Find the learning rate where the loss stops falling smoothly.');
    assert.equal(await student.locator('[data-lock="hidden"]').count(), 1);
    assert.equal(await student.getByRole('combobox', { name: 'Dataset' }).count(), 0, 'the data section is hidden');
    const locked = student.locator('fieldset[data-lock="locked"]');
    assert.equal(await locked.count(), 1);
    assert.equal(await locked.getByRole('spinbutton', { name: 'Epochs', exact: true }).isDisabled(), true);
    // the rest still works: the student runs and saves a study
    await setNumber(student, /Trial budget/, 2);
    await runToEnd(student);
    assert.equal(await student.getByRole('button', { name: 'Save to file' }).isDisabled(), false);

    // a tampered lock list: a working page and a message
    const { default: LZString } = await import('lz-string');
    const body = JSON.parse(LZString.decompressFromEncodedURIComponent(new URL(link).hash.slice(4)));
    body.k = { ...body.k, kernel: 'locked', strategy: '<img src=x onerror=alert(1)>' };
    const tampered = await open(app, `#t1=${LZString.compressToEncodedURIComponent(JSON.stringify(body))}`);
    const msg = await tampered.getByRole('alert').filter({ hasText: /changed after it was made/ }).textContent();
    assert.match(msg, /unknown section "kernel"/);
    assert.match(msg, /unknown lock .* for Strategy and budget was ignored/);
    assert.equal(await tampered.locator('img[src="x"]').count(), 0);
    assert.equal(await tampered.locator('fieldset[data-lock="locked"]').count(), 1);
    const garbage = await open(app, '#t1=%%%not-a-link');
    await garbage.getByText(/teacher link is damaged/).waitFor();
    assert.equal(await garbage.getByRole('button', { name: /Run sweep/ }).count(), 1);
    for (const p of [teacher, student, tampered, garbage]) {
      assert.deepEqual(p.errors, []);
      await p.context().close();
    }
  });
});
