/**
 * A lesson's claims in a notebook. A lesson states its claims as `Deno.test`s, and a notebook
 * cell has no test runner, so a notebook's first cell calls {@link runClaimsHere}: from then
 * on each claim runs where it stands, one after another, and prints one line:
 *
 * - `✓ NAME` it held;
 * - `✗ NAME: the error's first line` it failed;
 * - `○ NAME: not run here …` it is marked `notInNotebook` (lessons/requires.ts) or ignored by
 *   `needs` for a missing piece, and the line says why.
 *
 * A claim cell ends with `await checked();`, so its lines print under it.
 *
 * @module
 */
import { NOT_IN_NOTEBOOK } from "../lessons/requires.ts";

type TestFn = (t: Deno.TestContext) => void | Promise<void>;

/** What a claim cell's `Deno.test` call says, whichever of its forms it takes. */
export interface Claim {
  name: string;
  fn: TestFn;
  ignore?: boolean;
  [NOT_IN_NOTEBOOK]?: string;
}

/** The claim of a `Deno.test(…)` call: `(definition)`, `(name, fn)`, `(name, options, fn)`, `(fn)`. */
export function claimOf(args: unknown[]): Claim {
  const fn = args.find((a) => typeof a === "function") as TestFn | undefined;
  const options = (args.find((a) => typeof a === "object" && a !== null) ?? {}) as Partial<Claim>;
  const name = (args.find((a) => typeof a === "string") as string | undefined) ?? options.name ??
    fn?.name ?? "(a claim with no name)";
  return { ...options, name, fn: fn ?? options.fn ?? (() => {}) };
}

/** A test context for a claim run outside `deno test`: steps run in place. */
function contextOf(name: string): Deno.TestContext {
  const t = {
    name,
    origin: Deno.mainModule,
    step: async (...args: unknown[]) => {
      const step = claimOf(args);
      if (step.ignore) return false;
      await step.fn(contextOf(step.name));
      return true;
    },
  };
  return t as unknown as Deno.TestContext;
}

/** Runs `claim` unless it must not run here; the line that says how it went. */
export async function checkClaim(claim: Claim): Promise<string> {
  const why = claim[NOT_IN_NOTEBOOK];
  if (why !== undefined) return `○ ${claim.name}: not run here (${why}); deno task test runs it`;
  if (claim.ignore) return `○ ${claim.name}: not run here, nor by deno task test until it is there`;
  try {
    await claim.fn(contextOf(claim.name));
    return `✓ ${claim.name}`;
  } catch (e) {
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return `✗ ${claim.name}: ${message.split("\n")[0]}`;
  }
}

let queue: Promise<void> = Promise.resolve();

/** Puts a claim checker in `Deno.test`'s place: each claim runs in turn and prints its line. */
export function runClaimsHere(): void {
  (Deno as { test: unknown }).test = (...args: unknown[]) => {
    const claim = claimOf(args);
    queue = queue.then(async () => console.log(await checkClaim(claim)));
  };
}

/** Resolves once every claim made so far has run and printed its line. */
export function checked(): Promise<void> {
  return queue;
}
