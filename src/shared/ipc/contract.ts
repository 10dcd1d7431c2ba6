import { z } from 'zod';
import type { EventName, EventOf } from './events';

/**
 * The IPC contract: one table of channels, each with a zod schema for its request and its
 * response. The main process parses every request against it (a compromised renderer gets a
 * USAGE error, not a crash), the preload builds its one typed API from it, and tests run the
 * same table over a loopback transport.
 *
 * PINs cross as arrays of byte values, never strings, so the main process can hold them in a
 * Buffer it zeroes (the renderer zeroes its own copy after the call). Documents cross as
 * ArrayBuffers (issue #14): Electron IPC carries them as binary (structured clone), the main
 * process transfers them to the service host without a copy where the port can (worker
 * threads), and the test host's WebSocket frames them as binary. No base64 text, and no size
 * cap of the transport's own: the verifier and the stamping pipeline bound what they read.
 *
 * No channel takes a file-system path from the renderer (a compromised page must not choose
 * which library the main process loads, nor where it writes): a USB-key driver comes from the
 * vendor catalog by id or from a file the user picks in a main-process dialog; output folders
 * come from main-process dialogs or the app's own export folder.
 */
const pinBytes = z.array(z.number().int().min(0).max(255)).min(1).max(64);

/** Documents in one batch. */
export const MAX_BATCH_DOCUMENTS = 50;

/**
 * Whether a value is an ArrayBuffer, whatever realm made it (a worker thread's, a test page's).
 * A SharedArrayBuffer is not one: the sender could change it after the checks.
 */
export function isArrayBuffer(value: unknown): value is ArrayBuffer {
  return Object.prototype.toString.call(value) === '[object ArrayBuffer]';
}

/** A document's bytes: one whole ArrayBuffer, never a view into someone else's memory. */
const documentBytes = z.custom<ArrayBuffer>(isArrayBuffer, { message: 'document bytes must be an ArrayBuffer' });

const documentInput = z
  .object({
    name: z.string().min(1).max(255),
    bytes: documentBytes,
  })
  .strict();
export type DocumentInput = z.infer<typeof documentInput>;

const usbKeyFlags = z.object({
  tokenInitialized: z.boolean(),
  userPinInitialized: z.boolean(),
  loginRequired: z.boolean(),
  writeProtected: z.boolean(),
  userPinCountLow: z.boolean(),
  userPinFinalTry: z.boolean(),
  userPinLocked: z.boolean(),
  userPinToBeChanged: z.boolean(),
  soPinCountLow: z.boolean(),
  soPinFinalTry: z.boolean(),
  soPinLocked: z.boolean(),
  soPinToBeChanged: z.boolean(),
});

export const SEAL_STATES = ['ACTIVE', 'LOST', 'LOSS_CONFIRMED', 'LOSS_WITHDRAWN', 'CANCELLED'] as const;
export type SealStateDto = (typeof SEAL_STATES)[number];

/** The seal a USB key carries, as the local register knows it. */
const sealOnKey = z.object({
  code: z.string(),
  name: z.string(),
  unit: z.string(),
  state: z.enum(SEAL_STATES),
});
export type SealOnKeyDto = z.infer<typeof sealOnKey>;

export const usbKeyStatusSchema = z.object({
  label: z.string(),
  serial: z.string(),
  manufacturer: z.string(),
  model: z.string(),
  flags: usbKeyFlags,
  initialPin: z.boolean(),
  initialPinSources: z.array(z.enum(['token-flag', 'first-use-marker', 'register'])),
  /** The seal on this key per the register; null when the register does not know the key. */
  seal: sealOnKey.nullable().optional(),
});

export type UsbKeyStatusDto = z.infer<typeof usbKeyStatusSchema>;

export const DOCUMENT_TYPES = ['internal-formal-document', 'internal-letter'] as const;
export type DocumentTypeDto = (typeof DOCUMENT_TYPES)[number];

