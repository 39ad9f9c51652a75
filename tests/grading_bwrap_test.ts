/**
 * The sandbox's outer layer, bubblewrap: a child under it that has every Deno permission
 * still reaches no network, no other process and no file outside its copy; a run-time source
 * map (which Deno reads outside --allow-read) finds nothing; and where bwrap is missing,
 * turned off or refused by the host, the grader says so once and grades as before.
 */
import assert from "node:assert/strict";
import {
  type Bounded,
  DEFAULT_LIMITS,
  runBounded,
  runningAsRoot,
  SandboxDir,
} from "../grading/sandbox.ts";
import { Child } from "../grading/child.ts";
import { assemble, denoUnder, FIXTURES, REPO, tempDir } from "./grading_helpers.ts";
import { bubblewrapMissing, needs, webgpuMissing } from "./requirements.ts";

const missing = await bubblewrapMissing();

/** What the escape script tries, each answered "blocked: <error>" or what it got. */
const ESCAPE = `
const [port, graderPid, secret] = Deno.args;
const tries = {
  network: async () => (await fetch("http://127.0.0.1:" + port + "/")).status,
  signal: () => Deno.kill(Number(graderPid), "SIGCONT"),
  processes: () => [...Deno.readDirSync("/proc")].filter((e) => /^\\d+$/.test(e.name)).length > 3
    ? "more than its own" : (() => { throw new Error("only its own"); })(),
  passwd: () => Deno.readTextFileSync("/etc/passwd").length,
  grader: () => Deno.readTextFileSync(${JSON.stringify(`${REPO}grading/cli.ts`)}).length,
  secret: () => Deno.readTextFileSync(secret),
  subprocess: () => new Deno.Command("/bin/sh", { args: ["-c", "true"] }).outputSync().code,
  write: () => Deno.writeTextFileSync(Deno.cwd() + "/planted.ts", "x"),
};
const out = {};
for (const [name, fn] of Object.entries(tries)) {
  try {
    out[name] = "got " + JSON.stringify(await fn());
  } catch (e) {
    out[name] = "blocked: " + e.name;
  }
}
console.log(JSON.stringify(out));
`;

/**
 * `use` on a sandbox copy of `dir`, removed afterwards; with `layerOff`, the test's control:
 * the same sandbox without bubblewrap.
 */
async function inSandbox<T>(
  dir: string,
  layerOff: boolean,
  use: (sandbox: SandboxDir) => Promise<T>,
): Promise<T> {
  const sandbox = await SandboxDir.create(dir);
  if (layerOff) sandbox.layer = { on: false, why: "the test's control" };
  try {
    return await use(sandbox);
  } finally {
    await sandbox.remove();
  }
}

/**
 * Runs ESCAPE in the sandbox of a fresh copy with every Deno permission (`-A`): only the
 * layers outside Deno stand in its way. `layerOff` runs the same without bubblewrap.
 */
async function escape(layerOff = false): Promise<{ tries: Record<string, string>; hits: number }> {
  const dir = await tempDir("litconv-bwrap-escape-");
  await Deno.writeTextFile(`${dir}/mod.ts`, "export const a = 1;\n");
  await Deno.writeTextFile(`${dir}/escape.js`, ESCAPE);
  const secrets = await tempDir("litconv-bwrap-secret-");
  await Deno.chmod(secrets, 0o755); // nobody could read it, were it in reach
  await Deno.writeTextFile(`${secrets}/answers.json`, "the hidden inputs");
  await Deno.chmod(`${secrets}/answers.json`, 0o644);
  let hits = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    hits++;
    return new Response("here");
  });
  try {
    return await inSandbox(dir, layerOff, async (sandbox) => {
      const args = [
        "run",
        "-A",
        "--no-config",
        "--no-lock",
        `${sandbox.submission}/escape.js`,
        String(server.addr.port),
        String(Deno.pid),
        `${secrets}/answers.json`,
      ];
      const out: Bounded = await runBounded(
        sandbox.command(DEFAULT_LIMITS, args, 30),
        sandbox.submission,
        30_000,
        1 << 20,
      );
      const text = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, `${text}\n${out.stderr}`);
      return { tries: JSON.parse(text), hits };
    });
  } finally {
    await server.shutdown();
  }
}

Deno.test(needs(missing, {
  name: "under bwrap, a child with every Deno permission reaches no network, process or file",
  fn: async () => {
    const { tries, hits } = await escape();
    for (const [name, got] of Object.entries(tries)) assert.match(got, /^blocked: /, name);
    assert.equal(hits, 0, "the loopback server saw no request");
  },
}));

