/**
 * Draw a digit: a canvas whose drawing is made into an MNIST input by the project's own
 * `preprocessDigit` (ink box to 20×20, centre of mass to the middle of 28×28), turned by
 * lesson 09's `rotateImage` when the slider says so, and read by a trained model with
 * TF.js in the browser (WebGL, else the pure-JavaScript cpu backend). It shows the ten
 * probabilities and the 32 feature maps of the first convolution layer.
 */
import { useEffect, useRef, useState } from "../../deps/preact.ts";
import * as tf from "../../deps/tfjs.ts";
import { preprocessDigit } from "../../training/digit.ts";
import { rotateImage } from "../../training/rotate_image.ts";
import { BROWSER_MODEL } from "../lib/browser_model.ts";

export interface DigitPadProps {
  /** Link to the model's model.json, relative to the page. */
  modelUrl: string;
  /** Which run the model comes from, for the caption. */
  runLabel: string;
}

const SIZE = 280;

interface Reading {
  probs: number[];
  maps: Float32Array[];
  input: Float32Array;
  backend: string;
}

let loaded: Promise<{ model: tf.LayersModel; conv1: tf.LayersModel }> | undefined;

/** Loads the model once, on the first backend that starts here. */
function loadModel(url: string) {
  loaded ??= (async () => {
    // Pick explicitly: TF.js would otherwise try backends whose files are not served here.
    const ok = await tf.setBackend("webgl").catch(() => false);
    if (!ok) await tf.setBackend("cpu");
    await tf.ready();
    const model = await tf.loadLayersModel(url);
    const first = model.layers.find((l) => l.getClassName() === "Conv2D")!;
    const conv1 = tf.model({ inputs: model.inputs, outputs: first.output as tf.SymbolicTensor });
    return { model, conv1 };
  })();
  return loaded;
}

async function read(url: string, pixels: Float32Array, degrees: number): Promise<Reading> {
  const { model, conv1 } = await loadModel(url);
  const input = rotateImage(preprocessDigit(pixels, SIZE, SIZE), degrees);
  const x = tf.tensor4d(input, [1, 28, 28, 1]);
  const logits = model.predict(x) as tf.Tensor;
  const probsT = tf.softmax(logits);
  const mapsT = conv1.predict(x) as tf.Tensor; // [1, 28, 28, 32]
  const probs = Array.from(await probsT.data());
  const all = await mapsT.data();
  tf.dispose([x, logits, probsT, mapsT]);
  const channels = mapsT.shape[3]!;
  const maps = Array.from({ length: channels }, (_, c) => {
    const m = new Float32Array(28 * 28);
    for (let i = 0; i < 28 * 28; i++) m[i] = all[i * channels + c];
    return m;
  });
  return { probs, maps, input, backend: tf.getBackend() };
}

