import { mod3736Check } from './iso7064.js';

/**
 * The unified project code (统一项目编码): 24 upper-case letters and digits.
 *
 *   310000 2024 KW000 05 000123 7
 *   |      |    |     |  |      └ check character, ISO/IEC 7064 MOD 37,36 over the 23 before it
 *   |      |    |     |  └ sequence within jurisdiction, year, department and sub-fund (6 digits)
 *   |      |    |     └ sub-fund code within its fund ("00" when the project has none)
 *   |      |    └ department code, right-padded with "0" to 5 characters
 *   |      └ year of the application (4 digits)
 *   └ jurisdiction, GB/T 2260 (6 digits)
 *
 * Sorting codes sorts projects by jurisdiction, year, department, sub-fund and order of
 * registration. Written for people with hyphens (310000-2024-KW000-05-000123-7); any
 * separators, spaces and lower case are accepted on input. See docs/project-code.md.
 */
export const PROJECT_CODE_LENGTH = 24;

export interface ProjectCodeParts {
  jurisdiction: string;
  year: number;
  department: string;
  subFund: string;
  sequence: number;
}

export type ParsedProjectCode =
  | { ok: true; code: string; display: string; parts: ProjectCodeParts }
  | { ok: false; input: string; reason: string };

const SHAPE = /^(\d{6})(\d{4})([A-Z]{2,5}0*)([0-9A-Z]{2})(\d{6})([0-9A-Z])$/;

/** The 5-character department segment of a department code (2-5 letters). */
export function departmentSegment(departmentCode: string): string {
  if (!/^[A-Z]{2,5}$/.test(departmentCode)) {
    throw new RangeError(`department code "${departmentCode}" cannot be encoded: it must be 2 to 5 letters A-Z`);
  }
  return departmentCode.padEnd(5, '0');
}

export function formatProjectCode(parts: ProjectCodeParts): string {
  const { jurisdiction, year, department, subFund, sequence } = parts;
  if (!/^\d{6}$/.test(jurisdiction)) throw new RangeError(`jurisdiction "${jurisdiction}" must be 6 digits`);
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new RangeError(`year ${year} must have 4 digits`);
  if (!/^[0-9A-Z]{2}$/.test(subFund)) throw new RangeError(`sub-fund "${subFund}" must be 2 letters or digits`);
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > 999_999) throw new RangeError(`sequence ${sequence} must be 1 to 999999`);
  const body = `${jurisdiction}${year}${departmentSegment(department)}${subFund}${String(sequence).padStart(6, '0')}`;
  return body + mod3736Check(body);
}

/** 310000-2024-KW000-05-000123-7 */
export function displayProjectCode(code: string): string {
  return [code.slice(0, 6), code.slice(6, 10), code.slice(10, 15), code.slice(15, 17), code.slice(17, 23), code.slice(23)].join('-');
}

/** Read a code as a person may type it; says what is wrong, and tells a mistyped code from an unknown one. */
/** A project code as people write it (full-width, with separators, lower case) in its canonical letters; not yet checked. */
export function normalProjectCode(input: string): string {
  return input.normalize('NFKC').replace(/[\s\-_./]/g, '').toUpperCase();
}

export function parseProjectCode(input: string): ParsedProjectCode {
  const code = normalProjectCode(input);
  if (code.length !== PROJECT_CODE_LENGTH) {
    return { ok: false, input, reason: `a project code has ${PROJECT_CODE_LENGTH} letters and digits; this has ${code.length}` };
  }
  const m = SHAPE.exec(code);
  if (!m) {
    return { ok: false, input, reason: 'the layout is 6-digit jurisdiction, 4-digit year, 5-character department, 2-character sub-fund, 6-digit sequence, check character' };
  }
  const expected = mod3736Check(code.slice(0, 23));
  if (expected !== code[23]) {
    return { ok: false, input, reason: `the check character is "${code[23]}" but the code's characters give "${expected}": the code is mistyped` };
  }
  return {
    ok: true,
    code,
    display: displayProjectCode(code),
    parts: {
      jurisdiction: m[1]!,
      year: Number(m[2]),
      department: m[3]!.replace(/0+$/, ''),
      subFund: m[4]!,
      sequence: Number(m[5]),
    },
  };
}
