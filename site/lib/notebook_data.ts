/**
 * The notebook a lesson page offers for download: the one `deno task notebooks:run` executed
 * (outputs and figures in it) when its cells are still the lesson's, else a fresh one not yet
 * executed. Either is made for the course's `notebooks/` folder, where its imports resolve.
 *
 * @module
 */
import type { LessonEntry } from "../../lessons/index.ts";
import {
  lessonNotebook,
  type Notebook,
  NOTEBOOK_DIR,
  notebookName,
} from "../../notebooks/build.ts";
import { ROOT_DIR } from "./assets.ts";

/** A notebook file to offer, and whether it holds outputs. */
export interface OfferedNotebook {
  /** The file to copy into the site. */
  path: string;
  /** Its name, e.g. `02_conv1d.ipynb`. */
  name: string;
  executed: boolean;
}

/** The cells' sources, which say whether two notebooks are the same lesson's. */
const sources = (nb: Notebook) => JSON.stringify(nb.cells.map((c) => c.source));

/** Whether any code cell holds an output. */
const hasOutputs = (nb: Notebook) =>
  nb.cells.some((c) => c.cell_type === "code" && c.outputs.length > 0);

/** The notebook to offer for `lesson`. */
export async function offeredNotebook(lesson: LessonEntry): Promise<OfferedNotebook> {
  const name = notebookName(lesson);
  const fresh = await lessonNotebook(lesson, NOTEBOOK_DIR);
  const executedPath = `${NOTEBOOK_DIR}/${name}`;
  try {
    const executed: Notebook = JSON.parse(await Deno.readTextFile(executedPath));
    if (hasOutputs(executed) && sources(executed) === sources(fresh)) {
      return { path: executedPath, name, executed: true };
    }
  } catch { /* none yet, or not a notebook: offer a fresh one */ }
  const dir = `${ROOT_DIR}/.site-cache/notebooks`;
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, JSON.stringify(fresh, null, 1) + "\n");
  return { path, name, executed: false };
}
