import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DOCUMENT_TYPE_DENY_LIST,
  SNAPSHOT_SCHEMA,
  certificateFingerprint,
  encodeRegisterSnapshot,
  nextFirstOfJuly,
  openSignedSnapshot,
  parseOfficeDate,
  parseRegisterSnapshot,
  workstationHash,
  type RegisterSnapshot,
} from '../../../src/main/core/office/index';
import { buildRootCertificate, buildSignedSnapshot, parseCertificate } from '../../../src/main/core/pki/index';
import { YinjianError, type ErrorCode } from '../../../src/shared/errors/index';
import { createSoftwareSigner, type SoftwareSigner } from '../../helpers/software-signer';

function codeOf(fn: () => unknown): ErrorCode | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof YinjianError) return error.code;
    throw error;
  }
  return undefined;
}

async function asyncCodeOf(promise: Promise<unknown>): Promise<ErrorCode | undefined> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof YinjianError) return error.code;
    throw error;
  }
  return undefined;
}

async function makeRoot(group: string): Promise<{ signer: SoftwareSigner; der: Uint8Array }> {
  const signer = createSoftwareSigner('ECDSA_P256_SHA256');
  const der = await buildRootCertificate({
    signer,
    groupName: group,
    commonName: `${group}电子印章根证书`,
    validity: { notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2050-01-01T00:00:00Z') },
  });
  return { signer, der };
}

function snapshotFor(rootDer: Uint8Array, sequence: number): RegisterSnapshot {
  const certificate = {
    certificateDer: Buffer.from(rootDer).toString('base64'),
    serialHex: 'ab12',
    validFrom: '2025-07-01T00:00:00.000Z',
    validTo: '2030-07-01T00:00:00.000Z',
    revokedAt: '2025-08-01T01:00:00.000Z',
    revocationReason: 'keyCompromise' as const,
  };
  return {
    schema: SNAPSHOT_SCHEMA,
    version: 1,
    sequence,
    issuedAt: '2025-08-02T00:00:00.000Z',
    group: '华夏建设集团',
    caFingerprint: certificateFingerprint(rootDer),
    denyList: [...DEFAULT_DOCUMENT_TYPE_DENY_LIST],
    seals: [
      {
        ...certificate,
        sealId: '1101000000001-0a1b2c3d',
        sealCode: '1101000000001',
        sealName: '财务专用章',
        unit: '华夏建设集团财务部',
        unitKind: 'department',
        state: 'LOST',
        custodianStaffId: 'E1024',
        custodianName: '张敏',
        boundWorkstationHash: workstationHash('JTXX-2BFM-Q67B-6CWW'),
        lostAt: '2025-08-01T01:00:00.000Z',
        certificates: [certificate],
      },
    ],
    delegations: [
      {
        id: 'd1',
        sealCode: '1101000000001',
        proxyStaffId: 'E2048',
        proxyName: '王芳',
        approverName: '赵部长',
        approverStaffId: 'M0001',
        approverRole: 'department_head',
        reason: '休假',
        startsAt: '2025-07-10T00:00:00.000Z',
        endsAt: '2025-07-20T00:00:00.000Z',
        revokedAt: null,
      },
    ],
  };
}

describe('register snapshot content (versioned canonical JSON)', () => {
  it('round-trips through the canonical encoding, keys sorted', () => {
    const snapshot = snapshotFor(new Uint8Array([1, 2, 3]), 7);
    const bytes = encodeRegisterSnapshot(snapshot);
    const text = new TextDecoder().decode(bytes);
    expect(text.startsWith('{"caFingerprint":')).toBe(true);
    expect(text).not.toMatch(/\n| {2}/);
    expect(parseRegisterSnapshot(bytes)).toEqual(snapshot);
  });

  it('version 3 carries the office\'s scanned-documents setting (U2, issue #13)', () => {
    const v1 = snapshotFor(new Uint8Array([1]), 2) as unknown as Record<string, unknown>;
    const v3 = { ...v1, version: 3, nextUpdate: v1.issuedAt, timestamping: null, scannedDocumentsAllowed: true };
    expect(parseRegisterSnapshot(JSON.stringify(v3))).toMatchObject({ version: 3, scannedDocumentsAllowed: true });
    expect(parseRegisterSnapshot(JSON.stringify(v1)).scannedDocumentsAllowed).toBeUndefined();
  });

  it('binds the workstation as the certificate does: SHA-256 hex of the id', () => {
    expect(workstationHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it.each([
    ['not JSON', (s: Record<string, unknown>) => JSON.stringify(s).slice(0, -1)],
    ['an unknown version', (s: Record<string, unknown>) => JSON.stringify({ ...s, version: 2 })],
    ['a version not yet known (4)', (s: Record<string, unknown>) => JSON.stringify({ ...s, version: 4 })],
    ['version 3 without its scanned-documents setting (U2, issue #13)', (s: Record<string, unknown>) => JSON.stringify({ ...s, version: 3, nextUpdate: s.issuedAt, timestamping: null })],
    ['version 3 with a scanned-documents setting that is not a boolean', (s: Record<string, unknown>) => JSON.stringify({ ...s, version: 3, nextUpdate: s.issuedAt, timestamping: null, scannedDocumentsAllowed: 'yes' })],
    ['a foreign schema', (s: Record<string, unknown>) => JSON.stringify({ ...s, schema: 'other' })],
    ['a zero sequence', (s: Record<string, unknown>) => JSON.stringify({ ...s, sequence: 0 })],
    ['an unknown seal state', (s: Record<string, unknown>) => JSON.stringify({ ...s, seals: [{ ...(s.seals as object[])[0], state: 'REVIVED' }] })],
    ['a local time', (s: Record<string, unknown>) => JSON.stringify({ ...s, issuedAt: '2025-08-02 08:00' })],
    ['an empty deny-list word', (s: Record<string, unknown>) => JSON.stringify({ ...s, denyList: [''] })],
  ])('refuses %s with SNAPSHOT_SCHEMA_INVALID', (_name, mutate) => {
    const snapshot = snapshotFor(new Uint8Array([1]), 1) as unknown as Record<string, unknown>;
    expect(codeOf(() => parseRegisterSnapshot(mutate(snapshot)))).toBe('SNAPSHOT_SCHEMA_INVALID');
  });
});

describe('openSignedSnapshot: verified against the pinned root', () => {
  it('accepts the pinned root\'s snapshot and refuses a tampered, a foreign-signed and a non-snapshot CMS', async () => {
    const group = await makeRoot('华夏建设集团');
    const foreign = await makeRoot('华夏建设集团'); // same name, other key: only the pin tells them apart
    const content = encodeRegisterSnapshot(snapshotFor(group.der, 3));
    const signed = await buildSignedSnapshot({ signer: group.signer, signerCertificate: group.der, caCertificates: [], content });

    const opened = await openSignedSnapshot(signed, group.der);
    expect(opened.snapshot.sequence).toBe(3);
    expect(opened.snapshot.seals[0]?.revocationReason).toBe('keyCompromise');

    // Tampered: one byte of the JSON inside the CMS changed ("LOST" → "LOSU").
    const tampered = Buffer.from(signed);
    const at = tampered.indexOf(Buffer.from('"LOST"'));
    expect(at).toBeGreaterThan(0);
    tampered[at + 4] = 'U'.charCodeAt(0);
    expect(await asyncCodeOf(openSignedSnapshot(tampered, group.der))).toBe('SNAPSHOT_SIGNATURE_INVALID');

    const foreignSigned = await buildSignedSnapshot({
      signer: foreign.signer,
      signerCertificate: foreign.der,
      caCertificates: [],
      content: encodeRegisterSnapshot(snapshotFor(foreign.der, 4)),
    });
    expect(await asyncCodeOf(openSignedSnapshot(foreignSigned, group.der))).toBe('SNAPSHOT_SIGNER_UNTRUSTED');

    // The pinned CA's own signature over content claiming another CA is refused too.
    const lying = await buildSignedSnapshot({ signer: group.signer, signerCertificate: group.der, caCertificates: [], content: encodeRegisterSnapshot(snapshotFor(foreign.der, 5)) });
    expect(await asyncCodeOf(openSignedSnapshot(lying, group.der))).toBe('SNAPSHOT_SCHEMA_INVALID');

    expect(await asyncCodeOf(openSignedSnapshot(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]), group.der))).toBe('SNAPSHOT_MALFORMED');
    expect(parseCertificate(group.der).subject.organization).toBe('华夏建设集团');
  });
});

describe('office dates (E1)', () => {
  it('reads YYYY-MM-DD as midnight Beijing time and refuses impossible dates', () => {
    expect(parseOfficeDate('--valid-from', '2025-07-01').toISOString()).toBe('2025-06-30T16:00:00.000Z');
    expect(parseOfficeDate('--at', '2025-07-01T09:30:00+08:00').toISOString()).toBe('2025-07-01T01:30:00.000Z');
    expect(codeOf(() => parseOfficeDate('--valid-from', '2025-02-30'))).toBe('OFFICE_INPUT_INVALID');
    expect(codeOf(() => parseOfficeDate('--valid-from', 'next week'))).toBe('OFFICE_INPUT_INVALID');
  });

  it('the next 1 July is this year\'s until it has begun in Beijing, then next year\'s', () => {
    expect(nextFirstOfJuly(new Date('2025-03-01T00:00:00Z')).toISOString()).toBe('2025-06-30T16:00:00.000Z');
    expect(nextFirstOfJuly(new Date('2025-06-30T16:00:00Z')).toISOString()).toBe('2026-06-30T16:00:00.000Z');
    expect(nextFirstOfJuly(new Date('2025-12-31T23:00:00Z')).toISOString()).toBe('2026-06-30T16:00:00.000Z');
  });
});
