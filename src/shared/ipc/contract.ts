import { z } from 'zod';

/**
 * The IPC contract: one table of channels, each with a zod schema for its request and its
 * response. The main process parses every request against it (a compromised renderer gets a
 * USAGE error, not a crash), the preload builds its one typed API from it, and tests run the
 * same table over an in-memory transport.
 *
 * PINs cross as arrays of byte values, never strings, so the main process can hold them in a
 * Buffer it zeroes (the renderer zeroes its own copy after the call).
 */
const pinBytes = z.array(z.number().int().min(0).max(255)).min(1).max(64);

const usbKeyFlags = z.object({
  tokenInitialized: z.boolean(),
  userPinInitialized: z.boolean(),
  loginRequired: z.boolean(),
  writeProtected: z.boolean(),
  userPinCountLow: z.boolean(),
  userPinFinalTry: z.boolean(),
  userPinLocked: z.boolean(),
  userPinToBeChanged: z.boolean(),
  soPinCountLow: z.boolean(),
  soPinFinalTry: z.boolean(),
  soPinLocked: z.boolean(),
  soPinToBeChanged: z.boolean(),
});

export const usbKeyStatusSchema = z.object({
  label: z.string(),
  serial: z.string(),
  manufacturer: z.string(),
  model: z.string(),
  flags: usbKeyFlags,
  initialPin: z.boolean(),
  initialPinSources: z.array(z.enum(['token-flag', 'first-use-marker', 'register'])),
});

export type UsbKeyStatusDto = z.infer<typeof usbKeyStatusSchema>;

export const CHANNELS = {
  'usbKey.list': { request: z.object({}).strict(), response: z.array(usbKeyStatusSchema) },
  'usbKey.changePin': {
    request: z.object({ token: z.string().min(1).max(64), oldPin: pinBytes, newPin: pinBytes }).strict(),
    response: z.object({ changed: z.literal(true) }),
  },
  'workstation.id': { request: z.object({}).strict(), response: z.object({ code: z.string() }) },
} as const;

export type Channel = keyof typeof CHANNELS;
export type RequestOf<C extends Channel> = z.infer<(typeof CHANNELS)[C]['request']>;
export type ResponseOf<C extends Channel> = z.infer<(typeof CHANNELS)[C]['response']>;

/** Largest serialized request the main process accepts, against a hostile renderer. */
export const MAX_REQUEST_BYTES = 1_000_000;

/** What every channel returns across the process boundary. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: { code: string; zh: string; en: string } };

/** The one API object the preload exposes as `window.yinjian`. */
export type YinjianApi = {
  invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<IpcResult<ResponseOf<C>>>;
};
