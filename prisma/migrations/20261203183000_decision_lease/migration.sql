-- A decision in flight leases its row while Temporal answers, so that no
-- transaction (and no connection) is held across the Temporal call
-- (lib/approvals/records/lease.ts). Other deciders, claims and the outcome
-- recorder wait for the lease to end. An expired lease is no lease.
ALTER TABLE "approval_requests" ADD COLUMN "deciding_lease" UUID;
ALTER TABLE "approval_requests" ADD COLUMN "deciding_until" TIMESTAMPTZ(3);
