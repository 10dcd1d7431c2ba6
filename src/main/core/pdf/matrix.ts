/**
 * The content stream's affine transformation matrices (ISO 32000-1 §8.3.3, [a b c d e f]),
 * shared by the gate's text reader (core/policy) and the verifier's content extent (core/verify).
 */
export type Matrix = [number, number, number, number, number, number];

export const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

/** m × n: a point transformed by m, then by n (the `cm` operator concatenates as [cm] × CTM). */
export function multiply(m: Matrix, n: Matrix): Matrix {
  return [
    m[0] * n[0] + m[1] * n[2],
    m[0] * n[1] + m[1] * n[3],
    m[2] * n[0] + m[3] * n[2],
    m[2] * n[1] + m[3] * n[3],
    m[4] * n[0] + m[5] * n[2] + n[4],
    m[4] * n[1] + m[5] * n[3] + n[5],
  ];
}
