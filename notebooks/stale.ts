/**
 * Whether an executed notebook is still its lesson's: the same cells, in order, with the same
 * sources as one built now; outputs under every cell that shows some or states claims; no
 * error and no failed claim. It reads notebooks only (no lesson), so a test can use it
 * without registering the lessons' claims again.
 *
 * @module
 */
import { type Cell, CHECKED, type Notebook, SHOWN } from "./notebook.ts";
import { outputProblems } from "./execute.ts";

/** Whether running `cell` must leave an output: it shows outputs or states claims. */
function mustShow(cell: Cell): boolean {
  const last = cell.source.at(-1)?.trim();
  return cell.cell_type === "code" && (last === SHOWN || last === CHECKED);
}

/** What makes `found` not the executed twin of `fresh` (built now); empty when nothing. */
export function staleness(fresh: Notebook, found: Notebook): string[] {
  const problems: string[] = [];
  const cells = found.cells ?? [];
  if (cells.length !== fresh.cells.length) {
    problems.push(`${cells.length} cells where the lesson makes ${fresh.cells.length}`);
  }
  const changed = fresh.cells.findIndex((c, i) =>
    c.cell_type !== cells[i]?.cell_type || c.source.join("") !== cells[i].source.join("")
  );
  if (changed >= 0) {
    problems.push(`cell ${changed} (${fresh.cells[changed].id}) differs from the lesson's`);
  }
  const empty = cells.filter((c) => mustShow(c) && c.cell_type === "code" && !c.outputs.length);
  if (empty.length) {
    problems.push(`${empty.length} cell(s) that show outputs have none (not executed)`);
  }
  return [...problems, ...outputProblems(found)];
}

/** `target` (the same cells, linked otherwise) with the outputs of `executed`. */
export function withOutputsOf(target: Notebook, executed: Notebook): Notebook {
  const cells = target.cells.map((cell, i) => {
    const from = executed.cells[i];
    if (cell.cell_type !== "code" || from?.cell_type !== "code") return cell;
    return { ...cell, outputs: from.outputs, execution_count: from.execution_count };
  });
  return { ...target, metadata: { ...executed.metadata, ...target.metadata }, cells };
}
