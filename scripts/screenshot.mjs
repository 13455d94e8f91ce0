// Runs the default 12-trial spiral sweep in the built app and saves docs/screenshot.png.
// Usage: npm run build && node scripts/screenshot.mjs
import { launch, serve } from '../tests/e2e/harness.mjs';

const server = await serve();
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
await page.goto(server.url);
await page.getByRole('button', { name: /Run sweep/ }).click();
await page.getByRole('button', { name: /Cancel/ }).waitFor();
await page.waitForFunction(() => document.querySelector('button.danger')?.hasAttribute('disabled'), null, { timeout: 600_000 });
// What a projector shows (one laptop screen), and the whole page.
await page.locator(`section[aria-labelledby="table-title"] tbody tr`).nth(11).click();
await page.evaluate(() => window.scrollTo(0, 0));
await page.screenshot({ path: 'docs/screenshot.png' });
await page.screenshot({ path: 'docs/screenshot-full.png', fullPage: true });
await browser.close();
await server.close();
console.log('wrote docs/screenshot.png and docs/screenshot-full.png');
