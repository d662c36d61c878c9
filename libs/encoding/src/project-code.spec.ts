import { displayProjectCode, formatProjectCode, parseProjectCode } from './project-code.js';

describe('unified project code', () => {
  const parts = { jurisdiction: '310000', year: 2024, department: 'KW', subFund: '05', sequence: 123 };

  it('is 24 upper-case letters and digits, readable segment by segment', () => {
    const code = formatProjectCode(parts);
    expect(code).toMatch(/^3100002024KW00005000123[0-9A-Z]$/);
    expect(displayProjectCode(code)).toBe(`310000-2024-KW000-05-000123-${code[23]}`);
  });

  it('parses with or without separators, in lower case, and explains each segment', () => {
    const code = formatProjectCode(parts);
    for (const typed of [code, displayProjectCode(code), displayProjectCode(code).toLowerCase(), ` ${code.slice(0, 10)} ${code.slice(10)} `]) {
      expect(parseProjectCode(typed)).toEqual({ ok: true, code, display: displayProjectCode(code), parts });
    }
  });

  it('sorts by jurisdiction, year, department, sub-fund and sequence', () => {
    const codes = [
      formatProjectCode({ ...parts, sequence: 10 }),
      formatProjectCode({ ...parts, sequence: 9 }),
      formatProjectCode({ ...parts, year: 2023, sequence: 500 }),
      formatProjectCode({ ...parts, subFund: '06', sequence: 1 }),
    ];
    expect([...codes].sort()).toEqual([codes[2], codes[1], codes[0], codes[3]]);
  });

  it('refuses a mistyped code as mistyped, not unknown', () => {
    const code = formatProjectCode(parts);
    const typo = code.slice(0, 20) + (code[20] === '1' ? '2' : '1') + code.slice(21);
    const r = parseProjectCode(typo);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/mistyped/);
    const swapped = code.slice(0, 17) + code[18] + code[17] + code.slice(19);
    if (swapped !== code) expect(parseProjectCode(swapped).ok).toBe(false);
  });

  it.each([
    ['3100002024', /has 10/],
    ['3100002024KW00005000123!', /has 23|layout/],
    ['ABCDEF2024KW00005000123X', /layout/],
  ])('refuses %j saying why', (input, reason) => {
    const r = parseProjectCode(input);
    expect(!r.ok && r.reason).toMatch(reason);
  });

  it('refuses department codes it cannot encode', () => {
    expect(() => formatProjectCode({ ...parts, department: 'TOOLONG' })).toThrow(/2 to 5 letters/);
    expect(() => formatProjectCode({ ...parts, sequence: 1_000_000 })).toThrow(/1 to 999999/);
  });
});
