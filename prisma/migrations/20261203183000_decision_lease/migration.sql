-- A decision in flight leases its row while Temporal answers, so that no
-- transaction (and no connection) is held across the Temporal call
-- (lib/approvals/records/lease.ts). Other deciders, claims and the outcome
-- recorder wait for the lease to end. An expired lease is no lease.
ALTER TABLE "approval_requests" ADD COLUMN "deciding_lease" UUID;
ALTER TABLE "approval_requests" ADD COLUMN "deciding_until" TIMESTAMPTZ(3);

-- A lease taken or ended changes nothing anyone sees: it is not announced on
-- "approval_changes" (browsers would reload for nothing). Inserts are
-- announced as before, updates only when a column other than the lease's
-- changed.
DROP TRIGGER "approval_requests_notify" ON "approval_requests";
CREATE TRIGGER "approval_requests_notify_insert" AFTER INSERT ON "approval_requests"
  FOR EACH ROW EXECUTE FUNCTION countersign_notify_approval_change();
CREATE TRIGGER "approval_requests_notify_update" AFTER UPDATE ON "approval_requests"
  FOR EACH ROW
  WHEN ((to_jsonb(OLD) - 'deciding_lease' - 'deciding_until') IS DISTINCT FROM (to_jsonb(NEW) - 'deciding_lease' - 'deciding_until'))
  EXECUTE FUNCTION countersign_notify_approval_change();
