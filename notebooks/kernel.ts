/**
 * Deno's Jupyter kernel, installed where only our own runs look for it: a kernelspec made by
 * `deno jupyter --install` in a folder of ours (XDG_DATA_HOME points it there), so nothing in
 * the user's own Jupyter set-up is read or changed. The Jupyter side finds it through
 * `JUPYTER_PATH`.
 *
 * The kernel runs with NO_COLOR=1 (Deno's inspector would put ANSI codes into text outputs)
 * and the same heap as `deno task train` (a kernel takes no `--v8-flags`; DENO_V8_FLAGS works).
 *
 * @module
 */

/** A kernelspec folder for one run; `remove()` when done. */
export interface PrivateKernel {
  /** Give this as `JUPYTER_PATH` to the Jupyter client. */
  jupyterPath: string;
  /** The kernelspec's name. */
  name: string;
  /** Deletes the folder. */
  remove(): Promise<void>;
}

/** Installs Deno's kernelspec into a fresh temporary folder. */
export async function installPrivateKernel(): Promise<PrivateKernel> {
  const home = await Deno.makeTempDir({ prefix: "litconv-jupyter-" });
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["jupyter", "--install", "--force"],
    env: { XDG_DATA_HOME: home },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const spec = `${home}/jupyter/kernels/deno/kernel.json`;
  const installed = await Deno.stat(spec).then(() => true, () => false);
  if (!out.success || !installed) {
    await Deno.remove(home, { recursive: true });
    throw new Error(
      `deno jupyter --install failed: ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
  const kernel = JSON.parse(await Deno.readTextFile(spec));
  kernel.env = { ...kernel.env, NO_COLOR: "1", DENO_V8_FLAGS: "--max-old-space-size=8192" };
  await Deno.writeTextFile(spec, JSON.stringify(kernel, null, 2) + "\n");
  return {
    jupyterPath: `${home}/jupyter`,
    name: "deno",
    remove: () => Deno.remove(home, { recursive: true }),
  };
}
