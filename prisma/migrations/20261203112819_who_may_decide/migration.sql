-- AlterTable
ALTER TABLE "users" ADD COLUMN     "active" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "away_until" TIMESTAMP(3),
ADD COLUMN     "deactivated_at" TIMESTAMP(3),
ADD COLUMN     "delegate_id" TEXT,
ALTER COLUMN "password_hash" DROP NOT NULL;

-- AlterTable
ALTER TABLE "approval_requests" ADD COLUMN     "approvals" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "approver_groups" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "approver_users" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "decided_for" TEXT,
ADD COLUMN     "escalate_groups" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "escalate_users" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "four_eyes" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "policy_name" TEXT,
ADD COLUMN     "quorum" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "requester" TEXT,
ADD COLUMN     "values" JSONB,
ADD COLUMN     "workflow_type" TEXT;

-- CreateTable
CREATE TABLE "groups" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "groups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "group_members" (
    "group_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "added_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "group_members_pkey" PRIMARY KEY ("group_id","user_id")
);

-- CreateTable
CREATE TABLE "password_tokens" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "used_at" TIMESTAMP(3),
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "password_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "policies" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "approver_groups" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "approver_users" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "quorum" INTEGER NOT NULL DEFAULT 1,
    "quorum_rules" JSONB NOT NULL DEFAULT '[]',
    "four_eyes" BOOLEAN NOT NULL DEFAULT true,
    "escalate_groups" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "escalate_users" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "policies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "approval_votes" (
    "id" TEXT NOT NULL,
    "approval_request_id" UUID NOT NULL,
    "run_id" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "voter" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "path" "DecisionPath" NOT NULL,
    "comment" TEXT,
    "values" JSONB,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "approval_votes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "groups_name_key" ON "groups"("name");

-- CreateIndex
CREATE INDEX "group_members_user_id_idx" ON "group_members"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "password_tokens_token_hash_key" ON "password_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "password_tokens_user_id_idx" ON "password_tokens"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "policies_name_key" ON "policies"("name");

-- CreateIndex
CREATE UNIQUE INDEX "approval_votes_approval_request_id_run_id_voter_key" ON "approval_votes"("approval_request_id", "run_id", "voter");

-- CreateIndex
CREATE UNIQUE INDEX "approval_votes_approval_request_id_run_id_actor_key" ON "approval_votes"("approval_request_id", "run_id", "actor");

-- CreateIndex
CREATE INDEX "users_delegate_id_idx" ON "users"("delegate_id");

-- CreateIndex
CREATE INDEX "approval_requests_workflow_type_status_idx" ON "approval_requests"("workflow_type", "status");

-- AddForeignKey
ALTER TABLE "users" ADD CONSTRAINT "users_delegate_id_fkey" FOREIGN KEY ("delegate_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "groups"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "password_tokens" ADD CONSTRAINT "password_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approval_votes" ADD CONSTRAINT "approval_votes_approval_request_id_fkey" FOREIGN KEY ("approval_request_id") REFERENCES "approval_requests"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- By hand: Prisma lists are never null, so neither are the columns (the
-- routing predicates in SQL rely on it).
ALTER TABLE "approval_requests"
  ALTER COLUMN "approver_groups" SET NOT NULL,
  ALTER COLUMN "approver_users" SET NOT NULL,
  ALTER COLUMN "escalate_groups" SET NOT NULL,
  ALTER COLUMN "escalate_users" SET NOT NULL;
ALTER TABLE "policies"
  ALTER COLUMN "approver_groups" SET NOT NULL,
  ALTER COLUMN "approver_users" SET NOT NULL,
  ALTER COLUMN "escalate_groups" SET NOT NULL,
  ALTER COLUMN "escalate_users" SET NOT NULL;

-- By hand: the inbox's "for me" and group filters test the routing arrays with && (overlap).
CREATE INDEX "approval_requests_approver_groups_idx" ON "approval_requests" USING GIN ("approver_groups");
CREATE INDEX "approval_requests_approver_users_idx" ON "approval_requests" USING GIN ("approver_users");
CREATE INDEX "approval_requests_escalate_groups_idx" ON "approval_requests" USING GIN ("escalate_groups");
CREATE INDEX "approval_requests_escalate_users_idx" ON "approval_requests" USING GIN ("escalate_users");
