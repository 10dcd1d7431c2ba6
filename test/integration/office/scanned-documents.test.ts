/**
 * U2 and scanned documents (issue #13), from the office's setting to a workstation's stamping,
 * through the real `yinjian` binary on SoftHSM2 keys with real registers:
 *   - by default a page OCR cannot read refuses (SCANNED_PAGE_UNREADABLE), and a custodian's
 *     --confirm-scanned cannot stand in for the office's setting;
 *   - the office allows scanned documents (`office scanned-documents --allow`, audited),
 *     publishes (snapshot v3), the workstation imports: the same page now needs the custodian's
 *     confirmation (SCANNED_PAGE_CONFIRMATION_REQUIRED), and with --confirm-scanned it is sealed,
 *     the confirmation and its pages in the stamping's audit row;
 *   - what OCR does read still counts: a scanned contract is refused, confirmed or not.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentPdf } from '../../e2e/harness/documents';
import { imagePdf, noisePdf, scanImage } from '../../helpers/gate-documents';
import { provisionOffice, type OfficeFixture } from '../../helpers/office';

describe('scanned documents (U2): the office\'s setting and the custodian\'s confirmation', { timeout: 300_000 }, () => {
  let office: OfficeFixture;
  let count = 0;
  let noise: string;

  beforeAll(async () => {
    office = await provisionOffice();
    noise = join(office.publicationDir, 'scan-unreadable.pdf');
    writeFileSync(noise, await noisePdf(5));
  }, 180_000);
  afterAll(() => office?.cleanup());

  async function stamp(
    input: string,
    extra: readonly string[] = [],
  ): Promise<{ code: number; error?: string; file?: Record<string, unknown>; row: { status: string; error_code: string | null; scanned_confirmed_pages: string | null } }> {
    const n = ++count;
    const run = await office.cli(
      ['stamp', input, '--out', join(office.publicationDir, `sealed-${n}.pdf`), '--type', 'internal-document', '--approval', `YY-2026-S${n}`, '--approver', '孙主任',
        '--operator', office.seal.custodianStaffId, '--token', office.seal.label, '--pin-stdin', '--json', ...extra],
      { stdin: `${office.seal.pin}\n`, dataDir: office.workstationDir },
    );
    const db = new Database(join(office.workstationDir, 'register.sqlite'), { readonly: true });
    try {
      const row = db.prepare('SELECT status, error_code, scanned_confirmed_pages FROM usage_register ORDER BY id DESC LIMIT 1').get() as {
        status: string;
        error_code: string | null;
        scanned_confirmed_pages: string | null;
      };
      const file = run.json<{ files?: ({ error?: { code: string } } & Record<string, unknown>)[] }>().files?.[0];
      return { code: run.code, ...(file?.error ? { error: file.error.code } : {}), ...(file ? { file } : {}), row };
    } finally {
      db.close();
    }
  }

  function lastAudit(dir: string, action: string): Record<string, unknown> | undefined {
    const db = new Database(join(dir, 'register.sqlite'), { readonly: true });
    try {
      const row = db.prepare('SELECT details FROM audit_log WHERE action = ? ORDER BY seq DESC LIMIT 1').get(action) as { details: string } | undefined;
      return row ? (JSON.parse(row.details) as Record<string, unknown>) : undefined;
    } finally {
      db.close();
    }
  }

  it('by default an unreadable scan is refused, and the custodian\'s confirmation does not replace the office\'s setting', async () => {
    const shown = await office.cli(['office', 'scanned-documents', '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.json()).toMatchObject({ scannedDocumentsAllowed: false });
    expect(await stamp(noise)).toMatchObject({ code: 1, error: 'SCANNED_PAGE_UNREADABLE', row: { status: 'failed', error_code: 'SCANNED_PAGE_UNREADABLE' } });
    expect(await stamp(noise, ['--confirm-scanned'])).toMatchObject({ code: 1, error: 'SCANNED_DOCUMENTS_NOT_ALLOWED', row: { status: 'failed' } });
  });

  it('allowed by the office and imported: the page needs the custodian\'s confirmation, which is audited; a scanned contract stays refused', async () => {
    const both = await office.cli(['office', 'scanned-documents', '--allow', '--refuse', '--json']);
    expect(both.code).toBe(2);
    const allowed = await office.cli(['office', 'scanned-documents', '--allow', '--json']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.json()).toMatchObject({ scannedDocumentsAllowed: true });
    expect(lastAudit(office.officeDir, 'SETTING_CHANGED')).toEqual({ previous: false, allowed: true });

    // Not yet published: the workstation still has the office's earlier word.
    expect(await stamp(noise, ['--confirm-scanned'])).toMatchObject({ error: 'SCANNED_DOCUMENTS_NOT_ALLOWED' });
    const published = await office.cli(['office', 'publish', '--ca-token', office.ca.label, '--out', office.publicationDir, '--pin-stdin'], { stdin: `${office.ca.pin}\n` });
    expect(published.code, published.stderr).toBe(0);
    const imported = await office.cli(['register', 'import', join(office.publicationDir, 'register-snapshot-000002.p7m'), '--json'], { dataDir: office.workstationDir });
    expect(imported.code, imported.stderr).toBe(0);
    const show = await office.cli(['register', 'show', '--json'], { dataDir: office.workstationDir });
    expect(show.json<{ snapshot: { version: number; scannedDocumentsAllowed: boolean } }>().snapshot).toMatchObject({ version: 3, scannedDocumentsAllowed: true });

    expect(await stamp(noise)).toMatchObject({
      code: 1,
      error: 'SCANNED_PAGE_CONFIRMATION_REQUIRED',
      row: { status: 'failed', error_code: 'SCANNED_PAGE_CONFIRMATION_REQUIRED', scanned_confirmed_pages: null },
    });
    const confirmed = await stamp(noise, ['--confirm-scanned']);
    // The usage row itself says the stamping rested on the confirmation (migration 007), as the audit row does.
    expect(confirmed).toMatchObject({ code: 0, row: { status: 'ok', scanned_confirmed_pages: '1' }, file: { ok: true, scannedConfirmedPages: [1], ocrPages: [1] } });
    expect(lastAudit(office.workstationDir, 'STAMP_PENDING')).toMatchObject({ scannedConfirmed: { pages: [1] } });
    const chain = await office.cli(['audit', 'check', '--json'], { dataDir: office.workstationDir });
    expect(chain.code, chain.stderr).toBe(0);

    // What OCR reads is still judged: a scanned contract, confirmed or not.
    const contract = join(office.publicationDir, 'scan-contract.pdf');
    writeFileSync(contract, await imagePdf([await scanImage(await documentPdf('房屋租赁合同', ['出租人（甲方）：华夏建设集团', '承租人（乙方）：华东建设公司']), 0, { dpi: 150 })]));
    expect(await stamp(contract, ['--confirm-scanned'])).toMatchObject({ code: 1, error: 'DOCUMENT_CONTENT_FORBIDDEN', row: { status: 'failed' } });

    // The office withdraws the setting: after the next import the refusal is back.
    expect((await office.cli(['office', 'scanned-documents', '--refuse', '--json'])).code).toBe(0);
    expect((await office.cli(['office', 'publish', '--ca-token', office.ca.label, '--out', office.publicationDir, '--pin-stdin'], { stdin: `${office.ca.pin}\n` })).code).toBe(0);
    expect((await office.cli(['register', 'import', join(office.publicationDir, 'register-snapshot-000003.p7m')], { dataDir: office.workstationDir })).code).toBe(0);
    expect(await stamp(noise, ['--confirm-scanned'])).toMatchObject({ error: 'SCANNED_DOCUMENTS_NOT_ALLOWED' });
  });
});
