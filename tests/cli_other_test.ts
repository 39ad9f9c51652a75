/**
 * The other commands a user types (the tasks in deno.json and the literate reader) on
 * bad input: a real child process each time, a non-zero exit, a message that names the
 * path or flag, never a stack trace.
 */
import assert from "node:assert/strict";

const ROOT = new URL("..", import.meta.url).pathname;

async function run(script: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}${script}`, ...args],
    cwd: ROOT,
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

const noTrace = (stderr: string) => assert.doesNotMatch(stderr, /Uncaught|^\s+at /m, stderr);

Deno.test("literate.ts: a missing lesson file is named, and the real lessons listed", async () => {
  const o = await run("lessons/literate.ts", "lessons/99_nothing.ts");
  assert.equal(o.code, 1);
  noTrace(o.stderr);
  assert.match(o.stderr, /lessons\/99_nothing\.ts does not exist/);
  assert.match(o.stderr, /02_conv1d\.ts/);
});

Deno.test("literate.ts: a folder, no file or two files: a usage line, no trace", async () => {
  const folder = await run("lessons/literate.ts", "lessons");
  assert.equal(folder.code, 1);
  noTrace(folder.stderr);
  assert.match(folder.stderr, /lessons is a folder, not a lesson file/);
  for (const args of [[], ["a.ts", "b.ts"]]) {
    const o = await run("lessons/literate.ts", ...args);
    assert.equal(o.code, 2, args.join(" "));
    noTrace(o.stderr);
    assert.match(o.stderr, /^usage: deno run -A lessons\/literate\.ts lessons\/02_conv1d\.ts/);
  }
  const help = await run("lessons/literate.ts", "--help");
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: /);
});

Deno.test("deno task bench: an unknown flag or a bad number is a usage message", async () => {
  for (const args of [["--nope"], ["--steps", "many"]]) {
    const o = await run("bench/bench.ts", ...args);
    assert.equal(o.code, 2, `${args.join(" ")}: ${o.stderr}`);
    noTrace(o.stderr);
    assert.match(o.stderr, new RegExp(args[0]));
  }
});
