/**
 * The offline verifier (issue #5), pure core: `verifyPdf(bytes, trust, options)` checks every
 * signature of a PDF (structure, integrity, trust, revocation, timestamps, changes after
 * signing, our policy) and returns a FileReport; report-json/report-text render it.
 */
export { verifyPdf, prepareTrust } from './verify-document';
export { VERDICT_PRECEDENCE, worstVerdict, isAcceptable } from './verdict';
export { FINDING_CATALOG, finding, type FindingCode, type FindingStep, type VerifyFinding, type VerifySeverity } from './findings';
export { CHANGE_LEVELS } from './changes';
export type * from './types';
export { reportJson, reportText, VERIFY_REPORT_SCHEMA_VERSION, VERDICT_TEXT, type VerifyReportJson } from './report';
export { trustFromSnapshot, registerEntriesFromSnapshot, mergeTrust, openSnapshotForVerification } from './register-trust';
export { revocationUnchecked } from './time-decision';
