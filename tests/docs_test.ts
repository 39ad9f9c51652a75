/**
 * The README and docs/ as a reader meets them: every relative link leads to a file (and, for a
 * Markdown page, to a heading of it), every `deno task` they name exists, the README stays a
 * short front door, and its test command is the one CI runs.
 *
 * Anchors follow GitHub's rule, since that is where the pages are read as Markdown.
 *
 * @module
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const DOCS = new URL("docs/", ROOT);

/** README.md and every docs/*.md, as paths from the repository root. */
function pages(): string[] {
  const docs = [...Deno.readDirSync(DOCS)]
    .filter((e) => e.isFile && e.name.endsWith(".md"))
    .map((e) => `docs/${e.name}`)
    .sort();
  return ["README.md", ...docs];
}

const read = (path: string) => Deno.readTextFileSync(new URL(path, ROOT));

/** The text with fenced code blocks and inline code spans blanked out. */
function prose(md: string): string {
  return md.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, "")
    .replace(/`+[^`\n]*`+/g, "");
}

/** Link and image targets, `[text](target)` and `![alt](target)`, outside code. */
function linkTargets(md: string): string[] {
  return [...prose(md).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to `-`. */
function githubAnchor(heading: string): string {
  return heading.trim().toLowerCase()
    .replace(/[`*_]/g, "")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[^\p{L}\p{N}\s-]/gu, "")
    .replace(/\s/g, "-");
}

/** The anchors of a Markdown page's headings, numbered as GitHub numbers repeats. */
function anchors(md: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (
    const m of md.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, "").matchAll(
      /^#{1,6}\s+(.+?)\s*#*$/gm,
    )
  ) {
    const base = githubAnchor(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

Deno.test("githubAnchor: the anchors GitHub gives headings like ours", () => {
  assert.equal(githubAnchor("How long things take"), "how-long-things-take");
  assert.equal(githubAnchor("The library's entries"), "the-librarys-entries");
  assert.equal(githubAnchor("Serve, build, publish"), "serve-build-publish");
  assert.equal(
    githubAnchor("Training keeps its speed: Adam flushes"),
    "training-keeps-its-speed-adam-flushes",
  );
  assert.equal(githubAnchor("`deno task` and `--flags`"), "deno-task-and---flags");
});

Deno.test("docs: every relative link leads to a file, and every anchor to a heading", () => {
  const broken: string[] = [];
  let checked = 0;
  for (const page of pages()) {
    for (const target of linkTargets(read(page))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:: not ours to check
      checked++;
      const [path, anchor] = target.split("#", 2);
      const file = path === ""
        ? new URL(page, ROOT)
        : new URL(decodeURI(path), new URL(page, ROOT));
      let text: string;
      try {
        if (!Deno.statSync(file).isFile) throw new Error("not a file");
        text = Deno.readTextFileSync(file);
      } catch {
        broken.push(`${page}: ${target} (no such file)`);
        continue;
      }
      if (anchor !== undefined && file.pathname.endsWith(".md") && !anchors(text).has(anchor)) {
        broken.push(`${page}: ${target} (no heading with that anchor)`);
      }
    }
  }
  assert.ok(
    checked >= 20,
    `only ${checked} relative links found: is the link pattern still right?`,
  );
  assert.deepEqual(broken, []);
});

Deno.test("docs: every `deno task` they name is a task in deno.json", () => {
  const tasks = new Set(Object.keys(JSON.parse(read("deno.json")).tasks));
  const missing: string[] = [];
  for (const page of pages()) {
    for (const m of read(page).matchAll(/deno task ([\w:-]+)/g)) {
      if (!tasks.has(m[1])) missing.push(`${page}: deno task ${m[1]}`);
    }
  }
  assert.deepEqual([...new Set(missing)], []);
});

Deno.test("README: a front door of at most 250 lines, linking every page of docs/", () => {
  const readme = read("README.md");
  const lines = readme.split("\n").length - (readme.endsWith("\n") ? 1 : 0);
  assert.ok(lines <= 250, `README.md has ${lines} lines; move detail to docs/`);
  const linked = new Set(linkTargets(readme).map((t) => t.split("#")[0]));
  for (const page of pages().slice(1)) {
    if (!linked.has(page)) assert.fail(`README.md does not link ${page}`);
  }
});

Deno.test("README: its test command is the one CI runs", () => {
  const ci = Deno.readTextFileSync(new URL(".ci/run", ROOT));
  const command = /^(npx -y deno@[\d.]+ task test)\s*$/m.exec(ci)?.[1];
  assert.ok(command, ".ci/run no longer ends with an `npx -y deno@… task test` line");
  assert.match(read("README.md"), new RegExp(`^${command.replace(/[.]/g, "\\.")}\\b`, "m"));
});
