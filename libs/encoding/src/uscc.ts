/**
 * Unified Social Credit Code (统一社会信用代码), GB 32100-2015: 18 characters
 *   1     registration authority (登记管理部门码)
 *   2     organisation type (机构类别码)
 *   3-8   administrative division of the registering authority (GB/T 2260)
 *   9-17  organisation code (主体标识码, GB 11714: 8 characters and a check character)
 *   18    check character over positions 1-17
 * Characters: 0-9 and upper-case letters except I, O, S, V, Z.
 */
export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

const USCC_WEIGHTS = Array.from({ length: 17 }, (_, i) => 3 ** i % 31);
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

export type UsccStatus = 'valid' | 'unverified';

export interface UsccProblem {
  /** 1-based position, or 0 for the whole code. */
  position: number;
  reason: string;
}

export type UsccResult =
  | {
      ok: true;
      /** The code as stored: trimmed, upper case, full-width folded. */
      code: string;
      /** `unverified`: well formed, but a check character does not match. */
      status: UsccStatus;
      checkProblems: UsccProblem[];
      parts: { authority: string; type: string; division: string; organisationCode: string; check: string };
    }
  | { ok: false; problems: UsccProblem[] };

/** Fold full-width characters and spaces a department's spreadsheet may carry; upper-case. */
export function normaliseUscc(input: string): string {
  return input.normalize('NFKC').replace(/[\s-]/g, '').toUpperCase();
}

/** The check character for the first 17 characters (which must be in the charset). */
export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARSET.indexOf(first17[i]!) * USCC_WEIGHTS[i]!;
  return USCC_CHARSET[(31 - (sum % 31)) % 31]!;
}

/** GB 11714 check character of an 8-character organisation-code body. */
export function orgCodeCheckChar(body8: string): string | undefined {
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const c = body8[i]!;
    const v = /[0-9]/.test(c) ? Number(c) : /[A-Z]/.test(c) ? c.charCodeAt(0) - 55 : NaN;
    if (Number.isNaN(v)) return undefined;
    sum += v * ORG_WEIGHTS[i]!;
  }
  const c9 = 11 - (sum % 11);
  return c9 === 10 ? 'X' : c9 === 11 ? '0' : String(c9);
}

/**
 * Validate a credit code. Malformed codes (length, characters, division digits) are refused
 * with what is wrong; a well-formed code whose check characters fail is accepted as
 * `unverified` with the problems listed, so the caller decides (real data contains such codes).
 */
export function validateUscc(input: string): UsccResult {
  const code = normaliseUscc(input);
  const problems: UsccProblem[] = [];
  if (code.length !== 18) {
    return { ok: false, problems: [{ position: 0, reason: `must be 18 characters, got ${code.length}` }] };
  }
  for (let i = 0; i < 18; i++) {
    const c = code[i]!;
    if (!USCC_CHARSET.includes(c)) {
      problems.push({ position: i + 1, reason: `character "${c}" is not allowed (only 0-9 and A-Z without I, O, S, V, Z)` });
    }
  }
  if (!/^[0-9]{6}$/.test(code.slice(2, 8))) problems.push({ position: 3, reason: 'positions 3-8 must be a 6-digit division code (GB/T 2260)' });
  if (problems.length) return { ok: false, problems };

  const checkProblems: UsccProblem[] = [];
  const expected = usccCheckChar(code.slice(0, 17));
  if (code[17] !== expected) checkProblems.push({ position: 18, reason: `check character is "${code[17]}", the code's characters give "${expected}"` });
  const orgExpected = orgCodeCheckChar(code.slice(8, 16));
  if (orgExpected !== code[16]) {
    checkProblems.push({ position: 17, reason: `organisation-code check character is "${code[16]}", GB 11714 gives "${orgExpected ?? '?'}"` });
  }
  return {
    ok: true,
    code,
    status: checkProblems.length ? 'unverified' : 'valid',
    checkProblems,
    parts: { authority: code[0]!, type: code[1]!, division: code.slice(2, 8), organisationCode: code.slice(8, 17), check: code[17]! },
  };
}
