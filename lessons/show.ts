/**
 * A lesson's outputs: {@link show}, called in the code block that computes an output,
 * records it there (its line, so the site and a notebook put it under that block). A value
 * may be a function, run only when the outputs are asked for ({@link lessonOutputs}), so
 * importing a lesson stays cheap. An output may carry the lecture's own value; it is `same`
 * when both print the same numbers, and a difference must say `why`.
 *
 * ```ts ignore
 * show("Conv1d Implementation", () => runPair("conv1d", [x, w, { padding: 2 }]), {
 *   lecture: "Conv1d Implementation: [ 5. 14. 16. 26. 24. 34. 19. 22.]",
 * });
 * ```
 *
 * @module
 */
import { formatArray, formatDiff, formatNumber, type TwinOutput } from "./literate.ts";
import { type Table, tableHtml, tableText } from "./table.ts";
import { base64, escapeMarkup } from "../drawing/markup.ts";

export type { Table } from "./table.ts";

/** A picture an output shows: one standalone SVG and the text that says what it shows. */
export interface Figure {
  kind: "figure";
  /** `<svg …>…</svg>`, sized by its viewBox; colours follow the page (currentColor). */
  svg: string;
  /** What the picture shows, for readers who cannot see it (the SVG's aria-label). */
  alt: string;
}

/** Text already formatted, with the TF.js twin's result beside it when there is one. */
export interface Printed {
  text: string;
  twin?: TwinOutput;
}

/** What an output can be: text, numbers, arrays, a {@link Printed}, a {@link Table} or a {@link Figure}. */
export type Showable =
  | string
  | number
  | boolean
  | readonly unknown[]
  | ArrayBufferView
  | Printed
  | Table
  | Figure;

/** The lecture's counterpart of an output. */
export interface LectureValue {
  /** What the lecture printed, verbatim (its numbers are compared with ours). */
  text: string;
  /** Why ours prints something else: required when it does, refused when it does not. */
  why?: string;
}

/** Options of {@link show}. */
export interface ShowOptions {
  /** The lecture's printed output for the same computation (a string is `{ text }`). */
  lecture?: string | LectureValue;
  /** For a figure: the lecture's figure cell it stands for (`"FIG 1"` … `"FIG 10"`, `"conv2d"`). */
  fig?: string;
}

/** One computed output, as every reader receives it (plain JSON, so it can be cached). */
export interface Output {
  label: string;
  /** The line of the `show` call in the lesson's file: the code block that computes it. */
  line: number;
  /** The printed value (for a table, as aligned text; for a figure, its alt text). */
  text: string;
  table?: Omit<Table, "kind">;
  twin?: TwinOutput;
  lecture?: { text: string; why?: string; same: boolean };
  figure?: { svg: string; alt: string; fig?: string };
}

type Compute = Showable | (() => Showable | Promise<Showable>);

interface Recorded {
  label: string;
  line: number;
  compute: Compute;
  options: ShowOptions;
}

/** Every lesson's recorded outputs, by the lesson file's URL. */
const RECORDS = new Map<string, Recorded[]>();

/** True inside a Jupyter notebook on Deno's kernel (outside, even `typeof Deno.jupyter` throws). */
export function inJupyter(): boolean {
  try {
    return typeof Deno.jupyter?.display === "function";
  } catch {
    return false;
  }
}

/** The file and line of the code that called `show` (the first frame outside this module). */
function caller(): { file: string; line: number } {
  const frames = (new Error().stack ?? "").split("\n").slice(1);
  for (const frame of frames) {
    const m = /((?:file|https?|data):[^\s()]+?):(\d+):(\d+)\)?\s*$/.exec(frame);
    if (m && m[1] !== import.meta.url) return { file: m[1], line: Number(m[2]) };
  }
  return { file: "unknown:", line: 0 };
}

let queue: Promise<void> = Promise.resolve();

/** What a notebook frontend is sent: MIME type → content. */
export type MediaBundle = Record<string, string>;

let displayHook: ((bundle: MediaBundle) => Promise<void>) | undefined;

/**
 * Makes `show` behave as in a notebook, sending each output to `display` instead of
 * `Deno.jupyter.display` (for tests; in a notebook nothing needs to be called). Without an
 * argument, back to recording.
 */
export function displayWith(display?: (bundle: MediaBundle) => Promise<void>): void {
  displayHook = display;
}

