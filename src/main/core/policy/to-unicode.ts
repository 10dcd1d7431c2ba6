/**
 * ToUnicode maps (ISO 32000-1 §9.10.3), read by the gate's page reader (content-text.ts) to
 * decode what a page's strings say and by text-layer.ts to hold them against the font's own
 * character map.
 */
import { Buffer } from 'node:buffer';

/** ToUnicode: code → text, from bfchar and bfrange (§9.10.3). */
export function parseToUnicode(data: Uint8Array): Map<number, string> {
  const text = Buffer.from(data).toString('latin1');
  const map = new Map<number, string>();
  // Big-endian UTF-16 units, four hex digits each (a trailing odd digit pads with 0, a lone byte is dropped).
  const utf16 = (hex: string): string => {
    let out = '';
    for (let i = 0; i + 3 < hex.length + (hex.length % 2); i += 4) out += String.fromCharCode(parseInt(hex.length % 2 === 0 || i + 4 <= hex.length ? hex.slice(i, i + 4) : `${hex.slice(i)}0`, 16));
    return out;
  };
  for (const block of text.matchAll(/beginbfchar([\s\S]*?)endbfchar/gu)) {
    for (const pair of (block[1] ?? '').matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>/gu)) {
      if (map.size > 70_000) return map;
      map.set(parseInt(pair[1] as string, 16), utf16(pair[2] as string));
    }
  }
  for (const block of text.matchAll(/beginbfrange([\s\S]*?)endbfrange/gu)) {
    for (const range of (block[1] ?? '').matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]*>|\[[^\]]*\])/gu)) {
      const lo = parseInt(range[1] as string, 16);
      const hi = Math.min(parseInt(range[2] as string, 16), lo + 65_535);
      const target = range[3] as string;
      if (target.startsWith('[')) {
        const items = [...target.matchAll(/<([0-9a-fA-F]*)>/gu)].map((m) => utf16(m[1] as string));
        items.forEach((value, k) => lo + k <= hi && map.set(lo + k, value));
      } else {
        const base = utf16(target.slice(1, -1));
        const last = base.charCodeAt(base.length - 1);
        for (let code = lo; code <= hi; code++) {
          if (map.size > 70_000) return map;
          map.set(code, base.slice(0, -1) + String.fromCharCode(last + (code - lo)));
        }
      }
    }
  }
  return map;
}
