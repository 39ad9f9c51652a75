/**
 * The shape of a Jupyter notebook (nbformat 4) as litconv writes and reads it.
 *
 * @module
 */

/** One cell of an nbformat-4 notebook. */
export type Cell =
  | { id: string; cell_type: "markdown"; metadata: Record<string, unknown>; source: string[] }
  | {
    id: string;
    cell_type: "code";
    metadata: Record<string, unknown>;
    source: string[];
    outputs: unknown[];
    execution_count: number | null;
  };

/** An nbformat-4 notebook. */
export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

/** The last line of a cell that shows outputs: they display before the cell ends. */
export const SHOWN = "await shown();";

/** The last line of a cell that states claims: their ✓/✗ lines print before the cell ends. */
export const CHECKED = "await checked();";
