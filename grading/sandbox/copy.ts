/**
 * The sandbox's copy of a submission: the only place the grader itself reads submission
 * paths, and it reads them defensively ({@link copySubmission}): regular files only (no
 * links, FIFOs, devices or sockets), each and all under a size cap, a bounded number of
 * entries and folder depth. A file it cannot or will not copy is skipped with a note.
 *
 * @module
 */
import fs from "node:fs";

/** The submission's source files. */
export const SOURCE = /\.(ts|mts|js|mjs|tsx|jsx)$/;

/** What is copied: source files and JSON data a module may import; configs are not. */
const COPIED = /\.(ts|mts|js|mjs|tsx|jsx|json)$/;
/** JSON files that configure a tool: never copied (the child runs with `--no-config`). */
const CONFIGS = new Set([
  "deno.json",
  "deno.jsonc",
  "package.json",
  "tsconfig.json",
  "jsconfig.json",
]);

/** What the copy accepts: beyond these, files are skipped (with a note), never read. */
export const COPY_LIMITS = {
  /** Source files copied. */
  files: 500,
  /** Bytes of one source file. */
  fileBytes: 1024 * 1024,
  /** Bytes of all source files together. */
  totalBytes: 8 * 1024 * 1024,
  /** Folders below the submission's top. */
  depth: 8,
  /** Directory entries looked at, all folders together. */
  entries: 10_000,
};

/** The entry files the grader accepts, in order of preference. */
const ENTRIES = ["mod.ts", "mod.js", "mod.mts", "mod.mjs", "mod.tsx", "mod.jsx"];
/** Folders that are never the student's code. */
const IGNORED = new Set(["node_modules", "__MACOSX"]);

/** What the copy found: the entry file (relative to the copy) and what it skipped. */
export interface Copied {
  /** `"mod.ts"`, or `"mod.js"` etc. when there is no mod.ts; undefined when none. */
  entry: string | undefined;
  /** The folder of the submission that was copied, relative to it: "" or `"hw2/"`. */
  top: string;
  /** Lines for the report: what was skipped and why, what was graded instead of mod.ts. */
  notes: string[];
}

/** `//# sourceMappingURL=` (or `//@`, or in a block comment), unless the map is inline. */
const MAP_URL = new TextEncoder().encode("sourceMappingURL");

/**
 * Neutralises source-map comments that point at a file (Deno would read it, even outside
 * `--allow-read`, to rewrite stack traces). Same length, byte for byte, so nothing else moves;
 * an inline `data:` map stays.
 */
export function stripSourceMapUrls(bytes: Uint8Array): number {
  let changed = 0;
  outer: for (let i = 0; i + MAP_URL.length < bytes.length; i++) {
    for (let k = 0; k < MAP_URL.length; k++) if (bytes[i + k] !== MAP_URL[k]) continue outer;
    let j = i + MAP_URL.length;
    while (bytes[j] === 0x20) j++;
    if (bytes[j] !== 0x3d) continue; // "="
    j++;
    while (bytes[j] === 0x20) j++;
    const data = String.fromCharCode(...bytes.subarray(j, j + 5));
    if (data === "data:") continue;
    bytes[i + MAP_URL.length - 1] = 0x5f; // sourceMappingUR_ : no longer the magic comment
    changed++;
  }
  return changed;
}

/**
 * Reads a regular file that lstat said is at most `cap` bytes. Between that lstat and the
 * open, the submission's owner may swap the file: for a FIFO (an open that would wait for a
 * writer, with no time limit), a link, a device. So the open never waits (`O_NONBLOCK`),
 * never follows a link (`O_NOFOLLOW`), and what it opened is checked again before a byte is
 * read: the same regular file, still within the cap.
 */
