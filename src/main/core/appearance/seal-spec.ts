import { z } from 'zod';
import { YinjianError } from '../../../shared/errors/index';

/**
 * What an official seal's impression is made from (U1: "its visible impression looks like
 * the unit's official seal"). Sizes follow the usual form of Chinese official seals:
 * 42 mm for a company, 40 mm for a department, a 1.2 mm ring and a 14 mm star; the office
 * (M1) may change them per seal.
 */
export type SealKind = 'company' | 'department';

export interface RgbColor {
  readonly r: number;
  readonly g: number;
  readonly b: number;
}

export interface SealSpec {
  readonly kind: SealKind;
  /** The unit's name, along the upper arc, left to right (e.g. 华夏建设集团有限公司). */
  readonly unitName: string;
  /** The seal's name, in a straight line below the star (e.g. 公章, 财务专用章). */
  readonly sealName: string;
  /** The seal code, along the lower arc (e.g. a 13-digit 印章编码); omitted when absent. */
  readonly sealCode?: string;
  readonly diameterMm?: number;
  readonly ringMm?: number;
  readonly starMm?: number;
  readonly color?: RgbColor;
}

/** A SealSpec with every default filled in. */
export interface ResolvedSealSpec {
  readonly kind: SealKind;
  readonly unitName: string;
  readonly sealName: string;
  readonly sealCode: string | undefined;
  readonly diameterMm: number;
  readonly ringMm: number;
  readonly starMm: number;
  readonly color: RgbColor;
}

export const DEFAULT_DIAMETER_MM: Readonly<Record<SealKind, number>> = { company: 42, department: 40 };
export const DEFAULT_RING_MM = 1.2;
export const DEFAULT_STAR_MM = 14;
/** Seal red, about RGB 230,0,18. */
export const SEAL_RED: RgbColor = { r: 230, g: 0, b: 18 };

const channel = z.number().int().min(0).max(255);
// Text fields refuse control characters and anything that is not a visible character:
// every character becomes a glyph on the seal.
const sealText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(s), 'control or format characters');

export const sealSpecSchema = z
  .object({
    kind: z.enum(['company', 'department']),
    unitName: sealText(40),
    sealName: sealText(12),
    sealCode: z
      .string()
      .trim()
      .max(24)
      .regex(/^[0-9A-Za-z-]*$/, 'digits, Latin letters and hyphens')
      .optional(),
    diameterMm: z.number().min(20).max(80).optional(),
    ringMm: z.number().min(0.3).max(3).optional(),
    starMm: z.number().min(4).max(24).optional(),
    color: z.object({ r: channel, g: channel, b: channel }).optional(),
  })
  .strict();

/** Checks a spec and fills in the defaults; bad input is APPEARANCE_SPEC_INVALID, never a crash. */
export function resolveSealSpec(input: unknown): ResolvedSealSpec {
  const parsed = sealSpecSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new YinjianError('APPEARANCE_SPEC_INVALID', {
      field: issue ? issue.path.join('.') || '(spec)' : '(spec)',
      detail: issue?.message ?? 'invalid',
    });
  }
  const spec = parsed.data;
  const diameterMm = spec.diameterMm ?? DEFAULT_DIAMETER_MM[spec.kind];
  const ringMm = spec.ringMm ?? DEFAULT_RING_MM;
  const starMm = spec.starMm ?? DEFAULT_STAR_MM;
  // the star must leave room for the arc text around it and the name below it
  if (starMm > diameterMm * 0.45) {
    throw new YinjianError('APPEARANCE_SPEC_INVALID', {
      field: 'starMm',
      detail: `${starMm} mm > 45 % of ${diameterMm} mm`,
    });
  }
  if (ringMm > diameterMm * 0.06) {
    throw new YinjianError('APPEARANCE_SPEC_INVALID', {
      field: 'ringMm',
      detail: `${ringMm} mm > 6 % of ${diameterMm} mm`,
    });
  }
  const sealCode = spec.sealCode === undefined || spec.sealCode === '' ? undefined : spec.sealCode;
  return {
    kind: spec.kind,
    unitName: spec.unitName,
    sealName: spec.sealName,
    sealCode,
    diameterMm,
    ringMm,
    starMm,
    color: spec.color ?? SEAL_RED,
  };
}
