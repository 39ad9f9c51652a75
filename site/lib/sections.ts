/**
 * A lesson's layout: its literate blocks grouped into sections (one per `##`/`###` heading),
 * each a list of rows (prose left, the code it explains right), with every computed output
 * placed under the row whose code block computes it: the block whose lines hold the
 * output's `show` call.
 *
 * An output whose line lies in no code block (it cannot happen for a lesson's own `show`
 * calls, and a test holds that) goes to `unplaced`, so nothing a lesson prints is lost.
 *
 * @example Outputs go under the code block that computes them
 * ```ts
 * import assert from "node:assert/strict";
 * import { arrangeLesson } from "./sections.ts";
 * const { sections, unplaced } = arrangeLesson([
 *   { kind: "prose", markdown: "# Title", line: 1 },
 *   { kind: "prose", markdown: "## Stride", line: 3 },
 *   { kind: "code", code: "const s = 2;\nshow(\"o\", 4);", line: 5, endLine: 6 },
 * ], [{ label: "o", text: "4", line: 6 }, { label: "p", text: "0", line: 1 }]);
 * assert.deepEqual(sections.map((s) => [s.heading?.id, s.rows.map((r) => r.outputs.length)]), [
 *   ["title", [0]],
 *   ["stride", [1]],
 * ]);
 * assert.deepEqual(unplaced.map((o) => o.label), ["p"]);
 * ```
 *
 * @module
 */
import type { LiterateBlock } from "../../lessons/literate.ts";
import type { Output } from "../../lessons/show.ts";
import { type Heading, listHeadings, Slugger } from "./markdown.ts";

/** Prose, the code beside it (either may be absent), and what that code computes. */
export interface Row {
  prose?: { markdown: string; line: number };
  code?: { code: string; line: number; endLine: number };
  outputs: Output[];
}

/** The blocks from one heading to the next. */
export interface Section {
  /** The heading that opens it (absent for text before the first heading). */
  heading?: Heading;
  /** Every heading inside it. */
  headings: Heading[];
  rows: Row[];
}

/** Groups blocks into sections and rows, and puts each output under its code block. */
export function arrangeLesson(
  blocks: LiterateBlock[],
  outputs: Output[],
): { sections: Section[]; unplaced: Output[] } {
  const slugger = new Slugger();
  const sections: Section[] = [];
  let current: Section | undefined;
  for (const block of blocks) {
    if (block.kind === "prose") {
      const headings = listHeadings(block.markdown, slugger);
      const opener = headings.find((h) => h.depth <= 3);
      if (opener || !current) {
        current = { heading: opener, headings: [], rows: [] };
        sections.push(current);
      }
      current.headings.push(...headings);
      current.rows.push({ prose: { markdown: block.markdown, line: block.line }, outputs: [] });
    } else {
      if (!current) {
        current = { headings: [], rows: [] };
        sections.push(current);
      }
      const code = { code: block.code, line: block.line, endLine: block.endLine };
      const last = current.rows[current.rows.length - 1];
      if (last && !last.code) last.code = code;
      else current.rows.push({ code, outputs: [] });
    }
  }
  const rows = sections.flatMap((s) => s.rows).filter((r) => r.code);
  const unplaced: Output[] = [];
  for (const output of outputs) {
    const home = rows.find((r) => r.code!.line <= output.line && output.line <= r.code!.endLine);
    if (home) home.outputs.push(output);
    else unplaced.push(output);
  }
  return { sections, unplaced };
}
