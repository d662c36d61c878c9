import { Foundation1795420800000 } from './1795420800000-foundation.js';
import { Registry1795507200000 } from './1795507200000-registry.js';
import { DelegationUnlinked1795593600000 } from './1795593600000-delegation-unlinked.js';
import { ChangeFeed1795680000000 } from './1795680000000-change-feed.js';
import { Webhooks1795766400000 } from './1795766400000-webhooks.js';
import { Duplicates1795852800000 } from './1795852800000-duplicates.js';
import { Credit1795939200000 } from './1795939200000-credit.js';
import { Payments1796025600000 } from './1796025600000-payments.js';
import { Tasks1796112000000 } from './1796112000000-tasks.js';
import { Meetings1796198400000 } from './1796198400000-meetings.js';
import { ConsultationRequests1796284800000 } from './1796284800000-consultation-requests.js';
import { AnnualReports1796371200000 } from './1796371200000-annual-reports.js';

/** Every migration, oldest first. Append only; never edit one that has shipped. */
export const MIGRATIONS = [Foundation1795420800000, Registry1795507200000, DelegationUnlinked1795593600000, ChangeFeed1795680000000, Webhooks1795766400000, Duplicates1795852800000, Credit1795939200000, Payments1796025600000, Tasks1796112000000, Meetings1796198400000, ConsultationRequests1796284800000, AnnualReports1796371200000];
