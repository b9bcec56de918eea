import Link from 'next/link';
import { ReissuedMark } from './status-badge';

/** A request's title as a link to its page, followed by its escalation mark once it was re-issued. */
export function RequestTitle({
  request,
  id,
  tabIndex,
  className,
}: {
  request: { id: string; title: string; attempt: number };
  /** For controls elsewhere in the row that name the request with aria-describedby. */
  id?: string;
  tabIndex?: number;
  className: string;
}) {
  return (
    <>
      <Link id={id} href={`/inbox/${request.id}`} tabIndex={tabIndex} className={className}>
        {request.title}
      </Link>
      <span className="ml-2">
        <ReissuedMark attempt={request.attempt} />
      </span>
    </>
  );
}
