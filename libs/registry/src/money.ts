import { ValidationError } from '#shared/core/index.js';

/**
 * Money is exact: amounts are integers of fen (分) in bigint, never floats.
 * Input as a decimal string in yuan ("1234567.89") or in 万元 ("123.4567"); output in all three.
 */
export type Fen = bigint;

const DECIMAL = /^(\d{1,15})(?:\.(\d+))?$/;

function parseDecimal(field: string, value: string, scale: number, unit: string): Fen {
  const v = value.trim().replace(/,/g, '');
  const m = DECIMAL.exec(v);
  if (!m) throw ValidationError.field(field, `"${value}" is not an amount in ${unit} (digits, at most one ".", no sign)`);
  const frac = m[2] ?? '';
  if (frac.length > scale) throw ValidationError.field(field, `"${value}" has more decimals than a fen allows (${scale} in ${unit})`);
  return BigInt(m[1]!) * 10n ** BigInt(scale) + BigInt(frac.padEnd(scale, '0') || '0');
}

/** "1234567.89" yuan → 123456789n fen. */
export const yuanToFen = (field: string, yuan: string): Fen => parseDecimal(field, yuan, 2, 'yuan');

/** "123.4567" 万元 → 123456700n fen. */
export const wanToFen = (field: string, wan: string): Fen => parseDecimal(field, wan, 6, '万元');

function formatScaled(fen: Fen, scale: number, decimals: number): string {
  const neg = fen < 0n;
  const abs = neg ? -fen : fen;
  const div = 10n ** BigInt(scale);
  // Round half up to the requested decimals.
  const step = 10n ** BigInt(scale - decimals);
  const rounded = ((abs + step / 2n) / step) * step;
  const whole = rounded / div;
  const frac = (rounded % div).toString().padStart(scale, '0').slice(0, decimals);
  return `${neg ? '-' : ''}${whole}${decimals ? `.${frac}` : ''}`;
}

/** 123456789n → "1234567.89" */
export const fenToYuan = (fen: Fen): string => formatScaled(fen, 2, 2);

/** 123456789n → "123.4568" (万元, four decimals, as documents write them) */
export const fenToWan = (fen: Fen, decimals = 4): string => formatScaled(fen, 6, decimals);
