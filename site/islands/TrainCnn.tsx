/**
 * Train the lecture's CNN in the reader's browser: the MNIST subset the build wrote
 * (`site/lib/train_data.ts`), the model and loop of `site/lib/train_loop.ts`, on the first
 * backend of WebGPU → WebGL → wasm → cpu that trains here (`site/lib/train_backend.ts`).
 * Loss and accuracy are drawn as they come, with the step time and images per second;
 * Stop keeps the model where it is and Resume goes on from there. After each validation
 * pass the misread digits are shown, and the model can be saved to the browser's
 * IndexedDB for the draw-a-digit pad.
 *
 * A URL can shrink the run (the browser test does): `?train=640&valid=200&batch=32&every=5
 * &steps=40&backend=wasm`.
 */
import { useEffect, useRef, useState } from "../../deps/preact.ts";
import { BROWSER_MODEL } from "../lib/browser_model.ts";

export interface TrainCnnProps {
  /** Links to the four subset files. */
  files: { trainImages: string; trainLabels: string; validImages: string; validLabels: string };
  trainCount: number;
  validCount: number;
  /** The folder holding TF.js's .wasm files. */
  wasmDir: string;
  /** The draw-a-digit page, which loads the saved model with `?model=browser`. */
  drawHref: string;
}

interface Point {
  step: number;
  value: number;
}

interface Settings {
  train: number;
  valid: number;
  batch: number;
  every: number;
  steps: number;
  backend?: string;
}

function settings(p: TrainCnnProps): Settings {
  const q = new URLSearchParams(globalThis.location?.search ?? "");
  const num = (k: string, d: number) => {
    const v = Number(q.get(k));
    return Number.isFinite(v) && v > 0 ? Math.floor(v) : d;
  };
  const batch = num("batch", 64);
  return {
    train: Math.min(num("train", p.trainCount), p.trainCount),
    valid: Math.min(num("valid", p.validCount), p.validCount),
    batch,
    every: num("every", 25),
    // Three passes over the subset unless stopped or told otherwise.
    steps: num("steps", Math.floor((3 * p.trainCount) / batch)),
    backend: q.get("backend") ?? undefined,
  };
}

type Engine = Awaited<ReturnType<typeof start>>;

/** Loads TF.js, picks the backend and fetches the data: only when the reader starts. */
async function start(p: TrainCnnProps, s: Settings) {
  const [{ chooseBackend }, loop] = await Promise.all([
    import("../lib/train_backend.ts"),
    import("../lib/train_loop.ts"),
  ]);
  const backend = await chooseBackend(
    new URL(p.wasmDir, location.href).href,
    s.backend as Parameters<typeof chooseBackend>[1],
  );
  const [train, valid] = await Promise.all([
    loop.fetchSplit(p.files.trainImages, p.files.trainLabels, s.train),
    loop.fetchSplit(p.files.validImages, p.files.validLabels, s.valid),
  ]);
  return { backend, trainer: new loop.Trainer(train, valid, s.batch) };
}

const fmt = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : "–");

/** A small line chart: one polyline per series, steps along x, [0, top] along y. */
function Chart(
  { title, series, top, steps, label }: {
    title: string;
    series: { name: string; points: Point[]; cls: string; dots?: boolean }[];
    top: number;
    steps: number;
    label: string;
  },
) {
  const W = 320, H = 170, L = 36, R = 8, T = 12, B = 26;
  const x = (s: number) => L + ((W - L - R) * s) / Math.max(1, steps);
  const y = (v: number) => T + (H - T - B) * (1 - Math.min(v, top) / top);
  const ticks = [0, top / 2, top];
  return (
    <figure class="train-chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} data-chart={title}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={L} x2={W - R} y1={y(t)} y2={y(t)} class="grid" />
            <text x={L - 4} y={y(t) + 4} text-anchor="end">{+t.toFixed(2)}</text>
          </g>
        ))}
        <text x={L} y={H - 6}>0</text>
        <text x={W - R} y={H - 6} text-anchor="end">step {steps}</text>
        {series.map((s) => (
          <g key={s.name} class={s.cls} data-series={s.name} data-points={s.points.length}>
            <polyline
              fill="none"
              points={s.points.map((p) =>
                `${x(p.step).toFixed(1)},${y(p.value).toFixed(1)}`
              )
                .join(" ")}
            />
            {s.dots &&
              s.points.map((p) => <circle key={p.step} cx={x(p.step)} cy={y(p.value)} r={3} />)}
          </g>
        ))}
      </svg>
      <p class="legend">
        {series.map((s) => <span key={s.name} class={`key ${s.cls}`}>{s.name}</span>)}
      </p>
    </figure>
  );
}

