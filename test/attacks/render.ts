/**
 * The oracle of the attack suite: what people see. Page 1 of the sealed and the attacked file
 * is rendered by poppler (pdftoppm) and MuPDF (mutool draw) and the pixels compared. A file
 * that renders differently, outside the blank-paper rectangles an allowed later signature may
 * draw in, must never be called VALID or VALID_WITH_CHANGES.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DPI = 36;
const PT = DPI / 72;

interface Gray {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
}

function readPgm(path: string): Gray | undefined {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch {
    return undefined;
  }
  // P5 <w> <h> <max>\n<bytes>
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(data.subarray(0, 64).toString('latin1'));
  if (!header) return undefined;
  const width = Number(header[1]);
  const height = Number(header[2]);
  return { width, height, pixels: new Uint8Array(data.subarray(header[0].length, header[0].length + width * height)) };
}

export type Renderer = 'poppler' | 'mupdf';

const cache = new WeakMap<Uint8Array, Map<Renderer, Gray | undefined>>();

/** Page 1 in 8-bit gray, or undefined when the renderer draws nothing (cached per input array). */
export function render(bytes: Uint8Array, renderer: Renderer): Gray | undefined {
  let byRenderer = cache.get(bytes);
  if (!byRenderer) cache.set(bytes, (byRenderer = new Map()));
  if (!byRenderer.has(renderer)) byRenderer.set(renderer, renderUncached(bytes, renderer));
  return byRenderer.get(renderer);
}

function renderUncached(bytes: Uint8Array, renderer: Renderer): Gray | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'yinjian-render-'));
  try {
    const input = join(dir, 'in.pdf');
    writeFileSync(input, bytes);
    const out = join(dir, 'page.pgm');
    try {
      if (renderer === 'poppler') execFileSync('pdftoppm', ['-r', String(DPI), '-f', '1', '-l', '1', '-gray', '-singlefile', input, join(dir, 'page')], { stdio: 'ignore', timeout: 60_000 });
      else execFileSync('mutool', ['draw', '-q', '-r', String(DPI), '-c', 'gray', '-o', out, input, '1'], { stdio: 'ignore', timeout: 60_000 });
    } catch {
      // A renderer that fails still may have drawn the page; an absent page is "nothing".
    }
    return readPgm(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Pixels that differ, ignoring blank-paper pixels inside `allowed` rectangles (PDF points). */
export function differingPixels(a: Gray | undefined, b: Gray | undefined, allowed: readonly (readonly [number, number, number, number])[] = []): number {
  if (!a || !b) return a === b ? 0 : Number.MAX_SAFE_INTEGER;
  if (a.width !== b.width || a.height !== b.height) return Number.MAX_SAFE_INTEGER;
  let count = 0;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      const i = y * a.width + x;
      if (Math.abs((a.pixels[i] as number) - (b.pixels[i] as number)) <= 8) continue;
      const px = x / PT;
      const py = (a.height - y) / PT;
      const blank = (a.pixels[i] as number) >= 250;
      if (blank && allowed.some(([x0, y0, x1, y1]) => px >= x0 - 2 && px <= x1 + 2 && py >= y0 - 2 && py <= y1 + 2)) continue;
      count++;
    }
  }
  return count;
}

export interface RenderVerdict {
  readonly poppler: number;
  readonly mupdf: number;
  readonly changed: boolean;
}

export function renderingChanged(sealed: Uint8Array, attacked: Uint8Array, allowed: readonly (readonly [number, number, number, number])[] = []): RenderVerdict {
  const poppler = differingPixels(render(sealed, 'poppler'), render(attacked, 'poppler'), allowed);
  const mupdf = differingPixels(render(sealed, 'mupdf'), render(attacked, 'mupdf'), allowed);
  return { poppler, mupdf, changed: poppler > 0 || mupdf > 0 };
}
