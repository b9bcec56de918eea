/** What a reviewer sees on a page only admins may open: `what` says whose it is ("Groups are managed by admins."). */
export function AdminsOnly({ what }: { what: string }) {
  return (
    <p role="alert" className="rounded-lg border border-red-200 bg-red-50 p-6 text-red-800">
      {what} Ask an admin for access.
    </p>
  );
}
