import { Module } from '@nestjs/common';
import { HistoryModule } from '#history';
import { ReferenceModule } from '#reference';
import { AlertRepository } from './alert.repository.js';
import { DedupService } from './dedup.service.js';
import { MatchIndex } from './match-index.repository.js';
import { ScanDuplicatesHandler } from './scan.handler.js';

@Module({
  imports: [HistoryModule, ReferenceModule],
  providers: [MatchIndex, AlertRepository, DedupService, ScanDuplicatesHandler],
  exports: [MatchIndex, DedupService],
})
export class DedupModule {}
