/**
 * The notebook a lesson page offers for download. It imports the course by `file://` URL, so
 * saved anywhere on the machine that built the site (~/Downloads, /tmp) it runs against this
 * checkout. It carries the outputs of the executed notebook committed under `notebooks/` when
 * that one is still the lesson's (`notebooks/stale.ts`), else it comes without outputs.
 *
 * @module
 */
import type { LessonEntry } from "../../lessons/index.ts";
import {
  lessonNotebook,
  type Notebook,
  NOTEBOOK_DIR,
  notebookName,
  notebookText,
} from "../../notebooks/build.ts";
import { staleness, withOutputsOf } from "../../notebooks/stale.ts";
import { ROOT_DIR } from "./assets.ts";

/** A notebook file to offer, and whether it holds outputs. */
export interface OfferedNotebook {
  /** The file to copy into the site. */
  path: string;
  /** Its name, e.g. `02_conv1d.ipynb`. */
  name: string;
  executed: boolean;
}

/** The committed executed notebook of `lesson`, if it is current. */
async function executedNotebook(lesson: LessonEntry): Promise<Notebook | undefined> {
  let committed: Notebook;
  try {
    committed = JSON.parse(await Deno.readTextFile(`${NOTEBOOK_DIR}${notebookName(lesson)}`));
  } catch {
    return undefined; // none, or not a notebook: offer one without outputs
  }
  const fresh = await lessonNotebook(lesson, { folder: NOTEBOOK_DIR });
  return staleness(fresh, committed).length === 0 ? committed : undefined;
}

/** The notebook to offer for `lesson`, written under `.site-cache/notebooks/`. */
export async function offeredNotebook(lesson: LessonEntry): Promise<OfferedNotebook> {
  const name = notebookName(lesson);
  const portable = await lessonNotebook(lesson, { fileUrls: true });
  const executed = await executedNotebook(lesson);
  const dir = `${ROOT_DIR}/.site-cache/notebooks`;
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(
    path,
    notebookText(executed ? withOutputsOf(portable, executed) : portable),
  );
  return { path, name, executed: executed !== undefined };
}