/** A misread validation digit, painted from its bytes. */
function Digit(
  { pixels, label, predicted }: { pixels: Uint8Array; label: number; predicted: number },
) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext("2d");
    if (!ctx) return;
    const img = ctx.createImageData(28, 28);
    pixels.forEach((v, i) => img.data.set([v, v, v, 255], i * 4));
    ctx.putImageData(img, 0, 0);
  }, [pixels]);
  return (
    <figure class="wrong-digit">
      <canvas ref={ref} width={28} height={28} role="img" aria-label={`a ${label}`} />
      <figcaption>
        {label} → <strong>{predicted}</strong>
      </figcaption>
    </figure>
  );
}

export default function TrainCnn(props: TrainCnnProps) {
  const engine = useRef<Engine | null>(null);
  const running = useRef(false);
  const [state, setState] = useState<"idle" | "loading" | "running" | "stopped" | "done">("idle");
  const [message, setMessage] = useState("Not started. Nothing is downloaded until you start.");
  const [backend, setBackend] = useState<Engine["backend"] | null>(null);
  const [loss, setLoss] = useState<Point[]>([]);
  const [batchAcc, setBatchAcc] = useState<Point[]>([]);
  const [validAcc, setValidAcc] = useState<Point[]>([]);
  const [wrong, setWrong] = useState<{ index: number; label: number; predicted: number }[]>([]);
  const [speed, setSpeed] = useState({ stepMs: NaN, imagesPerSecond: NaN, epoch: 0 });
  const [saved, setSaved] = useState("");
  const [cfg, setCfg] = useState<Settings | null>(null);
  const timing = useRef({ ms: 0, images: 0, recent: [] as number[] });

  const validate = async (e: Engine) => {
    setMessage(`Step ${e.trainer.step}: checking ${e.trainer.valid.count} validation digits…`);
    const v = await e.trainer.validate();
    setValidAcc((a) => [...a, { step: v.step, value: v.accuracy }]);
    setWrong(v.wrong);
  };

  const run = async () => {
    const s = cfg ?? settings(props);
    setCfg(s);
    running.current = true;
    try {
      if (!engine.current) {
        setState("loading");
        setMessage("Loading TF.js, choosing a backend and fetching the digits…");
        engine.current = await start(props, s);
        setBackend(engine.current.backend);
      }
      const e = engine.current;
      setState("running");
      let validated = validAcc.at(-1)?.step ?? -1;
      while (running.current && e.trainer.step < s.steps) {
        const r = await e.trainer.trainStep();
        const t = timing.current;
        t.ms += r.ms;
        t.images += s.batch;
        t.recent = [...t.recent.slice(-9), r.ms];
        setLoss((a) => [...a, { step: r.step, value: r.loss }]);
        setBatchAcc((a) => [...a, { step: r.step, value: r.batchAccuracy }]);
        setSpeed({
          stepMs: t.recent.reduce((a, b) => a + b, 0) / t.recent.length,
          imagesPerSecond: (1000 * t.images) / t.ms,
          epoch: r.epoch,
        });
        setMessage(`Step ${r.step}: loss ${fmt(r.loss)}.`);
        if (r.step % s.every === 0) {
          await validate(e);
          validated = r.step;
        }
        // Let the page draw and answer between steps.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      if (validated !== e.trainer.step) await validate(e);
      const finished = e.trainer.step >= s.steps;
      setState(finished ? "done" : "stopped");
      setMessage(
        finished
          ? `Finished: ${e.trainer.step} steps.`
          : `Stopped after step ${e.trainer.step}; Resume goes on from there.`,
      );
    } catch (err) {
      setState(engine.current ? "stopped" : "idle");
      setMessage(`Training failed: ${(err as Error).message}`);
    } finally {
      running.current = false;
    }
  };

  const stop = () => {
    running.current = false;
    setMessage("Stopping after this step…");
  };

  const save = async () => {
    const e = engine.current;
    if (!e) return;
    try {
      await e.trainer.model.save(BROWSER_MODEL);
      setSaved(`Saved after step ${e.trainer.step}.`);
    } catch (err) {
      setSaved(`Could not save: ${(err as Error).message}`);
    }
  };

  const latest = validAcc.at(-1);
  const steps = Math.max(cfg?.steps ?? 1, 1);
  const busy = state === "loading" || state === "running";
  return (
    <div class="train" data-state={state}>
      <div class="controls">
        {busy
          ? (
            <button type="button" onClick={stop} disabled={state === "loading"}>
              Stop
            </button>
          )
          : (
            state !== "done" && (
              <button type="button" class="primary" onClick={run}>
                {state === "idle" ? "Train the CNN" : "Resume training"}
              </button>
            )
          )}
        <button type="button" onClick={save} disabled={busy || !engine.current}>
          Save for the draw-a-digit pad
        </button>
        {saved && (
          <span>
            {saved} <a href={`${props.drawHref}?model=browser`}>Draw a digit with it →</a>
          </span>
        )}
      </div>
      <p aria-live="polite" data-testid="train-status">{message}</p>
      <dl class="train-stats">
        <div>
          <dt>backend</dt>
          <dd data-backend={backend?.name ?? ""}>
            {backend ? `${backend.name} (${backend.detail})` : "chosen when you start"}
          </dd>
        </div>
        <div>
          <dt>validation accuracy</dt>
          <dd data-accuracy={latest ? String(latest.value) : ""} data-testid="accuracy">
            {latest ? `${(100 * latest.value).toFixed(1)} % at step ${latest.step}` : "–"}
          </dd>
        </div>
        <div>
          <dt>step</dt>
          <dd data-step={loss.length}>
            {loss.length} of {cfg?.steps ?? "…"} (epoch {fmt(speed.epoch, 2)})
          </dd>
        </div>
        <div>
          <dt>step time</dt>
          <dd data-step-ms={fmt(speed.stepMs, 1)}>
            {fmt(speed.stepMs, 0)} ms for {cfg?.batch ?? 64} images
          </dd>
        </div>
        <div>
          <dt>images/s</dt>
          <dd data-images-per-second={fmt(speed.imagesPerSecond, 1)}>
            {fmt(speed.imagesPerSecond, 0)}
          </dd>
        </div>
      </dl>
      {backend && backend.passed.length > 0 && (
        <p class="muted">
          Passed over: {backend.passed.map((p) => `${p.name} (${p.why})`).join("; ")}.
        </p>
      )}
      <div class="train-charts">
        <Chart
          title="Training loss"
          label={`Training loss per step, ${loss.length} steps so far`}
          top={Math.max(2.5, ...loss.slice(0, 5).map((p) => p.value))}
          steps={steps}
          series={[{ name: "loss (batch)", points: loss, cls: "s-loss" }]}
        />
        <Chart
          title="Accuracy"
          label={`Accuracy: ${batchAcc.length} batch points, ${validAcc.length} validation points`}
          top={1}
          steps={steps}
          series={[
            { name: "batch", points: batchAcc, cls: "s-batch" },
            { name: "validation", points: validAcc, cls: "s-valid", dots: true },
          ]}
        />
      </div>
      {wrong.length > 0 && engine.current && (
        <>
          <h2>Validation digits it gets wrong (label → its answer)</h2>
          <div class="wrong-digits" data-testid="wrong-digits">
            {wrong.map((w) => (
              <Digit
                key={w.index}
                label={w.label}
                predicted={w.predicted}
                pixels={engine.current!.trainer.valid.pixels.subarray(
                  w.index * 784,
                  (w.index + 1) * 784,
                )}
              />
            ))}
          </div>
        </>
      )}
    </div>
  );
}
