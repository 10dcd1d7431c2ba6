import type { ErrorSpec } from './index';

/**
 * Errors of sealing a PDF (src/main/core/stamp, src/main/core/policy): the regulation's gate
 * (U1–U3, M3, M4, S1, S3, S5, E1), placement of the impression, the signature and the output.
 */
export const STAMP_ERRORS = {
  DOCUMENT_TYPE_FORBIDDEN: {
    category: 'refused',
    zh: '文件类型“{type}”不得加盖电子印章：只允许内部正式文件和内部函件（规定第一条第1、2款）',
    en: 'Document type "{type}" may not be sealed: only internal formal documents and internal letters are allowed (rules U1, U2)',
  },
  DOCUMENT_CONTENT_FORBIDDEN: {
    category: 'refused',
    zh: '文件第{page}页内容显示其为“{term}”类文件（{where}），电子印章不得用于合同、协议、委托书、介绍信等（规定第一条第2款）',
    en: 'Page {page} of the document reads as a "{term}" ({where}); e-seals may not be used on contracts, agreements, powers of attorney or letters of introduction (rule U2)',
  },
  SCANNED_PAGE_UNREADABLE: {
    category: 'refused',
    zh: '文件第{page}页没有可用的文字层，文字识别也无法可靠读出（{why}），无法核对文件类型（规定第一条第2款）',
    en: 'Page {page} has no usable text layer and OCR cannot read it with enough confidence ({why}); the document type cannot be checked (rule U2)',
  },
  SCANNED_PAGE_CONFIRMATION_REQUIRED: {
    category: 'refused',
    zh: '文件第{page}页文字识别无法可靠读出（{why}）。集团办公室允许扫描件用印，但须保管人逐份确认已阅读全文：请确认后重试（命令行 --confirm-scanned）（规定第一条第2款）',
    en: 'OCR cannot read page {page} with enough confidence ({why}). The office allows scanned documents, but only on the custodian\'s confirmation for this document that they have read it: confirm and try again (CLI --confirm-scanned) (rule U2)',
  },
  SCANNED_DOCUMENTS_NOT_ALLOWED: {
    category: 'refused',
    zh: '集团办公室未允许扫描件用印，保管人的确认不能代替文件类型核对（规定第一条第2款）',
    en: 'The office does not allow scanned documents: the custodian\'s confirmation cannot replace the document-type check (rule U2)',
  },
  TEXT_LAYER_MISMATCH: {
    category: 'refused',
    zh: '文件第{page}页的文字层与页面显示不一致：文字层读作“{layer}”，页面显示为“{shown}”（{why}），不得盖章（规定第一条第2款）',
    en: 'The text layer of page {page} does not say what the page shows: the layer reads "{layer}", the page shows "{shown}" ({why}); it may not be sealed (rule U2)',
  },
  DOCUMENT_TEXT_UNREADABLE: {
    category: 'input',
    zh: '无法读取文件文字以核对文件类型：{detail}',
    en: 'The document text could not be read to check its type: {detail}',
  },
  STAMP_APPROVAL_MISSING: {
    category: 'refused',
    zh: '用印须有经批准的用印申请：缺少{missing}（规定第一条第3款）',
    en: 'Stamping needs an approved use request: the {missing} is missing (rule U3)',
  },
  SEAL_REVOKED: {
    category: 'refused',
    zh: '印章 {seal} 的证书已于 {at} 被注销或挂失（{reason}），不能再盖章',
    en: 'The certificate of seal {seal} was revoked at {at} ({reason}); it can no longer stamp (rules S3, S5)',
  },
  SEAL_NOT_BOUND: {
    category: 'refused',
    zh: '印章 {seal} 尚未绑定专用计算机，不能盖章',
    en: 'Seal {seal} is not bound to a dedicated workstation and cannot stamp (rule M4)',
  },
  STAMP_WORKSTATION_MISMATCH: {
    category: 'refused',
    zh: '印章 {seal} 只能在其专用计算机上使用，本机（{here}）不是它绑定的计算机',
    en: 'Seal {seal} may only be used on its dedicated workstation; this computer ({here}) is not the one it is bound to (rules M4, S1)',
  },
  STAMP_NO_SEAL_FOR_KEY: {
    category: 'refused',
    zh: '登记簿中没有与 USB Key {token} 对应的在用印章',
    en: 'The register holds no current seal for USB key {token}',
  },
  STAMP_BATCH_STOPPED: {
    // The custodian chose to stop: neither the key nor a rule failed, the document was never begun.
    category: 'refused',
    zh: '批量盖章已按盖章人的要求停止，本文件未盖章',
    en: 'The batch was stopped at the operator\'s request; this document was not sealed',
  },
  STAMP_BATCH_RUNNING: {
    category: 'refused',
    zh: '另一批文件正在盖章，请等待其完成或先停止它',
    en: 'Another batch is being sealed; wait for it to finish or stop it first',
  },
  STAMP_INTERRUPTED: {
    // Like FILE_NOT_WRITABLE: the output was not saved; neither the key nor a rule failed.
    category: 'input',
    zh: '盖章过程被中断（程序退出或断电），盖章后的文件未能保存：{path}',
    en: 'The stamping was interrupted (the program stopped or the power failed) before the sealed file was saved: {path}',
  },
  STAMP_CERTIFICATE_NOT_ON_KEY: {
    category: 'refused',
    zh: 'USB Key 上找不到印章 {seal} 的登记证书（序列号 {serial}）或其私钥',
    en: 'The registered certificate of seal {seal} (serial {serial}) or its private key is not on the USB key',
  },
  STAMP_PAGE_OUT_OF_RANGE: {
    category: 'usage',
    zh: '页码 {page} 超出范围：文件共 {pages} 页',
    en: 'Page {page} is out of range: the document has {pages} pages',
  },
  STAMP_POSITION_INVALID: {
    category: 'usage',
    zh: '盖章位置无效：{detail}',
    en: 'Invalid stamp position: {detail}',
  },
  STAMP_KEYWORD_NOT_FOUND: {
    category: 'refused',
    zh: '文件中找不到盖章关键字“{keyword}”',
    en: 'The keyword "{keyword}" for placing the seal was not found in the document',
  },
  LTV_NO_SIGNATURE: {
    category: 'input',
    zh: '文件中没有可延长保存期的签章',
    en: 'The file has no signature whose validation data could be extended',
  },
  STAMP_SEAM_PAGES: {
    category: 'usage',
    zh: '骑缝章需要 2 至 64 页，文件共 {pages} 页',
    en: 'A seam seal needs 2 to 64 pages; the document has {pages}',
  },
  STAMP_APPEARANCE_UNSUPPORTED: {
    category: 'input',
    zh: '登记簿中的印模无法绘制到 PDF：{detail}',
    en: 'The seal impression in the register cannot be drawn into the PDF: {detail}',
  },
  STAMP_SIGNATURE_TOO_LARGE: {
    category: 'internal',
    zh: '签名（{size} 字节）超出预留空间（{room} 字节）',
    en: 'The signature ({size} bytes) does not fit the space reserved for it ({room} bytes)',
  },
  STAMP_DOCUMENT_CERTIFIED_NO_CHANGES: {
    category: 'refused',
    zh: '该文件已被认证签名锁定（DocMDP P=1，不允许任何修改），加盖印章会使其认证失效，不能盖章',
    en: 'The document is certified with DocMDP P=1 (no changes allowed); a seal would invalidate its certification, so it cannot be stamped',
  },
  SEAM_SEAL_AFTER_SIGNATURE: {
    category: 'refused',
    zh: '该文件已带有 {signatures} 个签名或印章；此时再加盖骑缝章会改动各页内容，使已有印章被判定为“已被修改”。请先在未盖章的文件上加盖骑缝章，再加盖其他印章',
    en: 'The document already carries {signatures} signature(s) or seal(s); a seam seal now would change every page and make those seals read as modified. Apply the seam seal first, on the unsealed document, and the other seals after it',
  },
  STAMP_INPUT_SUSPECT: {
    category: 'refused',
    zh: '该文件带有可在盖章后改变显示内容的预设结构，不能盖章：{foundZh}。请用可信的软件重新生成该文件后再盖章',
    en: 'The document carries structures prepared to change what it shows after sealing, so it cannot be sealed: {found}. Regenerate it with trusted software and seal that',
  },
  STAMP_SIGNATURE_FIELD_OVER_TEXT: {
    category: 'refused',
    zh: '第 {page} 页的空白签名域（对象 {objects}）覆盖在页面文字上：以后有人在该签名域签名时，签名外观会遮住本印章所证明的文字。请删除该签名域或把它移到空白处后再盖章',
    en: 'An empty signature field on page {page} (object {objects}) lies over the page\'s text: whoever signs that field later draws its appearance over the text this seal vouches for. Remove the field or move it to a blank area, then seal',
  },
  TSA_UNREACHABLE: {
    category: 'input',
    zh: '无法连接已配置的时间戳服务器 {url}：{detail}。未盖章',
    en: 'The configured timestamp server {url} could not be reached: {detail}. Nothing was sealed',
  },
  TSA_RESPONSE_INVALID: {
    category: 'input',
    zh: '时间戳服务器 {url} 的应答无效：{detail}。未盖章',
    en: 'The timestamp server {url} returned an invalid response: {detail}. Nothing was sealed',
  },
  STAMP_OUTPUT_IS_INPUT: {
    category: 'usage',
    zh: '输出文件与输入文件相同：如确需覆盖原文件请加 --overwrite-input',
    en: 'The output is the input file: add --overwrite-input if you really mean to replace it',
  },
  STAMP_OUTPUT_EXISTS: {
    category: 'usage',
    zh: '输出文件已存在：{path}（加 --force 覆盖）',
    en: 'The output file already exists: {path} (add --force to replace it)',
  },
} as const satisfies Record<string, ErrorSpec>;