/** Text of a page as pdf.js reports it, for the U2 document-type check (positions in points, y up). */
const pageText = z.object({
  pageIndex: z.number().int().min(0).max(10_000),
  box: z.object({ x: z.number(), y: z.number(), width: z.number().positive(), height: z.number().positive() }),
  runs: z.array(z.object({ text: z.string().max(2000), x: z.number(), y: z.number(), width: z.number(), fontSize: z.number() })).max(20_000),
});
export type PageTextDto = z.infer<typeof pageText>;

const placement = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('last-page') }),
  z.object({ kind: z.literal('keyword'), keyword: z.string().min(1).max(100) }),
  /** Centre of the seal, in points from the page's lower-left corner, on a 1-based page. */
  z.object({ kind: z.literal('position'), page: z.number().int().min(1), x: z.number(), y: z.number() }),
]);
export type PlacementDto = z.infer<typeof placement>;

export const VERDICTS = ['VALID', 'VALID_WITH_CHANGES', 'MODIFIED', 'INVALID', 'UNTRUSTED', 'REVOKED', 'POLICY_VIOLATION', 'UNSUPPORTED', 'UNSIGNED'] as const;
export type VerdictDto = (typeof VERDICTS)[number];

const certificateSummary = z.object({
  subject: z.string(),
  issuer: z.string(),
  serialHex: z.string(),
  sha256: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
});

const finding = z.object({ code: z.string(), severity: z.string().optional(), zh: z.string(), en: z.string() });

const documentChange = z.object({
  revision: z.number(),
  level: z.enum(['none', 'signatures', 'form-filling', 'annotations', 'other']),
  kind: z.string(),
  page: z.number().optional(),
  detail: z.string().optional(),
});

const signatureReport = z.object({
  field: z.string(),
  verdict: z.enum(VERDICTS),
  seal: z.object({ code: z.string().optional(), name: z.string().optional(), unit: z.string().optional() }).optional(),
  /** The seal impression as a PNG (base64), when the verifier could extract it. */
  impressionPng: z.string().optional(),
  signer: certificateSummary.optional(),
  chain: z.array(certificateSummary),
  claimedTime: z.string().optional(),
  timestampTime: z.string().optional(),
  trustedTime: z.string().optional(),
  changes: z.array(documentChange),
  policy: z.object({ documentType: z.string().optional(), approvalReference: z.string().optional(), workstationId: z.string().optional(), ours: z.boolean() }),
  findings: z.array(finding),
  page: z.number().optional(),
});
export type SignatureReportDto = z.infer<typeof signatureReport>;

export const fileReportSchema = z.object({
  name: z.string(),
  verdict: z.enum(VERDICTS),
  size: z.number(),
  revisions: z.number(),
  signatures: z.array(signatureReport),
  findings: z.array(finding),
});
export type FileReportDto = z.infer<typeof fileReportSchema>;

const stampOutcome = z.object({
  name: z.string(),
  ok: z.boolean(),
  outputPath: z.string().optional(),
  /** Verification of the stamped output, run right after stamping. */
  verdict: z.enum(VERDICTS).optional(),
  error: z.object({ code: z.string(), zh: z.string(), en: z.string() }).optional(),
  /** false: the batch stopped before this document (the key failed, or the operator stopped it). */
  begun: z.boolean().optional(),
});
export type StampOutcomeDto = z.infer<typeof stampOutcome>;

const usageFilter = z
  .object({
    sealId: z.string().max(100).optional(),
    staffId: z.string().max(100).optional(),
    /** ISO dates (yyyy-mm-dd or full timestamps); `to` is exclusive. */
    from: z.string().max(40).optional(),
    to: z.string().max(40).optional(),
    documentType: z.string().max(100).optional(),
  })
  .strict();
export type UsageFilterDto = z.infer<typeof usageFilter>;

const usageEntry = z.object({
  id: z.number(),
  at: z.string(),
  sealId: z.string(),
  sealName: z.string().optional(),
  operatorName: z.string(),
  operatorStaffId: z.string(),
  documentTitle: z.string(),
  documentType: z.string(),
  pages: z.number(),
  status: z.enum(['ok', 'failed']),
  errorCode: z.string().nullable(),
  outputPath: z.string().nullable(),
});
export type UsageEntryDto = z.infer<typeof usageEntry>;

