// What the approvals domain runs on, injected by each process (web, worker, scripts, tests).
import type { Client } from '@temporalio/client';
import type { Db } from '../db';

export interface ApprovalDeps {
  db: Db;
  temporal: Client;
}
