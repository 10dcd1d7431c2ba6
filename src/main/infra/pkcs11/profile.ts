import catalogData from '../../../../native/pkcs11-modules.json' with { type: 'json' };
import type { SealKeyType } from '../../core/ports/usb-key';

/**
 * What a PKCS#11 module is known to do and not do, as data (native/pkcs11-modules.json). The
 * token layer reads it instead of testing module names in code; the conformance suite
 * (test/integration/token-conformance) checks each verified profile against the real module,
 * and `yinjian token doctor` prints it next to what it probes.
 */
export interface TokenProfile {
  /** Catalog id of the entry whose `match` fits, or 'default'. */
  readonly id: string;
  /**
   * The module reads its slot list once at C_Initialize and never notices keys added or
   * pulled (nor PIN state changed by another process) until it is finalised and initialised again.
   */
  readonly staticSlotList: boolean;
  /** Token labels that are the module's own internal tokens, never a seal key (NSS's crypto slot). */
  readonly hiddenTokens: readonly string[];
  /** False when every token reports the same serial (NSS, tpm2-pkcs11): keys must be named by label. */
  readonly uniqueSerial: boolean;
  /**
   * C_SetPIN needs a logged-in user session. When false the PIN is changed in a public
   * read-write session first and the first-use marker is removed logged in with the new PIN.
   */
  readonly setPinNeedsLogin: boolean;
  /** Mechanism names (CKM_*) never to use even when offered; the signer falls back (hash here, raw mechanism there). */
  readonly avoidMechanisms: readonly string[];
  /** Key types the module can generate on the token. */
  readonly keyTypes: readonly SealKeyType[];
  /** Most objects the token can hold, when the module's free-memory figures cannot be trusted; null: no known limit. */
  readonly maxObjects: number | null;
  /** 'public-data': the first-use marker (a public CKO_DATA object, M4) can be written; 'none': the register alone enforces M4. */
  readonly marker: 'public-data' | 'none';
  /** PIN lengths the module accepts (intersected with what C_GetTokenInfo reports). */
  readonly pinLength: { readonly min: number; readonly max: number };
  /** 'init-token': the office initialises keys with C_InitToken and an SO PIN; 'none': keys come initialised by the vendor tool. */
  readonly soInit: 'init-token' | 'none';
  /** 'so-init-pin': the office resets a locked or forgotten user PIN (SO login, C_InitPIN); 'none': it re-initialises the key. */
  readonly officeUnlock: 'so-init-pin' | 'none';
  /** How wrong PINs lock: per token (the smart-card norm), for the whole device (a TPM's dictionary-attack lockout), or never. */
  readonly lockout: 'per-token' | 'device-wide' | 'none';
  /** The token reports CKF_USER_PIN_COUNT_LOW / FINAL_TRY / LOCKED. */
  readonly pinFlags: boolean;
  /** Which M4 initial-PIN sources work on this model ('register' always does). */
  readonly firstUseSources: readonly ('token-flag' | 'first-use-marker' | 'register')[];
  /** What an engineer learnt about the module, for the doctor's report. */
  readonly notes: string;
}

interface ProfileData extends Omit<TokenProfile, 'id' | 'keyTypes' | 'firstUseSources' | 'marker' | 'soInit' | 'officeUnlock' | 'lockout'> {
  readonly keyTypes: readonly string[];
  readonly firstUseSources: readonly string[];
  readonly marker: string;
  readonly soInit: string;
  readonly officeUnlock: string;
  readonly lockout: string;
  readonly match?: { readonly manufacturer: string; readonly library: string };
}

interface CatalogWithProfiles {
  readonly defaultProfile: ProfileData;
  readonly modules: readonly { readonly id: string; readonly profile?: ProfileData }[];
}

const catalog = catalogData as unknown as CatalogWithProfiles;

function toProfile(id: string, data: ProfileData): TokenProfile {
  return {
    id,
    staticSlotList: data.staticSlotList,
    hiddenTokens: data.hiddenTokens,
    uniqueSerial: data.uniqueSerial,
    setPinNeedsLogin: data.setPinNeedsLogin,
    avoidMechanisms: data.avoidMechanisms,
    keyTypes: data.keyTypes as SealKeyType[],
    maxObjects: data.maxObjects,
    marker: data.marker as TokenProfile['marker'],
    pinLength: data.pinLength,
    soInit: data.soInit as TokenProfile['soInit'],
    officeUnlock: data.officeUnlock as TokenProfile['officeUnlock'],
    lockout: data.lockout as TokenProfile['lockout'],
    pinFlags: data.pinFlags,
    firstUseSources: data.firstUseSources as TokenProfile['firstUseSources'],
    notes: data.notes,
  };
}

export const DEFAULT_PROFILE: TokenProfile = toProfile('default', catalog.defaultProfile);

/**
 * The profile of a module, by what the module says about itself in C_GetInfo: its
 * manufacturerID and libraryDescription (blank padding trimmed). The file name plays no part:
 * a vendor renames its library between driver versions, and a wrapper (a PKCS#11 proxy, the
 * test's fault module) reports the module it wraps.
 */
export function profileFor(manufacturer: string, libraryDescription: string): TokenProfile {
  for (const module of catalog.modules) {
    const match = module.profile?.match;
    if (!module.profile || !match) continue;
    if (new RegExp(match.manufacturer, 'i').test(manufacturer) && new RegExp(match.library, 'i').test(libraryDescription)) {
      return toProfile(module.id, module.profile);
    }
  }
  return DEFAULT_PROFILE;
}