const auditState = z.object({
  ok: z.boolean(),
  rows: z.number(),
  /** First broken row and why, when the chain is broken. */
  brokenSeq: z.number().optional(),
  reason: z.string().optional(),
  recent: z.array(z.object({ seq: z.number(), at: z.string(), actorName: z.string(), action: z.string(), subject: z.string() })),
});
export type AuditStateDto = z.infer<typeof auditState>;

const sealRef = z.object({ sealId: z.string().min(1).max(100) }).strict();

/** The office's lifecycle channels: the rule (S2, S3, S5) refuses a missing approval with its own APPROVAL_REQUIRED, not the schema. */
const officeApproval = z.object({ reference: z.string().max(200), approver: z.string().max(100) }).strict();
const tokenRef = z.string().min(1).max(64);
export const UNIT_KINDS = ['company', 'department'] as const;
export const KEY_TYPES = ['rsa2048', 'p256'] as const;
/** Beijing dates (YYYY-MM-DD) or ISO times; E1 defaults apply when absent. */
const validityChoice = { validFrom: z.string().max(40).optional(), validTo: z.string().max(40).optional(), rollout: z.boolean().optional() };
/** PINs of an issuance, in the CLI's order: the CA key's, the seal key's SO PIN, the initial user PIN to set. */
const issuancePins = { caPin: pinBytes, soPin: pinBytes, initialUserPin: pinBytes };
const issuedSeal = z.object({
  sealId: z.string(),
  sealCode: z.string(),
  sealName: z.string(),
  state: z.enum(SEAL_STATES),
  certificateSerial: z.string(),
  certificateSha256: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
  tokenSerial: z.string(),
  tokenLabel: z.string(),
});
export type IssuedSealDto = z.infer<typeof issuedSeal>;
const pathResult = z.object({ path: z.string() });
/** A choice made in a main-process dialog: cancelled, or what came of it. */
const cancelled = z.object({ cancelled: z.literal(true) });
const heldCrl = z.object({ crlNumber: z.string().nullable(), issuer: z.string(), thisUpdate: z.string(), nextUpdate: z.string().nullable(), revoked: z.number(), importedAt: z.string().nullable() });
export type HeldCrlDto = z.infer<typeof heldCrl>;
/** One workstation export as the office's inspection judged it (S6). */
const inspectionResult = z.object({
  source: z.string(),
  ok: z.boolean(),
  workstationId: z.string().nullable(),
  signed: z.boolean(),
  signerSeal: z.string().nullable(),
  exportedAt: z.string().nullable(),
  headSeq: z.number().nullable(),
  previousSeq: z.number().nullable(),
  figures: z
    .object({
      periodFrom: z.string().nullable(),
      periodTo: z.string(),
      newAuditRows: z.number(),
      stampings: z.number(),
      failedStampings: z.number(),
      refusals: z.number(),
      failedPinAttempts: z.number(),
      stampingsByType: z.record(z.string(), z.number()),
    })
    .nullable(),
  findings: z.array(z.object({ code: z.string(), severity: z.enum(['error', 'warning']), zh: z.string(), en: z.string(), seq: z.number().optional() })),
});
export type InspectionResultDto = z.infer<typeof inspectionResult>;
const empty = z.object({}).strict();

/** A typed refusal carried inside a response (code, Chinese and English message). */
const ipcErrorSchema = z.object({ code: z.string(), zh: z.string(), en: z.string() });

const catalogModule = z.object({ id: z.string(), vendor: z.string(), product: z.string(), installedPath: z.string().nullable() });

