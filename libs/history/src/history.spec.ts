import { canonicalJson, diff, entryHash, verifyChain, type HistoryEntry } from './history.js';

function chain(n: number): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (let i = 1; i <= n; i++) {
    const e = {
      entityType: 'project' as const,
      entityId: '00000000-0000-4000-8000-000000000001',
      seq: i,
      at: new Date(Date.UTC(2026, 0, i)),
      departmentId: null,
      apiKeyId: null,
      action: i === 1 ? 'REGISTERED' : 'UPDATED',
      reason: '',
      changes: { title: { before: `t${i - 1}`, after: `t${i}` } },
      prevHash: out[i - 2]?.hash ?? null,
    };
    out.push({ ...e, id: String(i), hash: entryHash(e) });
  }
  return out;
}

describe('history chain', () => {
  it('verifies an untouched chain', () => {
    expect(verifyChain(chain(5))).toEqual([]);
  });

  it('finds a changed entry, a removed entry and a re-hashed entry', () => {
    const edited = chain(4);
    edited[1] = { ...edited[1]!, changes: { title: { before: 't1', after: 'forged' } } };
    expect(verifyChain(edited)).toEqual([{ seq: 2, problem: expect.stringMatching(/does not match its hash/) }]);

    const removed = chain(4).filter((e) => e.seq !== 3);
    expect(verifyChain(removed).map((p) => p.seq)).toEqual([4, 4]);

    // Re-hashing the forged entry breaks the link to the next one.
    const rehashed = chain(4);
    const forged = { ...rehashed[1]!, reason: 'forged' };
    rehashed[1] = { ...forged, hash: entryHash(forged) };
    expect(verifyChain(rehashed)).toEqual([{ seq: 3, problem: 'does not link to the entry before it' }]);
  });

  it('hashes independently of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}');
  });

  it('records only the fields that changed', () => {
    expect(diff({ a: 1, b: [1], c: 'x' }, { a: 1, b: [1, 2], c: null })).toEqual({ b: { before: [1], after: [1, 2] }, c: { before: 'x', after: null } });
  });
});
