// Builds the site the orchestrator embeds, as a tree of URL paths:
//   <out>/control/index.html           the control panel (hash-routed SPA)
//   <out>/control/assets/*-<hash>.*    its bundled script, styles and icon (immutable)
//   <out>/docs/index.html, docs.*      the API docs page
//   <out>/docs/swagger-ui*, favicon*   Swagger UI from swagger-ui-dist (no CDN)
//   <out>/openapi.json                 ../docs/openapi.json, checked to parse
// Usage: node build.mjs [--outdir=DIR]   (default: dist). No network needed.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';

const here = import.meta.dirname;
const outArg = process.argv.slice(2).find((a) => a.startsWith('--outdir='));
const out = path.resolve(outArg ? outArg.slice('--outdir='.length) : path.join(here, 'dist'));
const swaggerDir = path.join(here, 'node_modules', 'swagger-ui-dist');

const shortHash = (buf) => createHash('sha256').update(buf).digest('hex').slice(0, 10);
const write = (rel, data) => {
  const file = path.join(out, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
};

fs.rmSync(out, { recursive: true, force: true });

// --- control panel
const result = await esbuild.build({
  absWorkingDir: here,
  entryPoints: { app: 'src/main.tsx' },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: path.join(out, 'control', 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  publicPath: '/control/assets',
  metafile: true,
  logLevel: 'warning',
});
const outputs = Object.entries(result.metafile.outputs);
const [jsPath, jsMeta] = outputs.find(([, o]) => o.entryPoint === 'src/main.tsx');
const cssPath = jsMeta.cssBundle;
if (!cssPath) throw new Error('esbuild produced no CSS bundle');
const assetUrl = (p) => `/control/assets/${path.basename(p)}`;

const icon = fs.readFileSync(path.join(here, 'src', 'favicon.svg'));
const iconName = `favicon-${shortHash(icon)}.svg`;
write(`control/assets/${iconName}`, icon);

const html = fs
  .readFileSync(path.join(here, 'src', 'index.html'), 'utf8')
  .replaceAll('%APP_JS%', assetUrl(jsPath))
  .replaceAll('%APP_CSS%', assetUrl(cssPath))
  .replaceAll('%ICON%', `/control/assets/${iconName}`);
write('control/index.html', html);

// --- API docs: our page plus Swagger UI's files, without their source-map links.
for (const f of ['index.html', 'docs.js', 'docs.css']) {
  write(`docs/${f}`, fs.readFileSync(path.join(here, 'docs', f)));
}
const stripMap = (text) => text.replace(/\n?\/[/*]# sourceMappingURL=\S+?(\s*\*\/)?\s*$/, '\n');
for (const f of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
  write(`docs/${f}`, stripMap(fs.readFileSync(path.join(swaggerDir, f), 'utf8')));
}
for (const f of ['favicon-16x16.png', 'favicon-32x32.png']) {
  write(`docs/${f}`, fs.readFileSync(path.join(swaggerDir, f)));
}

// --- the OpenAPI document, byte for byte, after checking it parses.
const spec = fs.readFileSync(path.join(here, '..', 'docs', 'openapi.json'));
const doc = JSON.parse(spec.toString('utf8'));
if (!/^3\.1\.\d+$/.test(doc.openapi)) throw new Error(`docs/openapi.json: openapi is ${doc.openapi}, want 3.1.x`);
write('openapi.json', spec);

const list = (dir, base = '') =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? list(path.join(dir, e.name), `${base}${e.name}/`) : [`${base}${e.name}`]);
const files = list(out);
const total = files.reduce((n, f) => n + fs.statSync(path.join(out, f)).size, 0);
console.log(`web: built ${files.length} files, ${(total / 1024).toFixed(0)} KiB, into ${out}`);
