/**
 * Sealing one PDF (用印), pure and in order:
 *
 *   gate (U1–U3, M3, M4, S1, S3, S5, E1) → document text (U2) → use request recorded (U3)
 *   → placement → incremental update with placeholders → SHA-256 of the byte ranges
 *   → pending usage row (用印登记) + STAMP_PENDING audit row, naming the temp file and the
 *     seal's next stamping counter (issue #12); from here the input's own bytes go to the
 *     temp file on the thread pool (issue #15)
 *   → signer.sign via buildPadesSignature (counter and the pending row's seq and hash signed
 *     in, ARC.8) → the USB key's usage record replaced (counter, row) → /Contents patched in place
 *   → the row names the sealed bytes' SHA-256 → temp file written and flushed
 *   → rename onto the target → row ok (STAMP audit row).
 *
 * Every failure after the seal is known leaves a failed usage row (and its STAMP_REFUSED or
 * STAMP_FAILED audit row) and no output: the temp file is only written after the signature
 * exists, and removed when anything after it fails. A kill between the pending row and the
 * ok row (the key signing included) leaves a pending row that names both files; recovery
 * (infra/stamp/register-port.ts) settles it from what is on disk (SECURITY.md, the crash window). The original bytes are
 * hashed once: the hash state after them is copied for "SHA-256 before", the byte-range
 * digest and "after".
 */
import { randomUUID } from 'node:crypto';
import { YinjianError } from '../../../shared/errors/index';
import { ConcatenatedPdfBytes, PdfDocument, PdfString, type PdfBytes } from '../pdf/index';
import { buildPadesSignature, parseCertificate } from '../pki/index';
import type { SealedDocumentType } from '../pki/oids';
import { DOCUMENT_TYPE_LABEL, type DocumentTextVerdict } from '../policy/document-type';
import { gateDocumentText, type GateProgress } from '../policy/page-gate';
import { contentPageText } from '../policy/content-text';
import { textLayerFacts } from '../policy/text-layer';
import { textLines, type PageText } from '../policy/document-text';
import { regulationTextBytes } from '../policy/regulation-text';
import { passStampGate, type UseApproval } from '../policy/stamp-gate';
import { assertNoInputTraps, assertNoSignatureFieldOverText } from './input-suspect';
import { withFallback, type InputDigest } from './input-digest';
import type { Person, UsageAnchor, UsageEntry } from '../register/index';
import { assertChangesPermitted, assertSeamSealPermitted } from './certification';
import { impressionDrawing } from './impression';
import { longTermUpdates } from './ltv';
import { pagesOf } from './page-list';
import { placeImpression, type PlacementRequest } from './placement';
import { signatureValueOf, withSignatureTimestamp, type SignatureTimestamper } from './signature-timestamp';
import type { DocumentTextReader, DocumentTextSource, PendingOutput, ReservedOutput, SigningKey, StampOutputPort, StampRegisterPort } from './ports';
import { assertClockPlausible } from './time-guard';
import { checkedTimestampTime, type TrustedTimePolicy } from './trusted-time';
import { patchByteRange, patchContents, prepareSignatureUpdate, type WidgetPlacement } from './signature-update';

export interface StampRequest {
  /** A name for records and messages (the input file's name). */
  readonly inputName: string;
  /**
   * The document: in memory, or read on demand from a file (the CLI's large inputs, issue #15).
   * The gate, the hash and the sealed file's copy read it separately, at different times: a
   * source on disk must be one nobody else can write (the CLI's is a private copy of the user's
   * file, app/stamp-input.ts), else the gate may read other bytes than the seal covers (U2).
   */
  readonly input: Uint8Array | PdfBytes;
  /**
   * With an input copied from the user's file: throws (FILE_CHANGED_WHILE_READ) when that file
   * was written to since it was opened (as its times show), so what is sealed is what the user
   * has; asked once the sealed file is written, before it is put in place.
   */
  readonly inputUnchanged?: () => void;
  /**
   * The SHA-256 of exactly `input`, computed elsewhere (the CLI's worker thread hashes the file
   * as it is read, issue #15); absent, or wherever it fails: the pipeline hashes `input` itself.
   */
  readonly inputDigest?: InputDigest;
  readonly outputPath: string;
  readonly sealId: string;
  /** What the custodian declares (U1, U2): internal-document | internal-letter. */
  readonly declaredType: string;
  readonly approval: UseApproval;
  readonly purpose?: string;
  readonly placement: PlacementRequest;
  /** Who stamps: the custodian or a proxy (M3). */
  readonly operator: Person;
  readonly reason?: string;
  readonly location?: string;
  readonly contactInfo?: string;
  /**
   * U2: the office's published setting allows scanned documents and the custodian confirmed
   * this one: pages OCR cannot read do not refuse it (the caller audits the confirmation).
   */
  readonly scannedConfirmed?: boolean;
  /** Stops the document's OCR (a 50-page scan) between and during pages. */
  readonly signal?: AbortSignal;
  readonly onGateProgress?: (progress: GateProgress) => void;
}

