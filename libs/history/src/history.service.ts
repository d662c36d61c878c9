import { Injectable } from '@nestjs/common';
import { HistoryRepository, type ChangeEvent } from './history.repository.js';
import { verifyChain, type ChainProblem, type HistoryEntry } from './history.js';

export interface VerifyReport {
  records: number;
  entries: number;
  ok: boolean;
  problems: (ChainProblem & { entityType: string; entityId: string })[];
}

/** Reads and checks history; writing goes through HistoryRepository.append inside each change's transaction. */
@Injectable()
export class HistoryService {
  constructor(private readonly repo: HistoryRepository) {}

  /** The change feed: events after a cursor, in order (see HistoryRepository.changes). */
  changes(afterId: bigint, first: number): Promise<ChangeEvent[]> {
    return this.repo.changes(afterId, first);
  }

  list(entityType: HistoryEntry['entityType'], entityId: string): Promise<HistoryEntry[]> {
    return this.repo.list(entityType, entityId);
  }

  async verify(scope?: { entityType: HistoryEntry['entityType']; entityId: string }): Promise<VerifyReport> {
    const report: VerifyReport = { records: 0, entries: 0, ok: true, problems: [] };
    const check = (chain: HistoryEntry[]) => {
      if (chain.length === 0) return;
      report.records++;
      report.entries += chain.length;
      for (const p of verifyChain(chain)) report.problems.push({ ...p, entityType: chain[0]!.entityType, entityId: chain[0]!.entityId });
    };
    if (scope) check(await this.repo.list(scope.entityType, scope.entityId));
    else for await (const chain of this.repo.allChains()) check(chain);
    report.ok = report.problems.length === 0;
    return report;
  }
}