Deno.test(needs(missing, {
  name: "the same child without bwrap gets through (what the layer adds over rlimits and nobody)",
  fn: async () => {
    const { tries, hits } = await escape(true);
    assert.equal(hits, 1, "the loopback server answered it");
    assert.match(tries.network, /^got 200/);
    assert.match(tries.passwd, /^got \d+/);
    if (!runningAsRoot()) assert.match(tries.secret, /^got /);
  },
}));

/**
 * runtime_source_map, with a map outside the folder (readable by nobody) that moves the
 * throw (line 1, column 7) to line 42, column 5: a trace at :42:5 was rewritten from it.
 */
async function runtimeSourceMap(): Promise<string> {
  const dir = await assemble("runtime_source_map");
  const maps = await tempDir("litconv-maps-");
  await Deno.chmod(maps, 0o755);
  const map = { version: 3, sources: ["SECRET-SOURCE-NAME.ts"], names: [], mappings: "AAyCI" };
  await Deno.writeTextFile(`${maps}/x.map`, JSON.stringify(map));
  await Deno.chmod(`${maps}/x.map`, 0o644);
  const mod = await Deno.readTextFile(`${dir}/mod.ts`);
  await Deno.writeTextFile(`${dir}/mod.ts`, mod.replaceAll("__MAP_URL__", `file://${maps}/x.map`));
  return dir;
}

/** The trace the runtime_source_map fixture kept, graded as a child is (layer off: without bwrap). */
async function trace(layerOff = false): Promise<string> {
  return await inSandbox(await runtimeSourceMap(), layerOff, async (sandbox) => {
    const child = new Child(sandbox, DEFAULT_LIMITS);
    try {
      assert.ok((await child.start()).ok);
      const reply = await child.call("where", []);
      assert.equal(reply.kind, "value");
      return (reply as { value: string }).value;
    } finally {
      await child.stop();
    }
  });
}

Deno.test(needs(missing, {
  name: "under bwrap, a sourceMappingURL built at run time finds no file outside the copy",
  fn: async () => {
    const stack = await trace();
    assert.match(stack, /where am I/);
    assert.match(stack, /:1:7\b/, "the throw's own position");
    assert.doesNotMatch(stack, /:42:5\b/);
  },
}));

Deno.test(needs(missing, {
  name: "without bwrap, Deno follows that run-time source map (the limit docs/grading.md states)",
  fn: async () => {
    assert.match(await trace(true), /:42:5\b/);
  },
}));

Deno.test(needs(missing, {
  name: "under bwrap, the child's deno has its own namespaces and dies with the sandbox",
  fn: async () => {
    await inSandbox(`${FIXTURES}correct`, false, async (sandbox) => {
      assert.ok(sandbox.bubblewrapped);
      const child = new Child(sandbox, DEFAULT_LIMITS);
      try {
        assert.ok((await child.start()).ok);
        const deno = denoUnder(child.pid);
        assert.ok(deno !== undefined, "a deno process below the sandbox's pid");
        for (const ns of ["net", "pid", "ipc", "mnt", "uts", "user"]) {
          const ours = await Deno.readLink(`/proc/self/ns/${ns}`);
          assert.notEqual(await Deno.readLink(`/proc/${deno}/ns/${ns}`), ours, ns);
        }
        const status = await Deno.readTextFile(`/proc/${deno}/status`);
        const uid = Number(status.match(/^Uid:\s+(\d+)/m)![1]);
        assert.equal(uid, runningAsRoot() ? 65534 : Deno.uid(), "its uid as the host sees it");
        assert.match(status, /^CapEff:\s+0+$/m);
        await child.stop();
        // bwrap's init takes its namespace down when the monitor goes (--die-with-parent): the
        // deno inside goes too, a moment later. Waits for that (the 10 s bound only ends a hang).
        const gone = async () => !(await Deno.stat(`/proc/${deno}`).then(() => true, () => false));
        for (let i = 0; i < 200 && !(await gone()); i++) {
          await new Promise((r) => setTimeout(r, 50));
        }
        assert.ok(await gone(), "the deno inside is gone after stop");
      } finally {
        await child.stop();
      }
    });
  },
}));

Deno.test(needs(missing, {
  name: "under bwrap, a child killed at its CPU rlimit is still reported as killed by a signal",
  fn: async () => {
    const dir = await tempDir("litconv-bwrap-spin-");
    await Deno.writeTextFile(`${dir}/mod.ts`, "while (true) Math.random();\n");
    await inSandbox(dir, false, async (sandbox) => {
      assert.ok(sandbox.bubblewrapped);
      const args = ["run", "--no-config", sandbox.entry!];
      // One CPU second; the wall-clock limit is only there to end a hang.
      const out = await runBounded(sandbox.command(DEFAULT_LIMITS, args, 1), dir, 60_000, 1 << 16);
      // Soft and hard limits are equal, so the kernel sends SIGKILL; bwrap itself exits with
      // 128 + 9, and the status as the child's own names the signal again.
      assert.deepEqual([out.code, out.signal], [137, null]);
      const status = sandbox.exitStatus({ success: false, code: out.code, signal: out.signal });
      assert.equal(status.signal, "SIGKILL");
    });
  },
}));

