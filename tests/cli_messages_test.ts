/**
 * What every command says when called wrong, as a user meets it (a real `deno` child each
 * time): one line in the course's voice, with a did-you-mean for a flag one slip away, and
 * `--help` listing every flag the command knows. Also: `deno task lesson`, lesson names as
 * the notebooks take them, and `--out` relative to where the user typed the command.
 */
import assert from "node:assert/strict";
import { didYouMean, flagHelp } from "../cli/flags.ts";
import { findLesson, lessonSlugs } from "../lessons/run.ts";
import { HELP as TRAIN_HELP } from "../training/args.ts";
import { RUN_FILES } from "../training/cli.ts";
import { GRADE_FLAGS, HELP as GRADE_HELP } from "../grading/cli.ts";
import { HELP as ASSIGNMENT_HELP } from "../grading/assignment_cli.ts";
import { HELP as PACKAGE_HELP } from "../grading/package.ts";
import { shellDeno } from "./grading_helpers.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** `deno task NAME args…` from `cwd`, as from a user's shell (no INIT_CWD of our own task). */
async function task(name: string, args: string[], cwd = ROOT) {
  const out = await shellDeno(["task", "--config", `${ROOT}deno.json`, name, ...args], cwd);
  // `deno task` announces the command on stderr ("Task grade deno run …"): not ours.
  const stderr = out.stderr.split("\n").filter((l) => l && !/^Task /.test(l));
  return { code: out.code, stdout: out.stdout, stderr };
}

Deno.test("a flag one slip away: one line, did-you-mean, exit 2, on every command", async () => {
  const cases: [string, string[], string, string][] = [
    ["grade", ["tests/fixtures/submissions/correct", "--task", "02.1"], "--task", "--tasks"],
    ["train", ["--epoch", "1"], "--epoch", "--epochs"],
    ["assignment", ["new", "/tmp/x", "--task", "02.1"], "--task", "--tasks"],
    ["grade:package", ["/tmp/x.zip", "--sed", "3"], "--sed", "--seed"],
    ["notebooks", ["--uot", "x"], "--uot", "--out"],
    ["notebooks:run", ["--timout", "3"], "--timout", "--timeout"],
    ["site", ["--prot", "3"], "--prot", "--port"],
    ["site:build", ["--ot", "x"], "--ot", "--out"],
    ["bench", ["--step", "3"], "--step", "--steps"],
  ];
  // Two at a time: each is a deno process that loads its command's code.
  for (let i = 0; i < cases.length; i += 2) {
    await Promise.all(
      cases.slice(i, i + 2).map(async ([name, args, typed, meant]) => {
        const o = await task(name, args);
        assert.equal(o.code, 2, `${name}: ${o.stderr.join("\n")}`);
        assert.equal(o.stderr.length, 1, `${name}, one line: ${o.stderr.join("\n")}`);
        assert.equal(
          o.stderr[0],
          `deno task ${name}: unknown flag ${typed} (did you mean ${meant}?) ` +
            `(see deno task ${name} --help)`,
        );
      }),
    );
  }
});

Deno.test("--help lists every flag of grade, assignment and grade:package, one entry each", () => {
  for (const help of [GRADE_HELP, ASSIGNMENT_HELP, PACKAGE_HELP, TRAIN_HELP]) {
    assert.match(help, /^ {2}--help +show this text$/m);
  }
  for (const flag of Object.keys(GRADE_FLAGS)) {
    assert.match(GRADE_HELP, new RegExp(`^ {2}--${flag}\\b`, "m"), flag);
  }
  assert.match(ASSIGNMENT_HELP, /^ {2}--tasks IDS {2}/m);
  for (const flag of ["tasks", "seed", "runs", "budget"]) {
    assert.match(PACKAGE_HELP, new RegExp(`^ {2}--${flag} `, "m"), flag);
  }
  // The Gradescope dry run's layout is in the package's help.
  assert.match(PACKAGE_HELP, /ROOT\/source.*ROOT\/submission.*ROOT\/results\/results\.json/s);
  const listed = flagHelp({
    a: { type: "string", value: "N", help: "first\nsecond" },
    bb: { type: "boolean", help: "x" },
  });
  assert.equal(listed, "  --a N   first\n          second\n  --bb    x\n  --help  show this text");
});

