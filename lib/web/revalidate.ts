// After a server action changed requests: the pages that show them render anew.
import 'server-only';
import { revalidatePath } from 'next/cache';

/** The inbox and the admin queue list every request; `/inbox/<id>` shows one. */
export function revalidateApprovals(...ids: string[]): void {
  revalidatePath('/inbox');
  revalidatePath('/admin');
  for (const id of ids) revalidatePath(`/inbox/${id}`);
}
