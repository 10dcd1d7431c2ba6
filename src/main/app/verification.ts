/**
 * The verification front door (验章): fills the verifier's TrustContext from what this
 * workstation trusts — the group root it pinned and the signed register snapshot it imported
 * (re-verified on every read), or, on the office's own computer, the group CA it set up — and
 * turns the verifier's FileReport into the contract's DTO; the PDF report comes from
 * src/main/infra/report (written to the export folder).
 */
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { YinjianError, windowErrorOf } from '../../shared/errors/index';
import { MAX_BATCH_DOCUMENTS, type FileReportDto, type ResponseOf, type SignatureReportDto } from '../../shared/ipc/contract';
import { OFFICE_SETTING, pinnedGroupRoot, readTrustedSnapshot, type SnapshotCertificate, type SnapshotSeal } from '../core/office/index';
import { prepareTrust, verifyPdf, type FileReport, type RegisterSealEntry, type TrustContext } from '../core/verify/index';
import type { SealRegister } from '../infra/db/index';
import { writeVerificationReport } from '../infra/report/verification-report';
import type { MainDialogs } from './dialogs';
import type { AppEvents } from './events';
import type { VerificationFrontDoor } from './front-doors';
import { openPdfFile } from './verify-files';

/**
 * The largest file the verifier opens from a dialog pick (issue #14: bounded). Large files are
 * read on demand (FileBytes), never whole, so this bounds the work, not the memory.
 */
export const MAX_PICKED_FILE_BYTES = 512 * 1024 * 1024;

export interface VerificationDeps {
  /** The register; absent when it cannot be opened (then only the user's own trust applies: none). */
  register(): SealRegister | undefined;
  /** Where PDF verification reports are written. */
  reportFolder(): string;
  /** Where 'verify.progress' is pushed for a batch of documents. */
  events?: AppEvents;
  /** The main process's dialogs: the only source of the paths pickAndVerify reads. */
  readonly dialogs?: MainDialogs;
}

function normalSerial(hex: string): string {
  return hex.toLowerCase().replace(/^(00)+(?=.)/, '');
}

function entryOf(seal: SnapshotSeal, certificate: SnapshotCertificate): RegisterSealEntry {
  const der = Buffer.from(certificate.certificateDer, 'base64');
  const current = certificate.certificateDer === seal.certificateDer;
  let state: RegisterSealEntry['state'] = 'active';
  if (certificate.revocationReason === 'superseded') state = 'superseded';
  else if (certificate.revocationReason === 'keyCompromise') state = 'lost';
  else if (certificate.revocationReason === 'cessationOfOperation') state = 'cancelled';
  else if (current && (seal.state === 'LOST' || seal.state === 'LOSS_CONFIRMED')) state = 'lost';
  else if (current && seal.state === 'CANCELLED') state = 'cancelled';
  const revokedAt = certificate.revokedAt ?? (current && state === 'lost' ? seal.lostAt : null);
  return {
    sealCode: seal.sealCode,
    certificateSerialHex: normalSerial(certificate.serialHex),
    certificateSha256: createHash('sha256').update(der).digest('hex'),
    state,
    ...(revokedAt ? { revokedAt: new Date(revokedAt) } : {}),
    ...(certificate.revocationReason ? { reason: certificate.revocationReason } : {}),
    ...(seal.boundWorkstationHash ? { boundWorkstationHash: seal.boundWorkstationHash } : {}),
  };
}

/** What this computer trusts, from its register; empty when nothing was imported or set up. */
export async function trustOf(register: SealRegister | undefined): Promise<TrustContext> {
  if (!register) return { trustAnchors: [] };
  const anchors: Uint8Array[] = [];
  const root = pinnedGroupRoot(register);
  if (root) anchors.push(root.der);
  const officeCa = register.settings.get(OFFICE_SETTING.caCertificate);
  if (officeCa) anchors.push(new Uint8Array(Buffer.from(officeCa, 'base64')));
  const snapshot = await readTrustedSnapshot(register);
  if (!snapshot) return { trustAnchors: anchors };
  const registerSeals: RegisterSealEntry[] = [];
  const extraCertificates: Uint8Array[] = [];
  for (const seal of snapshot.seals) {
    const certificates = seal.certificates.some((c) => c.certificateDer === seal.certificateDer) ? seal.certificates : [seal, ...seal.certificates];
    for (const certificate of certificates) {
      registerSeals.push(entryOf(seal, certificate));
      extraCertificates.push(new Uint8Array(Buffer.from(certificate.certificateDer, 'base64')));
    }
  }
  const tsa = snapshot.timestamping?.tsaCertificates ?? [];
  return {
    trustAnchors: anchors,
    extraCertificates,
    registerSeals,
    denyList: snapshot.denyList,
    // Issue #12: the snapshot counts as revocation data until its next update; the office's TSA
    // certificate(s) anchor timestamps.
    registerCurrent: snapshot.nextUpdate === undefined || Date.now() <= Date.parse(snapshot.nextUpdate),
    ...(tsa.length > 0 ? { timestampAnchors: tsa.map((b) => new Uint8Array(Buffer.from(b, 'base64'))) } : {}),
  };
}

