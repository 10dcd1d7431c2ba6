export { shippedFontImpressions } from './impression';
export { readCertificateFile, toPem, writeFileAtomically, writePublication, publicationFileNames, type PublishedFiles } from './publication-files';
