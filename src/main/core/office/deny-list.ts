/**
 * U2: the document types an e-seal must never be used on (合同、协议、委托书、工作介绍信 and the
 * like). The office publishes the list in every register snapshot, so it can change it
 * without a software release; this is the default it starts from. Variants are listed as
 * words, simplified and traditional: the stamping gate normalises the document's text
 * (full-width forms, spacing, traditional characters) before it matches them.
 */
export const DEFAULT_DOCUMENT_TYPE_DENY_LIST: readonly string[] = [
  '合同',
  '合約',
  '合约',
  '協議',
  '协议',
  '補充協議',
  '补充协议',
  '委托书',
  '委託書',
  '授权委托书',
  '授權委託書',
  '授权书',
  '授權書',
  '介绍信',
  '介紹信',
  '工作介绍信',
  '工作介紹信',
];
