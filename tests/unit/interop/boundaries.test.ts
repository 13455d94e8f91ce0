import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '../../../src/lib/interop');
// comments may name what the code must not call
const code = (f: string) => readFileSync(join(root, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');

describe('interop modules stay pure', () => {
  it.each(readdirSync(root).map((f) => [f, code(f)]))('%s: no Svelte, UI, tfjs, DOM, clock or unseeded randomness', (_, src) => {
    expect(src).not.toMatch(/from ['"](svelte|@tensorflow|.*\/ui\/)/);
    expect(src).not.toMatch(/\b(window|document|localStorage|indexedDB|fetch)\b[.(]/);
    expect(src).not.toMatch(/Date\.now\(|Math\.random\(|performance\.now\(/);
  });
});
