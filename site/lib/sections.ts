/**
 * A lesson's layout: its literate blocks grouped into sections (one per `##`/`###` heading),
 * each a list of rows (prose left, the code it explains right), with every computed output
 * placed under the section that computes it.
 *
 * An output names its section by the heading's text (`Example.section`); one that names
 * none, or a heading the lesson does not have, goes to a last section, "Outputs", so nothing
 * a lesson prints is lost.
 *
 * @example Outputs go under the section they name
 * ```ts
 * import assert from "node:assert/strict";
 * import { arrangeLesson } from "./sections.ts";
 * const { sections, unplaced } = arrangeLesson([
 *   { kind: "prose", markdown: "# Title", line: 1 },
 *   { kind: "prose", markdown: "## Stride", line: 3 },
 *   { kind: "code", code: "const s = 2;", line: 5 },
 * ], [{ label: "o", value: "4", section: "Stride" }, { label: "p", value: "0" }]);
 * assert.deepEqual(sections.map((s) => [s.heading?.id, s.outputs.map((o) => o.label)]), [
 *   ["title", []],
 *   ["stride", ["o"]],
 * ]);
 * assert.deepEqual(unplaced.map((o) => o.label), ["p"]);
 * ```
 *
 * @module
 */
import type { Example, LiterateBlock } from "../../lessons/literate.ts";
import { type Heading, listHeadings, Slugger } from "./markdown.ts";

/** Prose and the code beside it (either may be absent). */
export interface Row {
  prose?: { markdown: string; line: number };
  code?: { code: string; line: number };
}

/** The blocks from one heading to the next, and the outputs computed there. */
export interface Section {
  /** The heading that opens it (absent for text before the first heading). */
  heading?: Heading;
  /** Every heading inside it (an output may name any of them). */
  headings: Heading[];
  rows: Row[];
  outputs: Example[];
}

const norm = (s: string) => s.replace(/\s+/g, " ").trim();

/** Groups blocks into sections and places each example; `unplaced` keeps the rest in order. */
export function arrangeLesson(
  blocks: LiterateBlock[],
  examples: Example[],
): { sections: Section[]; unplaced: Example[] } {
  const slugger = new Slugger();
  const sections: Section[] = [];
  let current: Section | undefined;
  for (const block of blocks) {
    if (block.kind === "prose") {
      const headings = listHeadings(block.markdown, slugger);
      const opener = headings.find((h) => h.depth <= 3);
      if (opener || !current) {
        current = { heading: opener, headings: [], rows: [], outputs: [] };
        sections.push(current);
      }
      current.headings.push(...headings);
      current.rows.push({ prose: { markdown: block.markdown, line: block.line } });
    } else {
      if (!current) {
        current = { headings: [], rows: [], outputs: [] };
        sections.push(current);
      }
      const last = current.rows[current.rows.length - 1];
      if (last && !last.code) last.code = { code: block.code, line: block.line };
      else current.rows.push({ code: { code: block.code, line: block.line } });
    }
  }
  const unplaced: Example[] = [];
  for (const example of examples) {
    const want = example.section === undefined ? undefined : norm(example.section);
    const home = want === undefined
      ? undefined
      : sections.find((s) => s.headings.some((h) => h.depth <= 3 && norm(h.text) === want));
    if (home) home.outputs.push(example);
    else unplaced.push(example);
  }
  return { sections, unplaced };
}
