import { describe, expect, it } from 'vitest';
import { ARC, OID, decodeSealInfo, encodeSealInfo, parseCertificate, verifyCmsSignature } from '../../../src/main/core/pki';
import { encodeKeyUsage } from '../../../src/main/core/pki/certificate';
import { Asn1DecodeError, der, decodeOidContent, encodeOidContent, readDer, readTime, toHex } from '../../../src/main/core/pki/der';
import { isYinjianError } from '../../../src/shared/errors';

describe('object identifiers', () => {
  it('our arc is the documented UUID as an integer under 2.25 (X.667)', () => {
    expect(ARC).toBe(`2.25.${BigInt('0xdf0b86aed51b434bbcc231a03405ef94').toString()}`);
    expect(OID.commitmentInternalLetter).toBe(`${ARC}.5.2`);
  });

  it('encodes and decodes arcs beyond 2^53 exactly', () => {
    for (const oid of [OID.regulationPolicy, OID.commitmentInternalFormalDocument, OID.registerSnapshotContentType]) {
      expect(decodeOidContent(encodeOidContent(oid))).toBe(oid);
    }
    expect(toHex(der.oid('1.2.840.113549.1.1.11'))).toBe('06092a864886f70d01010b');
    // 2.25.x: the first subidentifier is 2*40 + 25 = 105 (0x69).
    expect(encodeOidContent(OID.regulationPolicy)[0]).toBe(0x69);
  });

  it('rejects a non-minimal arc', () => {
    expect(() => decodeOidContent(Uint8Array.of(0x2a, 0x80, 0x01))).toThrow(Asn1DecodeError);
  });
});

describe('DER writer', () => {
  it('writes serials as positive minimal INTEGERs', () => {
    expect(toHex(der.integerBytes(Uint8Array.of(0x80, 0x01)))).toBe('0203008001');
    expect(toHex(der.integerBytes(Uint8Array.of(0x00, 0x00, 0x7f)))).toBe('02017f');
    expect(toHex(der.integer(0))).toBe('020100');
    expect(toHex(der.integer(128))).toBe('02020080');
  });

  it('uses UTCTime through 2049 and GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)', () => {
    const utc = der.time(new Date('2049-12-31T23:59:59.999Z'));
    expect(utc[0]).toBe(0x17);
    expect(Buffer.from(utc.subarray(2)).toString()).toBe('491231235959Z');
    const gen = der.time(new Date('2050-01-01T00:00:00Z'));
    expect(gen[0]).toBe(0x18);
    expect(Buffer.from(gen.subarray(2)).toString()).toBe('20500101000000Z');
    expect(readTime(readDer(gen)).toISOString()).toBe('2050-01-01T00:00:00.000Z');
    expect(readTime(readDer(utc)).toISOString()).toBe('2049-12-31T23:59:59.000Z');
  });

  it('sorts SET OF by encoding', () => {
    const a = der.utf8('b');
    const b = der.integer(5);
    expect(toHex(der.setOf([a, b]))).toBe(toHex(der.set(b, a)));
  });

  it('encodes keyUsage as a named bit string without trailing zero bits', () => {
    expect(toHex(encodeKeyUsage(['digitalSignature', 'nonRepudiation']))).toBe('030206c0');
    expect(toHex(encodeKeyUsage(['keyCertSign', 'cRLSign']))).toBe('03020106');
  });
});

describe('BER reader against hostile input', () => {
  it('refuses deep nesting without exhausting the stack', () => {
    const depth = 100_000;
    const bytes = new Uint8Array(depth * 2);
    for (let i = 0; i < depth; i++) bytes.set([0x30, 0x80], i * 2);
    expect(() => readDer(bytes)).toThrow(Asn1DecodeError);
  });

  it('refuses lengths beyond the data, over-long length fields and indefinite primitives', () => {
    expect(() => readDer(Uint8Array.of(0x30, 0x82, 0xff, 0xff, 0x00))).toThrow(Asn1DecodeError);
    expect(() => readDer(Uint8Array.of(0x04, 0x89, 1, 1, 1, 1, 1, 1, 1, 1, 1))).toThrow(Asn1DecodeError);
    expect(() => readDer(Uint8Array.of(0x04, 0x80, 0x00, 0x00))).toThrow(Asn1DecodeError);
    expect(() => readDer(Uint8Array.of(0x30, 0x80, 0x02, 0x01, 0x01))).toThrow(Asn1DecodeError);
    expect(() => readDer(new Uint8Array(0))).toThrow(Asn1DecodeError);
  });

  it('refuses a flood of elements', () => {
    const count = 300_000;
    const body = new Uint8Array(count * 2); // NULL, NULL, …
    for (let i = 0; i < count; i++) body.set([0x05, 0x00], i * 2);
    const header = Uint8Array.of(0x30, 0x83, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff);
    const bytes = new Uint8Array(header.length + body.length);
    bytes.set(header);
    bytes.set(body, header.length);
    expect(() => readDer(bytes)).toThrow(Asn1DecodeError);
  });

  it('reads indefinite-length BER and concatenates constructed OCTET STRINGs', () => {
    const node = readDer(Uint8Array.of(0x30, 0x80, 0x24, 0x80, 0x04, 0x01, 0x61, 0x04, 0x01, 0x62, 0x00, 0x00, 0x00, 0x00));
    expect(node.children).toHaveLength(1);
    expect(node.children[0]!.children.map((c) => c.content[0])).toEqual([0x61, 0x62]);
  });

  it('turns hostile input into typed errors at the public API', async () => {
    const nested = new Uint8Array(20_000);
    for (let i = 0; i < 10_000; i++) nested.set([0x30, 0x80], i * 2);
    await expect(verifyCmsSignature(nested)).rejects.toSatisfy((e) => isYinjianError(e) && e.code === 'CMS_MALFORMED');
    expect(() => parseCertificate(nested)).toThrow(expect.objectContaining({ code: 'CERTIFICATE_MALFORMED' }));
    expect(() => parseCertificate(Uint8Array.of(0x30, 0x00))).toThrow(expect.objectContaining({ code: 'CERTIFICATE_MALFORMED' }));
  });
});

describe('seal-information extension', () => {
  it('round-trips and refuses an unknown seal kind or a hash of the wrong size', () => {
    const info = { sealKind: 'company' as const, unit: '示例集团有限公司', custodianStaffId: 'E42', workstationIdHash: new Uint8Array(32).fill(7) };
    expect(decodeSealInfo(encodeSealInfo(info))).toEqual(info);
    const bad = der.sequence(der.enumerated(9), der.utf8('u'), der.utf8('c'), der.octetString(new Uint8Array(32)));
    expect(() => decodeSealInfo(bad)).toThrow(Asn1DecodeError);
    const short = der.sequence(der.enumerated(0), der.utf8('u'), der.utf8('c'), der.octetString(new Uint8Array(20)));
    expect(() => decodeSealInfo(short)).toThrow(Asn1DecodeError);
  });
});
