/** Normal form of names and titles for matching: NFKC (full-width brackets, letters, digits), no spaces, lower-case Latin. */
export function normaliseName(s: string): string {
  return s.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** A resident ID number (GB 11643): 17 digits and a check character (ISO 7064 MOD 11-2). */
export function validateIdNumber(input: string): { ok: true; value: string } | { ok: false; reason: string } {
  const v = input.normalize('NFKC').replace(/\s/g, '').toUpperCase();
  if (!/^\d{17}[\dX]$/.test(v)) return { ok: false, reason: 'must be 18 characters: 17 digits and a digit or X' };
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(v[i]) * ID_WEIGHTS[i]!;
  if (ID_CHECK[sum % 11] !== v[17]) return { ok: false, reason: `check character is "${v[17]}", the digits give "${ID_CHECK[sum % 11]}"` };
  return { ok: true, value: v };
}

export { maskIdNumber } from '#encoding';
