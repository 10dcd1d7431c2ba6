/**
 * Cross-reference entries in typed arrays (issue #11, bounded reader). A Map of entry objects
 * costs ~60 bytes per declared number, and a per-revision copy of the merged table costs that
 * again for every revision: an 18 KB file whose xref stream declares millions of entries,
 * followed by dozens of empty updates, took gigabytes. Here one section's entries cost 17 bytes
 * each, and the document as of a revision (RevisionTable) is a view over the sections, not a
 * copy: memory grows with what the file declares, not with revisions × declared entries.
 */
import type { XrefEntry } from './xref';

const FREE = 0;
const OFFSET = 1;
const COMPRESSED = 2;

/** Collects one section's entries in file order; `build` sorts them, the first of a number winning. */
export class EntryTableBuilder {
  private nums = new Int32Array(64);
  private types = new Uint8Array(64);
  private seconds = new Float64Array(64);
  private thirds = new Int32Array(64);
  private count = 0;

  get length(): number {
    return this.count;
  }

  add(num: number, entry: XrefEntry): void {
    if (this.count === this.nums.length) this.grow();
    const i = this.count++;
    this.nums[i] = num;
    if (entry.type === 'free') {
      this.types[i] = FREE;
      this.seconds[i] = 0;
      this.thirds[i] = entry.gen;
    } else if (entry.type === 'offset') {
      this.types[i] = OFFSET;
      this.seconds[i] = entry.offset;
      this.thirds[i] = entry.gen;
    } else {
      this.types[i] = COMPRESSED;
      this.seconds[i] = entry.stream;
      this.thirds[i] = entry.index;
    }
  }

  private grow(): void {
    const size = this.nums.length * 2;
    const nums = new Int32Array(size);
    nums.set(this.nums);
    const types = new Uint8Array(size);
    types.set(this.types);
    const seconds = new Float64Array(size);
    seconds.set(this.seconds);
    const thirds = new Int32Array(size);
    thirds.set(this.thirds);
    this.nums = nums;
    this.types = types;
    this.seconds = seconds;
    this.thirds = thirds;
  }

  /** The table, and for each number listed more than once the later entries that differ from the first. */
  build(): { table: EntryTable; duplicates: Map<number, XrefEntry[]> } {
    const n = this.count;
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) if ((this.nums[i] as number) <= (this.nums[i - 1] as number)) sorted = false;
    // Stable: equal numbers keep file order, so the first listed comes first.
    if (!sorted) order.sort((a, b) => (this.nums[a] as number) - (this.nums[b] as number) || a - b);
    const nums = new Int32Array(n);
    const types = new Uint8Array(n);
    const seconds = new Float64Array(n);
    const thirds = new Int32Array(n);
    const duplicates = new Map<number, XrefEntry[]>();
    let out = 0;
    for (let k = 0; k < n; k++) {
      const i = order[k] as number;
      const num = this.nums[i] as number;
      if (out > 0 && nums[out - 1] === num) {
        const first = entryAt(types, seconds, thirds, out - 1);
        const later = entryAt(this.types, this.seconds, this.thirds, i);
        if (!sameEntry(first, later)) {
          const list = duplicates.get(num);
          if (!list) duplicates.set(num, [later]);
          else if (list.length < 8) list.push(later);
        }
        continue;
      }
      nums[out] = num;
      types[out] = this.types[i] as number;
      seconds[out] = this.seconds[i] as number;
      thirds[out] = this.thirds[i] as number;
      out++;
    }
    return { table: new EntryTable(nums.subarray(0, out), types.subarray(0, out), seconds.subarray(0, out), thirds.subarray(0, out)), duplicates };
  }
}

/** Whether two xref entries name the same thing. */
export function sameEntry(a: XrefEntry, b: XrefEntry): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'offset' && b.type === 'offset') return a.offset === b.offset && a.gen === b.gen;
  if (a.type === 'compressed' && b.type === 'compressed') return a.stream === b.stream && a.index === b.index;
  return true;
}

function entryAt(types: Uint8Array, seconds: Float64Array, thirds: Int32Array, i: number): XrefEntry {
  const type = types[i];
  if (type === FREE) return { type: 'free', gen: thirds[i] as number };
  if (type === OFFSET) return { type: 'offset', offset: seconds[i] as number, gen: thirds[i] as number };
  return { type: 'compressed', stream: seconds[i] as number, index: thirds[i] as number };
}

