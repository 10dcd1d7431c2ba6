/**
 * The President's Office back office (M1): the group seal CA, issuing seals onto USB keys,
 * their lifecycle (S2–S5), delegations (M3) and publication of the CRL and the signed register
 * snapshot. Pure domain over ports: the USB key (UsbKeyPort), the register (OfficeRegister)
 * and the impression renderer.
 *
 * Order of work, so that an illegal or failed operation changes nothing (architecture.md):
 *  1. every rule that can refuse is checked against the register before a PIN is used or a
 *     USB key is touched (approval S2/S3, state machine, seal code, unit kind, custodian);
 *  2. the CA key is opened and checked to be this register's CA;
 *  3. the seal's USB key is written (initialise, key pair, certificates, first-use marker);
 *  4. the register records everything in one transaction; if that fails, the key objects
 *     written in 3 are destroyed again.
 * Every PIN buffer handed in is owned by the service and zeroed before it returns.
 */
import { randomUUID } from 'node:crypto';
import { YinjianError } from '../../../shared/errors/index';
import {
  adoptCaCertificate,
  buildCrl,
  buildRootCertificate,
  buildSealCertificate,
  buildSignedSnapshot,
  parseCertificate,
  samePublicKey,
  type CertificateInfo,
  type RevocationEntry,
} from '../pki/index';
import type { SealSigner, SignatureAlgorithm } from '../ports/signer';
import type { SealKeyPair, SealKeyType, UsbKeyInfo, UsbKeyPort, UsbKeySession } from '../ports/usb-key';
import {
  nextSealState,
  requireApproval,
  type Actor,
  type ApproverRole,
  type Approval,
  type Delegation,
  type KeyType,
  type LifecycleEventKind,
  type Person,
  type Seal,
  type SealCertificate,
  type SealUseDecision,
  type UnitKind,
} from '../register/index';
import { INITIAL_PIN_RECORD_LABEL, initialPinRecord } from '../usb-key/initial-pin';
import { addYears, nextFirstOfJuly, startOfBeijingDay } from './dates';
import { DENY_WORDS_SETTING, officeDenyList } from './deny-list';
import { scannedDocumentsAllowed } from './scanned-documents';
import { officePublicationPoints } from './publication-points';
import { checkTimestampPolicy, TIMESTAMP_POLICY_SETTING, timestampPolicyOf, type TimestampPolicy } from './timestamp-policy';
import type { ImpressionRenderer, OfficeRegister } from './ports';
import {
  SNAPSHOT_SCHEMA,
  SNAPSHOT_VERSION,
  certificateFingerprint,
  encodeRegisterSnapshot,
  workstationHash,
  type RegisterSnapshot,
  type SnapshotCertificate,
} from './snapshot';

/** Register settings the office keeps (text values). */
export const OFFICE_SETTING = {
  caCertificate: 'office.caCertificate',
  groupName: 'office.groupName',
  publicationSequence: 'office.publicationSequence',
  denyList: DENY_WORDS_SETTING,
} as const;

/** Labels of the objects the office writes on USB keys. */
export const TOKEN_LABEL = {
  caKey: 'yinjian-group-ca',
  sealKey: 'yinjian-seal',
  caCertificateCopy: 'yinjian-group-ca-certificate',
} as const;

/** The group CA outlives every seal it issues; the issue asks for at least 20 years. */
export const MIN_CA_YEARS = 20;
export const DEFAULT_CA_YEARS = 25;
/** Default seal validity when --valid-to is not given. */
export const DEFAULT_SEAL_YEARS = 5;

const KEY_TYPE_OF: Readonly<Record<SealKeyType, KeyType>> = { rsa2048: 'RSA_2048', p256: 'EC_P256' };

function algorithmFor(keyType: SealKeyType): SignatureAlgorithm {
  return keyType === 'p256' ? 'ECDSA_P256_SHA256' : 'RSA_PKCS1_SHA256';
}

