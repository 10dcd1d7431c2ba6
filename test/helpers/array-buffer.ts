/**
 * A document's bytes as the IPC contract takes them (issue #14): an ArrayBuffer of its own,
 * never a Node Buffer's pooled slab (which would carry other data and could not be transferred).
 */
export function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}
