/** The register's pure rules: seal lifecycle, who may use a seal, the audit chain, usage records. */
export * from './types';
export * from './seal-lifecycle';
export * from './seal-use';
export * from './audit-chain';
export * from './usage';
export * from './usage-anchor';
