/**
 * Checkpoints: everything a run needs to continue after being killed.
 *
 * After each epoch we save the model's weights, Adam's state (its step count and its two
 * moving averages per weight: without them a resumed run would take different steps), the
 * history so far and the position of the run's random stream. One file holds it all:
 *
 * ```text
 * "LITCKPT1"  8 bytes
 * n           uint32, little-endian: length of the JSON header
 * header      n bytes of JSON: meta + one {name, group, shape, dtype} per tensor
 * data        every tensor's values, float32 or int32, little-endian, in header order
 * ```
 *
 * It is written atomically (`data/atomic.ts`: a temporary file, then a rename), so a run
 * killed at any moment leaves either the previous checkpoint or the new one, never half.
 *
 * @module
 */
import { tf } from "../accel/backend.ts";
import { FileError } from "../kernels/errors.ts";
import { writeAtomic } from "../data/atomic.ts";

const MAGIC = "LITCKPT1";
/** The checkpoint's file name inside a run folder. */
export const CHECKPOINT_FILE = "checkpoint.bin";

/** A tensor with a name, as optimizers' `getWeights` returns them. */
type NamedTensor = { name: string; tensor: tf.Tensor };

interface TensorEntry {
  name: string;
  group: "model" | "optimizer";
  shape: number[];
  dtype: "float32" | "int32";
}

/** A checkpoint's contents: its JSON meta and its tensors, by group. */
interface Parsed<M> {
  meta: M;
  model: tf.Tensor[];
  optimizer: NamedTensor[];
}

/**
 * Saves `model`'s weights, `optimizer`'s state and `meta` (any JSON) to `dir/checkpoint.bin`,
 * atomically.
 */
export async function saveCheckpoint<M>(
  dir: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  meta: M,
): Promise<void> {
  const named: { entry: TensorEntry; tensor: tf.Tensor }[] = [
    ...model.weights.map((w) => ({
      entry: {
        name: w.originalName,
        group: "model" as const,
        shape: w.shape as number[],
        dtype: "float32" as const,
      },
      tensor: w.read(),
    })),
    ...(await optimizer.getWeights()).map(({ name, tensor }) => ({
      entry: {
        name,
        group: "optimizer" as const,
        shape: tensor.shape,
        dtype: tensor.dtype === "int32" ? "int32" as const : "float32" as const,
      },
      tensor,
    })),
  ];
  const header = new TextEncoder().encode(
    JSON.stringify({ meta, tensors: named.map((n) => n.entry) }),
  );
  const values = await Promise.all(named.map((n) => n.tensor.data()));
  const dataBytes = values.reduce((sum, v) => sum + v.length * 4, 0);
  const bytes = new Uint8Array(8 + 4 + header.length + dataBytes);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(bytes.buffer).setUint32(8, header.length, true);
  bytes.set(header, 12);
  let offset = 12 + header.length;
  named.forEach((n, i) => {
    const typed = n.entry.dtype === "int32"
      ? Int32Array.from(values[i] as ArrayLike<number>)
      : Float32Array.from(values[i] as ArrayLike<number>);
    bytes.set(new Uint8Array(typed.buffer), offset);
    offset += typed.byteLength;
  });
  await writeAtomic(`${dir}/${CHECKPOINT_FILE}`, bytes);
}

/** A checkpoint's header: its meta, its tensor list and where the tensor data starts. */
interface Header<M> {
  meta: M;
  tensors: TensorEntry[];
  dataStart: number;
}

/**
 * Reads and checks the header of a checkpoint file's bytes, without making tensors: the
 * magic, the header length, the JSON, and that the file holds every tensor it lists.
 * Anything else is a {@link FileError} naming `path`.
 */
