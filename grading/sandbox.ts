/**
 * The sandbox launcher, in three parts: the defensive copy of a submission
 * (`sandbox/copy.ts`), the child's command and its bounded run (`sandbox/command.ts`), and
 * which deno binary a child running as `nobody` may trust (`sandbox/trust.ts`), and the outer
 * layer around the child where the host allows it, bubblewrap (`sandbox/bwrap.ts`). `child.ts`
 * runs the command within the time and output limits; `imports.ts` runs the import check in
 * the same sandbox.
 *
 * @module
 */
export {
  bubblewrap,
  bwrapArgs,
  exitStatus,
  type Layer,
  processesBelow,
  signalSandboxed,
} from "./sandbox/bwrap.ts";
export {
  type Copied,
  COPY_LIMITS,
  copySubmission,
  SOURCE,
  stripSourceMapUrls,
} from "./sandbox/copy.ts";
export {
  type Bounded,
  concatBytes,
  DEFAULT_LIMITS,
  removeAllSync,
  runBounded,
  SandboxDir,
  type SandboxLimits,
} from "./sandbox/command.ts";
export {
  childRuntime,
  executableByOthers,
  NOBODY,
  privateRuntime,
  releaseRuntimes,
  runningAsRoot,
  searchableByOthers,
  trustedForChild,
} from "./sandbox/trust.ts";
