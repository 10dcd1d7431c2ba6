/** The regulation's gate before sealing (U1–U3, M3, M4, S1, S3, S5, E1) and document-type detection (U2). */
export { textLines, type PageText, type TextLine, type TextRun } from './document-text';
export {
  DEFAULT_DENY_LIST,
  DOCUMENT_TYPE_LABEL,
  assertDocumentTextAllowed,
  classifyDocumentText,
  declaredDocumentType,
  normaliseForMatching,
  withDeniedWords,
  type DeniedDocumentKind,
  type DocumentTextFinding,
  type DocumentTextVerdict,
} from './document-type';
export { BOUND_WORKSTATION_HASH_PREFIX, isThisWorkstation, passStampGate, type StampGateFacts, type StampGatePass, type UseApproval } from './stamp-gate';
export { REGULATION_TEXT, REGULATION_TITLE, regulationTextBytes } from './regulation-text';
