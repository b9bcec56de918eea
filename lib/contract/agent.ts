// The AI agent example: a (scripted) agent asks a person before it runs a
// tool. The reviewer may edit the tool's arguments; the workflow runs the tool
// with what was approved. Pure: imported by the workflow bundle.
import { z } from 'zod';
import { plainText, type ApprovalRequest, type ApproverEntry } from './approval';
import type { DecisionSchema } from './decision';

export const AGENT_TOOL_WORKFLOW_TYPE = 'agentToolWorkflow';

/** The one tool of the example: send an email. */
export const sendEmailArgsSchema = z.object({
  to: z.string().trim().email('to must be an email address').max(200),
  subject: plainText('subject').trim().min(1, 'subject is required').max(200),
  body: plainText('body').max(5000),
});
export type SendEmailArgs = z.infer<typeof sendEmailArgsSchema>;

export interface AgentToolCall {
  tool: 'send_email';
  args: SendEmailArgs;
  /** Who the agent acts for (the requester, for four eyes). */
  requestedBy?: string;
}

export type AgentToolResult =
  | { status: 'EXECUTED'; tool: 'send_email'; args: SendEmailArgs; approvedBy: string; approvers: ApproverEntry[]; messageId: string }
  | { status: 'REFUSED'; decidedBy: string; reason: string }
  /** Approved, but with arguments the tool cannot take: it did not run. */
  | { status: 'NOT_RUN'; approvedBy: string; problem: string }
  | { status: 'EXPIRED' };

export type AgentToolWorkflow = (call: AgentToolCall) => Promise<AgentToolResult>;

/** The reviewer's form: the tool's arguments, pre-filled with what the agent proposed. */
function sendEmailDecision(args: SendEmailArgs): DecisionSchema {
  return {
    type: 'object',
    title: 'send_email arguments',
    properties: {
      to: { type: 'string', title: 'To', maxLength: 200, default: args.to },
      subject: { type: 'string', title: 'Subject', maxLength: 200, default: args.subject },
      body: { type: 'string', title: 'Body', maxLength: 5000, default: args.body },
    },
    required: ['to', 'subject', 'body'],
  };
}

export function agentToolRequest(call: AgentToolCall): ApprovalRequest {
  return {
    version: 2,
    title: `Agent wants to run ${call.tool} to ${call.args.to}`,
    summary: `Subject: ${call.args.subject}`,
    ...(call.requestedBy ? { requester: call.requestedBy } : {}),
    fields: { tool: call.tool, to: call.args.to, subject: call.args.subject },
    decision: sendEmailDecision(call.args),
  };
}

/**
 * The arguments to run the tool with: the approved values over the proposed
 * ones, checked again. Values the tool cannot take (say, a `to` that is not an
 * email) are a problem to report, never a reason to fall back to what the
 * agent proposed: the tool runs only with arguments a person approved.
 */
export function approvedArgs(
  proposed: SendEmailArgs,
  values: Record<string, unknown> | undefined,
): { ok: true; args: SendEmailArgs } | { ok: false; problem: string } {
  const merged = sendEmailArgsSchema.safeParse({ ...proposed, ...values });
  if (merged.success) return { ok: true, args: merged.data };
  return { ok: false, problem: merged.error.issues.map((issue) => issue.message).join('; ') };
}
