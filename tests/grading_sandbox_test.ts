/**
 * The sandbox launcher itself: what it copies, and that a running child really is the
 * unprivileged user (when the grader is root) under the memory rlimit, read from /proc.
 */
import assert from "node:assert/strict";
import {
  DEFAULT_LIMITS,
  executableByOthers,
  NOBODY,
  privateRuntime,
  releaseRuntimes,
  runningAsRoot,
  SandboxDir,
  stripSourceMapUrls,
  trustedForChild,
} from "../grading/sandbox.ts";
import { Child } from "../grading/child.ts";
import { denoUnder, FIXTURES, tempDir } from "./grading_helpers.ts";
import { needs, rootMissing } from "./requirements.ts";
import { gradeSubmission } from "../grading/grade.ts";
import { GRADED_TASKS } from "../grading/cases.ts";

Deno.test("the copy holds source files only: no deno.json, no links, no dot folders", async () => {
  const dir = await tempDir("litconv-sandbox-test-");
  await Deno.writeTextFile(`${dir}/mod.ts`, "export const a = 1;\n");
  await Deno.writeTextFile(`${dir}/deno.json`, `{ "imports": {} }`);
  await Deno.mkdir(`${dir}/lib`);
  await Deno.writeTextFile(`${dir}/lib/helper.js`, "export const b = 2;\n");
  await Deno.mkdir(`${dir}/.git`);
  await Deno.writeTextFile(`${dir}/.git/config`, "");
  await Deno.symlink("/etc/passwd", `${dir}/passwd.ts`);
  const sandbox = await SandboxDir.create(dir);
  try {
    const files: string[] = [];
    const walk = async (d: string, prefix = "") => {
      for await (const e of Deno.readDir(d)) {
        if (e.isDirectory) await walk(`${d}/${e.name}`, `${prefix}${e.name}/`);
        else files.push(prefix + e.name);
      }
    };
    await walk(sandbox.submission);
    assert.deepEqual(files.sort(), ["lib/helper.js", "mod.ts"]);
  } finally {
    await sandbox.remove();
  }
  assert.equal(await Deno.stat(sandbox.root).catch(() => null), null, "removed after use");
});

Deno.test("the child runs without config, remote or npm modules, reading only its copy", async () => {
  const sandbox = await SandboxDir.create(`${FIXTURES}correct`);
  try {
    const { cmd, args } = sandbox.command(DEFAULT_LIMITS);
    const deno = args.slice(args.indexOf("run"));
    for (const flag of ["--no-config", "--no-remote", "--no-npm", "--no-prompt"]) {
      assert.ok(deno.includes(flag), flag);
    }
    const allows = deno.filter((a) => a.startsWith("--allow") || a === "-A");
    assert.deepEqual(allows, [`--allow-read=${sandbox.submission},${sandbox.root}/harness`]);
    assert.equal(cmd, runningAsRoot() ? "setpriv" : cmd);
  } finally {
    await sandbox.remove();
  }
});

Deno.test("a running child is nobody (as root) and has the data rlimit", async () => {
  const sandbox = await SandboxDir.create(`${FIXTURES}correct`);
  const child = new Child(sandbox, DEFAULT_LIMITS);
  try {
    const started = await child.start();
    assert.ok(started.ok);
    // deno itself, or bubblewrap's grandchild where the grader runs it under bwrap.
    const pid = denoUnder(child.pid)!;
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const uid = Number(status.match(/^Uid:\s+(\d+)/m)![1]);
    assert.equal(uid, runningAsRoot() ? 65534 : Deno.uid());
    const limits = await Deno.readTextFile(`/proc/${pid}/limits`);
    const data = limits.match(/^Max data size\s+(\d+)/m)?.[1];
    assert.equal(Number(data), DEFAULT_LIMITS.memoryBytes);
    // No file may grow (RLIMIT_FSIZE 0), and its DENO_DIR is read-only: no disk to fill.
    assert.match(limits, /^Max file size\s+0\s+0/m);
    assert.match(limits, /^Max cpu time\s+\d+/m);
    const denoDir = await Deno.stat(`${sandbox.root}/deno_dir`);
    assert.equal((denoDir.mode ?? 0) & 0o777, 0o555);
    if (runningAsRoot()) {
      const root = await Deno.stat(sandbox.root);
      assert.deepEqual([root.uid, root.gid, (root.mode ?? 0) & 0o777], [0, NOBODY, 0o750]);
    }
    assert.match(status, /^Name:\s+deno/m);
  } finally {
    await child.stop();
    await sandbox.remove();
  }
});