export interface StampOutcome {
  readonly outputPath: string;
  readonly fieldName: string;
  readonly documentTitle: string;
  readonly documentType: SealedDocumentType;
  readonly pages: number;
  readonly widgets: readonly WidgetPlacement[];
  readonly byteRange: readonly [number, number, number, number];
  readonly sha256Before: string;
  readonly sha256After: string;
  readonly signatureBytes: number;
  readonly usage: UsageEntry;
  readonly textVerdict: DocumentTextVerdict;
  /** 1-based pages the gate read by OCR, and those let through unread on the custodian's confirmation (U2). */
  readonly ocrPages: readonly number[];
  readonly unreadablePages: readonly number[];
}

export interface StampingPipelineDeps {
  readonly register: StampRegisterPort;
  readonly text: DocumentTextReader;
  readonly output: StampOutputPort;
  readonly clock: () => Date;
  /** This computer's workstation code (M4, S1). */
  readonly workstationCode: string;
  /** The signature policy text; defaults to the regulation (policy/regulation-text.ts). */
  readonly policyDocument?: Uint8Array;
  /**
   * PAdES B-T: when a timestamp server is configured, every seal gets a signature timestamp,
   * and a server that fails stops the stamping (no silent fallback to B-B). Default: none.
   */
  readonly timestamper?: SignatureTimestamper;
  /**
   * Issue #12: the group requires a trusted timestamp on every seal. The token is checked
   * against the office's TSA certificate(s) and the clock tolerance before anything is
   * written, and the gate's time checks run again at the TSA's time (trusted-time.ts).
   */
  readonly trustedTime?: TrustedTimePolicy;
  /**
   * PAdES B-LT (issue 16): the revocation data this workstation holds (the CRLs of the imported
   * publication). When given, the seal is followed at once by a DSS update with the chain and
   * these CRLs and a VRI entry, so the file validates offline on its own.
   */
  readonly longTerm?: {
    crls(): readonly Uint8Array[];
    /** PAdES B-LTA: a document timestamp over the file after the DSS (the office's TSA). */
    readonly archiveTimestamper?: SignatureTimestamper;
  };
}

/** Room for the CMS beyond its certificates: signed attributes, a 4096-bit signature, slack. */
const CMS_OVERHEAD = 6144;

/** Room for a timestamp token: TSTInfo, the TSA's signature and its certificate chain. */
const TIMESTAMP_ROOM = 16384;

function titleFromText(first: PageText | undefined): string | undefined {
  if (!first) return undefined;
  const lines = textLines(first);
  const middle = first.box.y + first.box.height / 2;
  const top = lines.filter((l) => l.y >= middle);
  const biggest = [...(top.length > 0 ? top : lines)].sort((a, b) => b.fontSize - a.fontSize || b.y - a.y)[0];
  const title = biggest?.text.trim();
  return title ? title.slice(0, 200) : undefined;
}