/** `yinjian token doctor`'s report (issue 17): a verdict per requirement, with what to do, Chinese and English. */
const doctorVerdict = z.enum(['ok', 'degraded', 'fail']);
const doctorCheck = z.object({ id: z.string(), verdict: doctorVerdict, zh: z.string(), en: z.string(), todoZh: z.string().optional(), todoEn: z.string().optional() });
const doctorReport = z.object({
  module: z.object({ path: z.string(), manufacturer: z.string(), libraryDescription: z.string(), libraryVersion: z.string(), profile: z.string(), profileNotes: z.string() }),
  moduleChecks: z.array(doctorCheck),
  tokens: z.array(
    z.object({
      slot: z.string(),
      slotDescription: z.string(),
      info: z.object({ label: z.string(), serial: z.string(), manufacturer: z.string(), model: z.string(), flags: usbKeyFlags }).nullable(),
      keyName: z.string().optional(),
      pinLength: z.object({ min: z.number(), max: z.number() }).optional(),
      memory: z.object({ totalPublic: z.string(), freePublic: z.string(), totalPrivate: z.string(), freePrivate: z.string() }).optional(),
      sessions: z.object({ open: z.string(), max: z.string() }).optional(),
      mechanisms: z.array(z.string()).optional(),
      hidden: z.boolean(),
      checks: z.array(doctorCheck),
    }),
  ),
  verdict: doctorVerdict,
});
export type DoctorReportDto = z.infer<typeof doctorReport>;

/** One channel: request and response schemas, and a size bound on the request's structure. */
interface ChannelSpec {
  readonly request: z.ZodType;
  readonly response: z.ZodType;
  /**
   * Largest request, counted as its JSON would be but without the documents' bytes (binary,
   * bounded by the use case that reads them); default MAX_REQUEST_BYTES.
   */
  readonly maxRequestBytes?: number;
}

