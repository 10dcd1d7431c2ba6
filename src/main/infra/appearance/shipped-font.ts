import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { YinjianError } from '../../../shared/errors/index';

/** The 宋体-style CJK font shipped under resources/fonts (see its README for origin and licence). */
export const SHIPPED_FONT_FILE = 'NotoSerifCJKsc-Regular-subset.ttf';

/**
 * Where resources/fonts may be: the packaged app's resources folder (Electron sets
 * `process.resourcesPath`; electron-builder copies resources/ there as extraResources), then
 * every folder above this module, which finds the repository root whether the code runs from
 * src/ (tests, tsx) or from the bundle in out/. The working directory is never consulted: the
 * CLI may be started from anywhere.
 */
export function shippedFontCandidates(file: string = SHIPPED_FONT_FILE): string[] {
  const candidates: string[] = [];
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  if (resourcesPath) {
    candidates.push(join(resourcesPath, 'fonts', file), join(resourcesPath, 'resources', 'fonts', file));
  }
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    candidates.push(join(dir, 'resources', 'fonts', file));
    const parent = resolve(dir, '..');
    if (parent === dir) break;
    dir = parent;
  }
  return candidates;
}

export function shippedFontPath(file: string = SHIPPED_FONT_FILE): string {
  const candidates = shippedFontCandidates(file);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new YinjianError('FONT_NOT_SHIPPED', { file, tried: candidates.join(', ') });
  return found;
}

/** The shipped font's bytes, for loadSealFont and embedShippedFontSubset in core. */
export function readShippedFont(file: string = SHIPPED_FONT_FILE): Uint8Array {
  const path = shippedFontPath(file);
  try {
    return new Uint8Array(readFileSync(path));
  } catch (cause) {
    throw new YinjianError('FILE_NOT_READABLE', { path }, { cause });
  }
}
