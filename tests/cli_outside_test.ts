/**
 * A student's own folder, outside the repository: `import … from "<repo>/mod.ts"` (and the
 * `tfjs`, `data` entries) and `deno run -A main.ts`, no config and no flags beyond the
 * permissions. The naive kernels, a TF.js twin on threaded wasm and MNIST must all work from
 * there, quietly; and the root entry alone must cost what the kernels cost.
 */
import assert from "node:assert/strict";

const MOD = new URL("../mod.ts", import.meta.url);
const TFJS = new URL("../tfjs/mod.ts", import.meta.url);
const DATA = new URL("../data/mod.ts", import.meta.url);
const REPO = new URL("..", import.meta.url).pathname;

const STUDENT = `
import { conv1d } from ${JSON.stringify(MOD.href)};
import { tfjs, useBackend } from ${JSON.stringify(TFJS.href)};
import { loadMnist } from ${JSON.stringify(DATA.href)};
const x = [1, 3, 2, 4, 5, 6, 1, 3], w = [1, 0, 3, 1, 2];
const backend = await useBackend("wasm");
const mnist = loadMnist();
console.log(JSON.stringify({
  naive: conv1d(x, w, { padding: 2 }),
  twin: await tfjs.conv1d(x, w, { padding: 2 }),
  device: backend.device,
  counts: [mnist.train.count, mnist.valid.count, mnist.test.count],
  firstLabel: mnist.train.labels[0],
}));
`;

Deno.test("mod.ts from a folder outside the repo: naive, wasm twin with threads, MNIST", async () => {
  const dir = await Deno.makeTempDir({ prefix: "litconv-student-" });
  assert.ok(!dir.startsWith(REPO), `${dir} is inside the repo`);
  await Deno.writeTextFile(`${dir}/main.ts`, STUDENT);
  const run = async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "main.ts"],
      cwd: dir,
      env: { LITCONV_WASM_THREADS: "2" },
    }).output();
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
  };
  // The first run may log the npm packages it sets up in Deno's cache; the second must
  // be silent on stderr: no warning, no thread fallback message, no TF.js banner.
  const first = await run();
  assert.equal(first.code, 0, first.stderr);
  const second = await run();
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stderr, "");
  for (const o of [first, second]) {
    const r = JSON.parse(o.stdout);
    assert.deepEqual(r.naive, [5, 14, 16, 26, 24, 34, 19, 22]);
    assert.deepEqual(r.twin, [5, 14, 16, 26, 24, 34, 19, 22]);
    // TF.js's threaded wasm build starts from outside the repo too (2 threads asked).
    assert.match(r.device, /^WebAssembly SIMD, 2 thread\(s\)/);
    assert.deepEqual(r.counts, [50_000, 10_000, 10_000]);
    assert.equal(r.firstLabel, 3); // the lecture: train[0] is a 3
  }
  // Nothing was written into the student's folder but their own file.
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["main.ts"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the README's three lines run as they stand from a folder outside the repo", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const snippet = readme.match(
    /Use the library in your own code[\s\S]*?```ts ignore\n([\s\S]*?)```/,
  )
    ?.[1];
  assert.ok(snippet, "no snippet under 'Use the library in your own code'");
  assert.equal(snippet.trim().split("\n").length, 3);
  const dir = await Deno.makeTempDir({ prefix: "litconv-student-" });
  await Deno.writeTextFile(`${dir}/main.ts`, snippet.replaceAll("/path/to/litconv/", REPO));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts"],
    cwd: dir,
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.equal(new TextDecoder().decode(out.stdout).trim(), "[ 5, 8, 8 ] [ 5, 8, 8 ]");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("mod.ts from outside with read permission only: wasm falls back to 1 thread, silently", async () => {
  const dir = await Deno.makeTempDir({ prefix: "litconv-student-" });
  await Deno.writeTextFile(
    `${dir}/main.ts`,
    `import { tfjs, useBackend } from ${JSON.stringify(TFJS.href)};
const { device } = await useBackend("wasm");
console.log(JSON.stringify({ device, y: await tfjs.conv1d([1, 2, 3], [1, 1]) }));`,
  );
  // No --allow-write: the threaded build's worker file cannot be written, and we never prompt.
  // Run twice: Deno's once-per-folder core-js notice (see README) may precede the first.
  const run = () =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "main.ts"],
      cwd: dir,
      stdin: "null",
    }).output();
  await run();
  const out = await run();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  assert.equal(stderr, "");
  const r = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.match(r.device, /^WebAssembly SIMD, 1 thread\(s\)/);
  assert.deepEqual(r.y, [3, 5]);
  await Deno.remove(dir, { recursive: true });
});

/** Every module the code of `entry` loads (type-only imports excluded), from `deno info`. */
async function codeGraph(entry: URL): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry.href],
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: { specifier: string; dependencies?: { code?: { specifier: string } }[] }[];
  };
  const bySpecifier = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const walk = (specifier: string) => {
    if (seen.has(specifier)) return;
    seen.add(specifier);
    for (const d of bySpecifier.get(specifier)?.dependencies ?? []) {
      if (d.code) walk(d.code.specifier);
    }
  };
  walk(entry.href);
  return [...seen];
}

Deno.test("the root entry loads no npm package: its code graph is litconv's own files", async () => {
  const graph = await codeGraph(MOD);
  const foreign = graph.filter((s) => !s.startsWith(new URL("..", import.meta.url).href));
  assert.deepEqual(foreign, [], "mod.ts's code reaches outside the repository");
  assert.ok(graph.every((s) => s.includes("/kernels/") || s.endsWith("/mod.ts")), graph.join("\n"));
  // The other entries do load TF.js and read MNIST: the root is the cheap one.
  assert.ok((await codeGraph(TFJS)).some((s) => s.startsWith("npm:")));
});

Deno.test("importing the root entry from outside writes nothing, sets nothing, fetches nothing", async () => {
  const [dir, tmp, denoDir] = await Promise.all(
    ["litconv-student-", "litconv-tmp-", "litconv-deno-dir-"].map((prefix) =>
      Deno.makeTempDir({ prefix })
    ),
  );
  await Deno.writeTextFile(
    `${dir}/main.ts`,
    `const before = Deno.env.toObject();
const started = performance.now();
const { conv1d } = await import(${JSON.stringify(MOD.href)});
const ms = performance.now() - started;
const after = Deno.env.toObject();
const changed = Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]);
console.log(JSON.stringify({ y: conv1d([1, 2, 3], [1, 1]), changed, ms }));`,
  );
  // A fresh Deno cache: an npm package the root needed would have to be fetched into it.
  const env = { TMPDIR: tmp, DENO_DIR: denoDir };
  for (const flags of [["-A"], ["-A", "--no-npm", "--no-remote"]]) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...flags, "main.ts"],
      cwd: dir,
      env,
      clearEnv: false,
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    const r = JSON.parse(new TextDecoder().decode(out.stdout));
    assert.deepEqual(r.y, [3, 5]);
    assert.deepEqual(r.changed, [], "importing mod.ts changed the environment");
  }
  assert.deepEqual([...Deno.readDirSync(tmp)], [], "importing mod.ts wrote into TMPDIR");
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["main.ts"]);
  // Deno makes an empty npm/ folder in a fresh cache; a package fetched would be in it.
  const npm = `${denoDir}/npm`;
  const fetched = await Deno.stat(npm).then(() => [...Deno.readDirSync(npm)], () => []);
  assert.deepEqual(fetched.map((e) => e.name), [], "Deno fetched npm packages");
  for (const d of [dir, tmp, denoDir]) await Deno.remove(d, { recursive: true });
});
