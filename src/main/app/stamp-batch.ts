/**
 * Use case: stamp a batch (盖章). The one place the stamping pipeline is assembled, for the CLI
 * (`yinjian stamp`) and the window (`stamp.seal`) alike: the seal found from the USB key (by its
 * serial on the office computer, by the certificate on the key on a workstation), stampings a
 * killed process left pending settled first (SECURITY.md, the crash window), the text reader,
 * the atomic file output, the register port and, when a server is configured, the RFC 3161
 * timestamp client (PAdES B-T). Every document ends with a usage row (U3, M5); the PIN is asked
 * for only once the seal is known and is zeroed by the login (openSigningKey), or here when
 * anything fails before the login has it (M4).
 */
import { YinjianError } from '../../shared/errors/index';
import type { Seal } from '../core/register/index';
import { StampingPipeline, openSigningKey, sealOfKey, stampBatch, type BatchControl, type BatchDocument, type BatchResult, type BatchStampRequest } from '../core/stamp/index';
import type { UsbKeyService } from '../core/usb-key/usb-key-service';
import type { SealRegister } from '../infra/db/index';
import { AtomicFileOutput } from '../infra/stamp/file-output';
import { PdfJsTextReader, preloadPdfJs } from '../infra/stamp/pdfjs-text';
import { recoverPendingStampings, stampRegisterPort, type RecoveredStamping } from '../infra/stamp/register-port';
import { stampingTime } from '../infra/timestamp/stamping-time';
import { TIMESTAMP_URL_SETTING, TsaClient } from '../infra/timestamp/tsa-client';
import { heldGroupCrl } from '../core/office/group-crl';

export interface StampBatchDeps {
  register(): SealRegister;
  usbKeys(): UsbKeyService;
  workstationCode(): string;
  clock?(): Date;
}

export interface StampDocumentsRequest extends Omit<BatchStampRequest, 'sealId' | 'operator'> {
  /** The USB key: serial or label. */
  readonly token: string;
  /** Who stamps (M3: the custodian or a proxy); default: the seal's custodian. */
  readonly operator?: { readonly staffId: string; readonly name?: string };
  /** RFC 3161 server; default: the register's timestampUrl setting; none: no timestamp. */
  readonly timestampUrl?: string;
  /** PAdES B-LTA (issue 16): a document timestamp after the DSS; needs a timestamp server. */
  readonly archiveTimestamp?: boolean;
  readonly documents: readonly BatchDocument[];
  /** The PIN, asked for once the seal is known (a prompt in the CLI, the request's in the window). */
  pin(key: { serial: string; label: string }, seal: Seal): Promise<Buffer> | Buffer;
}

export interface StampDocumentsResult {
  readonly seal: Seal;
  readonly recovered: readonly RecoveredStamping[];
  readonly results: BatchResult[];
}

/** The timestamp server for a batch; a malformed URL fails here, before any PIN is asked. */
export function timestampUrlFor(register: SealRegister, explicit?: string): string | undefined {
  const url = explicit ?? register.settings.get(TIMESTAMP_URL_SETTING);
  if (url !== undefined) new TsaClient(url);
  return url;
}

export async function stampDocuments(deps: StampBatchDeps, request: StampDocumentsRequest, control: BatchControl = {}): Promise<StampDocumentsResult> {
  const register = deps.register();
  // Issue #12: with the group's trusted-time policy on, the group's TSA and its checks (a
  // malformed URL or policy fails here, before any PIN is asked).
  const time = stampingTime(register.settings, request.timestampUrl);
  if (request.archiveTimestamp && !time.timestamper) throw new YinjianError('USAGE', { detail: '--lta needs a timestamp server (--tsa URL or the office\'s timestampUrl setting)' });
  const groupCrl = heldGroupCrl(register);
  if (request.archiveTimestamp && groupCrl === undefined) throw new YinjianError('USAGE', { detail: '--lta needs the group CRL: import it with `register import` (group-seal-ca.crl)' });
  const service = deps.usbKeys();
  const key = await service.info(request.token);
  let seal: Seal;
  try {
    seal = await sealOfKey(register.seals.list(), key.serial, () => service.publicCertificates(key.serial));
  } catch (error) {
    const who = request.operator ?? { staffId: '', name: '' };
    if (error instanceof YinjianError) register.audit.append({ actor: { name: who.name ?? who.staffId, staffId: who.staffId }, action: 'STAMP_REFUSED', subject: key.serial, details: { errorCode: error.code } });
    throw error;
  }
  const staffId = request.operator?.staffId ?? seal.custodianStaffId;
  const operator = { staffId, name: request.operator?.name ?? register.custodians.get(staffId)?.name ?? staffId };
  const recovery = recoverPendingStampings(register, operator);
  // A keyword is looked for in pdf.js's text (placement.ts): pdf.js then loads while the PIN
  // is typed and the key logs in. Otherwise it loads only if a page needs it (a text layer
  // our content reader cannot decode, OCR): loading it costs a fresh process ~0.3–0.6 s of
  // CPU that a --pin-stdin run cannot hide (issue #15).
  if (request.placement.kind === 'keyword') preloadPdfJs();
  const pin = await request.pin({ serial: key.serial, label: key.label }, seal);
  // M4: the login owns the PIN from the moment it is called (openSigningKey zeroes it on every
  // path); whatever fails before that hand-over zeroes it here.
  let handedOver = false;
  try {
    const clock = deps.clock ?? (() => new Date());
    const workstationCode = deps.workstationCode();
    const registerPort = stampRegisterPort(register);
    const pipeline = new StampingPipeline({
      register: registerPort,
      text: new PdfJsTextReader(),
      output: new AtomicFileOutput(),
      clock,
      workstationCode,
      ...(time.timestamper ? { timestamper: time.timestamper } : {}),
      ...(time.trustedTime ? { trustedTime: time.trustedTime } : {}),
      // PAdES B-LT whenever this workstation holds the group CRL (issue 16); B-LTA on request.
      ...(groupCrl ? { longTerm: { crls: () => [groupCrl], ...(request.archiveTimestamp && time.timestamper ? { archiveTimestamper: time.timestamper } : {}) } } : {}),
    });
    const { token: _token, operator: _operator, timestampUrl: _url, archiveTimestamp: _lta, documents, pin: _pin, ...common } = request;
    const openKey = (): ReturnType<typeof openSigningKey> => {
      handedOver = true;
      return openSigningKey(service, key.serial, pin, seal);
    };
    const results = await stampBatch({ pipeline, register: registerPort, clock, workstationCode }, openKey, { ...common, sealId: seal.id, operator }, documents, control);
    return { seal, recovered: recovery.recovered, results };
  } finally {
    if (!handedOver) pin.fill(0);
  }
}
