// What the end-to-end tests do to the page, as a person would: open it, type into labelled
// fields, run a sweep to its end, read the trials table.
import { mkdirSync } from 'node:fs';

/** Where screenshots of the e2e runs land. */
export const SHOTS = 'test-results';
mkdirSync(SHOTS, { recursive: true });
/** The trials table. */
export const TABLE = 'section[aria-labelledby="table-title"]';

/** Collects page errors (and Content-Security-Policy violations) into `page.errors`. */
export function watchErrors(page) {
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => /Content Security Policy/i.test(m.text()) && page.errors.push(m.text()));
  return page;
}

/** A fresh page in its own context (no shared storage) at `hash`, once the Run button is there. */
export async function open(app, hash = '', { viewport = { width: 1366, height: 900 }, context: opts = {} } = {}) {
  const context = await app.browser.newContext({ viewport, ...opts });
  const page = watchErrors(await context.newPage());
  await page.goto(app.server.url + hash);
  await page.getByRole('button', { name: /Run sweep/ }).waitFor();
  return page;
}

/** Types a value into a labelled number field (exact label, or a RegExp). */
export async function setNumber(page, name, value) {
  await page.getByRole('spinbutton', { name, exact: typeof name === 'string' }).fill(String(value));
}

/** Sets up a small sweep: `budget` trials of `epochs` epochs on `backend`. */
export async function smallSweep(page, { budget, epochs, backend, concurrency = 1 }) {
  await setNumber(page, 'Epochs', epochs);
  await setNumber(page, /Trial budget/, budget);
  await setNumber(page, /Parallel trials/, concurrency);
  await page.getByRole('combobox', { name: 'Compute backend' }).selectOption(backend);
}

/** smallSweep with a fixed number of workers and no batching: each trial trains alone, in order. */
export async function plainSweep(page, opts) {
  await page.getByRole('checkbox', { name: /Choose the number of workers/ }).uncheck();
  await page.getByRole('checkbox', { name: /Train trials with the same network together/ }).uncheck();
  await smallSweep(page, opts);
}

/** Waits until Run is enabled (data loaded, settings valid). */
export async function runnable(page, timeout = 15_000) {
  await page.waitForFunction(() => !document.querySelector('.runbar button.primary')?.disabled, null, { timeout });
}

/** Sweeps the page has finished so far (the run bar's `data-sweeps`). */
export const sweepsDone = (page) => page.locator('.runbar').getAttribute('data-sweeps').then(Number);

/** Waits until the page has finished more than `n` sweeps and none runs. */
export async function sweepEnded(page, n, timeout = 240_000) {
  await page.waitForFunction((k) => {
    const bar = document.querySelector('.runbar');
    return bar && Number(bar.dataset.sweeps) > k && bar.dataset.state === 'idle';
  }, n, { timeout });
}

/** Answers "Run anyway" when the page asks before a long sweep (the estimate depends on the device). */
export async function runAnyway(page) {
  const ask = page.getByRole('alertdialog');
  if (await ask.count()) await ask.getByRole('button', { name: 'Run anyway' }).click();
}

/** Presses Run and waits for that sweep to end (whatever its speed: it waits for states, not time). */
export async function runToEnd(page, timeout = 240_000) {
  await runnable(page);
  const n = await sweepsDone(page);
  await page.getByRole('button', { name: /Run sweep/ }).click();
  await runAnyway(page);
  await sweepEnded(page, n, timeout);
}

/** Rows of the trials table as objects keyed by column header, in table order. A long table
 *  renders only the rows in view (aria-rowcount holds the real count): it is scrolled through,
 *  as a person would, until every row was seen. */
export async function tableRows(page) {
  return page.evaluate(async (sel) => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const table = document.querySelector(`${sel} table`);
    if (!table) return [];
    const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent.replace(/[▲▼]/g, '').trim());
    const total = Number(table.getAttribute('aria-rowcount') ?? 0) - 1;
    const seen = new Map();
    const read = () => {
      for (const tr of table.querySelectorAll('tbody tr[aria-rowindex]')) {
        seen.set(Number(tr.getAttribute('aria-rowindex')), Object.fromEntries([...tr.querySelectorAll('td')].map((td, i) => [heads[i], td.textContent.trim()])));
      }
    };
    read();
    const scroller = table.closest('.scroll');
    if (scroller && seen.size < total) {
      const start = scroller.scrollTop;
      for (let top = 0; seen.size < total && top <= scroller.scrollHeight; top += Math.max(40, scroller.clientHeight / 2)) {
        scroller.scrollTop = top;
        scroller.dispatchEvent(new Event('scroll'));
        await frame();
        read();
      }
      scroller.scrollTop = start;
      scroller.dispatchEvent(new Event('scroll'));
    }
    return [...seen.keys()].sort((a, b) => a - b).map((k) => seen.get(k));
  }, TABLE);
}
