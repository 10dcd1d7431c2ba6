/**
 * Binary frames for the browser tests' loopback WebSocket (never shipped): a message whose
 * ArrayBuffers (documents, issue #14) travel as raw bytes beside its JSON, as Electron IPC
 * carries them by structured clone. Runs in the page and in Node alike.
 *
 * Frame: u32 length of the JSON (little-endian), the JSON in UTF-8 with each ArrayBuffer
 * replaced by {"$bytes": i}, then each buffer as u32 length and its bytes.
 */
const MARK = '$bytes';

function isArrayBuffer(value: unknown): value is ArrayBuffer {
  return Object.prototype.toString.call(value) === '[object ArrayBuffer]';
}

export function encodeFrame(message: unknown): ArrayBuffer {
  const buffers: ArrayBuffer[] = [];
  const json = JSON.stringify(message, (_key, value: unknown) => {
    if (isArrayBuffer(value)) return { [MARK]: buffers.push(value) - 1 };
    return value;
  });
  const text = new TextEncoder().encode(json);
  const size = 4 + text.byteLength + buffers.reduce((total, b) => total + 4 + b.byteLength, 0);
  const frame = new Uint8Array(size);
  const view = new DataView(frame.buffer);
  view.setUint32(0, text.byteLength, true);
  frame.set(text, 4);
  let at = 4 + text.byteLength;
  for (const buffer of buffers) {
    view.setUint32(at, buffer.byteLength, true);
    frame.set(new Uint8Array(buffer), at + 4);
    at += 4 + buffer.byteLength;
  }
  return frame.buffer;
}

export function decodeFrame(frame: ArrayBuffer | Uint8Array): unknown {
  const bytes = frame instanceof Uint8Array ? frame : new Uint8Array(frame);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const textLength = view.getUint32(0, true);
  const json = new TextDecoder().decode(bytes.subarray(4, 4 + textLength));
  const buffers: ArrayBuffer[] = [];
  for (let at = 4 + textLength; at < bytes.byteLength; ) {
    const length = view.getUint32(at, true);
    // A copy into a buffer of its own: each document owns its whole ArrayBuffer (contract).
    // Not bytes.slice: on a Node Buffer that is a view into the socket's memory.
    const own = new Uint8Array(length);
    own.set(bytes.subarray(at + 4, at + 4 + length));
    buffers.push(own.buffer);
    at += 4 + length;
  }
  return JSON.parse(json, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const index = (value as Record<string, unknown>)[MARK];
      if (typeof index === 'number' && Object.keys(value).length === 1) return buffers[index];
    }
    return value;
  });
}
