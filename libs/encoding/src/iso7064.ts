/**
 * ISO/IEC 7064 hybrid system MOD 37,36 over 0-9A-Z: one check character that catches every
 * single-character error and nearly all adjacent transpositions.
 */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const M = 36;

function value(c: string): number {
  const v = ALPHABET.indexOf(c);
  if (v < 0) throw new RangeError(`"${c}" is not 0-9 or A-Z`);
  return v;
}

function residue(chars: string): number {
  let p = M;
  for (const c of chars) {
    let s = (p + value(c)) % M;
    if (s === 0) s = M;
    p = (2 * s) % (M + 1);
  }
  return p;
}

/** The check character for `body` (0-9, A-Z). */
export function mod3736Check(body: string): string {
  return ALPHABET[(M + 1 - residue(body)) % M]!;
}

/** Whether the last character of `code` is the right check character for the rest. */
export function mod3736Valid(code: string): boolean {
  if (!/^[0-9A-Z]{2,}$/.test(code)) return false;
  return mod3736Check(code.slice(0, -1)) === code.slice(-1);
}
