// Coded errors of the directory (people, groups, links, delegation): one code,
// one HTTP status, one sentence an admin or a reviewer can act on.
import { CodedError } from '../coded-error';

export type DirectoryErrorCode = 'INVALID' | 'NOT_FOUND' | 'CONFLICT';

const HTTP_STATUS: Record<DirectoryErrorCode, number> = {
  INVALID: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
};

export class DirectoryError extends CodedError<DirectoryErrorCode> {
  override readonly name = 'DirectoryError';

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }
}

export const invalid = (message: string) => new DirectoryError('INVALID', message);
export const notFound = (message: string) => new DirectoryError('NOT_FOUND', message);
export const conflict = (message: string) => new DirectoryError('CONFLICT', message);

/** "a", "a and b", "a, b and c". */
export function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
