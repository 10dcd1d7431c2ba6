import { z } from 'zod';

/**
 * Events the main process pushes to the renderer, next to the calls of contract.ts (issue #14):
 * the window subscribes instead of polling. Every event's payload has a schema, parsed by the
 * sender before it crosses (a worker's event is checked in the main process before the window
 * sees it), so a listener gets exactly the type below.
 */

const keyOfEvent = z.object({ serial: z.string(), label: z.string() });

/** A progress figure of a long task: `done` of `total` units, with what is being worked on. */
const progress = {
  done: z.number().int().min(0),
  total: z.number().int().min(0),
  /** The document (file name) or page being worked on, when there is one. */
  current: z.string().max(300).optional(),
};

export const EVENTS = {
  /**
   * A USB key was inserted or removed, or its token flags changed (locked, unlocked, PIN to be
   * changed): the main process's key watcher, keys by serial, never slot id.
   */
  'usbKey.changed': z.object({ inserted: z.array(keyOfEvent), removed: z.array(keyOfEvent), changed: z.array(keyOfEvent).default([]) }),
  /** The stamping batch moved on: one event per document begun or ended; active false at the end. */
  'stamp.progress': z.object({ active: z.boolean(), ...progress }),
  /** A verification batch moved on (documents). */
  'verify.progress': z.object({ active: z.boolean(), ...progress }),
  /**
   * Text/OCR reading of a document's pages for the document gate (U2): `done` pages of
   * `total` read, `stage` says whether the text layer or OCR is being read.
   */
  'ocr.progress': z.object({ document: z.string().max(300), stage: z.enum(['text', 'ocr']), ...progress }),
} as const satisfies Record<string, z.ZodType>;

export type EventName = keyof typeof EVENTS;
export type EventOf<E extends EventName> = z.infer<(typeof EVENTS)[E]>;

/** One pushed event as it crosses a transport. */
export interface EventMessage {
  readonly event: EventName;
  readonly payload: unknown;
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(EVENTS, value);
}

/** Checks an event against its schema; undefined for an unknown name or a malformed payload. */
export function parseEvent(event: unknown, payload: unknown): EventMessage | undefined {
  if (!isEventName(event)) return undefined;
  const parsed = EVENTS[event].safeParse(payload);
  return parsed.success ? { event, payload: parsed.data } : undefined;
}

/** The single Electron channel events travel on; the event's name travels inside the message. */
export const EVENT_CHANNEL = 'yinjian:event';