function wipe(...buffers: (Uint8Array | undefined)[]): void {
  for (const b of buffers) b?.fill(0);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** Seal codes go into the certificate (PrintableString) and onto the impression: digits, Latin letters, hyphens. */
const SEAL_CODE = /^[0-9A-Za-z-]{1,24}$/;

function requireField(field: string, value: string | undefined): string {
  const v = value?.trim() ?? '';
  if (v === '') throw new YinjianError('REGISTER_FIELD_REQUIRED', { field });
  return v;
}

export interface OfficeServiceDeps {
  readonly keys: UsbKeyPort;
  readonly register: OfficeRegister;
  readonly impressions: ImpressionRenderer;
  readonly clock?: () => Date;
}

export interface GroupCa {
  readonly groupName: string;
  readonly certificate: CertificateInfo;
  readonly tokenSerial: string;
  readonly adopted: boolean;
}

export interface InitCaRequest {
  readonly token: string;
  /** Required unless adopting. */
  readonly groupName?: string;
  readonly commonName?: string;
  readonly years?: number;
  readonly keyType?: SealKeyType;
  /** Adopt the CA key and certificate already on the token instead of making new ones. */
  readonly adopt?: boolean;
}

/** What a seal certificate says, besides its key. */
interface SealParticulars {
  readonly unitName: string;
  readonly unitKind: UnitKind;
  readonly sealName: string;
  readonly sealCode: string;
  readonly custodianStaffId: string;
  readonly workstationId: string;
  readonly validFrom: Date;
  readonly validTo: Date;
}

export interface ValidityChoice {
  readonly validFrom?: Date;
  readonly validTo?: Date;
  /** E1: a new rollout starts on the next 1 July. */
  readonly rollout?: boolean;
}

export interface IssueRequest extends ValidityChoice {
  readonly caToken: string;
  /** The custodian's USB key, by serial or label; it is erased and initialised. */
  readonly token: string;
  /** Label the key gets after initialisation; defaults to its current label. */
  readonly tokenLabel?: string;
  readonly unitName: string;
  readonly unitKind: UnitKind;
  readonly sealName: string;
  readonly sealCode: string;
  readonly custodianName: string;
  readonly custodianStaffId: string;
  /** The code `yinjian workstation id` shows on the seal's dedicated computer (M4, S1). */
  readonly workstationId: string;
  readonly approval: Partial<Approval>;
  readonly keyType?: SealKeyType;
}

/** PINs of an issuance, in the order the CLI reads them. The service zeroes them. */
export interface IssuancePins {
  readonly caPin: Uint8Array;
  readonly soPin: Uint8Array;
  readonly initialUserPin: Uint8Array;
}

export interface IssuedSeal {
  readonly seal: Seal;
  readonly certificate: CertificateInfo;
  readonly token: UsbKeyInfo;
}

export interface ChangeRequest extends ValidityChoice {
  readonly caToken: string;
  /** The USB key the unit handed back (S3), or another: it is erased and receives the new key. */
  readonly token: string;
  readonly tokenLabel?: string;
  readonly sealCode: string;
  readonly approval: Partial<Approval>;
  readonly sealName?: string;
  readonly custodianName?: string;
  readonly custodianStaffId?: string;
  readonly workstationId?: string;
  readonly keyType?: SealKeyType;
}

export interface ReissueRequest extends ValidityChoice {
  readonly caToken: string;
  /** A new USB key (S4, S5): never the one the seal is on now. */
  readonly token: string;
  readonly tokenLabel?: string;
  readonly sealCode: string;
  readonly approval: Partial<Approval>;
  readonly cause: 'damage' | 'loss';
  readonly keyType?: SealKeyType;
}

export interface DelegationRequest {
  readonly sealCode: string;
  readonly proxyName: string;
  readonly proxyStaffId: string;
  readonly approverName: string;
  readonly approverStaffId: string;
  readonly approverRole: ApproverRole;
  readonly reason: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
}

export interface Publication {
  readonly sequence: number;
  readonly issuedAt: Date;
  readonly crl: Uint8Array;
  readonly snapshot: Uint8Array;
  readonly snapshotContent: RegisterSnapshot;
  readonly rootCertificate: Uint8Array;
  readonly revokedSerials: readonly string[];
}

interface OpenedCa {
  readonly session: UsbKeySession;
  readonly certificate: CertificateInfo;
  readonly keyPair: SealKeyPair;
  readonly signer: SealSigner;
}

export class OfficeService {
  private readonly keys: UsbKeyPort;
  private readonly register: OfficeRegister;
  private readonly impressions: ImpressionRenderer;
  private readonly clock: () => Date;

  constructor(deps: OfficeServiceDeps) {
    this.keys = deps.keys;
    this.register = deps.register;
    this.impressions = deps.impressions;
    this.clock = deps.clock ?? (() => new Date());
  }

  // ------------------------------------------------------------------ CA

  /** The group CA this register works for, or undefined before init-ca. */
  groupCa(): { groupName: string; certificate: CertificateInfo } | undefined {
    const der = this.register.settings.get(OFFICE_SETTING.caCertificate);
    if (der === undefined) return undefined;
    return { groupName: this.register.settings.get(OFFICE_SETTING.groupName) ?? '', certificate: parseCertificate(Buffer.from(der, 'base64')) };
  }

  private requireGroupCa(): { groupName: string; certificate: CertificateInfo } {
    const ca = this.groupCa();
    if (ca === undefined) throw new YinjianError('OFFICE_CA_NOT_SET_UP');
    return ca;
  }

  /** Finds the CA certificate and its key pair on an open session, if there is one. */
  private async findCaOnToken(session: UsbKeySession): Promise<{ certificate: CertificateInfo; keyPair: SealKeyPair } | undefined> {
    const pairs = await session.listKeyPairs();
    for (const stored of await session.listCertificates()) {
      let certificate: CertificateInfo;
      try {
        certificate = parseCertificate(stored.der);
      } catch {
        continue;
      }
      if (!certificate.basicConstraints?.ca) continue;
      const keyPair = pairs.find((p) => bytesEqual(p.keyId, stored.keyId) && samePublicKey(p.publicKeySpki, certificate.spki));
      if (keyPair !== undefined) return { certificate, keyPair };
    }
    return undefined;
  }

  /**
   * `office init-ca`: generates the CA key pair on the office USB key (sensitive,
   * non-extractable), self-signs the root certificate (O = group, ≥ 20 years) and stores it
   * beside the key; or, with `adopt`, takes over the CA key and certificate already there.
   */
  async initCa(request: InitCaRequest, pin: Uint8Array, actor: Actor): Promise<GroupCa> {
    try {
      requireOffice(actor, 'CA_SET_UP');
      const existing = this.groupCa();
      if (existing !== undefined) throw new YinjianError('OFFICE_CA_ALREADY_SET', { fingerprint: existing.certificate.sha256Fingerprint });
      const years = request.years ?? DEFAULT_CA_YEARS;
      if (!Number.isInteger(years) || years < MIN_CA_YEARS || years > 50) {
        throw new YinjianError('OFFICE_INPUT_INVALID', { field: '--years', detail: `${String(years)} (${MIN_CA_YEARS} to 50)` });
      }
      const groupName = request.adopt ? request.groupName?.trim() : requireField('--name', request.groupName);
      const key = this.keys.findKey(request.token);
      const session = await this.keys.openSession(key.serial, pin);
      try {
        const onToken = await this.findCaOnToken(session);
        let certificate: CertificateInfo;
        if (request.adopt) {
          if (onToken === undefined) throw new YinjianError('OFFICE_CA_NOT_FOUND', { token: request.token });
          certificate = adoptCaCertificate(onToken.certificate.der, onToken.keyPair.publicKeySpki);
          if (groupName !== undefined && groupName !== '' && groupName !== certificate.subject.organization) {
            throw new YinjianError('OFFICE_INPUT_INVALID', { field: '--name', detail: `the adopted CA is for ${certificate.subject.organization ?? '?'}` });
          }
        } else {
          if (onToken !== undefined) throw new YinjianError('OFFICE_CA_EXISTS', { token: request.token });
          const keyPair = await session.generateKeyPair(request.keyType ?? 'rsa2048', TOKEN_LABEL.caKey);
          try {
            const signer = await session.signer(keyPair.keyId, algorithmFor(keyPair.keyType));
            // From the start of today (Beijing), so a seal issued today "from today" lies inside it (E1).
            const notBefore = startOfBeijingDay(this.clock());
            const der = await buildRootCertificate({
              signer,
              groupName: groupName as string,
              commonName: request.commonName?.trim() || `${groupName as string}电子印章根证书`,
              validity: { notBefore, notAfter: addYears(notBefore, years) },
            });
            await session.storeCertificate(der, keyPair.keyId, TOKEN_LABEL.caKey);
            certificate = parseCertificate(der);
          } catch (error) {
            await session.destroyKeyObjects(keyPair.keyId).catch(() => undefined);
            throw error;
          }
        }
        const adopted = request.adopt === true;
        const finalGroup = certificate.subject.organization ?? (groupName as string);
        try {
          this.register.transaction(() => {
            this.register.settings.set(OFFICE_SETTING.caCertificate, base64(certificate.der));
            this.register.settings.set(OFFICE_SETTING.groupName, finalGroup);
            this.register.audit.append({
              actor,
              action: 'CA_SET_UP',
              subject: finalGroup,
              details: { adopted, tokenSerial: key.serial, fingerprint: certificate.sha256Fingerprint, notBefore: certificate.notBefore.toISOString(), notAfter: certificate.notAfter.toISOString() },
            });
          });
        } catch (error) {
          if (!adopted) {
            const made = await this.findCaOnToken(session);
            if (made !== undefined) await session.destroyKeyObjects(made.keyPair.keyId).catch(() => undefined);
          }
          throw error;
        }
        return { groupName: finalGroup, certificate, tokenSerial: key.serial, adopted };
      } finally {
        await session.close();
      }
    } finally {
      wipe(pin);
    }
  }

  /** Opens the office USB key and checks it holds this register's CA. The caller closes the session. */
  private async openCa(caToken: string, pin: Uint8Array): Promise<OpenedCa> {
    const expected = this.requireGroupCa();
    const key = this.keys.findKey(caToken);
    const session = await this.keys.openSession(key.serial, pin);
    try {
      const found = await this.findCaOnToken(session);
      if (found === undefined) throw new YinjianError('OFFICE_CA_NOT_FOUND', { token: caToken });
      if (found.certificate.sha256Fingerprint !== expected.certificate.sha256Fingerprint) throw new YinjianError('OFFICE_CA_MISMATCH', { token: caToken });
      const signer = await session.signer(found.keyPair.keyId, algorithmFor(found.keyPair.keyType));
      return { session, certificate: found.certificate, keyPair: found.keyPair, signer };
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  // ------------------------------------------------------------------ issuing

  private validity(choice: ValidityChoice, ca: CertificateInfo, fallbackTo?: Date): { validFrom: Date; validTo: Date } {
    const now = this.clock();
    const validFrom = choice.validFrom ?? (choice.rollout ? nextFirstOfJuly(now) : now);
    const defaultTo = fallbackTo ?? addYears(validFrom, DEFAULT_SEAL_YEARS);
    const validTo = choice.validTo ?? (defaultTo > ca.notAfter ? ca.notAfter : defaultTo);
    if (!(validTo.getTime() > validFrom.getTime())) {
      throw new YinjianError('CERTIFICATE_VALIDITY_INVALID', { from: validFrom.toISOString(), to: validTo.toISOString() });
    }
    // E1: the seal cannot be valid where the CA is not; say so before any key is touched.
    if (validFrom < ca.notBefore || validTo > ca.notAfter) {
      throw new YinjianError('CERTIFICATE_VALIDITY_INVALID', { from: validFrom.toISOString(), to: validTo.toISOString() });
    }
    return { validFrom, validTo };
  }

  /**
   * Steps 2–3 of the order above for issue, change and re-issue: opens the CA, initialises the
   * seal's USB key, generates the key pair on it, issues the certificate, writes the
   * certificate, the CA certificate and the first-use marker (M4). Returns what the register
   * needs and a cleanup that destroys the key objects again if the register refuses.
   */
  private async provisionSealKey(
    request: { caToken: string; token: string; tokenLabel?: string; keyType?: SealKeyType },
    particulars: SealParticulars,
    pins: IssuancePins,
    replacingSealId?: string,
  ): Promise<{ certificate: CertificateInfo; sealCertificate: SealCertificate; token: UsbKeyInfo; cleanup: () => Promise<void> }> {
    const caKey = this.keys.findKey(request.caToken);
    const sealKey = this.keys.findKey(request.token);
    // The CA key must never be erased by mistake: initialising wipes every object on a key.
    if (caKey.serial === sealKey.serial) throw new YinjianError('OFFICE_SAME_TOKEN', { token: request.token });
    await this.assertKeyHoldsNoLiveSeal(request.token, replacingSealId);
    const ca = await this.openCa(request.caToken, pins.caPin);
    try {
      const groupName = this.requireGroupCa().groupName;
      const initialised = await this.keys.initializeKey(sealKey.serial, pins.soPin, request.tokenLabel?.trim() || sealKey.label, pins.initialUserPin);
      const session = await this.keys.openSession(initialised.serial, pins.initialUserPin);
      let keyPair: SealKeyPair | undefined;
      try {
        keyPair = await session.generateKeyPair(request.keyType ?? 'rsa2048', TOKEN_LABEL.sealKey);
        const der = await buildSealCertificate({
          issuerCertificate: ca.certificate.der,
          issuerSigner: ca.signer,
          subjectPublicKeySpki: keyPair.publicKeySpki,
          groupName,
          unit: particulars.unitName,
          sealName: particulars.sealName,
          sealCode: particulars.sealCode,
          sealKind: particulars.unitKind,
          custodianStaffId: particulars.custodianStaffId,
          workstationId: particulars.workstationId,
          validity: { notBefore: particulars.validFrom, notAfter: particulars.validTo },
          publicationPoints: officePublicationPoints(this.register),
        });
        await session.storeCertificate(der, keyPair.keyId, TOKEN_LABEL.sealKey);
        // The CA certificate travels with the seal key, so the key alone can build a chain.
        await session.storeCertificate(ca.certificate.der, ca.certificate.subjectKeyIdentifier ?? new Uint8Array([0xca]), TOKEN_LABEL.caCertificateCopy);
        // M4: the key leaves the office with an initial PIN that must be changed before it signs.
        // A model that cannot hold the marker (NSS, tpm2-pkcs11: TOKEN_MARKER_UNSUPPORTED) is
        // still held to it by the register's usb_keys row written with the issuance below.
        await session.writeFirstUseMarker().catch((error: unknown) => {
          if (!(error instanceof YinjianError && error.code === 'TOKEN_MARKER_UNSUPPORTED')) throw error;
        });
        // M4 for good: the key keeps a salted slow hash of its initial PIN in a private object,
        // so a PIN later set back to it is still refused at signing (core/usb-key/initial-pin.ts).
        await session.replaceRecord(INITIAL_PIN_RECORD_LABEL, initialPinRecord(pins.initialUserPin)).catch((error: unknown) => {
          if (!(error instanceof YinjianError && error.code === 'TOKEN_MARKER_UNSUPPORTED')) throw error;
        });
        const certificate = parseCertificate(der);
        const pair = keyPair;
        const serial = initialised.serial;
        return {
          certificate,
          token: initialised,
          sealCertificate: {
            serial: certificate.serialHex,
            der,
            validFrom: certificate.notBefore,
            validTo: certificate.notAfter,
            keyType: KEY_TYPE_OF[pair.keyType],
            tokenSerial: serial,
          },
          cleanup: async () => {
            const again = await this.keys.openSession(serial, pins.initialUserPin);
            try {
              await again.destroyKeyObjects(pair.keyId);
            } finally {
              await again.close();
            }
          },
        };
      } catch (error) {
        if (keyPair !== undefined) await session.destroyKeyObjects(keyPair.keyId).catch(() => undefined);
        throw error;
      } finally {
        await session.close();
      }
    } finally {
      await ca.session.close();
    }
  }

  /**
   * S2, S3: a USB key that still carries a seal the register does not call CANCELLED is never
   * initialised again: initialising destroys that seal's key while the register still files it
   * (issue #12 saw four ACTIVE seals on one key). Checked before any PIN is used on the key and
   * before the key is touched, from what needs no PIN: the key serial the register recorded at
   * issuance, and the certificates stored on the key as public objects (a workstation-side copy
   * of a seal, or a key whose serial changed, is still recognised by its certificate).
   * `allowedSealId`: the seal a change (S3 变更) replaces on the very key it hands back.
   */
  async assertKeyHoldsNoLiveSeal(token: string, allowedSealId?: string): Promise<void> {
    const key = this.keys.findKey(token);
    const onKey = await this.keys.listPublicCertificates(key.serial);
    for (const seal of this.register.seals.list()) {
      if (seal.state === 'CANCELLED' || seal.id === allowedSealId) continue;
      const current = this.register.seals.certificates(seal.id).find((c) => c.serial === seal.certificate.serial) ?? seal.certificate;
      const holds =
        (current.tokenSerial !== '' && current.tokenSerial === key.serial) ||
        onKey.some((c) => bytesEqual(c.der, current.der) || samePublicKeyOf(c.der, current.der));
      if (holds) throw new YinjianError('SEAL_KEY_IN_USE', { token: key.label || key.serial, seal: seal.code, state: seal.state });
    }
  }

  /** Step 4: the register transaction, or the token objects of step 3 are removed again. */
  private async record<R>(cleanup: () => Promise<void>, write: () => R): Promise<R> {
    try {
      return this.register.transaction(write);
    } catch (error) {
      await cleanup().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Every check of an issuance that needs no PIN and no USB key (S2, M1, M2, E1): the CLI runs
   * it before asking for PINs, and issue() runs it again before touching anything.
   */
  preflightIssue(request: IssueRequest, actor: Actor): { particulars: SealParticulars; approval: Approval; custodianName: string } {
    requireOffice(actor, 'ISSUE');
    // S2: refused without the approval, before anything else happens.
    const approval = requireApproval('ISSUE', request.approval);
    const unitName = requireField('--unit', request.unitName);
    const sealName = requireField('--seal-name', request.sealName);
    const sealCode = requireField('--seal-code', request.sealCode);
    const custodianName = requireField('--custodian', request.custodianName);
    const custodianStaffId = requireField('--staff-id', request.custodianStaffId);
    const workstationId = requireField('--workstation', request.workstationId);
    if (!SEAL_CODE.test(sealCode)) throw new YinjianError('OFFICE_INPUT_INVALID', { field: '--seal-code', detail: `${sealCode} (1-24 digits, Latin letters or hyphens)` });
    if (request.unitKind !== 'company' && request.unitKind !== 'department') {
      throw new YinjianError('OFFICE_INPUT_INVALID', { field: '--unit-kind', detail: 'company or department' });
    }
    const ca = this.requireGroupCa();
    // A second ACTIVE (or lost, not yet cancelled) seal with the same code would fork it.
    if (this.register.seals.holdingCode(sealCode) !== undefined) throw new YinjianError('SEAL_CODE_IN_USE', { code: sealCode });
    const unit = this.register.units.get(unitName);
    if (unit !== undefined && unit.kind !== request.unitKind) throw new YinjianError('SEAL_KIND_MISMATCH', { sealKind: request.unitKind, unitKind: unit.kind });
    this.checkCustodian(custodianStaffId, custodianName, unitName);
    const { validFrom, validTo } = this.validity(request, ca.certificate);
    return {
      approval,
      custodianName,
      particulars: { unitName, unitKind: request.unitKind, sealName, sealCode, custodianStaffId, workstationId, validFrom, validTo },
    };
  }

  /** S2, M1: issues a new seal onto the custodian's USB key and files it in the register as ACTIVE. */
  async issue(request: IssueRequest, pins: IssuancePins, actor: Actor): Promise<IssuedSeal> {
    try {
      const { particulars, approval, custodianName } = this.preflightIssue(request, actor);
      const { unitName, unitKind, sealName, sealCode, custodianStaffId, workstationId } = particulars;
      const appearance = this.impressions.render({ kind: unitKind, unitName, sealName, sealCode });
      const made = await this.provisionSealKey(request, particulars, pins);
      const seal = await this.record(made.cleanup, () => {
        if (this.register.units.get(unitName) === undefined) this.register.units.add({ id: unitName, code: unitName, name: unitName, kind: unitKind }, actor);
        if (this.register.custodians.get(custodianStaffId) === undefined) this.register.custodians.add({ staffId: custodianStaffId, name: custodianName, unitId: unitName }, actor);
        this.ensureWorkstation(workstationId, actor);
        return this.register.lifecycle.issue(
          { id: `${sealCode}-${randomUUID().slice(0, 8)}`, code: sealCode, name: sealName, unitId: unitName, custodianStaffId, workstationId, certificate: made.sealCertificate, appearance, approval },
          actor,
        );
      });
      return { seal, certificate: made.certificate, token: made.token };
    } finally {
      wipe(pins.caPin, pins.soPin, pins.initialUserPin);
    }
  }

  /** M2: a custodian already registered keeps their name and unit. */
  private checkCustodian(staffId: string, name: string, unitId: string): void {
    const known = this.register.custodians.get(staffId);
    if (known === undefined) return;
    if (known.name !== name) throw new YinjianError('OFFICE_CUSTODIAN_NAME_MISMATCH', { staffId, registered: known.name, given: name });
    if (known.unitId !== unitId) throw new YinjianError('CUSTODIAN_UNIT_MISMATCH', { staffId, unit: unitId });
  }

  private ensureWorkstation(workstationId: string, actor: Actor): void {
    if (this.register.workstations.get(workstationId) === undefined) {
      this.register.workstations.add({ id: workstationId, name: workstationId, machineId: workstationId, registeredAt: this.clock() }, actor);
    }
  }

  /** The seal currently holding a code (not cancelled). */
  requireSeal(sealCode: string): Seal {
    const seal = this.register.seals.holdingCode(sealCode);
    if (seal === undefined) {
      const any = this.register.seals.withCode(sealCode).at(-1);
      // A cancelled seal is still known: say it is cancelled rather than unknown (S3).
      if (any !== undefined) return any;
      throw new YinjianError('SEAL_NOT_FOUND', { seal: sealCode });
    }
    return seal;
  }

  /** The same refusal, for the CLI to run before it asks for PINs. */
  preflightLifecycle(sealCode: string, event: LifecycleEventKind, approval: Partial<Approval>, actor: Actor): Seal {
    const seal = this.requireSeal(requireField('--seal-code', sealCode));
    this.preflight(seal, event, approval, actor);
    return seal;
  }

  /** Refuses an illegal transition with the state machine's own error before anything is touched. */
  private preflight(seal: Seal, event: LifecycleEventKind, approval: Partial<Approval>, actor: Actor): Approval {
    nextSealState(seal.code, seal.state, event);
    requireOffice(actor, event);
    return requireApproval(event, approval);
  }

  private workstationOf(seal: Seal): string {
    if (seal.workstationId === null) throw new YinjianError('WORKSTATION_NOT_FOUND', { workstation: '-' });
    return seal.workstationId;
  }

  private unitOf(seal: Seal): { name: string; kind: UnitKind } {
    const unit = this.register.units.get(seal.unitId);
    if (unit === undefined) throw new YinjianError('UNIT_NOT_FOUND', { unit: seal.unitId });
    return { name: unit.name, kind: unit.kind };
  }

  /** S3 变更: a new key and certificate with the new particulars; the old one is revoked as superseded. */
  async change(request: ChangeRequest, pins: IssuancePins, actor: Actor): Promise<IssuedSeal> {
    try {
      const seal = this.requireSeal(requireField('--seal-code', request.sealCode));
      const approval = this.preflight(seal, 'CHANGE', request.approval, actor);
      const ca = this.requireGroupCa();
      const unit = this.unitOf(seal);
      const sealName = request.sealName?.trim() || seal.name;
      const staffId = request.custodianStaffId?.trim() || seal.custodianStaffId;
      const knownCustodian = this.register.custodians.get(staffId);
      const custodianName = request.custodianName?.trim() || knownCustodian?.name;
      if (custodianName === undefined) throw new YinjianError('REGISTER_FIELD_REQUIRED', { field: '--custodian' });
      this.checkCustodian(staffId, custodianName, seal.unitId);
      const workstationId = request.workstationId?.trim() || this.workstationOf(seal);
      const { validFrom, validTo } = this.validity(request, ca.certificate, seal.certificate.validTo);
      const appearance = this.impressions.render({ kind: unit.kind, unitName: unit.name, sealName, sealCode: seal.code });
      const made = await this.provisionSealKey(
        request,
        { unitName: unit.name, unitKind: unit.kind, sealName, sealCode: seal.code, custodianStaffId: staffId, workstationId, validFrom, validTo },
        pins,
        seal.id,
      );
      const changed = await this.record(made.cleanup, () => {
        if (staffId !== seal.custodianStaffId) {
          if (knownCustodian === undefined) this.register.custodians.add({ staffId, name: custodianName, unitId: seal.unitId }, actor);
          this.register.lifecycle.assignCustodian(seal.id, staffId, approval, actor);
        }
        if (workstationId !== seal.workstationId) {
          this.ensureWorkstation(workstationId, actor);
          this.register.lifecycle.bindWorkstation(seal.id, workstationId, approval, actor);
        }
        return this.register.lifecycle.change(seal.id, { approval, certificate: made.sealCertificate, name: sealName, appearance }, actor);
      });
      return { seal: changed, certificate: made.certificate, token: made.token };
    } finally {
      wipe(pins.caPin, pins.soPin, pins.initialUserPin);
    }
  }

  /** S4, S5 补办: same seal identity, a new key pair on a new USB key, the old certificate superseded. */
  async reissue(request: ReissueRequest, pins: IssuancePins, actor: Actor): Promise<IssuedSeal> {
    try {
      const seal = this.requireSeal(requireField('--seal-code', request.sealCode));
      const approval = this.preflight(seal, 'REISSUE', request.approval, actor);
      const ca = this.requireGroupCa();
      const newKey = this.keys.findKey(request.token);
      if (newKey.serial === seal.certificate.tokenSerial) throw new YinjianError('REISSUE_NEEDS_NEW_KEY', { tokenSerial: newKey.serial });
      const unit = this.unitOf(seal);
      const { validFrom, validTo } = this.validity(request, ca.certificate, seal.certificate.validTo);
      const made = await this.provisionSealKey(
        request,
        { unitName: unit.name, unitKind: unit.kind, sealName: seal.name, sealCode: seal.code, custodianStaffId: seal.custodianStaffId, workstationId: this.workstationOf(seal), validFrom, validTo },
        pins,
      );
      const reissued = await this.record(made.cleanup, () =>
        this.register.lifecycle.reissue(seal.id, { approval, certificate: made.sealCertificate, cause: request.cause }, actor),
      );
      return { seal: reissued, certificate: made.certificate, token: made.token };
    } finally {
      wipe(pins.caPin, pins.soPin, pins.initialUserPin);
    }
  }

  /**
   * S3 注销/销毁: revoked (cessationOfOperation) in the register; when the unit hands the key
   * back with its PIN, the seal's key objects on it are destroyed too, so it can never sign
   * again even offline. The key is checked to be the seal's before anything is changed.
   */
  async cancel(
    request: { sealCode: string; approval: Partial<Approval>; token?: string },
    pin: Uint8Array | undefined,
    actor: Actor,
  ): Promise<{ seal: Seal; destroyedObjects: number }> {
    let session: UsbKeySession | undefined;
    try {
      const seal = this.requireSeal(requireField('--seal-code', request.sealCode));
      const approval = this.preflight(seal, 'CANCEL', request.approval, actor);
      let keyId: Uint8Array | undefined;
      let tokenSerial: string | undefined;
      if (request.token !== undefined) {
        if (pin === undefined) throw new YinjianError('PIN_INPUT_MISSING');
        tokenSerial = this.keys.findKey(request.token).serial;
        session = await this.keys.openSession(tokenSerial, pin);
        const sealKeys = this.register.seals.certificates(seal.id).map((c) => parseCertificate(c.der).spki);
        const pair = (await session.listKeyPairs()).find((p) => sealKeys.some((spki) => samePublicKey(spki, p.publicKeySpki)));
        if (pair === undefined) throw new YinjianError('OFFICE_TOKEN_NOT_SEAL_KEY', { token: request.token, seal: seal.code });
        keyId = pair.keyId;
      }
      const cancelled = this.register.lifecycle.cancel(seal.id, { approval }, actor);
      let destroyedObjects = 0;
      if (session !== undefined && keyId !== undefined) {
        destroyedObjects = await session.destroyKeyObjects(keyId);
        this.register.audit.append({ actor, action: 'SEAL_KEY_DESTROYED', subject: seal.code, details: { sealId: seal.id, tokenSerial: tokenSerial ?? null, objects: destroyedObjects } });
      }
      return { seal: cancelled, destroyedObjects };
    } finally {
      wipe(pin);
      await session?.close();
    }
  }

  /** S5 挂失: revoked at once, reason keyCompromise, from the reported loss time. */
  reportLoss(request: { sealCode: string; approval: Partial<Approval>; lostAt?: Date }, actor: Actor): Seal {
    const seal = this.requireSeal(requireField('--seal-code', request.sealCode));
    return this.register.lifecycle.reportLoss(seal.id, { approval: request.approval, lostAt: request.lostAt ?? this.clock() }, actor);
  }

  /** S5: only the office confirms a loss; the report and the confirmation both stay on record. */
  confirmLoss(request: { sealCode: string; approval: Partial<Approval> }, actor: Actor): Seal {
    const seal = this.requireSeal(requireField('--seal-code', request.sealCode));
    return this.register.lifecycle.confirmLoss(seal.id, { approval: request.approval }, actor);
  }

  /** S5: only the office withdraws a loss report; the certificate stays revoked (keyCompromise is final). */
  withdrawLoss(request: { sealCode: string; approval: Partial<Approval> }, actor: Actor): Seal {
    const seal = this.requireSeal(requireField('--seal-code', request.sealCode));
    return this.register.lifecycle.withdrawLoss(seal.id, { approval: request.approval }, actor);
  }

  // ------------------------------------------------------------------ delegation (M3)

  delegate(request: DelegationRequest, actor: Actor): Delegation {
    const seal = this.requireSeal(requireField('--seal-code', request.sealCode));
    return this.register.delegations.create(seal.id, randomUUID(), { ...request }, actor);
  }

  /** M3: the seal's delegations, newest first, revoked ones included. */
  delegations(sealCode: string): Delegation[] {
    return this.register.delegations.forSeal(this.requireSeal(sealCode).id).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  /**
   * M3: the office ends a delegation before its window closes (the custodian is back, the
   * approval was withdrawn). From now on the proxy cannot stamp; workstations learn it from
   * the next snapshot. Audited (DELEGATION_REVOKED).
   */
  revokeDelegation(sealCode: string, delegationId: string, actor: Actor): Delegation {
    requireOffice(actor, 'DELEGATION_REVOKED');
    const seal = this.requireSeal(requireField('--seal-code', sealCode));
    if (!this.register.delegations.forSeal(seal.id).some((d) => d.id === delegationId)) {
      throw new YinjianError('DELEGATION_NOT_FOUND', { delegation: delegationId });
    }
    return this.register.delegations.revoke(delegationId, this.clock(), actor);
  }

  /** M3: may `person` use the seal at `time`? */
  mayUse(sealCode: string, person: Person, time: Date): SealUseDecision {
    return this.register.delegations.mayUse(person, this.requireSeal(sealCode).id, time);
  }

  // ------------------------------------------------------------------ publication

  /** The group's trusted-time policy (issue #12), published with the next snapshot. */
  timestampPolicy(): TimestampPolicy | undefined {
    return timestampPolicyOf(this.register.settings);
  }

  /**
   * Sets the group's TSA and the rule "a seal must carry a trusted timestamp" (S5, E1, M3 on a
   * time the custodian cannot set). Checked, saved and audited in one transaction; workstations
   * follow from the next snapshot they import. `undefined` removes the policy.
   */
  setTimestampPolicy(policy: TimestampPolicy | undefined, actor: Actor): TimestampPolicy | undefined {
    requireOffice(actor, 'SETTING_CHANGED');
    const checked = policy === undefined ? undefined : checkTimestampPolicy(policy);
    if (checked) for (const der of checked.tsaCertificates) parseCertificate(Buffer.from(der, 'base64'));
    this.register.transaction(() => {
      if (checked === undefined) this.register.settings.delete(TIMESTAMP_POLICY_SETTING);
      else this.register.settings.set(TIMESTAMP_POLICY_SETTING, JSON.stringify(checked));
      this.register.audit.append({
        actor,
        action: 'SETTING_CHANGED',
        subject: TIMESTAMP_POLICY_SETTING,
        details: checked
          ? { required: checked.required, url: checked.url, tsaCertificates: checked.tsaCertificates.map((c) => certificateFingerprint(Buffer.from(c, 'base64'))), toleranceSeconds: checked.toleranceSeconds }
          : { removed: true },
      });
    });
    return checked;
  }

  /** The U2 deny list the office publishes: the saved one, else the regulation's default. */
  denyList(): readonly string[] {
    return officeDenyList(this.register);
  }

  /**
   * `office publish`: a CRL of every revoked seal certificate and the signed register snapshot,
   * both signed by the CA key on the office USB key. The publication number is taken (and
   * audited) before anything is returned, so two publications never share a number and a
   * workstation never mistakes a new snapshot for a rollback.
   */
  async publish(request: { caToken: string; nextUpdateDays?: number }, caPin: Uint8Array, actor: Actor): Promise<Publication> {
    let ca: OpenedCa | undefined;
    try {
      requireOffice(actor, 'REGISTER_PUBLISHED');
      const days = request.nextUpdateDays ?? 30;
      if (!Number.isInteger(days) || days < 1 || days > 366) throw new YinjianError('OFFICE_INPUT_INVALID', { field: '--next-update-days', detail: String(days) });
      const { groupName } = this.requireGroupCa();
      ca = await this.openCa(request.caToken, caPin);
      const issuedAt = this.clock();
      const seals = this.register.seals.list();
      const entries: RevocationEntry[] = [];
      const revokedSerials: string[] = [];
      const sealRecords = seals.map((seal) => {
        const events = this.register.lifecycleEvents.forSeal(seal.id);
        const certificates = this.register.seals.certificates(seal.id).map((record): SnapshotCertificate => {
          if (record.revokedAt !== null) {
            const info = parseCertificate(record.der);
            // S5: a loss revokes from the reported loss time; the CRL says when the office
            // registered it (revocationDate) and when the key was lost (invalidityDate).
            const report = record.revocationReason === 'keyCompromise'
              ? events.find((e) => e.event === 'REPORT_LOSS' && e.lostAt?.getTime() === record.revokedAt?.getTime())
              : undefined;
            entries.push({
              serialNumber: info.serialNumber,
              revocationDate: report?.at ?? record.revokedAt,
              ...(record.revocationReason !== null ? { reason: record.revocationReason } : {}),
              ...(report !== undefined ? { invalidityDate: record.revokedAt } : {}),
            });
            revokedSerials.push(info.serialHex);
          }
          return {
            certificateDer: base64(record.der),
            serialHex: record.serial,
            validFrom: record.validFrom.toISOString(),
            validTo: record.validTo.toISOString(),
            revokedAt: record.revokedAt?.toISOString() ?? null,
            revocationReason: record.revocationReason,
          };
        });
        const current = certificates.find((c) => c.serialHex === seal.certificate.serial);
        if (current === undefined) throw new YinjianError('REGISTER_RECORD_INVALID', { detail: `seal ${seal.code} has no record of its current certificate` });
        const unit = this.unitOf(seal);
        const lostAt = seal.state === 'ACTIVE' || seal.state === 'CANCELLED' ? null : (events.filter((e) => e.event === 'REPORT_LOSS').at(-1)?.lostAt ?? null);
        return {
          ...current,
          sealId: seal.id,
          sealCode: seal.code,
          sealName: seal.name,
          unit: unit.name,
          unitKind: unit.kind,
          state: seal.state,
          custodianStaffId: seal.custodianStaffId,
          custodianName: this.register.custodians.get(seal.custodianStaffId)?.name ?? '',
          boundWorkstationHash: seal.workstationId === null ? null : workstationHash(seal.workstationId),
          lostAt: lostAt?.toISOString() ?? null,
          certificates,
        };
      });
      const delegations = seals.flatMap((seal) =>
        this.register.delegations.forSeal(seal.id).map((d) => ({
          id: d.id,
          sealCode: seal.code,
          proxyStaffId: d.proxyStaffId,
          proxyName: d.proxyName,
          approverName: d.approverName,
          approverStaffId: d.approverStaffId,
          approverRole: d.approverRole,
          reason: d.reason,
          startsAt: d.startsAt.toISOString(),
          endsAt: d.endsAt.toISOString(),
          revokedAt: d.revokedAt?.toISOString() ?? null,
        })),
      );
      const denyList = this.denyList();
      const caCertificate = ca.certificate;
      // Take the number first, in its own transaction with its audit row (see above).
      const sequence = this.register.transaction(() => {
        const previous = Number(this.register.settings.get(OFFICE_SETTING.publicationSequence) ?? '0');
        const next = (Number.isSafeInteger(previous) && previous > 0 ? previous : 0) + 1;
        this.register.settings.set(OFFICE_SETTING.publicationSequence, String(next));
        this.register.audit.append({
          actor,
          action: 'REGISTER_PUBLISHED',
          subject: `snapshot ${next}`,
          at: issuedAt,
          details: { sequence: next, seals: seals.length, revokedCertificates: revokedSerials.length, delegations: delegations.length, caFingerprint: caCertificate.sha256Fingerprint },
        });
        return next;
      });
      const nextUpdate = new Date(issuedAt.getTime() + days * 86_400_000);
      const snapshotContent: RegisterSnapshot = {
        schema: SNAPSHOT_SCHEMA,
        version: SNAPSHOT_VERSION,
        sequence,
        issuedAt: issuedAt.toISOString(),
        // Issue #12: the snapshot is as fresh as the CRL; a workstation past it stops stamping.
        nextUpdate: nextUpdate.toISOString(),
        timestamping: timestampPolicyOf(this.register.settings) ?? null,
        // U2 (issue #13): scanned documents on the custodian's confirmation, or refused.
        scannedDocumentsAllowed: scannedDocumentsAllowed(this.register.settings),
        group: groupName,
        caFingerprint: certificateFingerprint(caCertificate.der),
        denyList: [...denyList],
        seals: sealRecords,
        delegations,
      };
      const crl = await buildCrl({
        issuerCertificate: caCertificate.der,
        issuerSigner: ca.signer,
        thisUpdate: issuedAt,
        nextUpdate,
        crlNumber: sequence,
        entries,
      });
      const snapshot = await buildSignedSnapshot({
        signer: ca.signer,
        signerCertificate: caCertificate.der,
        caCertificates: [],
        content: encodeRegisterSnapshot(snapshotContent),
        signingTime: issuedAt,
      });
      return { sequence, issuedAt, crl, snapshot, snapshotContent, rootCertificate: caCertificate.der, revokedSerials };
    } finally {
      wipe(caPin);
      await ca?.session.close();
    }
  }
}

/** Two certificates over the same key pair (a re-certified key is the same key). */
function samePublicKeyOf(a: Uint8Array, b: Uint8Array): boolean {
  try {
    return samePublicKey(parseCertificate(a).spki, parseCertificate(b).spki);
  } catch {
    return false;
  }
}

function requireOffice(actor: Actor, action: string): void {
  if (actor.office !== true) throw new YinjianError('OFFICE_ONLY', { action });
}