Deno.test("did-you-mean: close words only", () => {
  assert.equal(didYouMean("task", ["tasks", "hidden"]), "tasks");
  assert.equal(didYouMean("hiden", ["tasks", "hidden"]), "hidden");
  assert.equal(didYouMean("rotation", ["rotation-step", "seed"]), "rotation-step");
  assert.equal(didYouMean("x", ["tasks", "out"]), undefined);
  assert.equal(didYouMean("colour", ["epochs", "limit", "seed"]), undefined);
});

Deno.test("grade --task: no parser text; a FIFO where a starter's record goes is refused", async () => {
  const o = await task("grade", ["tests/fixtures/submissions/correct", "--task", "02.1"]);
  assert.doesNotMatch(o.stderr.join("\n"), /positional|'--'/);
  const dir = await Deno.makeTempDir({ prefix: "litconv-fifo-record-" });
  const fifo = await new Deno.Command("mkfifo", { args: [`${dir}/assignment.json`] }).output();
  assert.ok(fifo.success);
  const refused = await task("grade", [dir]);
  assert.equal(refused.code, 2, refused.stderr.join("\n"));
  assert.match(refused.stderr[0], /assignment\.json is not a starter's list of tasks/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("lesson names: 02, 2, a name, a file; the notebooks take the same", async () => {
  const slugs = lessonSlugs();
  assert.equal(slugs[0], "01-building-blocks");
  assert.ok(slugs.length >= 11, slugs.join());
  for (const name of ["02", "2", "conv1d", "02-conv1d", "02_conv1d", "lessons/02_conv1d.ts"]) {
    assert.equal(findLesson(name, slugs), "02-conv1d", name);
  }
  assert.equal(findLesson("pooling", slugs), "05-pooling");
  assert.throws(() => findLesson("conv", slugs), /no lesson 'conv'.*02 conv1d, 03 padding/);
  // A child: importing the notebooks' builder here would register every lesson's tests again.
  const out = await Deno.makeTempDir({ prefix: "litconv-notebooks-" });
  const built = await task("notebooks", ["--out", out, "2", "rotation"]);
  assert.equal(built.code, 0, built.stderr.join("\n"));
  assert.deepEqual([...Deno.readDirSync(out)].map((e) => e.name).sort(), [
    "02_conv1d.ipynb",
    "09_rotation.ipynb",
  ]);
  const unknown = await task("notebooks", ["--out", out, "42"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr.join("\n"), /no lesson '42'; the lessons: 01 building-blocks/);
  await Deno.remove(out, { recursive: true });
});

Deno.test("deno task lesson 2 runs lesson 02; an unknown one lists the lessons", async () => {
  const ran = await task("lesson", ["2"]);
  assert.equal(ran.code, 0, ran.stderr.join("\n"));
  assert.match(ran.stdout, /Conv1d Implementation: \[ 5 14 16 26 24 34 19 22\]/);
  const unknown = await task("lesson", ["42"]);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr.length, 1, unknown.stderr.join("\n"));
  assert.match(unknown.stderr[0], /no lesson '42'; the lessons: 01 building-blocks, 02 conv1d/);
});

Deno.test("train: --out from a subfolder is the caller's; --help names every file a run writes", async () => {
  for (const file of Object.keys(RUN_FILES)) assert.ok(TRAIN_HELP.includes(file), file);
  const here = await Deno.makeTempDir({ prefix: "litconv-caller-" });
  const tiny = ["--epochs", "1", "--limit", "64", "--eval-limit", "64", "--rotation-step", "45"];
  const o = await task("train", ["--out", "myrun", ...tiny, "--backend", "wasm"], here);
  assert.equal(o.code, 0, o.stderr.join("\n"));
  const written = [...Deno.readDirSync(`${here}/myrun`)].map((e) => e.name).sort();
  assert.deepEqual(written, Object.keys(RUN_FILES).sort());
  await assert.rejects(() => Deno.stat(`${ROOT}myrun`), Deno.errors.NotFound);
  await Deno.remove(here, { recursive: true });
});
