/**
 * Object model → PDF bytes (ISO 32000-1 §7.3). Output is plain and predictable: one space
 * between tokens, reals without exponents, streams with their true /Length, and placeholders
 * as fixed-width runs whose offsets are recorded for in-place patching.
 */
import { YinjianError } from '../../../shared/errors/index';
import { ascii, concatBytes, latin1ToBytes } from './bytes';
import { PdfArray, PdfDict, PdfName, PdfPlaceholder, PdfRef, PdfStream, PdfString, type PdfValue } from './objects';

/** Where a placeholder landed, relative to the writer's start (or absolute, after build). */
export interface PlaceholderLocation {
  readonly placeholder: PdfPlaceholder;
  /** First byte of the run (`<` for a hex placeholder). */
  readonly offset: number;
  /** Length of the whole run in bytes (`width + 2` for hex, `width` for raw). */
  readonly length: number;
}

function invalid(detail: string): YinjianError {
  return new YinjianError('PDF_UPDATE_INVALID', { detail });
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw invalid(`number ${value} cannot be written`);
  if (Number.isInteger(value)) {
    if (!Number.isSafeInteger(value)) throw invalid(`integer ${value} too large`);
    return String(value);
  }
  if (Math.abs(value) >= 1e15) throw invalid(`real ${value} too large`);
  // toFixed never uses an exponent below 1e21; PDF has no exponent syntax (§7.3.3).
  let text = value.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
  if (text === '-0' || text === '') text = '0';
  return text;
}

const NAME_DELIMITERS = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25, 0x23]);

export function formatName(name: PdfName): string {
  let out = '/';
  for (const byte of latin1ToBytes(name.value)) {
    if (byte < 0x21 || byte > 0x7e || NAME_DELIMITERS.has(byte)) out += `#${byte.toString(16).padStart(2, '0').toUpperCase()}`;
    else out += String.fromCharCode(byte);
  }
  return out;
}

function stringBytes(value: PdfString): Uint8Array {
  if (value.hex) {
    let hex = '<';
    for (const byte of value.bytes) hex += byte.toString(16).padStart(2, '0');
    return ascii(`${hex}>`);
  }
  const out: number[] = [0x28];
  for (const byte of value.bytes) {
    if (byte === 0x28 || byte === 0x29 || byte === 0x5c) out.push(0x5c, byte);
    else if (byte === 0x0d) out.push(0x5c, 0x72); // a raw CR would be read back as LF
    else if (byte === 0x0a) out.push(0x5c, 0x6e);
    else out.push(byte);
  }
  out.push(0x29);
  return Uint8Array.from(out);
}

/** Supplies the raw bytes of a stream read from a file, when it is written again. */
export type StreamDataSource = (stream: PdfStream) => Uint8Array;

export class PdfSerializer {
  private readonly parts: Uint8Array[] = [];
  private size = 0;
  readonly placeholders: PlaceholderLocation[] = [];

  constructor(private readonly streamData?: StreamDataSource) {}

  get length(): number {
    return this.size;
  }

  writeBytes(bytes: Uint8Array): this {
    this.parts.push(bytes);
    this.size += bytes.length;
    return this;
  }

  writeText(text: string): this {
    return this.writeBytes(ascii(text));
  }

  writeValue(value: PdfValue, depth = 0): this {
    if (depth > 256) throw invalid('value nested too deeply');
    if (value === null) return this.writeText('null');
    if (typeof value === 'boolean') return this.writeText(value ? 'true' : 'false');
    if (typeof value === 'number') return this.writeText(formatNumber(value));
    if (value instanceof PdfName) return this.writeText(formatName(value));
    if (value instanceof PdfString) return this.writeBytes(stringBytes(value));
    if (value instanceof PdfRef) return this.writeText(`${value.num} ${value.gen} R`);
    if (value instanceof PdfArray) {
      this.writeText('[');
      value.items.forEach((item, i) => {
        if (i > 0) this.writeText(' ');
        this.writeValue(item, depth + 1);
      });
      return this.writeText(']');
    }
    if (value instanceof PdfDict) {
      this.writeText('<<');
      for (const [key, item] of value.entries()) {
        this.writeText(`${formatName(PdfName.of(key))} `);
        this.writeValue(item, depth + 1);
        this.writeText(' ');
      }
      return this.writeText('>>');
    }
    if (value instanceof PdfPlaceholder) return this.writePlaceholder(value);
    if (value instanceof PdfStream) {
      const data = value.data ?? this.streamData?.(value);
      if (!data) throw invalid('stream without data');
      this.writeValue(value.dict.with('Length', data.length), depth + 1);
      this.writeText('\nstream\n');
      this.writeBytes(data);
      return this.writeText('\nendstream');
    }
    throw invalid(`unknown value ${String(value)}`);
  }

  private writePlaceholder(placeholder: PdfPlaceholder): this {
    const offset = this.size;
    let bytes: Uint8Array;
    if (placeholder.kind === 'hex') {
      bytes = ascii(`<${'0'.repeat(placeholder.width)}>`);
    } else {
      const initial = new PdfSerializer(this.streamData).writeValue(placeholder.initial).toBytes();
      if (initial.length > placeholder.width) throw invalid(`placeholder ${placeholder.name} narrower than its initial value`);
      bytes = new Uint8Array(placeholder.width).fill(0x20);
      bytes.set(initial);
    }
    this.placeholders.push({ placeholder, offset, length: bytes.length });
    return this.writeBytes(bytes);
  }

  /** `num gen obj … endobj` followed by a newline. */
  writeIndirectObject(ref: PdfRef, value: PdfValue): this {
    this.writeText(`${ref.num} ${ref.gen} obj\n`);
    this.writeValue(value);
    return this.writeText('\nendobj\n');
  }

  toBytes(): Uint8Array {
    return concatBytes(this.parts);
  }
}

/** Serializes one value on its own (tests, debugging, content built in memory). */
export function serializeValue(value: PdfValue): Uint8Array {
  return new PdfSerializer().writeValue(value).toBytes();
}
