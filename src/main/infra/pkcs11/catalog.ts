import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import catalogData from '../../../../native/pkcs11-modules.json' with { type: 'json' };

/** One vendor's PKCS#11 module, as listed in native/pkcs11-modules.json. */
export interface CatalogModule {
  readonly id: string;
  readonly vendor: string;
  readonly product: string;
  readonly verified: boolean;
  readonly paths: readonly string[];
}

type Platform = 'win32' | 'linux' | 'darwin';

interface CatalogEntry {
  id: string;
  vendor: string;
  product: string;
  verified: boolean;
  win32: string[];
  linux: string[];
  darwin: string[];
}

/** The catalog's modules for one OS, in the catalog's order. */
export function catalogModules(platform: NodeJS.Platform = process.platform): CatalogModule[] {
  const os: Platform = platform === 'win32' || platform === 'darwin' ? platform : 'linux';
  return (catalogData.modules as CatalogEntry[]).map((entry) => ({
    id: entry.id,
    vendor: entry.vendor,
    product: entry.product,
    verified: entry.verified,
    paths: entry[os],
  }));
}

/**
 * Catalog paths that are worth trying on this machine: absolute paths that exist, and bare
 * library names (which only the OS loader can resolve, so they are tried by loading).
 */
export function installedCatalogCandidates(
  platform: NodeJS.Platform = process.platform,
  exists: (path: string) => boolean = existsSync,
): { module: CatalogModule; path: string }[] {
  const found: { module: CatalogModule; path: string }[] = [];
  for (const module of catalogModules(platform)) {
    for (const path of module.paths) {
      const absolute = isAbsolute(path) || /^[A-Za-z]:\\/.test(path);
      if (!absolute || exists(path)) found.push({ module, path });
    }
  }
  return found;
}
