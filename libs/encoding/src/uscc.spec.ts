import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { projectRoot } from '#shared/core/index.js';
import { normaliseUscc, orgCodeCheckChar, USCC_CHARSET, usccCheckChar, validateUscc } from './uscc.js';

/** ../shared/bench/orgs/registry.csv: 4,271 real organisations with their codes. */
function realCodes(): string[] {
  const csv = readFileSync(join(projectRoot(), '..', 'shared', 'bench', 'orgs', 'registry.csv'), 'utf8');
  const rows = parse(csv, { columns: true, skip_empty_lines: true }) as { uscc: string }[];
  return rows.map((r) => r.uscc);
}

describe('Unified Social Credit Code (GB 32100-2015)', () => {
  const codes = realCodes();

  it('accepts every real 18-character code as valid, organisation code included', () => {
    // The file has 4,271 rows; 86 carry no code and one carries a 15-digit business
    // registration number (注册号) of the pre-2015 system, which is not a credit code.
    expect(codes).toHaveLength(4271);
    const present = codes.filter((c) => c !== '');
    expect(present).toHaveLength(4185);
    const results = present.map((c) => [c, validateUscc(c)] as const);
    const notValid = results.filter(([, r]) => !r.ok || r.status !== 'valid');
    expect(notValid.map(([c]) => c)).toEqual(['340000000036433']);
    expect(validateUscc('340000000036433')).toEqual({ ok: false, problems: [{ position: 0, reason: 'must be 18 characters, got 15' }] });
    expect(results.filter(([, r]) => r.ok && r.status === 'valid')).toHaveLength(4184);
  });

  it('splits a code into its parts', () => {
    const r = validateUscc('91320191790421052D');
    expect(r.ok && r.parts).toEqual({ authority: '9', type: '1', division: '320191', organisationCode: '790421052', check: 'D' });
  });

  it('folds full-width characters, spaces and lower case', () => {
    expect(normaliseUscc(' ９１３２０１９１７９０４２１０５２ｄ ')).toBe('91320191790421052D');
    expect(validateUscc('91320191 7904 2105 2d')).toMatchObject({ ok: true, status: 'valid' });
  });

  it('marks every single-character change of a real code as unverified or malformed, never valid', () => {
    let changed = 0;
    for (const code of codes.slice(0, 300)) {
      for (let pos = 0; pos < 18; pos++) {
        const other = USCC_CHARSET[(USCC_CHARSET.indexOf(code[pos]!) + 7) % 31]!;
        const mutated = code.slice(0, pos) + other + code.slice(pos + 1);
        const r = validateUscc(mutated);
        expect(r.ok && r.status === 'valid').toBe(false);
        changed++;
      }
    }
    expect(changed).toBe(300 * 18);
  });

  it('keeps a code whose check character fails as unverified, saying which check failed', () => {
    const good = codes[0]!;
    const wrongCheck = good.slice(0, 17) + USCC_CHARSET[(USCC_CHARSET.indexOf(good[17]!) + 1) % 31];
    const r = validateUscc(wrongCheck);
    expect(r).toMatchObject({ ok: true, status: 'unverified' });
    expect(r.ok && r.checkProblems).toEqual([{ position: 18, reason: expect.stringMatching(/check character is ".", the code's characters give "."/) }]);
  });

  it.each([
    ['91320191790421052', /must be 18 characters, got 17/],
    ['91320191790421052DX', /must be 18 characters, got 19/],
    ['', /must be 18 characters, got 0/],
    ['9132019179042105IO', /character "I" is not allowed/],
    ['91AB0191790421052D', /positions 3-8 must be a 6-digit division code/],
  ])('refuses the malformed code %j: %s', (input, reason) => {
    const r = validateUscc(input);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.map((p) => p.reason).join('; ')).toMatch(reason);
  });

  it('computes the published check characters', () => {
    expect(usccCheckChar('91320191790421052')).toBe('D');
    expect(orgCodeCheckChar('MA2UMADM')).toBe('8');
    expect(orgCodeCheckChar('7904210X')).toBeDefined();
  });
});