/** Paints a 28×28 map into a canvas, scaled to its largest value. */
function paint(canvas: HTMLCanvasElement | null, values: Float32Array) {
  const ctx = canvas?.getContext("2d");
  if (!ctx) return;
  const img = ctx.createImageData(28, 28);
  const max = Math.max(1e-6, ...values);
  for (let i = 0; i < values.length; i++) {
    const v = Math.round(255 * Math.max(0, values[i]) / max);
    img.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
}

/** The strokes of a hand-drawn 7, for the keyboard ("Draw an example"). */
const SEVEN: [number, number][][] = [[[80, 70], [200, 70], [150, 160], [120, 230]]];

/** `/draw/?model=browser` reads with the model saved on the `/train/` page instead. */
export default function DigitPad(props: DigitPadProps) {
  const own = globalThis.location !== undefined &&
    new URLSearchParams(location.search).get("model") === "browser";
  const modelUrl = own ? BROWSER_MODEL : props.modelUrl;
  const runLabel = own
    ? "the model you trained on the Train page, in this browser"
    : props.runLabel;
  const pad = useRef<HTMLCanvasElement>(null);
  const inputView = useRef<HTMLCanvasElement>(null);
  const mapViews = useRef<(HTMLCanvasElement | null)[]>([]);
  const drawing = useRef(false);
  const [angle, setAngle] = useState(0);
  const [reading, setReading] = useState<Reading | null>(null);
  const [status, setStatus] = useState("Draw a digit from 0 to 9 in the black square.");

  const ctx = () => {
    const c = pad.current!.getContext("2d", { willReadFrequently: true })!;
    c.lineWidth = 20;
    c.lineCap = "round";
    c.lineJoin = "round";
    c.strokeStyle = "#fff";
    return c;
  };
  const clear = () => {
    const c = ctx();
    c.fillStyle = "#000";
    c.fillRect(0, 0, SIZE, SIZE);
    setReading(null);
    setStatus("Cleared: draw a digit.");
  };
  useEffect(clear, []);

  const predict = async (degrees = angle) => {
    const data = ctx().getImageData(0, 0, SIZE, SIZE).data;
    const pixels = new Float32Array(SIZE * SIZE);
    for (let i = 0; i < pixels.length; i++) pixels[i] = data[i * 4] / 255;
    setStatus("Reading…");
    try {
      const r = await read(modelUrl, pixels, degrees);
      setReading(r);
      const best = r.probs.indexOf(Math.max(...r.probs));
      setStatus(`The network reads a ${best} (${(100 * r.probs[best]).toFixed(1)} %).`);
    } catch (e) {
      setStatus(`The model could not run: ${(e as Error).message}`);
    }
  };

  useEffect(() => {
    if (!reading) return;
    paint(inputView.current, reading.input);
    reading.maps.forEach((m, i) => paint(mapViews.current[i], m));
  }, [reading]);

  const at = (e: PointerEvent): [number, number] => {
    const r = pad.current!.getBoundingClientRect();
    return [(e.clientX - r.left) * SIZE / r.width, (e.clientY - r.top) * SIZE / r.height];
  };
  const down = (e: PointerEvent) => {
    drawing.current = true;
    pad.current!.setPointerCapture?.(e.pointerId);
    const c = ctx(), [x, y] = at(e);
    c.beginPath();
    c.moveTo(x, y);
    c.lineTo(x + 0.1, y);
    c.stroke();
  };
  const move = (e: PointerEvent) => {
    if (!drawing.current) return;
    const c = ctx(), [x, y] = at(e);
    c.lineTo(x, y);
    c.stroke();
  };
  const up = () => {
    if (!drawing.current) return;
    drawing.current = false;
    predict();
  };
  const example = () => {
    clear();
    const c = ctx();
    for (const stroke of SEVEN) {
      c.beginPath();
      stroke.forEach(([x, y], i) => (i === 0 ? c.moveTo(x, y) : c.lineTo(x, y)));
      c.stroke();
    }
    predict();
  };

  const best = reading ? reading.probs.indexOf(Math.max(...reading.probs)) : -1;
  const sum = reading ? reading.probs.reduce((a, b) => a + b, 0) : 0;
  return (
    <div class="digit-pad">
      <div class="grid2">
        <div>
          <canvas
            ref={pad}
            class="pad-canvas"
            width={SIZE}
            height={SIZE}
            data-testid="pad"
            aria-label="Drawing area: draw a digit with the mouse, a pen or a finger"
            role="img"
            onPointerDown={down}
            onPointerMove={move}
            onPointerUp={up}
            onPointerLeave={up}
          />
          <div class="controls">
            <button type="button" onClick={clear}>Clear</button>
            <button type="button" onClick={example}>Draw an example 7</button>
          </div>
          <label class="controls">
            Rotate by <output data-testid="angle">{angle}°</output>
            <input
              type="range"
              min="-90"
              max="90"
              step="5"
              value={angle}
              data-testid="rotation"
              onInput={(e) => {
                const a = Number(e.currentTarget.value);
                setAngle(a);
                if (reading) predict(a);
              }}
            />
          </label>
          <p aria-live="polite" data-testid="status">{status}</p>
          <p class="muted">Model: {runLabel}{reading && `, TF.js on ${reading.backend}`}.</p>
        </div>
        <div>
          <h2>What the network sees (28×28)</h2>
          <canvas
            ref={inputView}
            width={28}
            height={28}
            class="input-view"
            aria-label="The preprocessed 28×28 input"
            role="img"
          />
          <h2>Probabilities</h2>
          <div class="probs" data-testid="probs" data-sum={reading ? sum.toFixed(6) : ""}>
            {Array.from({ length: 10 }, (_, d) => {
              const p = reading?.probs[d] ?? 0;
              return (
                <>
                  <span class={d === best ? "best" : ""}>{d}</span>
                  <span class="bar-track">
                    <span class="bar" style={`width: ${(100 * p).toFixed(1)}%`} />
                  </span>
                  <span data-testid="prob" data-p={reading ? String(p) : ""}>
                    {reading ? `${(100 * p).toFixed(1)} %` : "–"}
                  </span>
                </>
              );
            })}
          </div>
        </div>
      </div>
      <h2>The first layer's 32 feature maps</h2>
      <p class="muted">
        Each 5×5 filter of the first convolution, slid over the input and passed through ReLU:
        bright where the filter found its pattern.
      </p>
      <div class="maps" data-testid="maps">
        {Array.from({ length: 32 }, (_, i) => (
          <canvas
            key={i}
            width={28}
            height={28}
            ref={(el) => {
              mapViews.current[i] = el;
            }}
            aria-label={`Feature map ${i + 1}`}
            role="img"
          />
        ))}
      </div>
    </div>
  );
}
