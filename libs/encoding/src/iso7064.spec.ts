import { mod3736Check, mod3736Valid } from './iso7064.js';

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function pseudoRandomCodes(n: number, length: number): string[] {
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  return Array.from({ length: n }, () => Array.from({ length }, () => ALNUM[next() % 36]).join(''));
}

describe('ISO/IEC 7064 MOD 37,36', () => {
  const bodies = pseudoRandomCodes(500, 20);

  it('accepts a body followed by its check character', () => {
    for (const b of bodies) expect(mod3736Valid(b + mod3736Check(b))).toBe(true);
  });

  it('catches every single-character substitution', () => {
    for (const b of bodies.slice(0, 100)) {
      const code = b + mod3736Check(b);
      for (let i = 0; i < code.length; i++) {
        for (const c of ALNUM) {
          if (c === code[i]) continue;
          expect(mod3736Valid(code.slice(0, i) + c + code.slice(i + 1))).toBe(false);
        }
      }
    }
  });

  it('catches adjacent transpositions', () => {
    let caught = 0;
    let total = 0;
    for (const b of bodies) {
      const code = b + mod3736Check(b);
      for (let i = 0; i + 1 < code.length; i++) {
        if (code[i] === code[i + 1]) continue;
        total++;
        if (!mod3736Valid(code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2))) caught++;
      }
    }
    expect(caught / total).toBeGreaterThan(0.99);
  });

  it('refuses characters outside 0-9 and A-Z', () => {
    expect(mod3736Valid('abc')).toBe(false);
    expect(() => mod3736Check('A-B')).toThrow(/"-" is not 0-9 or A-Z/);
  });
});
