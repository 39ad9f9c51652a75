/**
 * Inputs that several test files check against hand-computed results. The lessons keep their
 * own copies, so that each reads on its own; tests share this one.
 *
 * @module
 */

/** Lesson 05's 6×6 input to pool. */
export const POOL_INPUT: number[][] = [
  [1, 3, 2, 9, 0, 1],
  [4, 6, 1, 3, 2, 2],
  [0, 2, 7, 1, 5, 3],
  [3, 1, 4, 8, 0, 6],
  [5, 0, 2, 2, 9, 1],
  [1, 8, 3, 0, 4, 4],
];
