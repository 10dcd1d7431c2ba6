/**
 * Names shared by the transports that carry the contract: Electron IPC in the app, and the
 * loopback WebSocket of the renderer browser tests (test/e2e), which never ships.
 */

/** The single Electron IPC channel name; the contract's channel travels inside the message. */
export const IPC_CHANNEL = 'yinjian:invoke';

/** One request over a message transport. */
export interface TransportRequest {
  readonly id: number;
  readonly channel: string;
  readonly payload: unknown;
}

/** Its answer, matched by id. */
export interface TransportResponse {
  readonly id: number;
  readonly result: unknown;
}