/**
 * Records an output of the code block this call sits in: `label` names it, `value` is the
 * output or a function that computes it (run later, in order, when the outputs are asked
 * for). In a Jupyter notebook it computes and displays it at once instead.
 */
export function show(label: string, value: Compute, options: ShowOptions = {}): Promise<void> {
  const { file, line } = caller();
  const record: Recorded = { label, line, compute: value, options };
  if (displayHook || inJupyter()) {
    queue = queue.then(async () => {
      const send = displayHook ?? ((b: MediaBundle) => Deno.jupyter.display(b, { raw: true }));
      for (const bundle of bundlesOf(await evaluate(record))) await send(bundle);
    });
    return queue;
  }
  const list = RECORDS.get(file) ?? [];
  list.push(record);
  RECORDS.set(file, list);
  return Promise.resolve();
}

/** Resolves once every output shown so far is displayed (a notebook cell ends with it). */
export function shown(): Promise<void> {
  return queue;
}

/** Whether a lesson's outputs were recorded (the lesson module was imported). */
export function hasOutputs(lessonUrl: string | URL): boolean {
  return RECORDS.has(String(lessonUrl));
}

const running = new Map<string, Promise<Output[]>>();

/**
 * Computes a lesson's outputs, in the order of its `show` calls; the lesson module must have
 * been imported. Computed once per process and lesson (pass `fresh` to compute again).
 */
export function lessonOutputs(lessonUrl: string | URL, fresh = false): Promise<Output[]> {
  const key = String(lessonUrl);
  if (!fresh && running.has(key)) return running.get(key)!;
  const records = RECORDS.get(key);
  if (!records) {
    return Promise.reject(new Error(`lessonOutputs: ${key} recorded no outputs; import it first`));
  }
  const result = (async () => {
    const out: Output[] = [];
    for (const r of records) out.push(await evaluate(r));
    return out;
  })();
  running.set(key, result);
  return result;
}

function isFigure(v: unknown): v is Figure {
  return typeof v === "object" && v !== null && (v as Figure).kind === "figure";
}

function isTable(v: unknown): v is Table {
  return typeof v === "object" && v !== null && (v as Table).kind === "table";
}

function isPrinted(v: unknown): v is Printed {
  return typeof v === "object" && v !== null && !Array.isArray(v) &&
    typeof (v as Printed).text === "string";
}

/** A value as the terminal prints it. */
export function toText(v: Showable): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "boolean") return String(v);
  if (isPrinted(v)) return v.text;
  if (isFigure(v)) return v.alt;
  if (isTable(v)) return tableText(v);
  return formatArray(v);
}

async function evaluate(r: Recorded): Promise<Output> {
  const value = typeof r.compute === "function" ? await r.compute() : r.compute;
  const out: Output = { label: r.label, line: r.line, text: toText(value) };
  if (isPrinted(value) && value.twin) out.twin = value.twin;
  if (isTable(value)) {
    const { kind: _, ...table } = value;
    out.table = table;
  }
  if (isFigure(value)) {
    out.figure = {
      svg: value.svg,
      alt: value.alt,
      ...(r.options.fig ? { fig: r.options.fig } : {}),
    };
  }
  if (r.options.lecture !== undefined) {
    const lecture = typeof r.options.lecture === "string"
      ? { text: r.options.lecture }
      : r.options.lecture;
    out.lecture = { ...lecture, same: sameAsLecture(out.text, lecture.text) };
  }
  return out;
}

/**
 * The numbers in a printed text, in order: `5.` and `5` are the same number, and a label
 * such as `torch.Size(` or `Conv1d` adds none (digits inside a word do not count, except
 * for a type such as `uint8`, whose width is part of what it says).
 */
export function numbersIn(text: string): number[] {
  return [...text.matchAll(/(?<![\w.])-?\d+(?:\.\d*)?(?:e[-+]?\d+)?|(?<=int)\d+/gi)].map((m) =>
    Number(m[0].replace(/\.$/, ""))
  );
}

/**
 * Whether our output prints what the lecture printed: the same numbers in the same order,
 * or, for text without numbers, the same words.
 *
 * ```ts
 * import { sameAsLecture } from "./show.ts";
 * console.assert(sameAsLecture("[ 5 14 16]", "Conv1d Implementation: [ 5. 14. 16.]"));
 * console.assert(sameAsLecture("[5]", "(5,)"));
 * console.assert(!sameAsLecture("0.9909", "Test accuracy: 0.9926"));
 * ```
 */
