// An error a caller can act on: a stable code, one HTTP status and one
// sentence. The domain's (ApprovalError) and auth's (AccessError) extend it;
// raw gRPC or Prisma errors never reach a reviewer.
export abstract class CodedError<Code extends string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string) {
    super(message);
    this.code = code;
  }

  abstract get httpStatus(): number;
}
