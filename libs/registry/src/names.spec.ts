import { maskIdNumber, normaliseName, validateIdNumber } from './names.js';

describe('names and ID numbers', () => {
  it('normalises full-width brackets, spaces and Latin case', () => {
    expect(normaliseName('上海　华虹（集团） 有限公司')).toBe('上海华虹(集团)有限公司');
    expect(normaliseName('ＡＢＣ Tech')).toBe('abctech');
  });

  it('checks resident ID numbers (GB 11643, MOD 11-2)', () => {
    expect(validateIdNumber('11010519491231002X')).toEqual({ ok: true, value: '11010519491231002X' });
    expect(validateIdNumber('110105194912310021')).toEqual({ ok: false, reason: 'check character is "1", the digits give "X"' });
    expect(validateIdNumber('1101051949')).toMatchObject({ ok: false, reason: /18 characters/ });
  });

  it('masks all but the first and last four characters', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('1101**********002X');
  });
});
