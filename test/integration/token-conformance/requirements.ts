/** The token conformance suite's requirements, in the order the driver runs them (issue 17). */
export const REQUIREMENTS = [
  { id: 'list', title: 'List keys' },
  { id: 'info', title: 'Key info, found by serial or label' },
  { id: 'issue', title: 'Issue a seal onto the key (M1)' },
  { id: 'first-use', title: 'First-use rule, three sources (M4)' },
  { id: 'pin-change', title: 'PIN policy and change' },
  { id: 'keygen', title: 'Key generation on the key, non-extractable' },
  { id: 'sign', title: 'Sign with every supported algorithm' },
  { id: 'objects', title: 'Certificate and marker objects' },
  { id: 'stamp-verify', title: 'Stamp a PDF and verify (pdfsig)' },
  { id: 'wrong-pin', title: 'Wrong PIN and tries left' },
  { id: 'lock-unlock', title: 'Lock and office unlock' },
  { id: 'removal', title: 'Key removal mid-session' },
] as const;

export type RequirementId = (typeof REQUIREMENTS)[number]['id'];

export type Outcome =
  | { readonly status: 'pass'; readonly note: string }
  | { readonly status: 'degraded'; readonly code: string; readonly note: string }
  | { readonly status: 'fail'; readonly note: string };

export interface ConformanceRow {
  readonly implementation: string;
  readonly profile: string;
  readonly module: string;
  readonly seconds: number;
  readonly results: Record<RequirementId, Outcome>;
}

/** The matrix as Markdown: implementation × requirement, pass / degraded (code) / FAIL. */
export function matrixMarkdown(rows: readonly ConformanceRow[]): string {
  const cell = (o: Outcome): string => (o.status === 'pass' ? 'pass' : o.status === 'degraded' ? `degraded (${o.code})` : '**FAIL**');
  const lines = [
    `| Requirement | ${rows.map((r) => r.implementation).join(' | ')} |`,
    `|---|${rows.map(() => '---').join('|')}|`,
    ...REQUIREMENTS.map((req) => `| ${req.title} | ${rows.map((r) => cell(r.results[req.id])).join(' | ')} |`),
    `| Module (C_GetInfo) → profile | ${rows.map((r) => `${r.module} → ${r.profile}`).join(' | ')} |`,
    `| Run time | ${rows.map((r) => `${r.seconds} s`).join(' | ')} |`,
  ];
  const notes = rows.flatMap((r) => [``, `**${r.implementation}**`, ``, ...REQUIREMENTS.map((req) => `- ${req.title}: ${r.results[req.id].status}${r.results[req.id].status === 'degraded' ? ` (${(r.results[req.id] as { code: string }).code})` : ''}: ${r.results[req.id].note}`)]);
  return [...lines, ...notes].join('\n') + '\n';
}
