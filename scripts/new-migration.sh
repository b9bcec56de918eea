#!/usr/bin/env bash
# Writes prisma/migrations/<timestamp>_<name>/migration.sql: the SQL from the
# schema as last migrated to prisma/schema.prisma. `prisma migrate dev` does not
# work in Prisma's JS mode, so the previous schema comes from the migrations
# folder's last commit. Needs a reachable DATABASE_URL (the CLI connects).
set -euo pipefail
name=${1:?usage: scripts/new-migration.sh <name>}
cd "$(dirname "$0")/.."
last=$(git log -1 --format=%H -- prisma/migrations)
previous=$(mktemp --suffix=.prisma)
trap 'rm -f "$previous"' EXIT
git show "$last:prisma/schema.prisma" > "$previous"
dir="prisma/migrations/$(date -u +%Y%m%d%H%M%S)_${name}"
mkdir -p "$dir"
npx prisma migrate diff --from-schema-datamodel "$previous" --to-schema-datamodel prisma/schema.prisma --script > "$dir/migration.sql"
echo "wrote $dir/migration.sql"
