import { describe, expect, it } from 'vitest';
import { csvCell, usageRegisterCsv, type UsageEntry } from '../../../src/main/core/register/index';

const ENTRY: UsageEntry = {
  id: 1,
  sealId: 'SEAL-1',
  operatorStaffId: 'S100',
  operatorName: '张保管',
  useRequestId: 'R-1',
  documentTitle: '关于"年度预算",的通知',
  documentType: '内部正式文件',
  pages: 3,
  sha256Before: 'a'.repeat(64),
  sha256After: 'b'.repeat(64),
  outputPath: null,
  at: new Date('2026-07-10T02:00:00.000Z'),
  workstationId: 'WS-1',
  status: 'ok',
  errorCode: null,
  auditSeq: 12,
};

describe('usage register CSV (S6 export)', () => {
  it('quotes per RFC 4180 and leaves nulls empty', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(-3)).toBe('-3');
  });

  it('defuses spreadsheet formulas in text cells', () => {
    for (const f of ['=1+1', '+1', '-1', '@SUM(A1)']) expect(csvCell(f).startsWith("'") || csvCell(f).startsWith(`"'`)).toBe(true);
  });

  it('writes a BOM, a header and one CRLF line per entry', () => {
    const csv = usageRegisterCsv([ENTRY]);
    expect(csv.startsWith('\uFEFFid,at,seal_id,')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines).toEqual([
      'id,at,seal_id,operator_staff_id,operator_name,use_request_id,document_title,document_type,pages,sha256_before,sha256_after,output_path,workstation_id,status,error_code,audit_seq,scanned_confirmed_pages',
      `1,2026-07-10T02:00:00.000Z,SEAL-1,S100,张保管,R-1,"关于""年度预算"",的通知",内部正式文件,3,${'a'.repeat(64)},${'b'.repeat(64)},,WS-1,ok,,12,`,
      '',
    ]);
  });

  it('says which pages were sealed on the custodian\'s scanned-document confirmation (U2, issue #13)', () => {
    const lines = usageRegisterCsv([ENTRY, { ...ENTRY, id: 2, scannedConfirmedPages: [2, 5] }]).slice(1).split('\r\n');
    expect(lines[1]?.endsWith(',12,')).toBe(true);
    expect(lines[2]?.endsWith(',12,2 5')).toBe(true);
  });
});
