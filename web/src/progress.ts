// Progress of a running job from its progress events (bytes_done / bytes_total):
// the latest sample, the first one, and the transfer rate and time left between them.
import { toMillis } from './format';
import type { Progress } from './store';

// Folds one more sample into a job's progress. The first sample is kept so the
// rate averages over the whole transfer; a sample going backwards (the agent
// started over) starts the measurement again.
export function addSample(prev: Progress | undefined, done: number, total: number, at: string): Progress {
  const same = prev && prev.total === total && done >= prev.firstDone;
  if (!same) return { done, total, at, firstDone: done, firstAt: at };
  // The first sample seen again (a job log's time can be coarser than the live
  // record's): the later time holds, so no second of rounding slows the rate.
  const firstAt = done === prev.firstDone && toMillis(at) > toMillis(prev.firstAt) ? at : prev.firstAt;
  return { done, total, at, firstDone: prev.firstDone, firstAt };
}

// Bytes per second and seconds left, or null until two samples some time apart moved bytes.
export function transferRate(p: Progress): { rate: number; eta: number } | null {
  const seconds = (toMillis(p.at) - toMillis(p.firstAt)) / 1000;
  const bytes = p.done - p.firstDone;
  if (!(seconds > 0) || !(bytes > 0)) return null;
  const rate = bytes / seconds;
  return { rate, eta: Math.max(0, p.total - p.done) / rate };
}