function infoTitle(document: PdfDocument): string | undefined {
  try {
    const info = document.latest.resolveDict(document.trailer.get('Info'));
    const title = document.latest.resolve(info?.get('Title'));
    const text = title instanceof PdfString ? title.text.trim() : '';
    return text === '' ? undefined : text.slice(0, 200);
  } catch {
    return undefined;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

export class StampingPipeline {
  private readonly policyDocument: Uint8Array;

  constructor(private readonly deps: StampingPipelineDeps) {
    this.policyDocument = deps.policyDocument ?? regulationTextBytes();
  }

  /**
   * Seals `request.input` with `key`. The key is already open (one PIN for a batch); every
   * file is gated and recorded on its own.
   */
  async stamp(request: StampRequest, key: SigningKey): Promise<StampOutcome> {
    const { register, clock } = this.deps;
    const time = clock();
    const actor = { name: request.operator.name, staffId: request.operator.staffId };
    const seal = register.seal(request.sealId);
    const digest = withFallback(request.inputDigest, request.input);
    // Asked now, answered while the document is gated (off this thread when given a worker's digest).
    const before = digest.before();
    before.catch(() => undefined);
    let sha256Before: string | undefined;

    let documentTitle = request.inputName;
    let pages = 0;
    let useRequestId: string | null = null;
    let pending: PendingOutput | undefined;
    let reserved: ReservedOutput | undefined;
    /** The pending usage row, until it is settled (ok or failed). */
    let pendingRowId: number | undefined;
    /** The sealed file is in place: from here a failure must never mark its row failed. */
    let renamed = false;
    let textSource: DocumentTextSource | undefined;
    let document: PdfDocument | undefined;
    const openText = async (): Promise<DocumentTextSource> => {
      // The already opened document: the reader must not walk a 3000-page tree again.
      textSource ??= await this.deps.text.open(request.input, document);
      return textSource;
    };
    try {
      // Issue #12 (M5, S6): the seal's usage record on its USB key. The key's last stamping
      // time holds the clock guard even when the register's rows were edited back, and a
      // register that does not hold the key's last row as the key knows it was replaced or
      // rewritten: this computer stops sealing (KEY_COUNTER_MISMATCH) until the office looks.
      const onKey = key.usageAnchor ? await key.usageAnchor.read() : undefined;
      const anchor = onKey?.sealId === seal.id ? onKey : undefined;
      const facts = register.timeFacts();
      const keySeen = onKey ? { at: new Date(onKey.at), source: `USB key usage record No. ${onKey.counter} 用印计数` } : undefined;
      const newestSeen = [facts.newestSeen, keySeen].filter((f) => f !== undefined).sort((a, b) => b.at.getTime() - a.at.getTime())[0];
      // Issue #12: a clock set back or forward, or revocation data past its next update.
      assertClockPlausible(time, { ...facts, ...(newestSeen ? { newestSeen } : {}) });
      if (anchor !== undefined && anchor.workstationId === this.deps.workstationCode) {
        const inRegister = register.auditRowHash(anchor.auditSeq);
        if (inRegister !== anchor.auditHash) {
          throw new YinjianError('KEY_COUNTER_MISMATCH', {
            onKey: `${anchor.counter} @ ${anchor.auditSeq}:${anchor.auditHash.slice(0, 16)}`,
            inRegister: inRegister === undefined ? `no row ${anchor.auditSeq}` : `${anchor.auditSeq}:${inRegister.slice(0, 16)}`,
          });
        }
      }
      const sealCounter = (anchor?.counter ?? 0) + 1;
      if (this.deps.trustedTime && !this.deps.timestamper) throw new YinjianError('TSA_POLICY_NOT_CONFIGURED');
      const gateAt = (at: Date): ReturnType<typeof passStampGate> =>
        passStampGate({
          declaredType: request.declaredType,
          approval: request.approval,
          seal,
          certificate: register.certificate(seal.certificate.serial),
          delegations: register.delegations(seal.id),
          boundWorkstation: seal.workstationId === null ? undefined : register.workstation(seal.workstationId),
          hereWorkstationCode: this.deps.workstationCode,
          operator: request.operator,
          time: at,
        });
      const gate = gateAt(time);
      // M4: the key that signs must be the seal's registered key and certificate.
      if (!sameBytes(key.certificate, seal.certificate.der)) {
        throw new YinjianError('STAMP_CERTIFICATE_NOT_ON_KEY', { seal: seal.code, serial: seal.certificate.serial });
      }

      // Broken and encrypted files are refused here with PDF_* codes, before anything is recorded.
      document = PdfDocument.open(request.input);
      document.requireUnencrypted();
      // A certification that forbids changes would be broken by our seal (DocMDP P=1).
      assertChangesPermitted(document);
      // A seam seal after another signature would turn that signature MODIFIED (see certification.ts).
      assertSeamSealPermitted(document, request.placement.kind);
      // Issue #11: no prepared traps (dangling or free references, duplicate xref entries, a
      // removed signature) that a later update could use to change what this seal covers.
      assertNoInputTraps(document);
      pages = pagesOf(document).length;
      documentTitle = infoTitle(document) ?? documentTitle;

      // U2: every page as a person sees it: its text layer where that can be trusted, OCR where
      // the layer is missing or suspect (core/policy/page-gate.ts).
      // Issue #13: a page OCR cannot read refuses, unless the office allows scanned documents;
      // then it needs this custodian's confirmation of this document (recorded below).
      const scannedAllowed = register.scannedDocumentsAllowed?.() === true;
      if (request.scannedConfirmed && !scannedAllowed) throw new YinjianError('SCANNED_DOCUMENTS_NOT_ALLOWED');
      const source = await openText();
      const opened = document;
      const gated = await gateDocumentText(
        {
          pageCount: pages,
          // Our own content-stream reading first (issue #13 budget); pdf.js where it cannot decode.
          layer: async (i) => contentPageText(opened, i) ?? source.page(i),
          facts: (i) => textLayerFacts(opened, i),
          ...(source.ocr ? { ocr: source.ocr } : {}),
        },
        {
          denyList: register.denyList(),
          ...(scannedAllowed ? { scannedAllowed: true } : {}),
          ...(request.scannedConfirmed && scannedAllowed ? { scannedConfirmed: true } : {}),
          ...(request.signal ? { signal: request.signal } : {}),
          ...(request.onGateProgress ? { onProgress: request.onGateProgress } : {}),
        },
      );
      const textVerdict = gated.verdict;
      // Issue #11, class 15: no empty signature field over the text the gate just read (a later
      // signature's appearance there would cover what this seal vouches for).
      assertNoSignatureFieldOverText(document, gated.pages);
      if (infoTitle(document) === undefined) documentTitle = titleFromText(gated.pages[0]) ?? documentTitle;

      // M4 (issue #15): the login's initial-PIN check ran on the thread pool while the document
      // was read and gated; nothing is recorded, written or signed before it has passed.
      await key.loginChecked;

      // U3: the approved use request is on record before the key signs.
      const useRequest = register.recordUseRequest(
        {
          id: randomUUID(),
          sealId: seal.id,
          applicantStaffId: request.operator.staffId,
          applicantName: request.operator.name,
          approverName: request.approval.approver,
          approvalReference: request.approval.reference,
          documentTitle,
          documentType: gate.documentType,
          purpose: request.purpose ?? `用印 ${DOCUMENT_TYPE_LABEL[gate.documentType]}`,
          approvedAt: time,
        },
        actor,
      );
      useRequestId = useRequest.id;

      const drawing = impressionDrawing(seal.appearance);
      const widgets = await placeImpression(document, request.placement, drawing, openText);
      const certificates = [key.certificate, ...key.caCertificates];
      const signerName = parseCertificate(key.certificate).subject.commonName ?? seal.name;
      const prepared = prepareSignatureUpdate(
        document,
        widgets,
        drawing,
        {
          signingTime: time,
          signerName,
          reason: request.reason ?? `${DOCUMENT_TYPE_LABEL[gate.documentType]}用印 审批编号 ${request.approval.reference}`,
          location: request.location ?? this.deps.workstationCode,
          contactInfo: request.contactInfo ?? request.operator.name,
        },
        certificates.reduce((n, c) => n + c.length, 0) + CMS_OVERHEAD + (this.deps.timestamper ? TIMESTAMP_ROOM : 0),
      );
      const byteRange = patchByteRange(prepared);
      const appended = prepared.result.appended;
      const base = prepared.result.baseLength;
      const rangeDigest = digest.followedBy([appended.subarray(0, byteRange[1] - base), appended.subarray(byteRange[2] - base)]);
      rangeDigest.catch(() => undefined);
      sha256Before = await before;

      // U3 with no crash window: the row (pending) is committed before the key signs (a real
      // key takes 100–500 ms, the longest step), names the sealed bytes before the temp file
      // exists, and says ok only once the file is in place.
      reserved = this.deps.output.reserve(request.outputPath);
      const pendingRow = register.recordPendingStamping(
        {
          sealId: seal.id,
          operatorStaffId: request.operator.staffId,
          operatorName: request.operator.name,
          useRequestId,
          documentTitle,
          documentType: gate.documentType,
          pages,
          sha256Before,
          sha256After: null,
          outputPath: request.outputPath,
          tempPath: reserved.path,
          ...(gated.unreadablePages.length > 0 ? { scannedConfirmedPages: gated.unreadablePages } : {}),
          at: time,
          workstationId: this.deps.workstationCode,
          sealCounter,
        },
        actor,
      );
      pendingRowId = pendingRow.id;
      // Issue #15: the row names the temp file; the input's bytes (the sealed file's first part)
      // go to it on the thread pool while the key signs and the register records. A kill from
      // here leaves a pending row without sealed bytes: recovery removes the temp file.
      reserved.begin?.(request.input);
      const usageRecord = { counter: sealCounter, auditSeq: pendingRow.auditSeq, auditHash: pendingRow.auditHash };
      const signed = await buildPadesSignature({
        signer: key.signer,
        signerCertificate: key.certificate,
        caCertificates: key.caCertificates,
        contentDigest: new Uint8Array(await rangeDigest),
        policy: { document: this.policyDocument },
        documentType: gate.documentType,
        approvalReference: request.approval.reference,
        workstationId: this.deps.workstationCode,
        usageRecord,
      });
      let signature = signed;
      if (this.deps.timestamper) {
        const value = signatureValueOf(signed);
        const token = await this.deps.timestamper.timestamp(value);
        if (this.deps.trustedTime) {
          // Checked before a byte is written; then S3/S5, E1 and M3 again at the TSA's time.
          gateAt(await checkedTimestampTime(token, value, this.deps.trustedTime, time));
        }
        signature = withSignatureTimestamp(signed, token);
      }
      patchContents(prepared, signature);
      const chunks: Uint8Array[] = [appended];
      if (this.deps.longTerm) {
        // The file and its seal read as one, not copied into a new buffer (issue #15).
        const signed = new ConcatenatedPdfBytes([request.input, prepared.result.appended]);
        const contentsBytes = new Uint8Array(prepared.contentsRoom);
        contentsBytes.set(signature);
        chunks.push(
          ...(await longTermUpdates(
            signed,
            [{ signatureContents: contentsBytes, certificates: certificates, crls: this.deps.longTerm.crls() }],
            time,
            this.deps.longTerm.archiveTimestamper,
          )),
        );
      }
      // Issue #12: the key learns this stamping before the sealed file exists; a key that
      // cannot be written fails the stamping (a failed usage row, nothing written).
      if (key.usageAnchor) {
        const next: UsageAnchor = { version: 1, sealId: seal.id, workstationId: this.deps.workstationCode, counter: sealCounter, auditSeq: usageRecord.auditSeq, auditHash: usageRecord.auditHash, at: time.toISOString() };
        await key.usageAnchor.write(next);
      }
      const sha256After = (await digest.followedBy(chunks)).toString('hex');
      register.recordSealedBytes(pendingRowId, sha256After);
      try {
        pending = await reserved.write([request.input, ...chunks]);
      } catch (error) {
        // A file that shrank under the copy fails the write: say what happened to it.
        request.inputUnchanged?.();
        throw error;
      }
      request.inputUnchanged?.();
      await pending.commit();
      pending = undefined;
      renamed = true;
      const usage = register.completeStamping(pendingRowId, actor);
      pendingRowId = undefined;
      return {
        outputPath: request.outputPath,
        fieldName: prepared.fieldName,
        documentTitle,
        documentType: gate.documentType,
        pages,
        widgets,
        byteRange,
        sha256Before,
        sha256After,
        signatureBytes: signature.length,
        usage,
        textVerdict,
        ocrPages: gated.ocrPages,
        unreadablePages: gated.unreadablePages,
      };
    } catch (caught) {
      // The PIN refusal wins over the document's (whichever finished first): the login failed,
      // so the batch records it as it did when the check ran before the document was opened.
      if (key.loginChecked) await key.loginChecked;
      const error =
        caught instanceof YinjianError
          ? caught
          : new YinjianError('INTERNAL', { detail: caught instanceof Error ? caught.message : String(caught) }, { cause: caught });
      if (pending) await pending.discard().catch(() => undefined);
      else await reserved?.abandon?.().catch(() => undefined);
      if (renamed) {
        // The sealed file is in place and its row still pending (the ok update failed, e.g. the
        // register was busy): recovery finds the file with its SHA-256 and marks it ok.
        throw error;
      }
      sha256Before ??= await before;
      try {
        if (pendingRowId !== undefined) register.failPendingStamping(pendingRowId, error.code, actor);
        else
          register.recordStamping(
          {
            sealId: seal.id,
            operatorStaffId: request.operator.staffId || '-',
            operatorName: request.operator.name,
            useRequestId,
            documentTitle,
            documentType: request.declaredType || '-',
            pages,
            sha256Before,
            sha256After: null,
            outputPath: null,
            at: time,
            workstationId: this.deps.workstationCode,
            status: 'failed',
            errorCode: error.code,
          },
          actor,
        );
      } catch (recordError) {
        // The refusal stands; failing to record it is reported with it, never instead of it.
        // A pending row that could not be marked failed is left to recovery.
        throw new YinjianError(error.code, error.params, { cause: recordError });
      }
      throw error;
    } finally {
      await textSource?.close().catch(() => undefined);
    }
  }
}