function signatureDto(signature: FileReport['signatures'][number], impressionOf: (code: string | undefined) => string | undefined): SignatureReportDto {
  const impressionPng = impressionOf(signature.seal?.code);
  return {
    field: signature.field,
    verdict: signature.verdict,
    ...(signature.seal ? { seal: { ...signature.seal } } : {}),
    ...(impressionPng ? { impressionPng } : {}),
    ...(signature.signer ? { signer: { ...signature.signer } } : {}),
    chain: signature.chain.map((c) => ({ ...c })),
    ...(signature.claimedTime ? { claimedTime: signature.claimedTime } : {}),
    ...(signature.timestampTime ? { timestampTime: signature.timestampTime } : {}),
    ...(signature.trustedTime ? { trustedTime: signature.trustedTime } : {}),
    changes: signature.changes.map((c) => ({ revision: c.revision, level: c.level, kind: c.kind, ...(c.page !== undefined ? { page: c.page } : {}), ...(c.detail ? { detail: c.detail } : {}) })),
    policy: { ...signature.policy },
    findings: signature.findings.map((f) => ({ code: f.code, severity: f.severity, zh: f.zh, en: f.en })),
    ...(signature.page !== undefined ? { page: signature.page } : {}),
  };
}

export function fileReportDto(name: string, report: FileReport, impressionOf: (code: string | undefined) => string | undefined = () => undefined): FileReportDto {
  return {
    name,
    verdict: report.verdict,
    size: report.size,
    revisions: report.revisions,
    signatures: report.signatures.map((s) => signatureDto(s, impressionOf)),
    findings: report.findings.map((f) => ({ code: f.code, severity: f.severity, zh: f.zh, en: f.en })),
  };
}

export function createVerificationFrontDoor(deps: VerificationDeps): VerificationFrontDoor {
  return {
    async verify(documents) {
      const register = deps.register();
      const trust = prepareTrust(await trustOf(register));
      // The impression shown beside a signature is the register's, found by the seal code the
      // signer's certificate carries; a seal the register does not know shows none.
      const impressionOf = (code: string | undefined): string | undefined => {
        const png = code ? register?.seals.list().find((s) => s.code === code)?.appearance.png : undefined;
        return png ? Buffer.from(png).toString('base64') : undefined;
      };
      const reports: FileReportDto[] = [];
      const total = documents.length;
      try {
        for (const document of documents) {
          deps.events?.emit('verify.progress', { active: true, done: reports.length, total, current: document.name.slice(0, 300) });
          reports.push(fileReportDto(document.name, await verifyPdf(document.bytes, trust, {}, document.path ?? document.name), impressionOf));
        }
      } finally {
        deps.events?.emit('verify.progress', { active: false, done: reports.length, total });
      }
      return reports;
    },
    async pickAndVerify() {
      const pick = deps.dialogs?.pickFiles;
      if (!pick) throw new YinjianError('SERVICE_UNAVAILABLE', { service: 'dialog' });
      const paths = await pick.call(deps.dialogs, 'verify');
      if (paths === undefined || paths.length === 0) return { cancelled: true };
      if (paths.length > MAX_BATCH_DOCUMENTS) throw new YinjianError('VERIFY_TOO_MANY_FILES', { limit: MAX_BATCH_DOCUMENTS, count: paths.length });
      const register = deps.register();
      const trust = prepareTrust(await trustOf(register));
      const impressionOf = (code: string | undefined): string | undefined => {
        const png = code ? register?.seals.list().find((s) => s.code === code)?.appearance.png : undefined;
        return png ? Buffer.from(png).toString('base64') : undefined;
      };
      const files: Extract<ResponseOf<'verify.pickFiles'>, { cancelled: false }>['files'] = [];
      const total = paths.length;
      try {
        // One file at a time: a batch holds one file's blocks in memory, not all of them.
        for (const path of paths) {
          const name = basename(path).slice(0, 255) || 'document.pdf';
          deps.events?.emit('verify.progress', { active: true, done: files.length, total, current: name });
          try {
            // Read as `yinjian verify` reads (on demand above 1 MB, FILE_CHANGED_WHILE_READ), named by its name only.
            const input = openPdfFile(path, { maxBytes: MAX_PICKED_FILE_BYTES, shownAs: name });
            try {
              files.push({ name, report: fileReportDto(name, await verifyPdf(input.bytes, trust, {}, name), impressionOf) });
            } finally {
              input.close();
            }
          } catch (caught) {
            files.push({ name, error: windowErrorOf(caught) });
          }
        }
      } finally {
        deps.events?.emit('verify.progress', { active: false, done: files.length, total });
      }
      return { cancelled: false, files };
    },
    async exportReport(document) {
      const trust = prepareTrust(await trustOf(deps.register()));
      const report = await verifyPdf(document.bytes, trust, {}, document.path ?? document.name);
      const stem = document.name.replace(/\.pdf$/i, '') || 'document';
      const target = join(deps.reportFolder(), `${stem}-验证报告-${new Date().toISOString().replace(/[:.]/g, '-')}.pdf`);
      return (await writeVerificationReport(target, [report], new Date())).path;
    },
  };
}
