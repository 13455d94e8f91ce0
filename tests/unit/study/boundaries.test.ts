import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '../../../src/lib');
const files = [
  ...readdirSync(join(root, 'study')).map((f) => join(root, 'study', f)),
  join(root, 'search/create.ts'),
  join(root, 'analysis/metric.ts'),
];

describe('study modules stay pure', () => {
  // comments may name what the code must not call
  const code = (f: string) => readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
  it.each(files.map((f) => [f.slice(root.length + 1), code(f)]))('%s: no Svelte, UI, tfjs, DOM, clock or unseeded randomness', (_, src) => {
    expect(src).not.toMatch(/from ['"](svelte|@tensorflow|.*\/ui\/)/);
    expect(src).not.toMatch(/\b(window|document|localStorage|indexedDB)\./);
    expect(src).not.toMatch(/Date\.now\(|Math\.random\(|performance\.now\(/);
  });
});
