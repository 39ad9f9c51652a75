/**
 * Property tests: for every pair in the registry and on every backend here, the
 * TF.js twin agrees with the naive kernel within the pair's tolerance, on random
 * valid arguments.
 *
 * A failure prints fast-check's shrunk counterexample, its seed and path, and the
 * command that replays it:
 *
 * ```text
 * FC_SEED=<seed> FC_PATH=<path> FC_PAIR=conv2d deno test -A tests/property_test.ts --filter webgpu
 * ```
 *
 * FC_RUNS overrides the number of cases per pair (150 on cpu and wasm, 40 on
 * webgpu, whose software adapter is slow).
 */
import assert from "node:assert/strict";
import { availableBackends, tf, useBackend } from "../accel/backend.ts";
import { PAIRS } from "../kernels/registry.ts";
import { checkPair } from "../tfjs/agreement.ts";

const env = (name: string) => Deno.env.get(name);
const RUNS: Record<string, number> = { cpu: 150, wasm: 150, webgpu: 40 };
const backends = (await availableBackends()).filter((b) => b !== "tensorflow");
const onlyPair = env("FC_PAIR");

Deno.test("the property tests cover cpu, wasm and webgpu", () => {
  for (const b of ["cpu", "wasm", "webgpu"] as const) {
    assert.ok(backends.includes(b), `backend ${b} is not available, so its twins go untested`);
  }
  if (onlyPair) assert.ok(PAIRS.some((p) => p.name === onlyPair), `FC_PAIR: no pair ${onlyPair}`);
});

for (const backend of backends) {
  Deno.test(`naive kernels and TF.js twins agree on ${backend}`, async (t) => {
    await useBackend(backend);
    for (const pair of PAIRS) {
      if (onlyPair && pair.name !== onlyPair) continue;
      await t.step(pair.name, async () => {
        const before = tf.memory().numTensors;
        await checkPair(pair, {
          numRuns: Number(env("FC_RUNS") ?? RUNS[backend] ?? 20),
          seed: env("FC_SEED") === undefined ? undefined : Number(env("FC_SEED")),
          path: env("FC_PATH"),
          replayHint:
            `FC_PAIR=${pair.name} deno test -A tests/property_test.ts --filter ${backend}`,
        });
        assert.equal(tf.memory().numTensors, before, `${pair.name} leaked tensors on ${backend}`);
      });
    }
  });
}