export function sameAsLecture(ours: string, lecture: string): boolean {
  const [a, b] = [numbersIn(ours), numbersIn(lecture)];
  if (a.length > 0 || b.length > 0) return a.length === b.length && a.every((v, i) => v === b[i]);
  const words = (s: string) => s.toLowerCase().replace(/[^a-z]+/g, " ").trim();
  return words(lecture).includes(words(ours));
}

/** How the terminal prints one output: label, value, twin, and the lecture's value. */
export function formatOutput(o: Output): string {
  const line = (label: string, value: string) =>
    value.includes("\n") ? `${label}:\n${indent(value, 2)}` : `${label}: ${value}`;
  const lines = [o.figure ? `[figure] ${o.label}\n${indent(o.text, 2)}` : line(o.label, o.text)];
  if (o.twin) {
    lines.push(indent(line(`TF.js twin (${o.twin.backend})`, o.twin.value), 2));
    const within = o.twin.maxDiff <= o.twin.tolerance ? "≤" : "> (outside!)";
    lines.push(
      `  max |naive − twin| = ${formatDiff(o.twin.maxDiff)} ${within} tolerance ${
        formatDiff(o.twin.tolerance)
      }`,
    );
  }
  if (o.lecture) {
    const verdict = o.lecture.same ? "same" : `differs: ${o.lecture.why ?? "(no reason given)"}`;
    lines.push(indent(line(`the lecture (${verdict})`, o.lecture.text), 2));
  }
  return lines.join("\n");
}

function indent(s: string, n: number): string {
  return s.split("\n").map((l) => (l === "" ? l : " ".repeat(n) + l)).join("\n");
}

/** Prints a lesson's outputs as `deno run -A lessons/NN_….ts` shows them. */
export async function printLesson(lessonUrl: string | URL): Promise<void> {
  for (const o of await lessonOutputs(lessonUrl)) console.log(formatOutput(o));
}

/**
 * What a notebook displays for one output: text as `text/plain` (as the terminal prints it);
 * a table as `text/html` (its label, the table, the lecture's value), with the text beside;
 * a figure as its label (`text/markdown`, a frontend shows only the richest type of a bundle)
 * and then its SVG (`image/svg+xml`, with the alt text as `text/plain` for frontends without
 * SVG).
 */
export function bundlesOf(o: Output): MediaBundle[] {
  if (o.table) {
    const verdict = o.lecture?.same ? "same" : `differs: ${o.lecture?.why ?? "(no reason given)"}`;
    const lecture = o.lecture
      ? `<p>the lecture (${escapeMarkup(verdict)}):</p><pre>${escapeMarkup(o.lecture.text)}</pre>`
      : "";
    const html = `<p><strong>${escapeMarkup(o.label)}</strong></p>` +
      tableHtml({ kind: "table", ...o.table }) + lecture;
    return [{ "text/html": html, "text/plain": formatOutput(o) }];
  }
  if (!o.figure) return [{ "text/plain": formatOutput(o) }];
  const fig = o.figure.fig ? ` (the lecture's ${o.figure.fig})` : "";
  return [
    { "text/markdown": `**${o.label}**${fig}`, "text/plain": `${o.label}${fig}` },
    {
      "text/html": svgImg(o.figure.svg, o.figure.alt),
      "image/svg+xml": o.figure.svg,
      "text/plain": o.figure.alt,
    },
  ];
}

/**
 * An SVG as an `<img>` of a `data:` URL. Exporters sanitise inline SVG (Debian's nbconvert
 * 6.5 keeps only the outer `<svg>` of an `image/svg+xml` output, so a figure's marks vanish
 * from its HTML export) but keep images; frontends prefer this HTML to the SVG. An image does
 * not inherit the page's text colour, so it gets a white ground and dark text.
 */
export function svgImg(svg: string, alt: string): string {
  const bytes = new TextEncoder().encode(svg.replace("<svg ", `<svg color="#1a1a1a" `));
  return `<img alt="${escapeMarkup(alt)}" style="background:#fff;max-width:100%;height:auto" ` +
    `src="data:image/svg+xml;base64,${base64(bytes)}">`;
}
