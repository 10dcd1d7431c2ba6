import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import catalogData from '../../../../native/pkcs11-modules.json' with { type: 'json' };

/** One vendor's PKCS#11 module, as listed in native/pkcs11-modules.json. */
export interface CatalogModule {
  readonly id: string;
  readonly vendor: string;
  readonly product: string;
  readonly verified: boolean;
  /** False for software and platform modules (NSS, TPM, openCryptoki): used only when chosen explicitly. */
  readonly autoload: boolean;
  /** C_Initialize library parameters the module needs (NSS: `{dir}` is its database folder). */
  readonly libraryParameters?: string;
  readonly paths: readonly string[];
}

type Platform = 'win32' | 'linux' | 'darwin';

interface CatalogEntry {
  id: string;
  vendor: string;
  product: string;
  verified: boolean;
  autoload?: boolean;
  libraryParameters?: string;
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
    autoload: entry.autoload ?? true,
    ...(entry.libraryParameters ? { libraryParameters: entry.libraryParameters } : {}),
    paths: entry[os],
  }));
}

/**
 * Catalog paths that are worth trying (modules that may be loaded without being chosen) on this machine: absolute paths that exist, and bare
 * library names (which only the OS loader can resolve, so they are tried by loading).
 */
export function installedCatalogCandidates(
  platform: NodeJS.Platform = process.platform,
  exists: (path: string) => boolean = existsSync,
): { module: CatalogModule; path: string }[] {
  const found: { module: CatalogModule; path: string }[] = [];
  for (const module of catalogModules(platform)) {
    if (!module.autoload) continue;
    for (const path of module.paths) {
      const absolute = isAbsolute(path) || /^[A-Za-z]:\\/.test(path);
      if (!absolute || exists(path)) found.push({ module, path });
    }
  }
  return found;
}