/** One section's entries, sorted by number. */
export class EntryTable implements ReadonlyMap<number, XrefEntry> {
  constructor(
    private readonly nums: Int32Array,
    private readonly types: Uint8Array,
    private readonly seconds: Float64Array,
    private readonly thirds: Int32Array,
  ) {}

  static fromMap(map: ReadonlyMap<number, XrefEntry>): EntryTable {
    const builder = new EntryTableBuilder();
    for (const [num, entry] of map) builder.add(num, entry);
    return builder.build().table;
  }

  get size(): number {
    return this.nums.length;
  }

  /** One past the highest number listed (0 when empty). */
  get end(): number {
    return this.nums.length === 0 ? 0 : (this.nums[this.nums.length - 1] as number) + 1;
  }

  private find(num: number): number {
    let lo = 0;
    let hi = this.nums.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const value = this.nums[mid] as number;
      if (value === num) return mid;
      if (value < num) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  get(num: number): XrefEntry | undefined {
    const i = this.find(num);
    return i < 0 ? undefined : entryAt(this.types, this.seconds, this.thirds, i);
  }

  has(num: number): boolean {
    return this.find(num) >= 0;
  }

  numAt(i: number): number {
    return this.nums[i] as number;
  }

  entryAt(i: number): XrefEntry {
    return entryAt(this.types, this.seconds, this.thirds, i);
  }

  *entries(): MapIterator<[number, XrefEntry]> {
    for (let i = 0; i < this.nums.length; i++) yield [this.nums[i] as number, this.entryAt(i)];
  }

  *keys(): MapIterator<number> {
    for (let i = 0; i < this.nums.length; i++) yield this.nums[i] as number;
  }

  *values(): MapIterator<XrefEntry> {
    for (let i = 0; i < this.nums.length; i++) yield this.entryAt(i);
  }

  [Symbol.iterator](): MapIterator<[number, XrefEntry]> {
    return this.entries();
  }

  forEach(callback: (value: XrefEntry, key: number, map: ReadonlyMap<number, XrefEntry>) => void): void {
    for (const [num, entry] of this.entries()) callback(entry, num, this);
  }
}

/**
 * The document as of one revision: that revision's entries over those of every earlier one,
 * looked up through the sections themselves (newest first), never copied.
 */
export class RevisionTable implements ReadonlyMap<number, XrefEntry> {
  private counted: number | undefined;

  constructor(private readonly sections: readonly ReadonlyMap<number, XrefEntry>[]) {}

  get(num: number): XrefEntry | undefined {
    for (let r = this.sections.length - 1; r >= 0; r--) {
      const entry = (this.sections[r] as ReadonlyMap<number, XrefEntry>).get(num);
      if (entry) return entry;
    }
    return undefined;
  }

  has(num: number): boolean {
    return this.get(num) !== undefined;
  }

  get size(): number {
    if (this.counted === undefined) {
      let n = 0;
      for (const _ of this.keys()) n++;
      this.counted = n;
    }
    return this.counted;
  }

  /** One past the highest number any section lists. */
  get end(): number {
    let end = 0;
    for (const section of this.sections) {
      if (section instanceof EntryTable) end = Math.max(end, section.end);
      else for (const num of section.keys()) end = Math.max(end, num + 1);
    }
    return end;
  }

  *entries(): MapIterator<[number, XrefEntry]> {
    if (this.sections.length === 1) {
      yield* (this.sections[0] as ReadonlyMap<number, XrefEntry>).entries();
      return;
    }
    // Newest first; a bitmap (one bit per number) remembers what a newer section already gave.
    const seen = new Uint8Array((this.end >>> 3) + 1);
    for (let r = this.sections.length - 1; r >= 0; r--) {
      for (const [num, entry] of (this.sections[r] as ReadonlyMap<number, XrefEntry>).entries()) {
        const byte = num >>> 3;
        const bit = 1 << (num & 7);
        if (((seen[byte] as number) & bit) !== 0) continue;
        seen[byte] = (seen[byte] as number) | bit;
        yield [num, entry];
      }
    }
  }

  *keys(): MapIterator<number> {
    for (const [num] of this.entries()) yield num;
  }

  *values(): MapIterator<XrefEntry> {
    for (const [, entry] of this.entries()) yield entry;
  }

  [Symbol.iterator](): MapIterator<[number, XrefEntry]> {
    return this.entries();
  }

  forEach(callback: (value: XrefEntry, key: number, map: ReadonlyMap<number, XrefEntry>) => void): void {
    for (const [num, entry] of this.entries()) callback(entry, num, this);
  }
}
