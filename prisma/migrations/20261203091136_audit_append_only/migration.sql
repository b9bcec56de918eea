-- The audit trail is append-only, in the database itself: a request with
-- events can no longer be deleted (no cascade), and a trigger refuses every
-- UPDATE, DELETE and TRUNCATE of audit_events, whoever sends it.

-- DropForeignKey
ALTER TABLE "audit_events" DROP CONSTRAINT "audit_events_approval_request_id_fkey";

-- AddForeignKey
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_approval_request_id_fkey" FOREIGN KEY ("approval_request_id") REFERENCES "approval_requests"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- The body is an E'' string with \x3b for each semicolon: Prisma's migration
-- runner (driver-adapter mode) splits the script at every semicolon, even
-- inside a dollar-quoted body (as in migration 20261128213705_inbox).
CREATE FUNCTION countersign_audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS
  E'BEGIN RAISE EXCEPTION ''audit_events is append-only: % is not allowed'', TG_OP USING ERRCODE = ''restrict_violation''\x3b END';
CREATE TRIGGER "audit_events_append_only" BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION countersign_audit_events_append_only();
CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION countersign_audit_events_append_only();
