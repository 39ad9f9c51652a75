/**
 * The exercises a lesson page shows, read at build time: one per graded task the registry
 * gives the lesson (so a new task appears on its page with no other change), each with the
 * starter's stub (`grading/starter.ts`, the real declaration) and the header a downloaded
 * `mod.ts` starts with.
 *
 * @module
 */
import { type TaskInfo, tasksOfLesson } from "../../kernels/registry.ts";
import { stub } from "../../grading/starter.ts";
import type { ExerciseProps } from "../islands/Exercise.tsx";

/** An exercise's props except the worker's URL, which depends on the page's folder. */
export type ExerciseData = Omit<ExerciseProps, "worker">;

const TYPES = new URL("../../kernels/types.ts", import.meta.url);
/** The argument types, read once, without their module's doc comment (which speaks of the course). */
let typesText: Promise<string> | undefined;

/**
 * The top of a downloaded mod.ts: how to grade it, and the argument types inlined, so the
 * file needs nothing beside it (the grader refuses imports from outside the folder).
 */
async function header(task: TaskInfo): Promise<string> {
  typesText ??= Deno.readTextFile(TYPES).then((text) =>
    text.replace(/^\/\*\*[\s\S]*?@module\s*\*\/\s*/, "")
  );
  const types = await typesText;
  return `// litconv, task ${task.id} (${task.fn}), written on the course's site.
// Grade it: save this file as mod.ts in a folder of its own, then, in the course's folder,
//   deno task grade PATH/TO/THAT/FOLDER --tasks ${task.id}
// (add --hidden for the property runs). The argument types follow (kernels/types.ts), so
// this file imports nothing; your code is below them.

${types.trim()}

// ─── Task ${task.id} ───
`;
}

/** The exercises of the lesson `slug`, in task order. */
export function exercisesOf(slug: string): Promise<ExerciseData[]> {
  return Promise.all(
    tasksOfLesson(slug).map(async (task) => ({
      id: task.id,
      fn: task.fn,
      title: task.title,
      stub: await stub(task),
      header: await header(task),
    })),
  );
}