/** What a child with the graded permissions (read its copy, nothing else) gets from WebGPU. */
async function gpuAdapter(layerOff: boolean): Promise<string> {
  const dir = await tempDir("litconv-bwrap-gpu-");
  await Deno.writeTextFile(
    `${dir}/mod.ts`,
    `const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
console.log((await gpu?.requestAdapter().catch(() => null)) ? "an adapter" : "no adapter");\n`,
  );
  return await inSandbox(dir, layerOff, async (sandbox) => {
    const args = ["run", "--no-config", `--allow-read=${sandbox.submission}`, sandbox.entry!];
    const out = await runBounded(
      sandbox.command(DEFAULT_LIMITS, args, 60),
      sandbox.submission,
      60_000,
      1 << 20,
    );
    return new TextDecoder().decode(out.stdout).trim();
  });
}

Deno.test(needs(missing ?? await webgpuMissing(), {
  name: "WebGPU needs no Deno permission: the host's adapter without bwrap, none under it",
  fn: async () => {
    assert.equal(await gpuAdapter(true), "an adapter");
    assert.equal(await gpuAdapter(false), "no adapter");
  },
}));

/** The grader's CLI on the correct fixture with `env`; its stderr and exit code. */
async function gradeWith(env: Record<string, string>): Promise<{ code: number; out: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${REPO}grading/cli.ts`, `${FIXTURES}correct`, "--tasks", "02.1"],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, out: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

/** A PATH of one folder holding what the grader runs, without bwrap (`fake`: a failing one). */
async function pathWithout(fake?: string): Promise<string> {
  const bin = await tempDir("litconv-path-");
  await Deno.chmod(bin, 0o755); // the probe runs as the child's user
  for (const tool of ["setpriv", "prlimit", "ldd"]) {
    const found = ["/usr/bin", "/bin"].map((d) => `${d}/${tool}`).find((p) => {
      try {
        return Deno.statSync(p).isFile;
      } catch {
        return false;
      }
    });
    if (found) await Deno.symlink(found, `${bin}/${tool}`);
  }
  if (fake) {
    await Deno.writeTextFile(`${bin}/bwrap`, `#!/bin/sh\necho '${fake}' >&2\nexit 1\n`);
    await Deno.chmod(`${bin}/bwrap`, 0o755);
  }
  return bin;
}

const ONCE = /bubblewrap unavailable: [^\n]*; running with Deno permissions and rlimits only/g;

Deno.test("LITCONV_BWRAP=0: the grader says so once and grades as before", async () => {
  const { code, out } = await gradeWith({ LITCONV_BWRAP: "0" });
  assert.equal(code, 0, out);
  assert.equal(out.match(ONCE)?.length, 1, out);
  assert.match(out, /turned off \(LITCONV_BWRAP=0\)/);
  assert.match(out, /Score: (\d+) \/ \1\b/);
});

Deno.test("no bwrap on PATH: the grader says so once and grades as before", async () => {
  const { code, out } = await gradeWith({ PATH: await pathWithout() });
  assert.equal(code, 0, out);
  assert.equal(out.match(ONCE)?.length, 1, out);
  assert.match(out, /bwrap not found/);
  assert.match(out, /Score: (\d+) \/ \1\b/);
});

Deno.test("a host that forbids namespaces (bwrap fails its probe): said once, graded as before", async () => {
  // What Debian's bwrap prints where unprivileged user namespaces are off.
  const refusal = "bwrap: No permissions to create a new namespace";
  const { code, out } = await gradeWith({ PATH: await pathWithout(refusal) });
  assert.equal(code, 0, out);
  assert.equal(out.match(ONCE)?.length, 1, out);
  assert.match(out, /No permissions to create a new namespace/);
  assert.match(out, /Score: (\d+) \/ \1\b/);
});

Deno.test("CI and the Gradescope package's setup.sh install bubblewrap", async () => {
  const { SETUP } = await import("../grading/package.ts");
  assert.match(SETUP, /^apt-get install [^\n]*\bbubblewrap\b/m);
  const ci = await Deno.readTextFile(`${REPO}.ci/run`);
  assert.match(ci, /^\s*apt-get install [^\n]*\bbubblewrap\b/m);
});
