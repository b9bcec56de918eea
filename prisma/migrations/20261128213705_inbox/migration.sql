-- DropIndex
DROP INDEX "approval_requests_status_deadline_idx";

-- CreateIndex
CREATE INDEX "approval_requests_status_deadline_id_idx" ON "approval_requests"("status", "deadline", "id");

-- CreateIndex
CREATE INDEX "approval_requests_status_requested_at_id_idx" ON "approval_requests"("status", "requested_at", "id");

-- CreateIndex
CREATE INDEX "approval_requests_status_amount_id_idx" ON "approval_requests"("status", "amount", "id");

-- CreateIndex
CREATE INDEX "approval_requests_claimed_by_status_idx" ON "approval_requests"("claimed_by", "status");

-- CreateIndex
CREATE INDEX "approval_requests_status_decided_at_idx" ON "approval_requests"("status", "decided_at");


-- Free-text search (title, customer, workflow id): a trigram index, by hand,
-- as Prisma's schema cannot express it. pg_trgm is a trusted extension, so
-- the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX "approval_requests_search_trgm_idx" ON "approval_requests"
  USING gin ((lower("title" || ' ' || coalesce("customer", '') || ' ' || "workflow_id")) gin_trgm_ops);

-- Live updates: every change to a request is announced on channel
-- "approval_changes", whichever process wrote it (worker, web, reconciler).
-- The body is an E'' string with \x3b for each semicolon: Prisma's migration
-- runner (driver-adapter mode) splits the script at every semicolon, even
-- inside a dollar-quoted body.
CREATE FUNCTION countersign_notify_approval_change() RETURNS trigger LANGUAGE plpgsql AS
  E'BEGIN PERFORM pg_notify(''approval_changes'', json_build_object(''id'', NEW.id, ''status'', NEW.status, ''op'', lower(TG_OP))::text)\x3b RETURN NULL\x3b END';
CREATE TRIGGER "approval_requests_notify" AFTER INSERT OR UPDATE ON "approval_requests"
  FOR EACH ROW EXECUTE FUNCTION countersign_notify_approval_change();
