/**
 * `ltv extend` as a use case (issue 16): fresh validation data (the group CRL this workstation
 * holds, CRLs given, the pinned group root) into the DSS of an already sealed file, and a new
 * document timestamp from the configured TSA (PAdES B-LTA archive renewal). The output is
 * written atomically; the input is never touched unless it is also the output.
 */
import { readFileSync } from 'node:fs';
import { YinjianError } from '../../shared/errors/index';
import { heldGroupCrl, pinnedGroupRoot } from '../core/office/index';
import { extendLongTerm } from '../core/stamp/ltv';
import type { SealRegister } from '../infra/db/index';
import { AtomicFileOutput } from '../infra/stamp/file-output';
import { TIMESTAMP_URL_SETTING, TsaClient } from '../infra/timestamp/tsa-client';

export interface ExtendRequest {
  readonly input: string;
  readonly output: string;
  /** RFC 3161 server; default: the register's timestampUrl setting; none: DSS only (B-LT). */
  readonly timestampUrl?: string;
  readonly crls: readonly Uint8Array[];
  readonly time: Date;
}

export interface ExtendResult {
  readonly output: string;
  readonly signatures: number;
  readonly crls: number;
  readonly documentTimestamp: boolean;
}

export async function extendValidationData(register: SealRegister | undefined, request: ExtendRequest): Promise<ExtendResult> {
  const timestampUrl = request.timestampUrl ?? register?.settings.get(TIMESTAMP_URL_SETTING);
  const timestamper = timestampUrl !== undefined ? new TsaClient(timestampUrl) : undefined;
  let input: Uint8Array;
  try {
    input = new Uint8Array(readFileSync(request.input));
  } catch (error) {
    throw new YinjianError('FILE_NOT_READABLE', { path: request.input }, { cause: error });
  }
  const held = register ? heldGroupCrl(register) : undefined;
  const crls = [...request.crls, ...(held ? [held] : [])];
  const root = register ? pinnedGroupRoot(register) : undefined;
  const { chunks, signatures } = await extendLongTerm(input, {
    crls,
    extraCertificates: root ? [root.der] : [],
    time: request.time,
    ...(timestamper ? { archiveTimestamper: timestamper } : {}),
  });
  const pending = await new AtomicFileOutput().reserve(request.output).write([input, ...chunks]);
  try {
    await pending.commit();
  } catch (error) {
    await pending.discard().catch(() => undefined);
    throw error;
  }
  return { output: request.output, signatures, crls: crls.length, documentTimestamp: timestamper !== undefined };
}
