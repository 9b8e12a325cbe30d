// The overview's two charts, drawn with uPlot: stored bytes over time (what each
// snapshot added: deduplicated snapshots add little) and
// how long finished jobs took.
import { useEffect, useMemo, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

import { formatBytes, formatDate, formatDuration, timeTicks, toMillis } from '../format';
import { storedBytes } from '../snapshot';
import type { Job, Snapshot } from '../types';
import { Empty } from './common';

const HEIGHT = 220;

function Plot({ options, data, label }: { options: Omit<uPlot.Options, 'width' | 'height'>; data: uPlot.AlignedData; label: string }) {
  const range = xRange(data[0] as number[]);
  const fit = (u: uPlot) => {
    if (range) u.setScale('x', { min: range[0], max: range[1] });
  };
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const u = new uPlot({ ...options, width: Math.max(200, el.clientWidth), height: HEIGHT }, data, el);
    plot.current = u;
    fit(u);
    const ro = new ResizeObserver(() => {
      const w = Math.max(200, el.clientWidth);
      if (w !== u.width) u.setSize({ width: w, height: HEIGHT });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [options]);
  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData(data);
    fit(u);
  }, [data]);
  return <div class="chart" ref={box} role="img" aria-label={label} />;
}

// Axis ticks at 1, 2, 5 x 1024^k bytes, so labels read "256 MiB", not "268 MB".
const BYTE_INCRS = [0, 1, 2, 3, 4, 5].flatMap((k) => [1, 2, 5, 10, 20, 50, 100, 200, 500].map((m) => m * 1024 ** k));
const DURATION_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400];

