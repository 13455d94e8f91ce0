// End-to-end: the way out of the page and back. A tiny sweep in the page; Export → Python gives a
// zip whose study.py runs with Debian's python3 (PyTorch + Optuna) on SQLite and on a journal file;
// the page's own Optuna journal loads in Optuna; the script's journal opens back in the page with
// Optuna's trial count and best trial. Waits for states (downloads, processes, the page's notes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { useApp } from './harness.mjs';
import { open, runToEnd, setNumber, SHOTS, tableRows, TABLE } from './page.mjs';

const PYTHON = process.env.HPP_PYTHON ?? '/usr/bin/python3';
const app = useApp();

/** '' when PYTHON can import numpy, torch and optuna, else why not. */
function pythonProblem() {
  try {
    execFileSync(PYTHON, ['-c', 'import numpy, torch, optuna'], { stdio: 'pipe', timeout: 60_000 });
    return '';
  } catch (e) {
    return `${PYTHON} cannot import numpy, torch and optuna (${String(e.stderr ?? e.message).trim().split('\n').pop()})`;
  }
}
const problem = pythonProblem();
if (problem && process.env.CI) throw new Error(`the interop e2e test cannot run in CI: ${problem}`);

/** Runs PYTHON at low priority with one thread; returns stdout (throws with stderr when it fails). */
function python(args, cwd) {
  return execFileSync('nice', ['-n', '10', PYTHON, ...args], {
    cwd, stdio: 'pipe', timeout: 240_000, maxBuffer: 64 << 20,
    env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1' },
  }).toString();
}

/** Clicks what `click` clicks and returns the download's suggested name and bytes. */
async function download(page, click) {
  const [dl] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: dl.suggestedFilename(), bytes: readFileSync(await dl.path()) };
}

/** Optuna's view of a journal file: trial count, states, every trial valid, best trial. */
const READ_JOURNAL = `
import json, sys, optuna
try:
    from optuna.storages.journal import JournalFileBackend as backend
except ImportError:
    from optuna.storages import JournalFileStorage as backend
optuna.logging.set_verbosity(optuna.logging.WARNING)
storage = optuna.storages.JournalStorage(backend(sys.argv[1]))
names = [s.study_name for s in optuna.get_all_study_summaries(storage)]
assert len(names) == 1, names
study = optuna.load_study(study_name=names[0], storage=storage)
trials = study.get_trials(deepcopy=False)
def valid(t):
    try:
        t._validate()
        return "ok"
    except Exception as e:
        return str(e)
try:
    best = {"number": study.best_trial.number, "value": study.best_trial.value}
except ValueError:
    best = None
print(json.dumps({"trials": len(trials), "states": [t.state.name for t in trials], "valid": [valid(t) for t in trials], "best": best}))
`;

