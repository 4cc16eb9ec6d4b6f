// currentEpoch / acceptedEpoch in the snapshot dir (dataDir/version-2), with
// ZooKeeper 3.8's checks at load: a missing file takes the epoch of the last
// zxid (and is written); the current epoch may not be older than the last
// zxid's epoch (unless currentEpoch.tmp records an interrupted update); the
// accepted epoch may not be below the current one.
import { CorruptDataError } from "../errors.ts";

/** Epochs of a peer, as loaded and checked. */
export interface Epochs {
  currentEpoch: bigint;
  acceptedEpoch: bigint;
}

const MAX_EPOCH_FILE = 64;

/** Reads a long from an epoch file (first line, Java Long.parseLong); null when absent. */
export async function readEpochFile(path: string): Promise<bigint | null> {
  let text: string;
  try {
    const bytes = await Deno.readFile(path);
    text = new TextDecoder().decode(bytes.subarray(0, MAX_EPOCH_FILE));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  const line = text.split(/\r?\n|\r/)[0];
  if (!/^[+-]?\d{1,19}$/.test(line)) {
    throw new CorruptDataError(`Found ${JSON.stringify(line)} in ${path}`);
  }
  const v = BigInt(line);
  if (v !== BigInt.asIntN(64, v)) throw new CorruptDataError(`Found ${line} in ${path}`);
  return v;
}

/** Writes an epoch file atomically (temp file + rename), as the decimal number with no newline. */
export async function writeEpochFile(path: string, value: bigint): Promise<void> {
  const tmp = path + ".tmp";
  const f = await Deno.open(tmp, { write: true, create: true, truncate: true });
  try {
    await f.write(new TextEncoder().encode(value.toString()));
    await f.sync();
  } finally {
    f.close();
  }
  await Deno.rename(tmp, path);
}

const hexZxid = (z: bigint) => "0x" + BigInt.asUintN(64, z).toString(16);

/** Loads (and where missing, creates) the epoch files of snapDir against the last zxid. */
export async function loadEpochs(snapDir: string, lastZxid: bigint): Promise<Epochs> {
  const epochOfZxid = lastZxid >> 32n;
  const cur = `${snapDir}/currentEpoch`;
  let currentEpoch = await readEpochFile(cur);
  if (currentEpoch === null) {
    currentEpoch = epochOfZxid;
    await writeEpochFile(cur, currentEpoch);
  }
  if (epochOfZxid > currentEpoch) {
    const tmp = await readEpochFile(cur + ".tmp");
    if (tmp === null) {
      throw new CorruptDataError(
        `The current epoch, ${
          hexZxid(currentEpoch)
        }, is older than the last zxid, ${lastZxid} (${cur})`,
      );
    }
    currentEpoch = tmp;
    await writeEpochFile(cur, currentEpoch);
  }
  const acc = `${snapDir}/acceptedEpoch`;
  let acceptedEpoch = await readEpochFile(acc);
  if (acceptedEpoch === null) {
    acceptedEpoch = epochOfZxid;
    await writeEpochFile(acc, acceptedEpoch);
  }
  if (acceptedEpoch < currentEpoch) {
    throw new CorruptDataError(
      `The accepted epoch, ${hexZxid(acceptedEpoch)} is less than the current epoch, ${
        hexZxid(currentEpoch)
      } (${acc})`,
    );
  }
  return { currentEpoch, acceptedEpoch };
}
