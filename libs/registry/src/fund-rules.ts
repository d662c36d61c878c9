import { fenToWan, fenToYuan, type Fen } from './money.js';

/**
 * A fund's rules, stored as data on the fund (001 for Minhang: at most 50% of total
 * investment, at most 10,000,000 yuan, self-raised money at least the fiscal money requested,
 * paid 30% on approval and 70% after acceptance).
 */
export interface FundRules {
  /** Fiscal money at most this share of total investment (0.5 = 50%). */
  maxShareOfTotalInvestment?: number;
  /** Fiscal money at most this many fen. */
  maxAmountFen?: string;
  /** Self-raised money at least the fiscal money requested. */
  selfRaisedAtLeastRequested?: boolean;
  /** Payment stages; shares add up to at most 1. */
  paymentPlan?: { stage: 'APPROVAL' | 'ACCEPTANCE'; share: number }[];
}

export interface RuleViolation {
  rule: 'MAX_SHARE_OF_TOTAL_INVESTMENT' | 'MAX_AMOUNT' | 'SELF_RAISED_AT_LEAST_REQUESTED';
  message: string;
  limit: string;
  actual: string;
}

export interface AmountsToCheck {
  /** The fiscal money in question: requested at registration, approved at approval. */
  fiscal: Fen | null;
  fiscalLabel: 'requested' | 'approved';
  requested: Fen | null;
  selfRaised: Fen | null;
  totalInvestment: Fen | null;
}

const wan = (f: Fen) => `${fenToWan(f, 2)} 万元`;

/** Check amounts against a fund's rules; an empty list means they comply. Missing amounts are not guessed. */
export function checkFundRules(rules: FundRules, a: AmountsToCheck): RuleViolation[] {
  const out: RuleViolation[] = [];
  if (a.fiscal !== null && rules.maxAmountFen !== undefined) {
    const max = BigInt(rules.maxAmountFen);
    if (a.fiscal > max) {
      out.push({ rule: 'MAX_AMOUNT', message: `${a.fiscalLabel} ${wan(a.fiscal)} exceeds the fund's maximum of ${wan(max)}`, limit: fenToYuan(max), actual: fenToYuan(a.fiscal) });
    }
  }
  if (a.fiscal !== null && a.totalInvestment !== null && rules.maxShareOfTotalInvestment !== undefined) {
    // Compare exactly in integers: fiscal / total <= share  ⇔  fiscal * 10000 <= total * share*10000.
    const shareBp = BigInt(Math.round(rules.maxShareOfTotalInvestment * 10_000));
    if (a.fiscal * 10_000n > a.totalInvestment * shareBp) {
      const limit = (a.totalInvestment * shareBp) / 10_000n;
      out.push({
        rule: 'MAX_SHARE_OF_TOTAL_INVESTMENT',
        message: `${a.fiscalLabel} ${wan(a.fiscal)} is more than ${rules.maxShareOfTotalInvestment * 100}% of total investment ${wan(a.totalInvestment)} (at most ${wan(limit)})`,
        limit: fenToYuan(limit),
        actual: fenToYuan(a.fiscal),
      });
    }
  }
  if (rules.selfRaisedAtLeastRequested && a.requested !== null && a.selfRaised !== null && a.selfRaised < a.requested) {
    out.push({
      rule: 'SELF_RAISED_AT_LEAST_REQUESTED',
      message: `self-raised ${wan(a.selfRaised)} is less than the fiscal money requested ${wan(a.requested)}`,
      limit: fenToYuan(a.requested),
      actual: fenToYuan(a.selfRaised),
    });
  }
  return out;
}

/** Amounts due at each payment stage for an approved amount (the last stage takes the rounding). */
export function paymentSchedule(rules: FundRules, approved: Fen): { stage: string; share: number; amountFen: Fen }[] {
  const plan = rules.paymentPlan ?? [];
  let left = approved;
  return plan.map((p, i) => {
    const amount = i === plan.length - 1 ? left : (approved * BigInt(Math.round(p.share * 10_000))) / 10_000n;
    left -= amount;
    return { stage: p.stage, share: p.share, amountFen: amount };
  });
}