export const CHANNELS = {
  'app.status': {
    request: empty,
    response: z.object({
      /** The app runs on the demo software token with the DEMO seal from the demo CA. */
      demoMode: z.boolean(),
      /** A PKCS#11 module is configured or found in the catalog. */
      moduleReady: z.boolean(),
      modulePath: z.string().nullable(),
      /** SoftHSM2 is installed, so demo mode can start. */
      demoAvailable: z.boolean(),
      /** The office's CA key is present: the office console is shown (M1). */
      officeConsole: z.boolean(),
      /** Demo mode only: the demo seal key's known PIN, shown on screen. */
      demoPin: z.string().max(64).optional(),
      workstationCode: z.string(),
    }),
  },
  'setup.modules': { request: empty, response: z.array(catalogModule) },
  /** Uses a driver of the vendor catalog (native/pkcs11-modules.json), by its id, installed where the catalog says. */
  'setup.useModule': { request: z.object({ moduleId: z.string().min(1).max(64).regex(/^[a-z0-9-]+$/) }).strict(), response: z.object({ keys: z.number(), path: z.string() }) },
  /** Opens a main-process file dialog for a driver not in the catalog; validated as a PKCS#11 module before it is saved. */
  'setup.pickModule': {
    request: empty,
    response: z.discriminatedUnion('cancelled', [z.object({ cancelled: z.literal(true) }), z.object({ cancelled: z.literal(false), keys: z.number(), path: z.string() })]),
  },
  'setup.startDemo': { request: empty, response: z.object({ demoMode: z.literal(true) }) },
  /**
   * The key doctor (issue 17, as `yinjian token doctor`): probes a driver and its keys without a
   * PIN and without changing any key. A catalog driver by id, or (no id) the driver in use.
   */
  'setup.doctor': { request: z.object({ moduleId: z.string().min(1).max(64).regex(/^[a-z0-9-]+$/).optional() }).strict(), response: doctorReport },

  /** Workstation and receiver trust: the pinned group root (since when) and the snapshot trusted now. */
  'trust.state': {
    request: empty,
    response: z.object({
      root: z.object({ subject: z.string(), sha256: z.string(), since: z.string().nullable() }).nullable(),
      snapshot: z.object({ sequence: z.number(), issuedAt: z.string(), group: z.string(), seals: z.number(), importedAt: z.string() }).nullable(),
      /** The group CRL held (issue #14 receiver trust; embedded in seals made here, B-LT). */
      crl: heldCrl.nullable(),
    }),
  },
  /** Opens the main process's dialog for the group root; shows its fingerprint for comparison (nothing is trusted yet). */
  'trust.pickRoot': {
    request: empty,
    response: z.discriminatedUnion('cancelled', [z.object({ cancelled: z.literal(true) }), z.object({ cancelled: z.literal(false), subject: z.string(), sha256: z.string() })]),
  },
  /** Opens the dialog for a register snapshot and imports it; the first import needs the picked root's fingerprint confirmed. */
  'trust.importSnapshot': {
    request: z.object({ confirmedRootSha256: z.string().min(1).max(200).optional() }).strict(),
    response: z.discriminatedUnion('cancelled', [
      z.object({ cancelled: z.literal(true) }),
      z.object({ cancelled: z.literal(false), sequence: z.number(), group: z.string(), seals: z.number(), rootSha256: z.string(), pinned: z.boolean() }),
    ]),
  },

  /** Opens the dialog for a group CRL (group-seal-ca.crl) and keeps it: signed by the pinned root, never older than the one held. */
  'trust.importCrl': {
    request: empty,
    response: z.discriminatedUnion('cancelled', [z.object({ cancelled: z.literal(true) }), heldCrl.omit({ importedAt: true }).extend({ cancelled: z.literal(false) })]),
  },

  /**
   * S6 on the workstation: the usage register and audit log exported for the office's
   * inspection, signed by this computer's seal key when a key and its PIN are given; the file
   * goes where the person chose in the main process's save dialog.
   */
  'export.workstation': {
    request: z.object({ token: tokenRef.optional(), pin: pinBytes.optional() }).strict(),
    response: z.discriminatedUnion('cancelled', [
      z.object({ cancelled: z.literal(true) }),
      z.object({ cancelled: z.literal(false), path: z.string(), signed: z.boolean(), usageRows: z.number(), auditRows: z.number(), headSeq: z.number().nullable(), workstation: z.string() }),
    ]),
  },

  'usbKey.list': { request: empty, response: z.array(usbKeyStatusSchema) },
  'usbKey.changePin': {
    request: z.object({ token: z.string().min(1).max(64), oldPin: pinBytes, newPin: pinBytes }).strict(),
    response: z.object({ changed: z.literal(true) }),
  },
  'workstation.id': { request: empty, response: z.object({ code: z.string() }) },

  /** U2: does the text (as pdf.js read it in the renderer) name a forbidden document kind? */
  'stamp.checkText': {
    request: z.object({ pages: z.array(pageText).max(200) }).strict(),
    response: z.discriminatedUnion('forbidden', [
      z.object({ forbidden: z.literal(false), linesRead: z.number(), pagesRead: z.number() }),
      z.object({
        forbidden: z.literal(true),
        term: z.string(),
        where: z.enum(['title', 'heading', 'form']),
        line: z.string(),
        /** 1-based page of the finding (U2: every page is read). */
        page: z.number(),
        /** The deny-list words of that kind found in the line, for highlighting. */
        words: z.array(z.string()),
      }),
    ]),
    maxRequestBytes: 8_000_000,
  },
  /**
   * U2 as the stamping gate applies it (issue #13): every page, by its text layer where that can
   * be trusted and by OCR where it is missing or suspect, in the main process. OCR progress is
   * pushed as `ocr.progress` events; `stamp.stopCheck` cancels (the OCR worker is ended).
   */
  'stamp.checkDocument': {
    request: z.object({ document: documentInput }).strict(),
    response: z.discriminatedUnion('outcome', [
      z.object({
        outcome: z.literal('allowed'),
        /** 1-based pages read by OCR. */
        ocrPages: z.array(z.number()),
        pages: z.number(),
      }),
      z.object({
        outcome: z.literal('forbidden'),
        term: z.string(),
        where: z.enum(['title', 'heading', 'form']),
        line: z.string(),
        page: z.number(),
        words: z.array(z.string()),
      }),
      /** TEXT_LAYER_MISMATCH, SCANNED_PAGE_UNREADABLE, DOCUMENT_TEXT_UNREADABLE, … with the page when there is one. */
      z.object({ outcome: z.literal('refused'), error: ipcErrorSchema }),
      /** The office allows scanned documents: these pages OCR could not read need the custodian's confirmation. */
      z.object({ outcome: z.literal('confirm-scanned'), pages: z.string(), error: ipcErrorSchema }),
      z.object({ outcome: z.literal('cancelled') }),
    ]),
  },
  /** Cancels the running `stamp.checkDocument` (it answers `cancelled`). */
  'stamp.stopCheck': { request: empty, response: z.object({ stopping: z.boolean() }) },
  /** The seal impression of the key's seal at real size (millimetres), as SVG. */
  'stamp.impression': {
    request: z.object({ token: z.string().min(1).max(64) }).strict(),
    response: z.object({ svg: z.string(), widthMm: z.number(), heightMm: z.number() }),
  },
  'stamp.seal': {
    request: z
      .object({
        token: z.string().min(1).max(64),
        pin: pinBytes,
        documents: z.array(documentInput).min(1).max(MAX_BATCH_DOCUMENTS),
        documentType: z.enum(DOCUMENT_TYPES),
        approvalReference: z.string().min(1).max(200),
        approver: z.string().min(1).max(100),
        placement,
        seamSeal: z.boolean(),
        /** U2: the custodian confirmed having read a scanned document the gate could not (only where the office allows it; audited). */
        scannedConfirmed: z.boolean().optional(),
      })
      .strict(),
    response: z.object({ outcomes: z.array(stampOutcome) }),
  },
  /** The batch `stamp.seal` is working through, for the progress bar (polled while it runs). */
  'stamp.progress': {
    request: empty,
    response: z.object({ active: z.boolean(), done: z.number(), total: z.number(), current: z.string().optional() }),
  },
  /** Stops the running batch before its next document; the rest are recorded as not sealed (STAMP_BATCH_STOPPED). */
  'stamp.stop': { request: empty, response: z.object({ stopping: z.boolean() }) },

  'verify.files': {
    request: z.object({ documents: z.array(documentInput).min(1).max(MAX_BATCH_DOCUMENTS) }).strict(),
    response: z.object({ reports: z.array(fileReportSchema) }),
  },
  'verify.exportReport': {
    request: z.object({ document: documentInput }).strict(),
    response: pathResult,
  },

  'register.usage': { request: z.object({ filter: usageFilter }).strict(), response: z.array(usageEntry) },
  'register.exportCsv': { request: z.object({ filter: usageFilter }).strict(), response: pathResult },
  'register.exportPdf': { request: z.object({ filter: usageFilter }).strict(), response: pathResult },
  'register.audit': { request: empty, response: auditState },

  /** Office console (M1, S2–S6, M3). */
  'office.issue': {
    request: z
      .object({
        caToken: tokenRef,
        token: tokenRef,
        tokenLabel: z.string().max(32).optional(),
        unitName: z.string().min(1).max(100),
        unitKind: z.enum(UNIT_KINDS),
        sealName: z.string().min(1).max(100),
        sealCode: z.string().min(1).max(24),
        custodianName: z.string().min(1).max(100),
        custodianStaffId: z.string().min(1).max(100),
        workstationId: z.string().min(1).max(200),
        approval: officeApproval,
        ...validityChoice,
        keyType: z.enum(KEY_TYPES).optional(),
        ...issuancePins,
      })
      .strict(),
    response: issuedSeal,
  },
  /** S3 变更: new key and certificate with the changed particulars; the old certificate superseded. */
  'office.change': {
    request: sealRef
      .extend({
        caToken: tokenRef,
        token: tokenRef,
        tokenLabel: z.string().max(32).optional(),
        sealName: z.string().max(100).optional(),
        custodianName: z.string().max(100).optional(),
        custodianStaffId: z.string().max(100).optional(),
        workstationId: z.string().max(200).optional(),
        approval: officeApproval,
        ...validityChoice,
        keyType: z.enum(KEY_TYPES).optional(),
        ...issuancePins,
      })
      .strict(),
    response: issuedSeal,
  },
  'office.cancel': { request: sealRef.extend({ approval: officeApproval }).strict(), response: z.object({ ok: z.literal(true) }) },
  /** S5: the loss confirmed (the certificate revoked at the next publication) or withdrawn (the key found). */
  'office.confirmLoss': { request: sealRef.extend({ approval: officeApproval }).strict(), response: z.object({ ok: z.literal(true) }) },
  'office.withdrawLoss': { request: sealRef.extend({ approval: officeApproval }).strict(), response: z.object({ ok: z.literal(true) }) },
  /** M3: a seal's delegations, and ending one early. */
  'office.delegations': {
    request: sealRef,
    response: z.array(z.object({ id: z.string(), proxyName: z.string(), proxyStaffId: z.string(), approverName: z.string(), reason: z.string(), startsAt: z.string(), endsAt: z.string(), revokedAt: z.string().nullable() })),
  },
  'office.revokeDelegation': { request: sealRef.extend({ delegationId: z.string().min(1).max(100) }).strict(), response: z.object({ revokedAt: z.string() }) },
  'office.reportLoss': { request: sealRef.extend({ lostAt: z.string().max(40), approval: officeApproval }).strict(), response: z.object({ ok: z.literal(true) }) },
  /** S4, S5 补办: a new key pair on a new USB key, same seal identity. */
  'office.reissue': {
    request: sealRef
      .extend({
        caToken: tokenRef,
        token: tokenRef,
        tokenLabel: z.string().max(32).optional(),
        cause: z.enum(['damage', 'loss']),
        approval: officeApproval,
        ...validityChoice,
        keyType: z.enum(KEY_TYPES).optional(),
        ...issuancePins,
      })
      .strict(),
    response: issuedSeal,
  },
  'office.delegate': {
    request: sealRef
      .extend({ proxyStaffId: z.string().min(1), proxyName: z.string().min(1), approverName: z.string().min(1), approverStaffId: z.string().max(100).optional(), approverRole: z.enum(['general_manager', 'department_head']).optional(), reason: z.string().min(1).max(500), startsAt: z.string().max(40), endsAt: z.string().max(40) })
      .strict(),
    response: z.object({ delegationId: z.string() }),
  },
  /** The CRL, the signed register snapshot and the group root, written into a folder (default: the export folder). */
  'office.publish': {
    /** chooseFolder: the main process asks where (a folder dialog); otherwise the export folder. */
    request: z.object({ caToken: tokenRef, caPin: pinBytes, chooseFolder: z.boolean().optional() }).strict(),
    response: z.object({ sequence: z.number(), folder: z.string(), crl: z.string(), snapshot: z.string(), root: z.string(), revokedSerials: z.array(z.string()) }),
  },
  /** S6 `office inspect`: the person picks a workstation export in the main process's dialog; it is inspected and kept for this session's report. */
  'office.inspect': { request: empty, response: z.discriminatedUnion('cancelled', [cancelled, z.object({ cancelled: z.literal(false), result: inspectionResult })]) },
  /** The inspection report (PDF, Chinese) of this session's inspections, saved where the person chose in the main process's dialog. */
  'office.saveInspectionReport': { request: empty, response: z.discriminatedUnion('cancelled', [cancelled, z.object({ cancelled: z.literal(false), path: z.string(), inspections: z.number() })]) },
  /** M1 `office init-ca`: the group seal CA generated on the office USB key (or adopted from it). */
  'office.initCa': {
    request: z
      .object({
        token: tokenRef,
        groupName: z.string().max(100).optional(),
        commonName: z.string().max(200).optional(),
        years: z.number().int().min(1).max(100).optional(),
        keyType: z.enum(KEY_TYPES).optional(),
        adopt: z.boolean().optional(),
        pin: pinBytes,
      })
      .strict(),
    response: z.object({ groupName: z.string(), subject: z.string(), serial: z.string(), sha256: z.string(), notBefore: z.string(), notAfter: z.string(), tokenSerial: z.string(), adopted: z.boolean() }),
  },
  /** M3 `office may-use`: may this person use the seal at that time (default now)? A refusal comes as the rule's typed error. */
  'office.mayUse': {
    request: sealRef.extend({ staffId: z.string().min(1).max(100), name: z.string().max(100).optional(), at: z.string().max(40).optional() }).strict(),
    response: z.discriminatedUnion('allowed', [
      z.object({ allowed: z.literal(true), at: z.string(), capacity: z.enum(['custodian', 'proxy']), delegationId: z.string().optional() }),
      z.object({ allowed: z.literal(false), at: z.string(), refusal: z.object({ code: z.string(), zh: z.string(), en: z.string() }) }),
    ]),
  },
  /** M4 `token reset-pin` at the office: a locked key unlocked with its SO PIN and given a new initial PIN the custodian must change. */
  'office.unlock': {
    request: z.object({ token: tokenRef, soPin: pinBytes, initialUserPin: pinBytes }).strict(),
    response: z.object({ serial: z.string(), label: z.string() }),
  },
  'office.seals': {
    request: empty,
    response: z.array(z.object({ id: z.string(), code: z.string(), name: z.string(), unit: z.string(), state: z.enum(SEAL_STATES), custodian: z.string() })),
  },
  /** U2: the deny list the office publishes (words; the regulation's kinds always apply). */
  'office.denyList': { request: empty, response: z.object({ words: z.array(z.string()) }) },
  'office.setDenyList': {
    request: z.object({ words: z.array(z.string().min(1).max(40)).min(1).max(200) }).strict(),
    response: z.object({ words: z.array(z.string()) }),
  },
  /** U2 (issue #13): whether pages OCR cannot read need the custodian's confirmation (allowed) or are refused (the default). */
  'office.scannedDocuments': { request: empty, response: z.object({ allowed: z.boolean() }) },
  /** Published with the next snapshot; audited (SETTING_CHANGED) with the value before and after. */
  'office.setScannedDocuments': { request: z.object({ allowed: z.boolean() }).strict(), response: z.object({ allowed: z.boolean() }) },
} as const satisfies Record<string, ChannelSpec>;