export function readRegular(path: string, info: Deno.FileInfo, cap: number): Uint8Array {
  const { O_RDONLY, O_NONBLOCK, O_NOFOLLOW } = fs.constants;
  const fd = fs.openSync(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
  try {
    const now = fs.fstatSync(fd);
    if (!now.isFile() || now.ino !== info.ino || now.dev !== info.dev || now.size > cap) {
      throw new Error("it changed while being read");
    }
    const bytes = new Uint8Array(now.size);
    let at = 0;
    while (at < bytes.length) {
      const n = fs.readSync(fd, bytes, at, bytes.length - at, null);
      if (n === 0) break;
      at += n;
    }
    return bytes.subarray(0, at);
  } finally {
    fs.closeSync(fd);
  }
}

/** An open folder of the submission: `path` names it without re-resolving any link. */
interface Folder {
  path: string;
  close(): void;
}

/** Whether this system names open files `/proc/self/fd/N` (Linux). */
const PROC_FD = (() => {
  try {
    return Deno.statSync("/proc/self/fd").isDirectory;
  } catch {
    return false;
  }
})();

/**
 * Opens `rel` (a path of folders below `root`, ending in "/" or empty), one folder at a time,
 * none of them through a link (`O_NOFOLLOW`): a folder swapped for a link to elsewhere while
 * the copy runs fails to open instead of being read. Paths below go through the open folder
 * (`/proc/self/fd/N/name`, what `openat` does), so a later swap cannot redirect them either.
 * Without `/proc/self/fd` (not Linux) it falls back to plain paths.
 */
function openFolder(root: Folder, rel: string): Folder {
  if (!PROC_FD) return { path: `${root.path}/${rel}`.replace(/\/+$/, ""), close() {} };
  const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
  let fd: number | undefined;
  let at = root.path;
  for (const name of rel.split("/").filter(Boolean)) {
    const next = fs.openSync(`${at}/${name}`, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK);
    if (fd !== undefined) fs.closeSync(fd);
    fd = next;
    at = `/proc/self/fd/${fd}`;
  }
  const opened = fd;
  return { path: at, close: () => opened !== undefined && fs.closeSync(opened) };
}

/** The submission's top folder, open (see {@link openFolder}). */
function openTop(from: string): Folder {
  if (!PROC_FD) return { path: from, close() {} };
  const { O_RDONLY, O_DIRECTORY, O_NONBLOCK } = fs.constants;
  const fd = fs.openSync(from, O_RDONLY | O_DIRECTORY | O_NONBLOCK);
  return { path: `/proc/self/fd/${fd}`, close: () => fs.closeSync(fd) };
}

/** Shows a name read from a folder: quoted, control characters escaped, cut when long. */
function shown(path: string): string {
  const text = JSON.stringify(path);
  return text.length > 120 ? `${text.slice(0, 119)}…"` : text;
}

/**
 * Copies `from`'s source files into `to` (which exists), defensively: see the module
 * documentation. Never throws for anything the submission did; a file it cannot copy is
 * skipped with a note. A submission whose only content is one folder (a zip of `hw2/`) is
 * copied from that folder; without mod.ts, a `mod.js` (or `.mts`, `.mjs`, `.tsx`, `.jsx`) is the
 * entry.
 */
export async function copySubmission(from: string, to: string): Promise<Copied> {
  const notes: string[] = [];
  const skipped: string[] = [];
  const skip = (path: string, why: string) => skipped.push(`${shown(path)} (${why})`);
  let entries = 0;

  /** The entries of one folder, capped, as [name, lstat] (lstat fails on a non-UTF-8 name). */
  const list = async (dir: string): Promise<[string, Deno.FileInfo | undefined][]> => {
    const out: [string, Deno.FileInfo | undefined][] = [];
    try {
      for await (const e of Deno.readDir(dir)) {
        if (++entries > COPY_LIMITS.entries) break;
        out.push([e.name, await Deno.lstat(`${dir}/${e.name}`).catch(() => undefined)]);
      }
    } catch (e) {
      notes.push(`Could not read a folder of the submission: ${(e as Error).message}`);
    }
    return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  };

  let root: Folder;
  try {
    root = openTop(from);
  } catch (e) {
    notes.push(`Could not read the submission's folder: ${(e as Error).message}`);
    return { entry: undefined, top: "", notes };
  }
  try {
    return await copyFrom(root);
  } finally {
    root.close();
  }

  async function copyFrom(root: Folder): Promise<Copied> {
    // A zip of one folder: grade that folder (when the top has no source file of its own).
    let top = "";
    const first = await list(root.path);
    const visible = first.filter(([name]) => !name.startsWith(".") && !IGNORED.has(name));
    const hasSource = visible.some(([name, info]) => info?.isFile && SOURCE.test(name));
    if (!hasSource && visible.length === 1 && visible[0][1]?.isDirectory) {
      top = `${visible[0][0]}/`;
      notes.push(
        `Graded the folder ${top} (the submission's only content); ` +
          `next time put mod.ts at the top of the submission. (Staff: if this is a class ` +
          `folder with one student, grade it with --all.)`,
      );
    }

    let files = 0, bytes = 0, maps = 0;
    // Breadth first, with an explicit queue: no recursion on a depth the submission chooses.
    const queue: [rel: string, depth: number][] = [[top, 0]];
    while (queue.length > 0) {
      const [rel, depth] = queue.shift()!;
      let folder: Folder;
      try {
        folder = rel === "" ? root : openFolder(root, rel);
      } catch (e) {
        skip(rel, `could not be read: ${(e as Error).message}`);
        continue;
      }
      try {
        const listing = rel === "" ? first : await list(folder.path);
        for (const [name, info] of listing) {
          const path = `${rel}${name}`;
          const dest = `${to}/${path.slice(top.length)}`; // the top folder's content at the top
          if (name.startsWith(".") || IGNORED.has(name)) continue; // .git, node_modules: not code
          if (!info) {
            skip(path, "its name is not valid UTF-8: rename it");
            continue;
          }
          if (info.isSymlink) {
            skip(path, "a link: links are not followed");
            continue;
          }
          if (info.isDirectory) {
            if (depth + 1 > COPY_LIMITS.depth) {
              skip(path, `a folder more than ${COPY_LIMITS.depth} levels deep`);
              continue;
            }
            try {
              await Deno.mkdir(dest);
              queue.push([`${path}/`, depth + 1]);
            } catch (e) {
              skip(path, `could not be copied: ${(e as Error).name}`);
            }
            continue;
          }
          // Stray files (notes, data, configs): never read, never a cost.
          if (!COPIED.test(name) || CONFIGS.has(name.toLowerCase())) continue;
          if (!info.isFile) {
            skip(path, "not a regular file (a FIFO, device or socket)");
            continue;
          }
          if (info.size > COPY_LIMITS.fileBytes) {
            skip(path, `larger than ${COPY_LIMITS.fileBytes / 2 ** 20} MiB`);
            continue;
          }
          if (files + 1 > COPY_LIMITS.files || bytes + info.size > COPY_LIMITS.totalBytes) {
            skip(
              path,
              `over the limit of ${COPY_LIMITS.files} source files or ` +
                `${COPY_LIMITS.totalBytes / 2 ** 20} MiB in all`,
            );
            continue;
          }
          try {
            const content = readRegular(`${folder.path}/${name}`, info, COPY_LIMITS.fileBytes);
            maps += stripSourceMapUrls(content);
            await Deno.writeFile(dest, content, { mode: 0o644, createNew: true });
            files++;
            bytes += content.length;
          } catch (e) {
            skip(path, `could not be copied: ${(e as Error).message}`);
          }
        }
      } finally {
        if (folder !== root) folder.close();
      }
    }
    if (entries > COPY_LIMITS.entries) {
      notes.push(
        `The submission has more than ${COPY_LIMITS.entries} files and folders: the rest were not looked at.`,
      );
    }
    if (maps) {
      notes.push(
        `Ignored ${maps} sourceMappingURL comment(s) that point at files (source maps are not read).`,
      );
    }
    if (skipped.length) {
      const shownList = skipped.slice(0, 10).join("; ");
      notes.push(
        `Skipped (not copied; costs nothing unless mod.ts needs them): ${shownList}` +
          (skipped.length > 10 ? `; and ${skipped.length - 10} more` : "") + ".",
      );
    }

    let entry = ENTRIES.find((e) => exists(`${to}/${e}`));
    if (!entry) {
      // A differently cased name (Mod.ts) works as well on Linux.
      for await (const e of Deno.readDir(to)) {
        if (ENTRIES.includes(e.name.toLowerCase()) && e.isFile) entry = e.name;
      }
    }
    if (entry && entry !== "mod.ts") notes.push(`Graded ${top}${entry}: there is no mod.ts.`);
    if (!entry) {
      const found: string[] = [];
      for await (const e of Deno.readDir(to)) if (e.isFile) found.push(e.name);
      const deeper = await entriesBelow(to);
      if (deeper.length) {
        notes.push(
          `There is no mod.ts at the top${top ? ` of ${top}` : ""}, but ${
            deeper.slice(0, 5).map((p) => `${top}${p}`).join(", ")
          } ${deeper.length > 1 ? "are" : "is"} below it: move your mod.ts (and what it imports) ` +
            "to the top of the submission.",
        );
      } else {
        notes.push(
          found.length
            ? `There is no mod.ts${top ? ` in ${top}` : ""}: rename the file that exports your ` +
              `functions to mod.ts (found: ${found.sort().slice(0, 10).join(", ")}).`
            : `There is no mod.ts${
              top ? ` in ${top}` : ""
            }, nor any other .ts or .js file at the top.`,
        );
      }
    }
    return { entry, top, notes };
  }
}

/** The entry files in the copy's subfolders (two levels down), relative to it. */
async function entriesBelow(to: string): Promise<string[]> {
  const found: string[] = [];
  const queue: [string, number][] = [["", 0]];
  while (queue.length) {
    const [rel, depth] = queue.shift()!;
    for await (const e of Deno.readDir(`${to}/${rel}`)) {
      if (e.isDirectory && depth < 2) queue.push([`${rel}${e.name}/`, depth + 1]);
      else if (e.isFile && depth > 0 && ENTRIES.includes(e.name.toLowerCase())) {
        found.push(`${rel}${e.name}`);
      }
    }
  }
  return found.sort();
}

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}
