// Workflow histories: the committed fixtures (test/fixtures/histories, written
// by `npm run histories:record`), Temporal's JSON form of a history, and what
// the tests read from one.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { History } from '@temporalio/common/lib/proto-utils';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

export const HISTORIES_DIR = path.resolve(__dirname, '..', 'fixtures', 'histories');

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): unknown;
}

// The SDK's historyToJSON and historyFromJSON (@temporalio/common/lib/proto-utils)
// fail in this install with "type must be a Type": npm gave @temporalio/common
// and @temporalio/proto a copy of protobufjs 8 each, and protojson checks its
// own copy's Type with instanceof. These do what they do (same library, same
// format) with the copy @temporalio/proto builds its types with.
const protojson = createRequire(require.resolve('@temporalio/proto'))('protobufjs/ext/protojson') as ProtoJson;
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType(
  'temporal.api.history.v1.History',
);

/** A history as Temporal's JSON (the format of `temporal workflow show --output json`). */
export function historyToJson(history: History): unknown {
  return protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history));
}

/** A history from Temporal's JSON. */
export function historyFromJson(json: unknown): History {
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History;
}

export interface HistoryFixture {
  /** The file name, without .json. */
  name: string;
  history: History;
}

/** Every committed history, by file name. */
export function loadHistoryFixtures(): HistoryFixture[] {
  return fs
    .readdirSync(HISTORIES_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      name: file.slice(0, -'.json'.length),
      history: historyFromJson(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8'))),
    }));
}

/** Why each failed workflow task failed (a non-determinism error shows here); empty when none failed. */
export function workflowTaskFailures(history: History): string[] {
  return (history.events ?? []).flatMap((event) => {
    const failed = event.workflowTaskFailedEventAttributes;
    return failed ? [`${String(failed.cause)}: ${failed.failure?.message ?? 'no message'}`] : [];
  });
}

/** The patch ids the run recorded (patched() returned true at least once). */
export function patchMarkers(history: History): string[] {
  return (history.events ?? []).flatMap((event) => {
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_patch') return [];
    const data = marker.details?.['patch-data']?.payloads?.[0]?.data;
    if (!data) return [];
    const { id } = JSON.parse(Buffer.from(data).toString('utf8')) as { id?: string };
    return id ? [id] : [];
  });
}

/** The activity types the run scheduled, in order. */
export function scheduledActivities(history: History): string[] {
  return (history.events ?? []).flatMap((event) => {
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    return name ? [name] : [];
  });
}

/** The workflow type a history is of, from its first event. */
export function workflowTypeOf(history: History): string | undefined {
  return history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? undefined;
}
