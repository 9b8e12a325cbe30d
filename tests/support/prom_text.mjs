// A strict parser of the Prometheus text exposition format 0.0.4, for tests:
// it throws (naming the line) on anything a Prometheus server would refuse or
// that the format forbids, and checks histogram invariants on top.
//
//   const families = parsePromText(text);  // Map name -> { type, help, samples }
//   sampleValue(families, 'x_total', { route: '/agents' })

const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(s, where) {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`${where}: bad value ${JSON.stringify(s)}`);
  return Number(s);
}

// Parses `{a="x",b="y"}` starting at s[i] === '{'; returns [labels, next index].
function parseLabels(s, i, where) {
  const labels = {};
  i += 1;
  while (s[i] !== '}') {
    const eq = s.indexOf('=', i);
    if (eq < 0) throw new Error(`${where}: label without '='`);
    const name = s.slice(i, eq);
    if (!LABEL.test(name)) throw new Error(`${where}: bad label name ${JSON.stringify(name)}`);
    if (name in labels) throw new Error(`${where}: duplicate label ${name}`);
    if (s[eq + 1] !== '"') throw new Error(`${where}: label value must be quoted`);
    let j = eq + 2;
    let v = '';
    for (;;) {
      if (j >= s.length) throw new Error(`${where}: unterminated label value`);
      const c = s[j];
      if (c === '"') break;
      if (c === '\\') {
        const n = s[j + 1];
        if (n === '\\') v += '\\';
        else if (n === '"') v += '"';
        else if (n === 'n') v += '\n';
        else throw new Error(`${where}: bad escape \\${n} in label value`);
        j += 2;
        continue;
      }
      v += c;
      j += 1;
    }
    labels[name] = v;
    i = j + 1;
    if (s[i] === ',') i += 1;
    else if (s[i] !== '}') throw new Error(`${where}: expected ',' or '}' after label ${name}`);
  }
  return [labels, i + 1];
}

// The family a sample name belongs to, given the declared types.
function familyOf(name, families) {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      if (families.get(base)?.type === 'histogram' || families.get(base)?.type === 'summary') return base;
    }
  }
  return name;
}

export function parsePromText(text) {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const families = new Map();
  const finished = new Set();  // families whose samples are over (must be contiguous)
  const seen = new Set();
  let current = null;
  const lines = text.split('\n');
  lines.pop();
  lines.forEach((line, n) => {
    const where = `line ${n + 1}`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) return;  // a plain comment
      const [, kind, name, rest] = m;
      if (!METRIC.test(name)) throw new Error(`${where}: bad metric name ${name}`);
      const f = families.get(name) ?? { type: 'untyped', help: null, samples: [], typed: false };
      if (f.samples.length > 0) throw new Error(`${where}: ${kind} for ${name} after its samples`);
      if (kind === 'TYPE') {
        if (f.typed) throw new Error(`${where}: second TYPE for ${name}`);
        if (!TYPES.has(rest)) throw new Error(`${where}: unknown type ${rest}`);
        f.type = rest;
        f.typed = true;
      } else {
        if (f.help !== null) throw new Error(`${where}: second HELP for ${name}`);
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ''))) throw new Error(`${where}: bad escape in HELP`);
        f.help = rest;
      }
      families.set(name, f);
      return;
    }
    const nameEnd = line.search(/[{ ]/);
    if (nameEnd <= 0) throw new Error(`${where}: no value`);
    const name = line.slice(0, nameEnd);
    if (!METRIC.test(name)) throw new Error(`${where}: bad metric name ${name}`);
    let labels = {};
    let i = nameEnd;
    if (line[i] === '{') [labels, i] = parseLabels(line, i, where);
    if (line[i] !== ' ') throw new Error(`${where}: expected a space before the value`);
    const parts = line.slice(i + 1).split(' ');
    if (parts.length < 1 || parts.length > 2 || parts[0] === '') throw new Error(`${where}: bad value part`);
    const value = parseValue(parts[0], where);
    if (parts.length === 2 && !/^-?\d+$/.test(parts[1])) throw new Error(`${where}: bad timestamp`);
    const fam = familyOf(name, families);
    if (finished.has(fam)) throw new Error(`${where}: samples of ${fam} are not contiguous`);
    if (current !== null && current !== fam) finished.add(current);
    current = fam;
    const key = name + JSON.stringify(Object.entries(labels).sort());
    if (seen.has(key)) throw new Error(`${where}: duplicate series ${key}`);
    seen.add(key);
    if (!families.has(fam)) families.set(fam, { type: 'untyped', help: null, samples: [], typed: false });
    const f = families.get(fam);
    if (f.type === 'counter' && !(value >= 0)) throw new Error(`${where}: counter ${name} is ${value}`);
    if (f.type === 'histogram' && name === fam) throw new Error(`${where}: bare sample in histogram ${fam}`);
    f.samples.push({ name, labels, value });
  });
  for (const [name, f] of families) if (f.type === 'histogram') checkHistogram(name, f);
  return families;
}

function checkHistogram(name, f) {
  const groups = new Map();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const g = groups.get(key) ?? { buckets: [], sum: null, count: null };
    if (s.name === `${name}_bucket`) {
      if (le === undefined) throw new Error(`${name}: bucket without le`);
      g.buckets.push([parseValue(le, name), s.value]);
    } else if (s.name === `${name}_sum`) g.sum = s.value;
    else if (s.name === `${name}_count`) g.count = s.value;
    groups.set(key, g);
  }
  for (const [key, g] of groups) {
    const at = `${name}${key}`;
    if (g.sum === null || g.count === null) throw new Error(`${at}: missing _sum or _count`);
    if (g.buckets.length === 0 || g.buckets.at(-1)[0] !== Infinity) throw new Error(`${at}: last bucket is not +Inf`);
    for (let i = 1; i < g.buckets.length; i++) {
      if (!(g.buckets[i][0] > g.buckets[i - 1][0])) throw new Error(`${at}: le not ascending`);
      if (g.buckets[i][1] < g.buckets[i - 1][1]) throw new Error(`${at}: buckets not cumulative`);
    }
    if (g.buckets.at(-1)[1] !== g.count) throw new Error(`${at}: +Inf bucket ${g.buckets.at(-1)[1]} != _count ${g.count}`);
  }
}

// The value of the one sample of `name` whose labels include `match`; undefined when none.
export function sampleValue(families, name, match = {}) {
  const fam = families.get(familyOf(name, families));
  const hits = (fam?.samples ?? []).filter((s) => s.name === name &&
    Object.entries(match).every(([k, v]) => s.labels[k] === v));
  if (hits.length > 1) throw new Error(`${name} ${JSON.stringify(match)} matches ${hits.length} samples`);
  return hits[0]?.value;
}