export type Channel = keyof typeof CHANNELS;
export type RequestOf<C extends Channel> = z.infer<(typeof CHANNELS)[C]['request']>;
export type ResponseOf<C extends Channel> = z.infer<(typeof CHANNELS)[C]['response']>;

/** Largest request (its structure, documents' bytes aside) the main process accepts by default, against a hostile renderer. */
export const MAX_REQUEST_BYTES = 1_000_000;

/** How deep a request's structure may nest (the deepest channel needs 6). */
const MAX_REQUEST_DEPTH = 16;

/**
 * The size a request is held to: what its JSON would count, without building it (a batch's
 * documents are not stringified on every call) and without the documents' bytes. undefined:
 * not plain data (nested too deep or cyclic, a function, a symbol, a typed array where bytes go).
 */
export function requestSize(value: unknown, depth = 0): number | undefined {
  if (value === null || value === undefined) return 4;
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
    case 'boolean':
      return 8;
    case 'object':
      break;
    default:
      return undefined;
  }
  if (depth >= MAX_REQUEST_DEPTH) return undefined;
  if (isArrayBuffer(value)) return 2;
  if (ArrayBuffer.isView(value)) return undefined;
  let size = 2;
  const entries = Array.isArray(value) ? value.map((item) => ['', item] as const) : Object.entries(value as object);
  for (const [key, item] of entries) {
    const inner = requestSize(item, depth + 1);
    if (inner === undefined) return undefined;
    size += key.length + 4 + inner;
  }
  return size;
}

export function maxRequestBytesOf(channel: Channel): number {
  const spec: ChannelSpec = CHANNELS[channel];
  return spec.maxRequestBytes ?? MAX_REQUEST_BYTES;
}

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CHANNELS, value);
}

/** An error as it crosses the process boundary. */
export type IpcError = { code: string; zh: string; en: string };

/** What every channel returns across the process boundary. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** The one API object the preload exposes as `window.yinjian`. */
export type YinjianApi = {
  invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<IpcResult<ResponseOf<C>>>;
  /** Subscribes to an event the main process pushes (events.ts); returns the unsubscribe. */
  on<E extends EventName>(event: E, listener: (payload: EventOf<E>) => void): () => void;
};
