/** The office's periodic inspection of workstations (S6): the export format, the checks and the report. */
export * from './export-format';
export * from './inspect';
export * from './report-pdf';
export * from './anchor-checks';
