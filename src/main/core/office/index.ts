/**
 * The President's Office back office (M1, S2–S5, M3) and the publication workstations trust:
 * the group seal CA, issuing and the seal lifecycle on USB keys, the CRL and the signed
 * register snapshot, and its import and typed reading on workstations.
 */
export * from './ports';
export * from './dates';
export * from './deny-list';
export * from './scanned-documents';
export * from './snapshot';
export * from './office-service';
export * from './workstation-trust';
export * from './publication-points';
export * from './group-crl';
