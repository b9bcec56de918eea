/** One column's header: its name, and how its cell differs from the table's default. */
export interface ColumnHeading {
  label: string;
  align?: 'right';
  /** Classes that replace the table's default for this one cell. */
  className?: string;
  /** Named for screen readers only (say, a column of checkboxes). */
  srOnly?: boolean;
}

/** The admin queue's request columns, in this order (the inbox adds its own: progress, selection). */
export const REQUEST_COLUMNS: readonly ColumnHeading[] = [
  { label: 'Request' },
  { label: 'Type' },
  { label: 'Requester' },
  { label: 'Amount', align: 'right' },
  { label: 'Age' },
  { label: 'Time left' },
  { label: 'Claimed by' },
];

/** A table's header row: one `<th scope="col">` per column, each with `className` unless the column has its own. */
export function ColumnHeaders({ columns, className }: { columns: readonly ColumnHeading[]; className: string }) {
  return (
    <tr>
      {columns.map((column) => (
        <th
          key={column.label}
          scope="col"
          className={column.className ?? (column.align === 'right' ? `${className} text-right` : className)}
        >
          {column.srOnly ? <span className="sr-only">{column.label}</span> : column.label}
        </th>
      ))}
    </tr>
  );
}
