/**
 * The switch that makes every requirement mandatory, proven on a real `deno test` run: a
 * fixture (tests/fixtures/needs_fixture.ts) with a test and a step whose file is missing on
 * purpose, run in a child process without `LITCONV_REQUIRE`, with `=all`, and with a wrong value.
 */
import assert from "node:assert/strict";
import { missingLine } from "../lessons/requires.ts";

const FIXTURE = new URL("./fixtures/needs_fixture.ts", import.meta.url).pathname;
const MISSING = "no-such-file.bin missing";

/** The fixture's `deno test` run, with `LITCONV_REQUIRE` set to `require` or (undefined) unset. */
async function runFixture(require?: string) {
  const env = { ...Deno.env.toObject(), NO_COLOR: "1" }; // CI's own switch must not leak in
  delete (env as Record<string, string>).LITCONV_REQUIRE;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", FIXTURE],
    env: require === undefined ? env : { ...env, LITCONV_REQUIRE: require },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, text };
}

Deno.test("without LITCONV_REQUIRE a missing piece is ignored, named, and listed in one closing line", async () => {
  const { code, text } = await runFixture();
  assert.equal(code, 0, text);
  assert.match(text, /needs nothing \.\.\. ok/);
  assert.match(
    text,
    new RegExp(`needs the file \\(ignored: ${MISSING} \\(.*\\)\\) \\.\\.\\. ignored`),
  );
  assert.match(text, new RegExp(`reads it \\(ignored: ${MISSING} .*\\.\\.\\. ignored`));
  assert.match(text, /\| 2 passed \| 0 failed \| 1 ignored \(1 step\)/);
  // One closing line, where the piece both need is listed once.
  const piece = text.match(/needs the file \(ignored: (.*)\) \.\.\. ignored/)![1];
  const closing = text.split("\n").filter((l) => l.startsWith("litconv: skipped"));
  assert.deepEqual(closing, [missingLine([piece])], text);
});

Deno.test("LITCONV_REQUIRE=all turns each missing piece into a failure that names it", async () => {
  const { code, text } = await runFixture("all");
  assert.notEqual(code, 0, text);
  assert.match(text, /needs nothing \.\.\. ok/);
  assert.doesNotMatch(text, /ignored/);
  // Each failure's message names the piece: the test's and the step's.
  const named = text.match(new RegExp(`required by LITCONV_REQUIRE=all: ${MISSING}`, "g")) ?? [];
  assert.ok(named.length >= 2, text);
  assert.match(text, /FAILED \| 1 passed \| 2 failed \(1 step\)/);
  assert.doesNotMatch(text, /litconv: skipped/);
});

Deno.test("LITCONV_REQUIRE with any other value is an error, not a quiet skip", async () => {
  const { code, text } = await runFixture("1");
  assert.notEqual(code, 0);
  assert.match(text, /LITCONV_REQUIRE is "1": the only value it takes is "all"/);
});
