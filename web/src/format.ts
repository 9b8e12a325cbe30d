// Human-readable bytes, times and durations.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${v} B`;
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${UNITS[u]}`;
}

export const toMillis = (iso: string | null | undefined): number =>
  iso ? Date.parse(iso) : Number.NaN;

export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  const t = toMillis(iso);
  if (Number.isNaN(t)) return 'never';
  const s = Math.round((now - t) / 1000);
  if (s < -5) return `in ${formatDuration(-s)}`;
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function formatDate(iso: string | null | undefined): string {
  const t = toMillis(iso);
  if (Number.isNaN(t)) return '—';
  const d = new Date(t);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(
    d.getMinutes(),
  )}:${pad(d.getSeconds())}`;
}

export function formatTime(iso: string | null | undefined): string {
  const t = toMillis(iso);
  if (Number.isNaN(t)) return '—';
  const d = new Date(t);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

// Chart axis ticks (seconds since the epoch): 24-hour clock like the tables,
// with the date on the first tick and wherever the day changes; days only
// once ticks are a day or more apart.
export function timeTicks(splits: number[], incr: number): string[] {
  let prevDay = '';
  return splits.map((s) => {
    const d = new Date(s * 1000);
    const day = `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
    if (incr >= 86400) return day;
    const clock = `${pad(d.getHours())}:${pad(d.getMinutes())}${incr < 60 ? `:${pad(d.getSeconds())}` : ''}`;
    const label = day === prevDay ? clock : `${clock}\n${day}`;
    prevDay = day;
    return label;
  });
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${Math.round(seconds % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export const percent = (done: number, total: number): number =>
  total > 0 ? Math.max(0, Math.min(100, (done / total) * 100)) : 0;

export const statusLabel = (s: string): string => s.replace(/_/g, ' ');