function shortDuration(s: number): string {
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.round(s / 60)}m`;
  if (s < 86400) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

// The x range shown: at least ten minutes, ending a little after the last point,
// so one point (or a burst within seconds) does not stretch the axis over years.
function xRange(xs: number[]): [number, number] | undefined {
  if (!xs.length) return undefined;
  const min = xs[0];
  const max = xs[xs.length - 1];
  const span = Math.max(600, max - min);
  return [max - span - span * 0.03, max + span * 0.03];
}

// A legend value: the hovered point's, or the series' latest one when the cursor
// is off the chart (uPlot passes idx null then), so the legend reads the current state.
function legendValue(fmt: (v: number) => string) {
  return (u: uPlot, v: number | null, si: number, idx: number | null): string => {
    if (idx == null) {
      const ys = u.data[si] as (number | null | undefined)[];
      for (let i = ys.length - 1; i >= 0; i--) {
        const y = ys[i];
        if (y != null) return fmt(y);
      }
      return '—';
    }
    return v == null ? '—' : fmt(v);
  };
}

// The time (x) series and axis, in 24-hour time like the tables. The ticks drawn
// last are kept on the chart element (data-x-ticks) for tests.
const timeSeries: uPlot.Series = { value: legendValue((s) => formatDate(new Date(s * 1000).toISOString())) };
const timeAxis: uPlot.Axis = {
  space: 70,
  values: (u, splits, _axis, _space, incr) => {
    const out = timeTicks(splits, incr);
    u.root.parentElement?.setAttribute('data-x-ticks', out.join('|').replace(/\n/g, ' '));
    return out;
  },
};

const axisStyle = { stroke: '#5b6472', grid: { stroke: '#eceef2', width: 1 }, ticks: { stroke: '#eceef2', width: 1 } };

export function StoredBytesChart({ snapshots }: { snapshots: Snapshot[] }) {
  const data = useMemo<uPlot.AlignedData>(() => {
    const sorted = snapshots
      .filter((s) => !Number.isNaN(toMillis(s.created_at)))
      .sort((a, b) => toMillis(a.created_at) - toMillis(b.created_at));
    const xs: number[] = [];
    const all: number[] = [];
    const available: number[] = [];
    let sumAll = 0;
    let sumAvail = 0;
    for (const s of sorted) {
      const added = storedBytes(s) ?? 0;
      sumAll += added;
      if (s.status === 'available') sumAvail += added;
      const x = toMillis(s.created_at) / 1000;
      if (xs.length && xs[xs.length - 1] === x) {
        all[all.length - 1] = sumAll;
        available[available.length - 1] = sumAvail;
      } else {
        xs.push(x);
        all.push(sumAll);
        available.push(sumAvail);
      }
    }
    // Carry the last value to now so the line reaches the present.
    const now = Date.now() / 1000;
    if (xs.length && now > xs[xs.length - 1]) {
      xs.push(now);
      all.push(sumAll);
      available.push(sumAvail);
    }
    return [xs, all, available];
  }, [snapshots]);
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      legend: { show: true },
      cursor: { points: { size: 6 } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1024, max * 1.1)] } },
      axes: [
        { ...axisStyle, ...timeAxis },
        { ...axisStyle, size: 72, incrs: BYTE_INCRS, values: (_u, splits) => splits.map((v) => formatBytes(v)) },
      ],
      series: [
        timeSeries,
        {
          label: 'All snapshots',
          stroke: '#94a3b8',
          width: 2,
          dash: [6, 4],
          paths: uPlot.paths.stepped!({ align: 1 }),
          value: legendValue(formatBytes),
        },
        {
          label: 'Available',
          stroke: '#2563eb',
          fill: 'rgba(37, 99, 235, 0.12)',
          width: 2,
          paths: uPlot.paths.stepped!({ align: 1 }),
          value: legendValue(formatBytes),
        },
      ],
    }),
    [],
  );
  if (data[0].length === 0) {
    return <Empty title="No snapshots yet">Agents register snapshots as they back up; their bytes add up here.</Empty>;
  }
  const last = (data[2] as number[])[data[2].length - 1] ?? 0;
  return (
    <Plot
      options={options}
      data={data}
      label={`Snapshot bytes over time: ${formatBytes(last)} available now, ${snapshots.length} snapshots`}
    />
  );
}

export function JobDurationChart({ jobs }: { jobs: Job[] }) {
  const data = useMemo<uPlot.AlignedData>(() => {
    const done = jobs
      .filter((j) => (j.status === 'completed' || j.status === 'failed') && j.updated_at)
      .map((j) => ({
        kind: j.kind,
        x: toMillis(j.updated_at) / 1000,
        y: Math.max(0, (toMillis(j.updated_at) - toMillis(j.created_at)) / 1000),
      }))
      .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
      .sort((a, b) => a.x - b.x);
    const xs: number[] = [];
    const restore: (number | null)[] = [];
    const backup: (number | null)[] = [];
    for (const p of done) {
      // Same-second finishes: nudge so every job keeps its own point.
      let x = p.x;
      while (xs.length && x <= xs[xs.length - 1]) x = xs[xs.length - 1] + 0.001;
      xs.push(x);
      restore.push(p.kind === 'restore' ? p.y : null);
      backup.push(p.kind === 'backup' ? p.y : null);
    }
    return [xs, restore, backup];
  }, [jobs]);
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      legend: { show: true },
      cursor: { points: { size: 8 } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(10, max * 1.2)] } },
      axes: [
        { ...axisStyle, ...timeAxis },
        { ...axisStyle, size: 48, incrs: DURATION_INCRS, values: (_u, splits) => splits.map((v) => shortDuration(v)) },
      ],
      series: [
        timeSeries,
        {
          label: 'Restore',
          stroke: '#2563eb',
          width: 0,
          paths: () => null,
          points: { show: true, size: 9, fill: '#2563eb', stroke: '#2563eb' },
          value: legendValue(formatDuration),
        },
        {
          label: 'Backup',
          stroke: '#9333ea',
          width: 0,
          paths: () => null,
          points: { show: true, size: 9, fill: '#9333ea', stroke: '#9333ea' },
          value: legendValue(formatDuration),
        },
      ],
    }),
    [],
  );
  if (data[0].length === 0) {
    return <Empty title="No finished jobs yet">Each completed or failed restore and backup shows here with how long it took.</Empty>;
  }
  return <Plot options={options} data={data} label={`Durations of ${data[0].length} finished jobs`} />;
}
