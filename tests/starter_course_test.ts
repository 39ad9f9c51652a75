/**
 * A starter made where the lessons make it, `deno task assignment new my-work` in the course's
 * folder, must leave the course's own `deno test`, `deno lint` and `deno fmt --check` as they
 * were; anywhere else inside the course it is refused, because there it would not.
 *
 * The course here is a copy of the repository's files but its tests, plus one passing test
 * of its own, in a temporary folder.
 */
import assert from "node:assert/strict";
import { REPO, studentDeno as deno } from "./grading_helpers.ts";

/** The course's files as git knows them, but for its tests, plus one passing test. */
async function courseCopy(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "litconv-course-" });
  const listed = await new Deno.Command("git", {
    args: ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    cwd: REPO,
    stdout: "piped",
  }).output();
  assert.ok(listed.success, "git ls-files");
  const files = new TextDecoder().decode(listed.stdout).split("\0")
    .filter((f) => f && !f.startsWith("tests/"));
  for (const f of files) {
    if (!(await Deno.lstat(`${REPO}${f}`).catch(() => null))?.isFile) continue;
    await Deno.mkdir(`${dir}/${f}`.replace(/\/[^/]*$/, ""), { recursive: true });
    await Deno.copyFile(`${REPO}${f}`, `${dir}/${f}`);
  }
  await Deno.writeTextFile(
    `${dir}/probe_test.ts`,
    `Deno.test("the course's own test", () => {});\n`,
  );
  return dir;
}

Deno.test("a starter in my-work/ leaves the course's deno test, lint and fmt as they were", async () => {
  const course = await courseCopy();
  const made = await deno(["task", "assignment", "new", "my-work", "--tasks", "02.1,04.1"], course);
  assert.equal(made.code, 0, made.text);
  assert.ok((await Deno.stat(`${course}/my-work/mod_test.ts`)).isFile);
  // The next lesson's starter, where the lessons say: my-work holds one, so it says where.
  const again = await deno(["task", "assignment", "new", "my-work", "--tasks", "03.1"], course);
  assert.equal(again.code, 2, again.text);
  assert.match(
    again.text,
    /holds a starter already .* deno task assignment new my-work\/03\.1 --tasks 03\.1/,
  );
  const next = await deno(["task", "assignment", "new", "my-work/03.1", "--tasks", "03.1"], course);
  assert.equal(next.code, 0, next.text);

  const test = await deno(["test", "-A"], course);
  assert.equal(test.code, 0, test.text);
  assert.match(test.text, /ok \| 1 passed \| 0 failed/);
  assert.doesNotMatch(test.text, /my-work/);
  const lint = await deno(["lint"], course);
  assert.equal(lint.code, 0, lint.text);
  const fmt = await deno(["fmt", "--check"], course);
  assert.equal(fmt.code, 0, fmt.text);

  // The same starter under another name would break all three: that is why it is refused.
  await Deno.rename(`${course}/my-work`, `${course}/hw2`);
  const seen = await deno(["test", "-A"], course);
  assert.notEqual(seen.code, 0);
  assert.match(seen.text, /not implemented yet \(task 02\.1\)/);
  assert.notEqual((await deno(["lint"], course)).code, 0);
  await Deno.remove(`${course}/hw2`, { recursive: true });

  const refused = await deno(["task", "assignment", "new", "hw2", "--tasks", "02.1"], course);
  assert.equal(refused.code, 2, refused.text);
  assert.equal(refused.text.trim().split("\n").filter((l) => !/^Task /.test(l)).length, 1);
  assert.match(
    refused.text,
    /hw2 is inside the course.*use my-work .* or a folder beside the course, \.\.\/hw2/,
  );
  await assert.rejects(() => Deno.stat(`${course}/hw2`), Deno.errors.NotFound);
  await Deno.remove(course, { recursive: true });
});
