import type { Migration } from './migration';

/**
 * U2 (issue #13): the office may allow scanned documents (a published setting); a page the
 * gate's OCR cannot read is then sealed only on the custodian's confirmation for this document,
 * which the audit log already records (STAMP_PENDING's `scannedConfirmed`). The usage row says
 * it too, so the register and its export show which stampings rested on that confirmation:
 * `scanned_confirmed_pages`, the 1-based pages confirmed ("2,5"), NULL for every other row.
 *
 * A column added with ALTER TABLE (no rebuild): every earlier row keeps its values and reads
 * NULL, which is what it was (no confirmation existed before this version).
 */
export const migration007: Migration = {
  version: 7,
  name: 'scanned-confirmed',
  up(db) {
    db.exec(`
      ALTER TABLE usage_register ADD COLUMN scanned_confirmed_pages TEXT
        CHECK (scanned_confirmed_pages IS NULL OR (scanned_confirmed_pages <> '' AND scanned_confirmed_pages NOT GLOB '*[^0-9,]*'
          AND scanned_confirmed_pages NOT GLOB ',*' AND scanned_confirmed_pages NOT GLOB '*,' AND scanned_confirmed_pages NOT GLOB '*,,*'));
    `);
  },
};
