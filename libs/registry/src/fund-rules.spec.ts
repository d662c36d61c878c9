import { checkFundRules, paymentSchedule, type FundRules } from './fund-rules.js';

/** Minhang's rules (001), as seeded on its fund. */
const MINHANG: FundRules = {
  maxShareOfTotalInvestment: 0.5,
  maxAmountFen: '1000000000',
  selfRaisedAtLeastRequested: true,
  paymentPlan: [
    { stage: 'APPROVAL', share: 0.3 },
    { stage: 'ACCEPTANCE', share: 0.7 },
  ],
};

const wan = (n: number) => BigInt(Math.round(n * 1_000_000));

describe('fund rules (001)', () => {
  it('passes an application within every limit', () => {
    expect(checkFundRules(MINHANG, { fiscal: wan(300), fiscalLabel: 'requested', requested: wan(300), selfRaised: wan(700), totalInvestment: wan(1000) })).toEqual([]);
  });

  it('passes exactly at the limits: 50% of total, 1000 万元, self-raised equal to requested', () => {
    expect(checkFundRules(MINHANG, { fiscal: wan(1000), fiscalLabel: 'requested', requested: wan(1000), selfRaised: wan(1000), totalInvestment: wan(2000) })).toEqual([]);
  });

  it('reports each broken rule with the rule and the numbers', () => {
    const v = checkFundRules(MINHANG, { fiscal: wan(1200), fiscalLabel: 'requested', requested: wan(1200), selfRaised: wan(500), totalInvestment: wan(1700) });
    expect(v.map((x) => x.rule).sort()).toEqual(['MAX_AMOUNT', 'MAX_SHARE_OF_TOTAL_INVESTMENT', 'SELF_RAISED_AT_LEAST_REQUESTED']);
    expect(v.find((x) => x.rule === 'MAX_AMOUNT')).toMatchObject({ limit: '10000000.00', actual: '12000000.00', message: 'requested 1200.00 万元 exceeds the fund\'s maximum of 1000.00 万元' });
    expect(v.find((x) => x.rule === 'MAX_SHARE_OF_TOTAL_INVESTMENT')).toMatchObject({ limit: '8500000.00', actual: '12000000.00' });
    expect(v.find((x) => x.rule === 'SELF_RAISED_AT_LEAST_REQUESTED')).toMatchObject({ limit: '12000000.00', actual: '5000000.00' });
  });

  it('checks the approved amount at approval', () => {
    const v = checkFundRules(MINHANG, { fiscal: wan(600), fiscalLabel: 'approved', requested: wan(400), selfRaised: wan(600), totalInvestment: wan(1000) });
    expect(v).toEqual([expect.objectContaining({ rule: 'MAX_SHARE_OF_TOTAL_INVESTMENT', message: expect.stringMatching(/^approved 600.00 万元/) })]);
  });

  it('does not guess missing amounts, and a fund without rules accepts anything', () => {
    expect(checkFundRules(MINHANG, { fiscal: wan(300), fiscalLabel: 'requested', requested: wan(300), selfRaised: null, totalInvestment: null })).toEqual([]);
    expect(checkFundRules({}, { fiscal: wan(99999), fiscalLabel: 'requested', requested: wan(99999), selfRaised: 0n, totalInvestment: 1n })).toEqual([]);
  });

  it('splits the approved amount 30% / 70% to the fen', () => {
    expect(paymentSchedule(MINHANG, 333_333_33n)).toEqual([
      { stage: 'APPROVAL', share: 0.3, amountFen: 99_999_99n },
      { stage: 'ACCEPTANCE', share: 0.7, amountFen: 233_333_34n },
    ]);
  });
});
