/**
 * One graded task as an exercise on its lesson page: an editor holding the starter's stub
 * (the real declaration), and Check, which runs the task's visible tests and its property
 * tests in a Web Worker (`site/lib/exercise_worker.ts`) and shows what `deno task grade`
 * shows: each test passed or failed, the call that failed (a property's shrunk
 * counterexample), expected and got.
 *
 * The editor is a plain textarea: it is an editable `role="textbox"` before any script runs,
 * types and pastes like any text field (screen readers, phones, playwright's `fill`), and
 * costs no bundle; the heavy part (fast-check, TF.js, Sucrase) loads only when a reader
 * presses Check, inside the worker. The code stays in the browser: localStorage, per task.
 *
 * Markup other checks drive: the root has `data-task="02.1"`, and after a check
 * `data-status="passed"` or `"failed"`.
 *
 * @module
 */
import { useEffect, useRef, useState } from "../../deps/preact.ts";
import type { TestOutcome } from "../lib/exercise_check.ts";

/** What the lesson page passes (see `site/lib/exercise_data.ts`). */
export interface ExerciseProps {
  /** The task's id, `"02.1"`. */
  id: string;
  /** The function the student writes. */
  fn: string;
  title: string;
  /** The starter's stub: the declaration, and a body that throws "not implemented yet". */
  stub: string;
  /** What a downloaded mod.ts starts with: how to grade it, and the argument types. */
  header: string;
  /** The checker worker's URL, relative to the page. */
  worker: string;
}

/** How long student code may run without returning before the worker is ended. */
export const TIME_LIMIT_S = 5;
/** How long the checker may take to load (TF.js and fast-check, on a slow machine). */
const LOAD_LIMIT_S = 60;

type Result =
  | { status: "passed" | "failed"; outcomes: TestOutcome[] }
  | { status: "failed"; message: string };

const storageKey = (id: string) => `litconv:exercise:${id}`;

/** localStorage, or undefined where the browser refuses it (private modes, file: pages). */
function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

/** The file the download button saves: the header, then the reader's code. */
export function modFile(header: string, code: string): string {
  return `${header}\n${code.endsWith("\n") ? code : code + "\n"}`;
}

/** One line of a failure's details: what it is, and the value as code. */
function Entry({ term, code }: { term: string; code: string }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>
        <code>{code}</code>
      </dd>
    </>
  );
}

function Outcome({ t }: { t: TestOutcome }) {
  return (
    <li class={t.passed ? "passed" : "failed"}>
      <span class="mark" aria-hidden="true">{t.passed ? "✓" : "✗"}</span>{" "}
      <span class="sr-only">{t.passed ? "passed: " : "failed: "}</span>
      {t.name}
      {t.note && <span class="muted">, {t.note}</span>}
      {!t.passed && (
        <dl class="exercise-failure">
          {t.call && (
            <Entry term={t.kind === "property" ? "counterexample" : "call"} code={t.call} />
          )}
          {t.expected !== undefined && <Entry term="expected" code={t.expected} />}
          {t.got !== undefined && <Entry term="got" code={t.got} />}
          {t.wrong && (
            <>
              <dt>wrong</dt>
              <dd>{t.wrong}</dd>
            </>
          )}
        </dl>
      )}
    </li>
  );
}

export default function Exercise({ id, fn, title, stub, header, worker }: ExerciseProps) {
  const [code, setCode] = useState(stub);
  const [live, setLive] = useState(false);
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<Result | undefined>(undefined);
  const stop = useRef<(() => void) | undefined>(undefined);

  useEffect(() => {
    const saved = storage()?.getItem(storageKey(id));
    if (saved !== null && saved !== undefined) setCode(saved);
    setLive(true);
    return () => stop.current?.();
  }, []);

  const edit = (text: string) => {
    setCode(text);
    storage()?.setItem(storageKey(id), text);
  };

  const reset = () => {
    stop.current?.();
    setCode(stub);
    setResult(undefined);
    storage()?.removeItem(storageKey(id));
  };

  const download = () => {
    const url = URL.createObjectURL(new Blob([modFile(header, code)], { type: "text/plain" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = "mod.ts";
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const check = () => {
    stop.current?.();
    setRunning(true);
    setResult(undefined);
    const seed = Math.floor(Math.random() * 2 ** 31);
    const w = new Worker(worker, { type: "module" });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (r: Result) => {
      clearTimeout(timer);
      w.terminate();
      stop.current = undefined;
      setRunning(false);
      setResult(r);
    };
    const arm = (seconds: number, message: string) => {
      clearTimeout(timer);
      timer = setTimeout(() => finish({ status: "failed", message }), seconds * 1000);
    };
    stop.current = () => {
      clearTimeout(timer);
      w.terminate();
      setRunning(false);
    };
    arm(LOAD_LIMIT_S, `The checker did not load within ${LOAD_LIMIT_S} s; try again.`);
    w.onmessage = (e: MessageEvent) => {
      const m = e.data;
      if (m.type === "started" || m.type === "alive") {
        arm(
          TIME_LIMIT_S,
          `Time limit: your code was stopped after ${TIME_LIMIT_S} s without returning. ` +
            "Is there a loop that never ends?",
        );
      } else if (m.type === "done") {
        const outcomes = m.outcomes as TestOutcome[];
        const passed = outcomes.every((t) => t.passed);
        finish({ status: passed ? "passed" : "failed", outcomes });
      } else if (m.type === "error") finish({ status: "failed", message: m.message });
    };
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      finish({
        status: "failed",
        message: `The checker failed: ${e.message || "no reason given"}`,
      });
    };
    w.postMessage({ taskId: id, fn, code, seed });
  };

  const outcomes = result && "outcomes" in result ? result.outcomes : undefined;
  const passedCount = outcomes?.filter((t) => t.passed).length ?? 0;
  const editorId = `exercise-${id.replace(".", "-")}`;
  return (
    <section class="exercise" data-task={id} data-status={result?.status} aria-busy={running}>
      <h3>
        <label for={editorId}>
          Task {id}: <code>{fn}</code>
        </label>
      </h3>
      <p class="muted">{title[0].toUpperCase() + title.slice(1)}.</p>
      <textarea
        id={editorId}
        // A textarea's role is textbox already; said explicitly for checks that select by it.
        role="textbox"
        class="exercise-editor"
        spellcheck={false}
        autocomplete="off"
        autocapitalize="off"
        rows={Math.min(24, Math.max(8, code.split("\n").length + 2))}
        value={code}
        onInput={(e) => edit((e.target as HTMLTextAreaElement).value)}
      />
      <div class="exercise-actions">
        <button type="button" class="primary" onClick={check} disabled={!live || running}>
          {running ? "Checking…" : `Check ${fn}`}
        </button>
        <button type="button" onClick={reset} disabled={!live}>Reset</button>
        <button type="button" onClick={download} disabled={!live}>Download mod.ts</button>
      </div>
      <div class="exercise-result" role="status" aria-live="polite">
        {!live && <p class="muted">Check needs JavaScript, and the site served over http(s).</p>}
        {running && <p>Checking {fn}…</p>}
        {result && "message" in result && <p class="failed">{result.message}</p>}
        {outcomes && (
          <p class={result!.status}>
            {result!.status === "passed" ? "All tests passed" : "Not yet"}: {passedCount} of{" "}
            {outcomes.length} tests passed.
          </p>
        )}
      </div>
      {outcomes && (
        <ol class="exercise-tests">
          {outcomes.map((t) => <Outcome key={t.name} t={t} />)}
        </ol>
      )}
    </section>
  );
}
