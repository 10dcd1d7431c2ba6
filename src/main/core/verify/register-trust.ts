/**
 * The office's signed register snapshot (M1 filing) as the verifier's TrustContext: the group
 * root that signed it is the trust anchor, every certificate a seal ever had is a register
 * entry with its own revocation time and reason (S3 cancellation, S4 supersession, S5 loss),
 * the current certificate carries the bound workstation hash (M4, S1), and the office's U2
 * deny list comes along.
 *
 * Why one entry per certificate rather than per seal: a re-issued seal (S4) keeps its code but
 * gets a new key; a signature made with the old key before the re-issue is still good, one made
 * after it is not. Only the certificate's own revocation time answers that.
 */
import { createHash } from 'node:crypto';
import { YinjianError } from '../../../shared/errors/index';
import { openSignedSnapshot, type RegisterSnapshot, type SnapshotCertificate, type SnapshotSeal } from '../office/snapshot';
import type { RegisterSealEntry, RegisterSealState, TrustContext } from './types';

function certificateState(seal: SnapshotSeal, cert: SnapshotCertificate, current: boolean): { state: RegisterSealState; revokedAt?: Date; reason?: string } {
  if (cert.revokedAt !== null) {
    const reason = cert.revocationReason ?? undefined;
    const state: RegisterSealState = reason === 'superseded' ? 'superseded' : reason === 'keyCompromise' ? 'lost' : 'cancelled';
    return { state, revokedAt: new Date(cert.revokedAt), ...(reason ? { reason } : {}) };
  }
  // A loss the office has registered but whose certificate the snapshot does not (yet) show
  // revoked is still a loss from the reported time (S5: "revoked at once").
  if (current && (seal.state === 'LOST' || seal.state === 'LOSS_CONFIRMED') && seal.lostAt !== null) {
    return { state: 'lost', revokedAt: new Date(seal.lostAt), reason: 'keyCompromise' };
  }
  if (current && seal.state === 'CANCELLED') return { state: 'cancelled', reason: 'cessationOfOperation' };
  return { state: 'active' };
}

/** Register entries, one per certificate of every seal in the snapshot. */
export function registerEntriesFromSnapshot(snapshot: RegisterSnapshot): RegisterSealEntry[] {
  const entries: RegisterSealEntry[] = [];
  for (const seal of snapshot.seals) {
    // The flattened current certificate is also in `certificates`; keep each DER once.
    const seen = new Set<string>();
    const all: { cert: SnapshotCertificate; current: boolean }[] = [{ cert: seal, current: true }, ...seal.certificates.map((cert) => ({ cert, current: cert.certificateDer === seal.certificateDer }))];
    for (const { cert, current } of all) {
      if (seen.has(cert.certificateDer)) continue;
      seen.add(cert.certificateDer);
      const der = Buffer.from(cert.certificateDer, 'base64');
      entries.push({
        sealCode: seal.sealCode,
        certificateSerialHex: cert.serialHex.replace(/^0+/, ''),
        certificateSha256: createHash('sha256').update(der).digest('hex'),
        ...certificateState(seal, cert, current),
        // Only the current certificate's binding is in the snapshot; an older certificate's own
        // seal-info extension still carries the hash it was bound to.
        ...(current && seal.boundWorkstationHash !== null ? { boundWorkstationHash: seal.boundWorkstationHash } : {}),
      });
    }
  }
  return entries;
}

/** Everything the verifier trusts from one snapshot signed by `rootDer`. */
export function trustFromSnapshot(snapshot: RegisterSnapshot, rootDer: Uint8Array): TrustContext {
  const extra: Uint8Array[] = [];
  for (const seal of snapshot.seals) {
    for (const cert of [seal, ...seal.certificates]) extra.push(new Uint8Array(Buffer.from(cert.certificateDer, 'base64')));
  }
  const tsa = snapshot.timestamping?.tsaCertificates ?? [];
  return {
    trustAnchors: [rootDer],
    extraCertificates: extra,
    registerSeals: registerEntriesFromSnapshot(snapshot),
    denyList: snapshot.denyList,
    // Issue #12: the office's TSA certificate(s) anchor timestamp validation (office timestamp-policy).
    ...(tsa.length > 0 ? { timestampAnchors: tsa.map((b) => new Uint8Array(Buffer.from(b, 'base64'))) } : {}),
  };
}

/** Adds `more` to `base`: anchors, certificates, CRLs, register entries and deny-list words. */
export function mergeTrust(base: TrustContext, more: TrustContext): TrustContext {
  return {
    trustAnchors: [...base.trustAnchors, ...more.trustAnchors],
    extraCertificates: [...(base.extraCertificates ?? []), ...(more.extraCertificates ?? [])],
    crls: [...(base.crls ?? []), ...(more.crls ?? [])],
    registerSeals: [...(base.registerSeals ?? []), ...(more.registerSeals ?? [])],
    denyList: [...new Set([...(base.denyList ?? []), ...(more.denyList ?? [])])],
    ...(base.sealPolicyOid ?? more.sealPolicyOid ? { sealPolicyOid: base.sealPolicyOid ?? more.sealPolicyOid } : {}),
    timestampAnchors: [...(base.timestampAnchors ?? []), ...(more.timestampAnchors ?? [])],
    ...(base.registerCurrent === true || more.registerCurrent === true ? { registerCurrent: true } : {}),
  };
}

/**
 * Opens a signed snapshot file given to `verify --register`: its CMS must verify and be signed
 * by one of `candidateRoots` (the --trust roots, or the pinned group root). A tampered or
 * malformed file is refused whatever the roots; a foreign signer only when no root matches.
 */
export async function openSnapshotForVerification(raw: Uint8Array, candidateRoots: readonly Uint8Array[], source: string): Promise<{ snapshot: RegisterSnapshot; rootDer: Uint8Array }> {
  if (candidateRoots.length === 0) throw new YinjianError('VERIFY_REGISTER_NO_ROOT', { path: source });
  let foreign: YinjianError | undefined;
  for (const rootDer of candidateRoots) {
    try {
      const { snapshot } = await openSignedSnapshot(raw, rootDer, source);
      return { snapshot, rootDer };
    } catch (error) {
      // Only "signed by someone else" (or a --trust file that is no certificate) lets the next
      // root have a try; a tampered or unreadable snapshot is refused outright.
      if (error instanceof YinjianError && error.code !== 'SNAPSHOT_SIGNER_UNTRUSTED') {
        throw new YinjianError('VERIFY_REGISTER_REFUSED', { path: source, detail: `${error.code}: ${error.en}` }, { cause: error });
      }
      if (error instanceof YinjianError) foreign = error;
    }
  }
  throw new YinjianError('VERIFY_REGISTER_REFUSED', { path: source, detail: foreign ? `SNAPSHOT_SIGNER_UNTRUSTED: ${foreign.en}` : 'no given root certificate could be read' }, foreign ? { cause: foreign } : undefined);
}
