// Where the intake's time goes, for a sample of its workflows: each one's start
// → its request stored, cut at the moments Temporal records (the history's
// events and the pending activity's start) and the store itself. All the
// clocks are this machine's (the bench, the Temporal dev server, PostgreSQL).
import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { latencyOf } from './stats';

/** One workflow's moments, wall-clock ms; `stored`: the row (or the raw token) written. */
export interface Moments {
  workflowId: string;
  start: number;
  stored: number;
}

const PHASES = [
  ['start call → started', 'the client and the server'],
  ['started → first workflow task', 'waiting for a worker to take the workflow task'],
  ['first workflow task → activity scheduled', 'the workflow code (and its local activity) until it schedules the approval'],
  ['scheduled → activity started', 'waiting for a worker to take the activity'],
  ['activity started → stored', 'the activity until its write'],
] as const;

/** p50 of each phase over the sample, as one sentence; undefined when nothing could be read. */
export async function phasesOf(client: Client, sample: Moments[]): Promise<string | undefined> {
  const phases: number[][] = PHASES.map(() => []);
  /** Workflow tasks each workflow took until it scheduled the activity (a local activity may take more than one). */
  const tasks: number[] = [];
  for (const { workflowId, start, stored } of sample) {
    try {
      const handle = client.workflow.getHandle(workflowId);
      const [history, description] = await Promise.all([handle.fetchHistory(), handle.describe()]);
      const events = history.events ?? [];
      const at = (found: (typeof events)[number] | undefined) => (found ? tsToMs(found.eventTime) : NaN);
      const started = at(events.find((e) => e.workflowExecutionStartedEventAttributes));
      const firstTask = at(events.find((e) => e.workflowTaskStartedEventAttributes));
      const scheduledIndex = events.findLastIndex((e) => e.activityTaskScheduledEventAttributes);
      const scheduled = at(events[scheduledIndex]);
      if (scheduledIndex >= 0) tasks.push(events.slice(0, scheduledIndex).filter((e) => e.workflowTaskStartedEventAttributes).length);
      const pending = description.raw.pendingActivities?.at(-1);
      const activityStarted = pending?.lastStartedTime ? tsToMs(pending.lastStartedTime) : NaN;
      const cuts = [start, started, firstTask, scheduled, activityStarted, stored];
      PHASES.forEach((_, i) => {
        const span = (cuts[i + 1] ?? NaN) - (cuts[i] ?? NaN);
        if (Number.isFinite(span)) phases[i]?.push(span);
      });
    } catch {
      // One unreadable workflow leaves the sample smaller; the count says so.
    }
  }
  const parts = PHASES.map(([name], i) => {
    const { n, p50 } = latencyOf(phases[i] ?? []);
    return n ? `${name} ${p50.toFixed(0)} ms` : undefined;
  }).filter(Boolean);
  const { n, p50: taskP50 } = latencyOf(tasks);
  const taskText = n ? `; ${taskP50} workflow task(s) until the activity was scheduled` : '';
  return parts.length ? `${parts.join(', ')}${taskText} (p50 over ${latencyOf(phases[0] ?? []).n} sampled workflows)` : undefined;
}

/** Every `count / size`-th of the workflows, at most `size`: early, middle and late ones alike. */
export function sampleOf<T>(items: T[], size: number): T[] {
  const step = Math.max(1, Math.floor(items.length / size));
  return items.filter((_, i) => i % step === 0).slice(0, size);
}
