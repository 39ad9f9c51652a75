/**
 * `deno task train` on bad paths and flags, as a user meets them: a real child process
 * each time, which must exit non-zero with one message that names the path and says
 * what to do, never a stack trace.
 */
import assert from "node:assert/strict";
import { RUN_FILES, runSummary } from "../training/cli.ts";
import { HELP } from "../training/args.ts";

const CLI = new URL("../training/cli.ts", import.meta.url).pathname;
const TINY = ["--limit", "64", "--eval-limit", "64", "--rotation-step", "45", "--backend", "wasm"];

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function train(...args: string[]): Promise<Outcome> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** Exit `code`, stderr matching each pattern, and no trace of an uncaught error. */
function assertClean(o: Outcome, code: number, ...patterns: (RegExp | string)[]): void {
  assert.equal(o.code, code, o.stderr);
  assert.doesNotMatch(o.stderr, /Uncaught|^\s+at /m, "a stack trace");
  for (const p of patterns) {
    if (typeof p === "string") assert.ok(o.stderr.includes(p), `${p} not in:\n${o.stderr}`);
    else assert.match(o.stderr, p);
  }
}

Deno.test("deno task train: every bad path ends in one clear message, no stack trace", async (t) => {
  const tmp = await Deno.makeTempDir({ prefix: "litconv-cli-" });
  const file = `${tmp}/notes.txt`;
  await Deno.writeTextFile(file, "not a run folder\n");

  await t.step("--out names an existing file", async () => {
    assertClean(await train("--out", file, ...TINY), 2, `--out ${file}: this is a file`);
  });
  await t.step("--resume names a folder that does not exist (and it is not created)", async () => {
    const missing = `${tmp}/no-such-run`;
    assertClean(await train("--resume", missing), 2, `--resume ${missing}: no such folder`);
    await assert.rejects(() => Deno.stat(missing), Deno.errors.NotFound);
  });
  await t.step("--resume names a file", async () => {
    assertClean(await train("--resume", file), 2, `--resume ${file}: this is a file`);
  });
  await t.step("--resume names a folder without checkpoint.bin", async () => {
    assertClean(await train("--resume", tmp), 2, `${tmp}: this folder holds no checkpoint.bin`);
  });
  await t.step("--out names a folder that cannot be created", async () => {
    const o = await train("--out", "/proc/litconv-nope/run", ...TINY);
    assertClean(o, 1, "the run folder /proc/litconv-nope/run cannot be written: ");
  });
  await t.step("--backend names a backend that is not installed", async () => {
    const o = await train("--backend", "tensorflow", "--out", `${tmp}/tf`);
    assertClean(o, 2, "--backend tensorflow: it needs @tensorflow/tfjs-node-gpu", "--help");
    assert.doesNotMatch(o.stderr, /useBackend: backend/);
  });
  await t.step("--backend names no backend at all", async () => {
    const o = await train("--backend", "tpu", "--out", `${tmp}/tpu`);
    assertClean(o, 2, "--backend must be one of cpu, wasm, webgpu, tensorflow, got 'tpu'");
  });
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("deno task train: a damaged checkpoint is named, with what to do, at any cut", async (t) => {
  const tmp = await Deno.makeTempDir({ prefix: "litconv-cli-" });
  const run = `${tmp}/run`;
  // One real epoch of 64 images gives a real checkpoint (≈ 39 MB) to damage.
  const first = await train("--epochs", "1", ...TINY, "--out", run);
  assertClean(first, 0);
  const bytes = await Deno.readFile(`${run}/checkpoint.bin`);
  const headerEnd = 12 + new DataView(bytes.buffer).getUint32(8, true);

  const damaged = async (name: string, content: Uint8Array, expected: RegExp) => {
    await t.step(name, async () => {
      const dir = `${tmp}/${name.replace(/\W+/g, "-")}`;
      await Deno.mkdir(dir);
      await Deno.writeFile(`${dir}/checkpoint.bin`, content);
      const o = await train("--resume", dir);
      assertClean(o, 2, `${dir}/checkpoint.bin`, expected, "start a new run with --out");
    });
  };
  await damaged("cut at 0 bytes", bytes.slice(0, 0), /is empty/);
  await damaged("cut inside the magic", bytes.slice(0, 5), /is not a litconv checkpoint/);
  await damaged("cut at 1,000 bytes", bytes.slice(0, 1000), /truncated inside its header/);
  await damaged("cut after the header", bytes.slice(0, headerEnd + 100), /is truncated \(/);
  await damaged("cut at 20 MB", bytes.slice(0, 20_000_000), /is truncated \(/);
  const garbled = bytes.slice();
  garbled.fill(0x7b, 20, 40); // "{{{{…" in the middle of the JSON header
  await damaged("a garbled header", garbled, /has a damaged header/);

  await t.step("--resume with flags the checkpoint decides says it ignores them", async () => {
    const o = await train(
      "--resume",
      run,
      "--backend",
      "wasm",
      "--seed",
      "9",
      "--limit=100",
      "--model",
      "extra-conv",
    );
    assertClean(
      o,
      0,
      "ignoring --seed 9, --limit 100, --model extra-conv (the checkpoint's settings apply)",
    );
    const metrics = JSON.parse(await Deno.readTextFile(`${run}/metrics.json`));
    assert.deepEqual([metrics.config.seed, metrics.config.limit], [1, 64]);
    // The closing summary names every file the run folder holds.
    for (const entry of Deno.readDirSync(run)) assert.ok(o.stdout.includes(entry.name), entry.name);
  });
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("runSummary lists every file of the run folder, known ones described", async () => {
  const dir = await Deno.makeTempDir({ prefix: "litconv-summary-" });
  const names = [...Object.keys(RUN_FILES), "something-new.svg"];
  for (const n of names) await Deno.writeTextFile(`${dir}/${n}`, "");
  await Deno.writeTextFile(`${dir}/metrics.json.tmp`, ""); // a write in progress is no result
  const lines = runSummary(dir, 0.98765).split("\n");
  assert.equal(lines[0], `Test accuracy 0.9877. The run folder: ${dir}`);
  const listed = lines.slice(1).map((l) => l.trim().split(/\s+/)[0]);
  assert.deepEqual([...listed].sort(), [...names].sort());
  assert.equal(listed[0], "metrics.json");
  assert.equal(listed.at(-1), "something-new.svg"); // unknown files last, still listed
  for (const line of lines.slice(1, -1)) assert.match(line, /^ {2}\S+\s{2,}\S/, line);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("docs/training.md's flag table and --help list the same flags; the README gives the quick run", async () => {
  const doc = await Deno.readTextFile(new URL("../docs/training.md", import.meta.url));
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const flags = (text: string) => [...new Set(text.match(/--[a-z][a-z-]+/g))].sort();
  const table = doc.slice(doc.indexOf("| flag "), doc.indexOf("## The run folder"));
  const help = HELP.slice(HELP.indexOf("  --epochs"), HELP.indexOf("  --help"));
  assert.ok(flags(table).length > 5, "no flag table in docs/training.md");
  assert.deepEqual(flags(table), flags(help));
  const quick = HELP.match(/deno task train (--epochs 1 --limit \d+ --eval-limit \d+) \(about/);
  assert.ok(quick, "no quick run in --help");
  assert.ok(readme.includes(`task train ${quick[1]}`), `README lacks ${quick[1]}`);
  assert.ok(doc.includes(`task train ${quick[1]}`), `docs/training.md lacks ${quick[1]}`);
});
