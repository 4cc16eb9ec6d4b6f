// V8's sampling CPU profiler over this process (node:inspector), for the
// benchmarks' --cpu-prof: a .cpuprofile that bench/cpuprofile_top.ts reads.
import { Session } from "node:inspector";

/** Starts V8's sampling profiler in this process; the returned function stops it and gives the profile. */
export async function startProfiler(): Promise<() => Promise<unknown>> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(
        method,
        params ?? {},
        (e: Error | null, res?: unknown) => e ? reject(e) : resolve(res),
      )
    );
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: 100 });
  await post("Profiler.start");
  return async () => {
    const { profile } = await post("Profiler.stop") as { profile: unknown };
    session.disconnect();
    return profile;
  };
}
