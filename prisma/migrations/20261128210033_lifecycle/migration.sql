-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "ApprovalStatus" ADD VALUE 'EXPIRED';
ALTER TYPE "ApprovalStatus" ADD VALUE 'CANCELLED';
ALTER TYPE "ApprovalStatus" ADD VALUE 'TERMINATED';

-- AlterEnum
ALTER TYPE "DecisionPath" ADD VALUE 'RECONCILER';

-- AlterTable
ALTER TABLE "approval_requests" ADD COLUMN     "claimed_at" TIMESTAMP(3),
ADD COLUMN     "claimed_by" TEXT;