function parseHeader<M>(bytes: Uint8Array, path: string): Header<M> {
  const fail = (detail: string): never => {
    throw new FileError("loadCheckpoint", path, detail);
  };
  if (bytes.length === 0) fail("is empty");
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    fail(`is not a litconv checkpoint (it should start with ${MAGIC})`);
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const dataStart = 12 + headerLength;
  if (dataStart > bytes.length) {
    fail(
      `is truncated inside its header (${bytes.length} bytes; the header alone ends at ` +
        `byte ${dataStart})`,
    );
  }
  let header: { meta?: M; tensors?: TensorEntry[] };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, dataStart)));
  } catch (e) {
    return fail(`has a damaged header (${(e as Error).message})`);
  }
  const tensors = header?.tensors;
  const wellFormed = Array.isArray(tensors) &&
    tensors.every((e) =>
      typeof e?.name === "string" && Array.isArray(e.shape) &&
      e.shape.every((d) => Number.isInteger(d) && d >= 0)
    );
  if (!wellFormed || header.meta === undefined) fail("has a header without meta and tensors");
  const needed = tensors!.reduce((sum, e) => sum + e.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (dataStart + needed > bytes.length) {
    fail(`is truncated (${bytes.length} bytes; its tensors need ${dataStart + needed})`);
  }
  return { meta: header.meta as M, tensors: tensors!, dataStart };
}

function parseCheckpoint<M>(bytes: Uint8Array, path: string): Parsed<M> {
  const { meta, tensors, dataStart } = parseHeader<M>(bytes, path);
  const model: tf.Tensor[] = [];
  const optimizer: NamedTensor[] = [];
  let offset = dataStart;
  for (const e of tensors) {
    const size = e.shape.reduce((a, b) => a * b, 1);
    // slice() copies into a fresh, aligned buffer that the typed array can view.
    const raw = bytes.slice(offset, offset + size * 4).buffer;
    const values = e.dtype === "int32" ? new Int32Array(raw) : new Float32Array(raw);
    const tensor = tf.tensor(values, e.shape, e.dtype);
    if (e.group === "model") model.push(tensor);
    else optimizer.push({ name: e.name, tensor });
    offset += size * 4;
  }
  return { meta, model, optimizer };
}

/** Reads `dir/checkpoint.bin`, or a {@link FileError} that says why it cannot. */
async function readCheckpointFile(dir: string): Promise<{ bytes: Uint8Array; path: string }> {
  const path = `${dir}/${CHECKPOINT_FILE}`;
  try {
    return { bytes: await Deno.readFile(path), path };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new FileError(
        "loadCheckpoint",
        path,
        "is missing: --resume needs a run folder in which at least one epoch finished",
      );
    }
    throw new FileError("loadCheckpoint", path, `cannot be read (${(e as Error).message})`);
  }
}

/**
 * Just the meta of `dir/checkpoint.bin` (which epoch, history…), without touching a model
 * or a backend. The whole file is checked as {@link loadCheckpoint} would, so a damaged
 * or truncated checkpoint is reported here, before anything slow starts.
 */
export async function readCheckpointMeta<M>(dir: string): Promise<M> {
  const { bytes, path } = await readCheckpointFile(dir);
  return parseHeader<M>(bytes, path).meta;
}

/**
 * Loads `dir/checkpoint.bin` into `model` and `optimizer` (built as for the original run)
 * and returns the saved meta.
 */
export async function loadCheckpoint<M>(
  dir: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
): Promise<M> {
  const { bytes, path } = await readCheckpointFile(dir);
  const parsed = parseCheckpoint<M>(bytes, path);
  if (parsed.model.length !== model.weights.length) {
    tf.dispose([...parsed.model, ...parsed.optimizer.map((o) => o.tensor)]);
    throw new FileError(
      "loadCheckpoint",
      path,
      `holds ${parsed.model.length} weight tensors but this model has ${model.weights.length}`,
    );
  }
  model.setWeights(parsed.model);
  tf.dispose(parsed.model);
  // setWeights keeps the tensors as the optimizer's variables' initial values.
  await optimizer.setWeights(parsed.optimizer);
  tf.dispose(parsed.optimizer.map((o) => o.tensor));
  return parsed.meta;
}
