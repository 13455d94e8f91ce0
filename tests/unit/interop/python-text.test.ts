import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseIsoTime, parsePyJson, pyFloat, pyFloatText, pyIsoTime, pyJson } from '../../../src/lib/interop/python-text';

describe('pyFloatText: repr of a Python float (expected values printed by CPython 3.11)', () => {
  it.each([
    [0.0003, '0.0003'], [1e-5, '1e-05'], [8, '8.0'], [123.456, '123.456'], [1e16, '1e+16'], [1.5e-7, '1.5e-07'],
    [0.1, '0.1'], [1e-4, '0.0001'], [12345678901234567, '1.2345678901234568e+16'], [-0, '-0.0'], [0, '0.0'],
    [2.5e-308, '2.5e-308'], [5e-324, '5e-324'], [1.7976931348623157e308, '1.7976931348623157e+308'],
    [123456789012345.6, '123456789012345.6'], [0.30000000000000004, '0.30000000000000004'], [-1e-5, '-1e-05'],
    [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'],
  ])('%s -> %s', (x, text) => {
    expect(pyFloatText(x)).toBe(text);
  });

  it('reads back as the same double', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => Number(pyFloatText(x)) === x || (x === 0 && Number(pyFloatText(x)) === 0)));
  });
});

describe('pyJson: json.dumps', () => {
  it.each([
    [{ a: [1, pyFloat(2), null, true, 'é😀\x7f\n"'], b: {} }, '{"a": [1, 2.0, null, true, "\\u00e9\\ud83d\\ude00\\u007f\\n\\""], "b": {}}'],
    [[pyFloat(NaN), -Infinity], '[NaN, -Infinity]'],
    [{ skip: undefined, keep: 0.5 }, '{"keep": 0.5}'],
    [[], '[]'],
  ])('%j', (value, text) => {
    expect(pyJson(value)).toBe(text);
  });
});

describe('parsePyJson', () => {
  it.each([
    ['{"a": NaN, "b": [Infinity, -Infinity], "c": "NaN Infinity"}', { a: NaN, b: [Infinity, -Infinity], c: 'NaN Infinity' }],
    ['{"s": "a \\" NaN"}', { s: 'a " NaN' }],
    ['[1, 2.5e-3]', [1, 0.0025]],
  ])('%s', (text, value) => {
    expect(parsePyJson(text)).toEqual({ ok: true, value });
  });

  it.each(['{"a": nan}', '{"a": NaN', 'NaNa', '', '{"a": 1} x'])('refuses %j', (text) => {
    expect(parsePyJson(text).ok).toBe(false);
  });

  it('drops keys that reach a prototype', () => {
    const r = parsePyJson('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}, "x": {"__proto__": {"polluted": 1}}}');
    expect(r).toEqual({ ok: true, value: { x: {} } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => typeof parsePyJson(s).ok === 'boolean'));
  });
});

describe('ISO times as Python writes and reads them', () => {
  it('round-trips to the microsecond (local naive time)', () => {
    for (const ms of [0, 1_700_000_000_123.456, 1_234_567_890_000, Date.UTC(2024, 1, 29, 23, 59, 59, 999)]) {
      const text = pyIsoTime(ms);
      expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
      expect(parseIsoTime(text)).toBeCloseTo(ms, 3);
    }
  });

  it.each([
    ['2024-01-02T03:04:05+00:00', Date.UTC(2024, 0, 2, 3, 4, 5)],
    ['2024-01-02T03:04:05.250000Z', Date.UTC(2024, 0, 2, 3, 4, 5, 250)],
    ['2024-01-02T03:04:05-02:30', Date.UTC(2024, 0, 2, 5, 34, 5)],
    ['2024-01-02 03:04:05.5+01:00', Date.UTC(2024, 0, 2, 2, 4, 5, 500)],
  ])('%s', (text, ms) => {
    expect(parseIsoTime(text)).toBe(ms);
  });

  it.each(['', 'yesterday', '2024-13-01T00:00:00', '2024-01-01T25:00:00', 42, null, '2024-01-01T00:00:00' + '0'.repeat(80)])('%j is not a time', (text) => {
    expect(parseIsoTime(text)).toBeNaN();
  });
});