Deno.test("a mod.ts that is a link to a file outside is not graded, and not read", async () => {
  const dir = await tempDir("litconv-sandbox-test-");
  await Deno.symlink(`${FIXTURES}correct/mod.ts`, `${dir}/mod.ts`);
  const grade = await gradeSubmission(dir, { tasks: GRADED_TASKS.slice(0, 1) });
  assert.equal(grade.score, 0);
  assert.match(grade.tests[0].output, /the submission has no mod.ts/);
});

Deno.test("the child's deno must be reachable by others (else the launcher copies it)", async () => {
  const dir = await Deno.makeTempDir(); // mode 0700
  await Deno.writeTextFile(`${dir}/tool`, "");
  await Deno.chmod(`${dir}/tool`, 0o755);
  assert.equal(await executableByOthers(`${dir}/tool`), false);
  await Deno.chmod(dir, 0o755);
  assert.equal(await executableByOthers(`${dir}/tool`), true);
  await Deno.remove(dir, { recursive: true });
});

Deno.test(needs(rootMissing(), {
  name: "a private runtime: a fresh folder only root and nobody's group may enter, removed after",
  fn: async () => {
    const copy = await privateRuntime(Deno.execPath());
    try {
      const dir = copy.slice(0, copy.lastIndexOf("/"));
      for (const path of [dir, copy]) {
        const info = await Deno.stat(path);
        assert.deepEqual([info.uid, info.gid, (info.mode ?? 0) & 0o777], [0, NOBODY, 0o750], path);
      }
      assert.notEqual(await privateRuntime(Deno.execPath()), copy, "fresh every time");
      const run = await new Deno.Command("setpriv", {
        args: ["--reuid=65534", "--regid=65534", "--clear-groups", "--", copy, "--version"],
        stdout: "piped",
      }).output();
      assert.ok(run.success, "nobody runs it");
    } finally {
      await releaseRuntimes();
    }
    assert.equal(await Deno.stat(copy).catch(() => null), null, "removed");
  },
}));

Deno.test("trusted as the child's runtime: only a binary no one but root can change", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.chmod(dir, 0o755);
  await Deno.writeTextFile(`${dir}/tool`, "");
  await Deno.chmod(`${dir}/tool`, 0o755);
  assert.equal(await trustedForChild(`${dir}/tool`), runningAsRoot());
  await Deno.chmod(`${dir}/tool`, 0o777); // anyone may rewrite it
  assert.equal(await trustedForChild(`${dir}/tool`), false);
  await Deno.chmod(`${dir}/tool`, 0o755);
  await Deno.chmod(dir, 0o777); // anyone may swap it
  assert.equal(await trustedForChild(`${dir}/tool`), false);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("source-map comments that point at files are neutralised; inline maps stay", () => {
  const text = (s: string) => {
    const bytes = new TextEncoder().encode(s);
    const n = stripSourceMapUrls(bytes);
    return [n, new TextDecoder().decode(bytes)] as const;
  };
  assert.deepEqual(text("x\n//# sourceMappingURL=file:///etc/x.map\n"), [
    1,
    "x\n//# sourceMappingUR_=file:///etc/x.map\n",
  ]);
  assert.deepEqual(text("//@ sourceMappingURL = ../../x.map"), [
    1,
    "//@ sourceMappingUR_ = ../../x.map",
  ]);
  assert.deepEqual(text("//# sourceMappingURL=data:application/json;base64,e30="), [
    0,
    "//# sourceMappingURL=data:application/json;base64,e30=",
  ]);
});

Deno.test(needs(rootMissing(), {
  name: "a TMPDIR the child cannot reach is the grader's clear error, not a student's 0",
  fn: async () => {
    const hidden = await Deno.makeTempDir(); // 0700: nobody cannot pass through
    const before = Deno.env.get("TMPDIR");
    Deno.env.set("TMPDIR", hidden);
    try {
      const grade = await gradeSubmission(`${FIXTURES}correct`, {
        tasks: GRADED_TASKS.slice(0, 1),
      });
      assert.equal(grade.score, 0);
      assert.match(grade.problem ?? "", /the grader failed .* cannot reach .* set TMPDIR/);
      assert.deepEqual([...Deno.readDirSync(hidden)], [], "nothing left behind");
    } finally {
      if (before === undefined) Deno.env.delete("TMPDIR");
      else Deno.env.set("TMPDIR", before);
      await Deno.remove(hidden, { recursive: true });
    }
  },
}));
