-- The planner's view of "for me" (lib/approvals/policy/eligible-sql.ts): a
-- request routed to no one (no approver groups, no approver users) is for any
-- reviewer. Without statistics on those two expressions PostgreSQL guesses
-- `cardinality(...) = 0` matches 0.5 % of the rows, so "for me" looked
-- rare to it even when it is most of the table: at 1,000,000 pending rows
-- the inbox's capped count (LIMIT 10,001) became a parallel scan of the
-- whole table, and a free-text page a bitmap of every match. With these
-- (gathered by ANALYZE and autovacuum) the estimate follows the data. Prisma's
-- schema cannot express statistics objects: this one is written by hand.
CREATE STATISTICS "approval_requests_routing_stats" ON (cardinality("approver_groups")), (cardinality("approver_users"))
  FROM "approval_requests";

ANALYZE "approval_requests";
