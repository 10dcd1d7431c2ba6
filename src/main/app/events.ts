/**
 * The events the application layer pushes to whoever shows it (the window, the browser-test
 * host): USB key insert/remove, batch progress, OCR progress (src/shared/ipc/events.ts). A use
 * case emits; each front door subscribes once and carries the events over its own transport.
 * Every event is checked against its schema here, so a malformed one never leaves the process.
 */
import { parseEvent, type EventMessage, type EventName, type EventOf } from '../../shared/ipc/events';

export type EventListener = (message: EventMessage) => void;

export interface AppEvents {
  emit<E extends EventName>(event: E, payload: EventOf<E>): void;
  /** Passes on a message from elsewhere (a worker): parsed, dropped when malformed. */
  forward(event: unknown, payload: unknown): void;
  subscribe(listener: EventListener): () => void;
}

export function createAppEvents(): AppEvents {
  const listeners = new Set<EventListener>();
  const deliver = (message: EventMessage): void => {
    for (const listener of listeners) {
      try {
        listener(message);
      } catch {
        // a closed window or socket must not stop the others
      }
    }
  };
  return {
    emit(event, payload) {
      const message = parseEvent(event, payload);
      if (message) deliver(message);
    },
    forward(event, payload) {
      const message = parseEvent(event, payload);
      if (message) deliver(message);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
