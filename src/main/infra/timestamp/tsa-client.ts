/**
 * RFC 3161 client for the signature timestamp (PAdES B-T), used only when the office or the
 * custodian configured a timestamp server; the default is none (offline stamping).
 *
 * One HTTP(S) POST of application/timestamp-query: SHA-256 of the signature value, a fresh
 * 64-bit nonce, certReq true (so the token carries the TSA certificate for offline
 * verification). The reply is bounded in size and time, and accepted only when its status is
 * granted, its token's own signature holds, its imprint is our hash and its nonce is ours
 * (a replayed or foreign token is refused). Any failure is TSA_UNREACHABLE or
 * TSA_RESPONSE_INVALID: the custodian asked for a timestamp, so stamping stops rather than
 * silently producing a B-B seal.
 */
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { YinjianError } from '../../../shared/errors/index';
import { bytesEqual, child, der, expectUniversal, readDer, readIntegerBytes, readSmallInteger, TAG, type Asn1Node } from '../../core/pki/der';
import { verifyTimestampToken } from '../../core/pki/index';
import { OID } from '../../core/pki/oids';
import type { SignatureTimestamper } from '../../core/stamp/signature-timestamp';

export interface TsaClientOptions {
  readonly timeoutMs?: number;
  /** Largest reply accepted; a token with a certificate chain is a few KB. */
  readonly maxResponseBytes?: number;
}

/** Register setting holding the office's timestamp server URL (absent: no timestamp, offline). */
export const TIMESTAMP_URL_SETTING = 'timestampUrl';

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_RESPONSE = 256 * 1024;

/** DER INTEGER content of a positive 64-bit nonce (leading 0 when the top bit is set). */
function positive(bytes: Uint8Array): Uint8Array {
  return (bytes[0] as number) & 0x80 ? Uint8Array.from([0, ...bytes]) : bytes;
}

function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

export function timeStampRequest(imprint: Uint8Array, nonce: Uint8Array): Uint8Array {
  return der.sequence(
    der.integer(1),
    der.sequence(der.sequence(der.oid(OID.sha256)), der.octetString(imprint)),
    der.integerBytes(nonce),
    der.boolean(true),
  );
}

/** The nonce in a TSTInfo, after version, policy, imprint, serial, genTime, accuracy?, ordering?. */
function tstNonce(tstInfo: Asn1Node): Uint8Array | undefined {
  for (const node of tstInfo.children.slice(5)) {
    if (node.tagClass !== 0) return undefined;
    if (node.tag === TAG.INTEGER) return readIntegerBytes(node, 'nonce');
  }
  return undefined;
}

export class TsaClient implements SignatureTimestamper {
  private readonly url: URL;

  constructor(
    url: string,
    private readonly options: TsaClientOptions = {},
  ) {
    try {
      this.url = new URL(url);
    } catch (error) {
      throw new YinjianError('TSA_UNREACHABLE', { url, detail: 'not a URL' }, { cause: error });
    }
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') throw new YinjianError('TSA_UNREACHABLE', { url, detail: 'only http and https are supported' });
  }

  async timestamp(signatureValue: Uint8Array): Promise<Uint8Array> {
    const imprint = new Uint8Array(createHash('sha256').update(signatureValue).digest());
    const nonce = positive(new Uint8Array(randomBytes(8)));
    const reply = await this.post(timeStampRequest(imprint, nonce));
    return this.acceptReply(reply, signatureValue, nonce);
  }

  private invalid(detail: string, cause?: unknown): YinjianError {
    return new YinjianError('TSA_RESPONSE_INVALID', { url: this.url.href, detail }, cause === undefined ? undefined : { cause });
  }

  private async acceptReply(reply: Uint8Array, signatureValue: Uint8Array, nonce: Uint8Array): Promise<Uint8Array> {
    let token: Asn1Node;
    let status: number;
    try {
      const resp = expectUniversal(readDer(reply), TAG.SEQUENCE, 'TimeStampResp');
      status = readSmallInteger(child(expectUniversal(child(resp, 0, 'TimeStampResp'), TAG.SEQUENCE, 'PKIStatusInfo'), 0, 'PKIStatusInfo'), 'status');
      // 0 granted, 1 grantedWithMods (RFC 3161 §2.4.2); anything else carries no token.
      if (status !== 0 && status !== 1) throw this.invalid(`status ${status} (request not granted)`);
      token = expectUniversal(child(resp, 1, 'TimeStampResp'), TAG.SEQUENCE, 'TimeStampToken');
    } catch (error) {
      if (error instanceof YinjianError) throw error;
      throw this.invalid(error instanceof Error ? error.message : String(error), error);
    }
    let verified;
    try {
      verified = await verifyTimestampToken(token.raw, signatureValue);
    } catch (error) {
      throw this.invalid(error instanceof YinjianError ? error.en : String(error), error);
    }
    if (!verified.valid) throw this.invalid(verified.findings.map((f) => f.code + (f.detail ? ` ${f.detail}` : '')).join(', '));
    if (verified.imprintAlgorithm !== 'sha256') throw this.invalid(`imprint algorithm ${String(verified.imprintAlgorithm)}, not SHA-256`);
    const content = verified.token?.encapsulatedContent;
    const theirs = content ? tstNonce(readDer(content)) : undefined;
    if (!theirs || !bytesEqual(stripLeadingZeros(theirs), stripLeadingZeros(nonce))) throw this.invalid('the nonce is not the one we sent (replayed or foreign token)');
    if (!verified.tsaCertificate) throw this.invalid('the token carries no TSA certificate (certReq was true)');
    return token.raw;
  }

  private post(body: Uint8Array): Promise<Uint8Array> {
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const maxBytes = this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE;
    const url = this.url;
    const unreachable = (detail: string, cause?: unknown): YinjianError => new YinjianError('TSA_UNREACHABLE', { url: url.href, detail }, cause === undefined ? undefined : { cause });
    return new Promise((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, { method: 'POST', headers: { 'Content-Type': 'application/timestamp-query', 'Content-Length': body.length, Accept: 'application/timestamp-reply' }, timeout: timeoutMs });
      // One deadline for the whole exchange: a server trickling bytes cannot hold stamping.
      const deadline = setTimeout(() => req.destroy(unreachable(`no complete answer within ${timeoutMs} ms`)), timeoutMs);
      const fail = (error: unknown): void => {
        clearTimeout(deadline);
        reject(error instanceof YinjianError ? error : unreachable(error instanceof Error ? error.message : String(error), error));
      };
      req.on('timeout', () => req.destroy(unreachable(`no answer within ${timeoutMs} ms`)));
      req.on('error', fail);
      req.on('response', (res: IncomingMessage) => {
        if (res.statusCode !== 200) {
          res.resume();
          fail(unreachable(`HTTP ${res.statusCode ?? '?'}`));
          return;
        }
        const type = (res.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
        if (type !== 'application/timestamp-reply') {
          res.resume();
          fail(this.invalid(`content type ${type || 'missing'}, not application/timestamp-reply`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            req.destroy(this.invalid(`reply larger than ${maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(deadline);
          resolve(new Uint8Array(Buffer.concat(chunks)));
        });
      });
      req.end(Buffer.from(body));
    });
  }
}
