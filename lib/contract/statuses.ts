// The statuses of an approval request: one list, used by the database schema's
// enum (a unit test holds them equal), the domain, the views and the badges.

export const APPROVAL_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'EXPIRED', 'CANCELLED', 'TERMINATED'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** Every status but PENDING: the request can no longer be decided. */
export type ClosedStatus = Exclude<ApprovalStatus, 'PENDING'>;

/** How a decision reached Countersign (the audit trail's and the row's `path`). */
export const DECISION_PATHS = ['DASHBOARD', 'EXTERNAL', 'WORKER', 'RECONCILER', 'API', 'EMAIL'] as const;
export type DecisionPath = (typeof DECISION_PATHS)[number];

/** The paths on which Countersign itself decided (its own transaction, its own check of who may): they vouch for the reviewer. */
export const COUNTERSIGN_PATHS = ['DASHBOARD', 'API', 'EMAIL'] as const satisfies readonly DecisionPath[];
export type CountersignPath = (typeof COUNTERSIGN_PATHS)[number];
