/**
 * The seal-information certificate extension (OID ARC.2, non-critical, oids.ts):
 *
 *   SealInfo ::= SEQUENCE {
 *     sealKind           ENUMERATED { company(0), department(1) },
 *     unit               UTF8String,   -- the company or department that owns the seal
 *     custodianStaffId   UTF8String,   -- the one registered custodian (M2)
 *     workstationIdHash  OCTET STRING  -- SHA-256 of the bound workstation id (M4, S1)
 *   }
 *
 * Only a hash of the workstation id is published: the certificate travels with every sealed
 * document, the machine identity need not.
 */
import { Asn1DecodeError, der, expectUniversal, readDer, readEnumerated, readOctetString, readString, TAG } from './der';

export interface SealInfo {
  /** M2/M3: a company seal is answerable to the general manager, a department seal to its head. */
  readonly sealKind: 'company' | 'department';
  readonly unit: string;
  readonly custodianStaffId: string;
  readonly workstationIdHash: Uint8Array;
}

const KIND_CODES = { company: 0, department: 1 } as const;

export function encodeSealInfo(info: SealInfo): Uint8Array {
  return der.sequence(der.enumerated(KIND_CODES[info.sealKind]), der.utf8(info.unit), der.utf8(info.custodianStaffId), der.octetString(info.workstationIdHash));
}

export function decodeSealInfo(value: Uint8Array): SealInfo {
  const seq = expectUniversal(readDer(value), TAG.SEQUENCE, 'sealInfo');
  const kindCode = readEnumerated(seq.children[0], 'sealKind');
  const sealKind = kindCode === 0 ? 'company' : kindCode === 1 ? 'department' : undefined;
  if (!sealKind) throw new Asn1DecodeError('sealInfo: unknown seal kind');
  const unit = readString(expectUniversal(seq.children[1], TAG.UTF8_STRING, 'unit'));
  const custodianStaffId = readString(expectUniversal(seq.children[2], TAG.UTF8_STRING, 'custodianStaffId'));
  const workstationIdHash = readOctetString(seq.children[3], 'workstationIdHash');
  if (workstationIdHash.length !== 32) throw new Asn1DecodeError('sealInfo: workstationIdHash is not a SHA-256 value');
  return { sealKind, unit, custodianStaffId, workstationIdHash };
}
