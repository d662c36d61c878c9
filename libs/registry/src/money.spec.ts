import { ValidationError } from '#shared/core/index.js';
import { fenToWan, fenToYuan, wanToFen, yuanToFen } from './money.js';

describe('money', () => {
  it.each([
    ['0', 0n],
    ['1', 100n],
    ['0.01', 1n],
    ['1234567.89', 123456789n],
    ['10,000,000.00', 1000000000n],
    ['999999999999999.99', 99999999999999999n],
  ])('reads %s yuan exactly as %s fen', (yuan, fen) => {
    expect(yuanToFen('amount', yuan)).toBe(fen);
  });

  it('reads 万元 as documents write them', () => {
    expect(wanToFen('amount_wan', '800')).toBe(800_000_000n);
    expect(wanToFen('amount_wan', '12.3456')).toBe(12_345_600n);
    expect(wanToFen('amount_wan', '0.000001')).toBe(1n);
  });

  it.each([
    ['-1', /not an amount/],
    ['1.234', /more decimals than a fen allows/],
    ['abc', /not an amount/],
    ['1e5', /not an amount/],
    ['', /not an amount/],
  ])('refuses %j naming the field', (v, reason) => {
    expect(() => yuanToFen('requestedYuan', v)).toThrow(ValidationError);
    expect(() => yuanToFen('requestedYuan', v)).toThrow(new RegExp(`requestedYuan: .*${reason.source}`));
  });

  it('shows fen as yuan and 万元, rounding half up', () => {
    expect(fenToYuan(123456789n)).toBe('1234567.89');
    expect(fenToYuan(5n)).toBe('0.05');
    expect(fenToWan(123456789n)).toBe('123.4568');
    expect(fenToWan(123456789n, 2)).toBe('123.46');
    expect(fenToWan(1000000000n, 2)).toBe('1000.00');
  });

  it('never loses a fen on amounts beyond floating-point precision', () => {
    const big = yuanToFen('x', '90071992547409.93');
    expect(big).toBe(9007199254740993n);
    expect(fenToYuan(big)).toBe('90071992547409.93');
  });
});
