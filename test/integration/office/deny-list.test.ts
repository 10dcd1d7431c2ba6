/**
 * U2's deny list is configurable by the office and governs every workstation: the office adds
 * a word (`office deny-list --add`), publishes, the workstation imports the snapshot, and from
 * then on its stamping refuses a document whose title ends with that word, while the
 * regulation's own kinds stay forbidden. Real binary, SoftHSM2 keys, real PDFs and register.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentPdf } from '../../e2e/harness/documents';
import { provisionOffice, type OfficeFixture } from '../../helpers/office';

describe('the office deny list (U2) from the office to the workstation', { timeout: 180_000 }, () => {
  let office: OfficeFixture;
  let count = 0;

  beforeAll(async () => {
    office = await provisionOffice();
  }, 180_000);
  afterAll(() => office?.cleanup());

  async function stampTitled(title: string): Promise<{ code: number; error?: string; row: { status: string; error_code: string | null } }> {
    const n = ++count;
    const input = join(office.publicationDir, `doc-${n}.pdf`);
    writeFileSync(input, await documentPdf(title, ['各部门：', '现就有关事项说明如下。', '集团办公室']));
    const run = await office.cli(
      ['stamp', input, '--out', join(office.publicationDir, `doc-${n}-sealed.pdf`), '--type', 'internal-document', '--approval', `YY-2026-${n}`, '--approver', '孙主任',
        '--operator', office.seal.custodianStaffId, '--token', office.seal.label, '--pin-stdin', '--json'],
      { stdin: `${office.seal.pin}\n`, dataDir: office.workstationDir },
    );
    const db = new Database(join(office.workstationDir, 'register.sqlite'), { readonly: true });
    try {
      const row = db.prepare('SELECT status, error_code FROM usage_register ORDER BY id DESC LIMIT 1').get() as { status: string; error_code: string | null };
      const files = run.json<{ files?: { error?: { code: string } }[] }>().files;
      return { code: run.code, ...(files?.[0]?.error ? { error: files[0].error.code } : {}), row };
    } finally {
      db.close();
    }
  }

  it('shows the default list, refuses junk, and records a change in the audit log', async () => {
    const shown = await office.cli(['office', 'deny-list', '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.json<{ denyList: string[] }>().denyList).toEqual(expect.arrayContaining(['合同', '协议', '委托书', '介绍信', '授权书']));
    const unknown = await office.cli(['office', 'deny-list', '--remove', '不存在的词', '--json']);
    expect(unknown.code).toBe(2);
    expect(unknown.json<{ error: { code: string } }>().error.code).toBe('DENY_WORD_NOT_LISTED');
    const tooLong = await office.cli(['office', 'deny-list', '--add', '字'.repeat(41), '--json']);
    expect(tooLong.json<{ error: { code: string } }>().error.code).toBe('DENY_WORD_INVALID');
    const added = await office.cli(['office', 'deny-list', '--add', '承诺书，保证书', '--json']);
    expect(added.code, added.stderr).toBe(0);
    expect(added.json<{ denyList: string[] }>().denyList.slice(-2)).toEqual(['承诺书', '保证书']);
    const audit = await office.cli(['audit', 'check', '--json']);
    expect(audit.code, audit.stderr).toBe(0);
    const db = new Database(join(office.officeDir, 'register.sqlite'), { readonly: true });
    try {
      const row = db.prepare("SELECT details FROM audit_log WHERE action = 'SETTING_CHANGED' ORDER BY seq DESC LIMIT 1").get() as { details: string };
      expect(JSON.parse(row.details)).toMatchObject({ words: expect.arrayContaining(['承诺书', '保证书']), previous: expect.not.arrayContaining(['承诺书']) });
    } finally {
      db.close();
    }
  });

  it('before the new snapshot the workstation stamps a 承诺书; after importing it, refuses one (and a 授权书 all along)', async () => {
    // The workstation still has snapshot 1 (default list): 承诺书 is not on it yet.
    expect(await stampTitled('安全生产承诺书')).toMatchObject({ code: 0, row: { status: 'ok' } });
    // 授权书 is on the default list the office publishes (the built-in kinds alone missed it).
    expect(await stampTitled('法定代表人授权书')).toMatchObject({ code: 1, error: 'DOCUMENT_CONTENT_FORBIDDEN', row: { status: 'failed', error_code: 'DOCUMENT_CONTENT_FORBIDDEN' } });

    const published = await office.cli(['office', 'publish', '--ca-token', office.ca.label, '--out', office.publicationDir, '--pin-stdin'], { stdin: `${office.ca.pin}\n` });
    expect(published.code, published.stderr).toBe(0);
    const imported = await office.cli(['register', 'import', join(office.publicationDir, 'register-snapshot-000002.p7m')], { dataDir: office.workstationDir });
    expect(imported.code, imported.stderr).toBe(0);
    const show = await office.cli(['register', 'show'], { dataDir: office.workstationDir });
    expect(show.stdout).toContain('承诺书');

    expect(await stampTitled('安全生产承诺书')).toMatchObject({ code: 1, error: 'DOCUMENT_CONTENT_FORBIDDEN', row: { status: 'failed' } });
    expect(await stampTitled('质量保证书')).toMatchObject({ code: 1, error: 'DOCUMENT_CONTENT_FORBIDDEN' });
    // A notice about the commitment letters is still a notice.
    expect(await stampTitled('关于签署安全生产承诺书的通知')).toMatchObject({ code: 0, row: { status: 'ok' } });
    // The regulation's kinds stay forbidden whatever the office's list says.
    const narrowed = await office.cli(['office', 'deny-list', '--remove', '合同', '--json']);
    expect(narrowed.code, narrowed.stderr).toBe(0);
    const again = await office.cli(['office', 'publish', '--ca-token', office.ca.label, '--out', office.publicationDir, '--pin-stdin'], { stdin: `${office.ca.pin}\n` });
    expect(again.code, again.stderr).toBe(0);
    expect((await office.cli(['register', 'import', join(office.publicationDir, 'register-snapshot-000003.p7m')], { dataDir: office.workstationDir })).code).toBe(0);
    expect(await stampTitled('房屋租赁合同')).toMatchObject({ code: 1, error: 'DOCUMENT_CONTENT_FORBIDDEN' });
  });
});