test('Export → Python runs in Python; the journals go both ways', { skip: problem || false, timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hpp-e2e-interop-'));
  const page = await open(app, '', { context: { acceptDownloads: true } });
  try {
    // a tiny sweep of the default experiment (spiral; learning rate, units and L2 searched)
    await page.getByRole('checkbox', { name: /Choose the number of workers/ }).uncheck();
    await setNumber(page, 'Epochs', 10);
    await setNumber(page, /Trial budget/, 3);
    await setNumber(page, /Parallel trials/, 1);
    await page.getByRole('combobox', { name: 'Compute backend' }).selectOption('cpu');
    await runToEnd(page);
    assert.equal((await tableRows(page)).length, 3);

    // Export → Python: a zip with study.py, study.json, data.npz
    await page.locator('details.interop > summary').click();
    const zip = await download(page, () => page.getByRole('button', { name: /Export → Python/ }).click());
    assert.match(zip.name, /\.zip$/);
    await page.getByRole('status').filter({ hasText: `Saved ${zip.name}` }).waitFor();
    let folder = '';
    for (const [name, bytes] of Object.entries(unzipSync(new Uint8Array(zip.bytes)))) {
      const path = join(dir, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, bytes);
      if (name.endsWith('/study.py')) folder = dirname(path);
    }
    assert.ok(folder, 'the zip holds study.py');
    const manifest = JSON.parse(readFileSync(join(folder, 'study.json'), 'utf8'));
    assert.equal(manifest.experiment.model.epochs, 10);
    assert.deepEqual(manifest.params.map((p) => p.name), ['learning_rate', 'l2', 'units']);

    // the script on SQLite, with a budget of 2: it finishes with exactly 2 trials
    const db = join(dir, 's1.db');
    const sqlite = python(['study.py', '--storage', `sqlite:///${db}`, '--study-name', 's1', '--n-trials', '2', '--threads', '1'], folder);
    assert.match(sqlite, /the study has 2 finished of 2\./);
    const count = python(['-c', 'import sys, optuna; print(len(optuna.load_study(study_name="s1", storage=sys.argv[1]).trials))', `sqlite:///${db}`], dir);
    assert.equal(count.trim(), '2');

    // the script on a journal file (--journal), with a budget of 3
    const scriptLog = join(dir, 'script.log');
    const viaJournal = python(['study.py', '--journal', scriptLog, '--study-name', 'j1', '--n-trials', '3', '--threads', '1'], folder);
    assert.match(viaJournal, /the study has 3 finished of 3\./);
    writeFileSync(join(dir, 'read.py'), READ_JOURNAL);
    const optunaView = JSON.parse(python([join(dir, 'read.py'), scriptLog], dir));
    assert.equal(optunaView.trials, 3);
    assert.ok(optunaView.best, 'Optuna has a best trial');

    // the page's study as an Optuna journal: Optuna loads it, every trial valid
    const saved = await download(page, () => page.getByRole('button', { name: 'Save as Optuna journal' }).click());
    assert.match(saved.name, /\.log$/);
    writeFileSync(join(dir, saved.name), saved.bytes);
    const pageView = JSON.parse(python([join(dir, 'read.py'), join(dir, saved.name)], dir));
    assert.equal(pageView.trials, 3);
    assert.deepEqual(pageView.valid, ['ok', 'ok', 'ok']);
    assert.deepEqual(pageView.states, ['COMPLETE', 'COMPLETE', 'COMPLETE']);

    // the script's journal opened back in the page: Optuna's trial count and best trial
    await page.getByLabel('Optuna journal file to open').setInputFiles({ name: 'script.log', mimeType: 'text/plain', buffer: readFileSync(scriptLog) });
    const note = page.getByRole('status').filter({ hasText: /Opened \d+ trials from script\.log/ });
    await note.waitFor();
    assert.match(await note.textContent(), new RegExp(`Opened 3 trials from script\\.log; Optuna's best is trial #${optunaView.best.number + 1}\\.`));
    await page.waitForFunction((sel) => document.querySelectorAll(`${sel} tbody tr`).length === 3, TABLE);
    const rows = await tableRows(page);
    assert.deepEqual(rows.map((r) => r['#']).sort(), ['1', '2', '3']);
    const best = rows.find((r) => r['#'] === String(optunaView.best.number + 1));
    // the table shows accuracies as percentages with one decimal
    assert.ok(Math.abs(parseFloat(best['Final val acc.']) - optunaView.best.value * 100) <= 0.051, `${best['Final val acc.']} vs ${optunaView.best.value}`);
    for (const r of rows) assert.ok(parseFloat(r['Final val acc.']) <= parseFloat(best['Final val acc.']), `row ${r['#']} is not better than Optuna's best`);
    await page.locator(TABLE).screenshot({ path: `${SHOTS}/interop-journal.png` });
    assert.deepEqual(page.errors, []);
  } finally {
    await page.context().close();
    rmSync(dir, { recursive: true, force: true });
  }
});
