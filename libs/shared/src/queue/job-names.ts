/**
 * Every job the platform runs, by name, with its payload type.
 * WARNING: names are stored in Redis and in the job_run table. Renaming one strands
 * queued jobs: add the new name, drain the old one, then remove it.
 */
export enum JobName {
  /** A no-op that proves the queue and a worker run; used by `cli queue ping` and the tests. */
  SystemPing = 'system.ping',
  /** Import a department system's file into the registry (libs/integration). */
  ImportProjects = 'integration.import-projects',
  /** Send due webhooks the change feed (enqueued every few seconds by the process that runs jobs). */
  DeliverWebhooks = 'integration.deliver-webhooks',
  /** Write the registry, or a filtered part, to a file (libs/integration). */
  ExportProjects = 'integration.export-projects',
  /** Scan the registry, or a year, a department or some projects, for duplicate funding (libs/dedup). */
  ScanDuplicates = 'dedup.scan',
  /** Expire credit records whose period ended; re-check the open applications new records concern (libs/credit). */
  CreditDaily = 'credit.daily',
  /** Mark follow-up tasks past their due date (libs/consultation). */
  MarkOverdueTasks = 'consultation.mark-overdue-tasks',
  /** Compile the annual linkage-management report for a year as of a day (libs/report). */
  CompileAnnualReport = 'report.annual',
}

export interface JobPayloads {
  [JobName.SystemPing]: {
    message: string;
    /** Steps to report as progress (default 1). */
    steps?: number;
    /** Fail with a retryable error this many times first (for exercising retries). */
    failTimes?: number;
  };
  [JobName.DeliverWebhooks]: Record<string, never>;
  [JobName.ExportProjects]: {
    caller: { departmentId: string; departmentCode: string; role: 'STAFF' | 'LEADING' | 'INFORMATION_CENTER' | 'READER'; apiKeyId: string | null };
    /** The registry's project filter, amounts as fen strings. */
    filter: Record<string, unknown>;
    format: 'csv' | 'xlsx' | 'jsonl';
  };
  [JobName.CreditDaily]: Record<string, never>;
  [JobName.MarkOverdueTasks]: Record<string, never>;
  [JobName.CompileAnnualReport]: {
    year: number;
    /** YYYY-MM-DD; the figures stand as of the end of that day (UTC). */
    asOf: string;
    /** Six-digit code of the jurisdiction whose linkage the report covers. */
    jurisdiction: string;
    /** The department that asked (the leading department), or null from the operator's CLI. */
    departmentId: string | null;
  };
  [JobName.ScanDuplicates]: {
    scope: { year?: number; department?: string; projectIds?: string[] };
  };
  [JobName.ImportProjects]: {
    /** The stored upload (import_file). */
    fileId: string;
    /** Who imports: the department's key as the gateway resolved it, or the operator's CLI. */
    caller: { departmentId: string; departmentCode: string; role: 'STAFF' | 'LEADING' | 'INFORMATION_CENTER' | 'READER'; apiKeyId: string | null };
    options: {
      department?: string;
      format?: 'csv' | 'xlsx' | 'jsonl';
      encoding?: 'utf-8' | 'gb18030';
      allOrNothing?: boolean;
      registerMissing?: boolean;
      allowUnverifiedUscc?: boolean;
      /** Scan the imported projects for duplicates against the whole registry when the rows are stored (default true). */
      duplicateScan?: boolean;
    };
  };
}

export interface JobResults {
  [JobName.SystemPing]: { echo: string; steps: number; attempt: number };
  /** The import report (libs/integration ImportReport). */
  [JobName.ImportProjects]: Record<string, unknown>;
  [JobName.DeliverWebhooks]: { attempted: number; delivered: number; failed: number };
  [JobName.ExportProjects]: { fileId: string; fileName: string; rows: number };
  /** The scan report (libs/dedup ScanReport). */
  [JobName.ScanDuplicates]: Record<string, unknown>;
  [JobName.CreditDaily]: { expired: number; rechecked: number; changed: number };
  [JobName.MarkOverdueTasks]: { marked: number };
  [JobName.CompileAnnualReport]: { reportId: string; year: number; asOf: string; contentHash: string; durationMs: number };
}

export type JobPayload<N extends JobName> = JobPayloads[N];
export type JobResult<N extends JobName> = JobResults[N];

/** The one BullMQ queue the platform uses; job names route inside it. */
export const PLATFORM_QUEUE = 'platform';

export function isJobName(name: string): name is JobName {
  return (Object.values(JobName) as string[]).includes(name);
}
