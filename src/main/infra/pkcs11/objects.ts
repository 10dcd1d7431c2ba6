import pkcs11js from 'pkcs11js';
import { YinjianError } from '../../../shared/errors/index';
import type { Pkcs11Library } from './library';

/**
 * Objects on the key (concept 3 of the token layer): finding, reading attributes,
 * certificates, the first-use marker and how full the key is.
 */

/**
 * The first-use marker (M4): a public CKO_DATA object that issuance writes and a PIN change
 * removes. SoftHSM keeps CKO_DATA values read-only, so the marker is destroyed and recreated,
 * never updated. Models whose profile says `marker: 'none'` cannot hold it (NSS refuses
 * CKO_DATA, tpm2-pkcs11 refuses public ones): there the register alone enforces M4.
 */
export const FIRST_USE_MARKER_APPLICATION = 'Yinjian';
export const FIRST_USE_MARKER_LABEL = 'yinjian-first-use';

export function findObjects(api: pkcs11js.PKCS11, session: Buffer, template: pkcs11js.Template): Buffer[] {
  api.C_FindObjectsInit(session, template);
  const found: Buffer[] = [];
  try {
    for (;;) {
      const batch = api.C_FindObjects(session, 64);
      if (batch.length === 0) break;
      found.push(...batch);
      if (found.length > 4096) break; // a real USB key holds a handful of objects
    }
  } catch (error) {
    // The search failed (often: the key was pulled). Ending it may fail too, with a less
    // precise code such as TOKEN_NOT_PRESENT; the first error is the one that explains.
    try {
      api.C_FindObjectsFinal(session);
    } catch {
      // already reported above
    }
    throw error;
  }
  api.C_FindObjectsFinal(session);
  return found;
}

export function attribute(api: pkcs11js.PKCS11, session: Buffer, object: Buffer, type: number): Buffer {
  const [attr] = api.C_GetAttributeValue(session, object, [{ type }]);
  const value = attr?.value;
  if (!Buffer.isBuffer(value)) throw new YinjianError('TOKEN_OPERATION_FAILED', { ckr: `attribute 0x${type.toString(16)} missing` });
  return value;
}

export interface StoredCertificate {
  keyId: Uint8Array;
  label: string;
  der: Uint8Array;
}

/** Certificate objects matching `template`, with their CKA_ID, label and DER value. */
export function readCertificates(api: pkcs11js.PKCS11, session: Buffer, template: pkcs11js.Template): StoredCertificate[] {
  return findObjects(api, session, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE }, ...template]).map((object) => ({
    keyId: new Uint8Array(attribute(api, session, object, pkcs11js.CKA_ID)),
    label: attribute(api, session, object, pkcs11js.CKA_LABEL).toString('utf8'),
    der: new Uint8Array(attribute(api, session, object, pkcs11js.CKA_VALUE)),
  }));
}

export function markerTemplate(): pkcs11js.Template {
  return [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_PRIVATE, value: false },
    { type: pkcs11js.CKA_APPLICATION, value: FIRST_USE_MARKER_APPLICATION },
    { type: pkcs11js.CKA_LABEL, value: FIRST_USE_MARKER_LABEL },
    { type: pkcs11js.CKA_VALUE, value: Buffer.from('initial-user-pin', 'ascii') },
  ];
}

export function findMarkers(api: pkcs11js.PKCS11, session: Buffer): Buffer[] {
  return findObjects(api, session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
    { type: pkcs11js.CKA_LABEL, value: FIRST_USE_MARKER_LABEL },
  ]);
}

/** Removes every first-use marker (M4: the PIN is no longer initial). Nothing to do where the model cannot hold one. */
export function removeMarkers(library: Pkcs11Library, session: Buffer): void {
  if (library.profile.marker === 'none') return;
  for (const marker of findMarkers(library.api, session)) library.api.C_DestroyObject(session, marker);
}

/** Replaces any marker with a fresh one; TOKEN_MARKER_UNSUPPORTED on models that cannot hold it. */
export function writeMarker(library: Pkcs11Library, session: Buffer): void {
  if (library.profile.marker === 'none') {
    throw new YinjianError('TOKEN_MARKER_UNSUPPORTED', { module: library.profile.id });
  }
  removeMarkers(library, session);
  library.api.C_CreateObject(session, markerTemplate());
}

/**
 * Our private data objects with `label` (issue #12: the initial-PIN record). Models that cannot
 * hold data objects (profile marker 'none') have none.
 */
export function findRecords(library: Pkcs11Library, session: Buffer, label: string): Buffer[] {
  if (library.profile.marker === 'none') return [];
  return findObjects(library.api, session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_LABEL, value: label },
  ]);
}

/**
 * Replaces the private data object(s) `label` by one holding `value`: created first, the old
 * ones destroyed after (SoftHSM2 keeps CKO_DATA values read-only), so a kill in between leaves
 * both, never none. TOKEN_MARKER_UNSUPPORTED on models that cannot hold data objects.
 */
export function replaceRecord(library: Pkcs11Library, session: Buffer, label: string, value: Uint8Array): void {
  if (library.profile.marker === 'none') throw new YinjianError('TOKEN_MARKER_UNSUPPORTED', { module: library.profile.id });
  const old = findRecords(library, session, label);
  library.api.C_CreateObject(session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_APPLICATION, value: FIRST_USE_MARKER_APPLICATION },
    { type: pkcs11js.CKA_LABEL, value: label },
    { type: pkcs11js.CKA_VALUE, value: Buffer.from(value) },
  ]);
  for (const object of old) library.api.C_DestroyObject(session, object);
}

/**
 * Refuses to create `adding` more objects where the profile knows the key's limit
 * (`maxObjects`): a vendor key that is full fails half-way through issuance otherwise.
 */
export function assertRoomFor(library: Pkcs11Library, session: Buffer, adding: number): void {
  const max = library.profile.maxObjects;
  if (max === null) return;
  const count = findObjects(library.api, session, []).length;
  if (count + adding > max) throw new YinjianError('TOKEN_FULL', { max, count });
}
