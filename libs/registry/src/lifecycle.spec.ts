import { allowedTransitions, checkTransition, isFinal, ProjectStatus as S } from './lifecycle.js';

describe('project lifecycle', () => {
  it('walks the whole path of 000 §五(五) as the owning department', () => {
    const path = [S.DRAFT, S.ACCEPTED, S.PRELIMINARY_CHECK, S.EXPERT_REVIEW, S.CONSULTATION, S.APPROVED, S.IN_IMPLEMENTATION, S.ACCEPTANCE_PASSED, S.CLOSED];
    for (let i = 0; i + 1 < path.length; i++) expect(checkTransition(path[i]!, path[i + 1]!, ['OWNER'])).toEqual({ ok: true });
    expect(isFinal(S.CLOSED)).toBe(true);
  });

  it('allows one reconsideration after a failed acceptance, then pass or termination (001)', () => {
    expect(checkTransition(S.ACCEPTANCE_FAILED, S.RECONSIDERATION, ['OWNER']).ok).toBe(true);
    expect(checkTransition(S.RECONSIDERATION, S.ACCEPTANCE_PASSED, ['OWNER']).ok).toBe(true);
    expect(checkTransition(S.RECONSIDERATION, S.TERMINATED, ['OWNER']).ok).toBe(true);
    expect(checkTransition(S.RECONSIDERATION, S.RECONSIDERATION, ['OWNER'])).toMatchObject({ ok: false, kind: 'invalid' });
  });

  it('lets only the leading department terminate a running project (002 §四)', () => {
    expect(checkTransition(S.IN_IMPLEMENTATION, S.TERMINATED, ['OWNER'])).toEqual({ ok: false, kind: 'forbidden', needs: ['LEADING'] });
    expect(checkTransition(S.IN_IMPLEMENTATION, S.TERMINATED, ['LEADING'])).toEqual({ ok: true });
  });

  it('names the allowed moves when a move is not allowed', () => {
    expect(checkTransition(S.DRAFT, S.APPROVED, ['OWNER'])).toEqual({ ok: false, kind: 'invalid', allowed: [S.ACCEPTED, S.REJECTED, S.WITHDRAWN] });
    expect(checkTransition(S.CLOSED, S.DRAFT, ['OWNER', 'LEADING'])).toEqual({ ok: false, kind: 'invalid', allowed: [] });
  });

  it('ends in the side exits and never leaves them', () => {
    for (const s of [S.REJECTED, S.WITHDRAWN, S.TERMINATED, S.CLOSED]) expect(allowedTransitions(s)).toEqual([]);
    expect(allowedTransitions(S.DRAFT).map((t) => t.to)).toContain(S.WITHDRAWN);
  });

  it('gives nobody a move it does not list', () => {
    for (const from of Object.values(S)) {
      for (const to of Object.values(S)) {
        const listed = allowedTransitions(from).some((t) => t.to === to);
        expect(checkTransition(from, to, ['OWNER', 'LEADING']).ok).toBe(listed);
      }
    }
  });
});
