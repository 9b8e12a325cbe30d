// --help, man pages and shell completion of the three binaries:
// - `--help` of fortfail-orchestrator, fortfail-agent and fortfail exits 0 and
//   names every row of the binary's variable table (src/config/variables.cc,
//   src/agent/variables.cc, src/cli/variables.cc); the docs name them too;
// - `fortfail completion bash` is valid bash and, sourced, completes
//   subcommands, nested subcommands and options; the zsh script passes `zsh -n`;
// - the man pages the build wrote (build/man/*.1) are roff man(1) renders
//   without a warning, and name every variable.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { binDir } from '../support/orchestrator.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const buildDir = path.dirname(binDir);
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

// The names in one variable table: each row starts with {"NAME",
function tableNames(file) {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const names = [...text.matchAll(/^\s*\{"([A-Z][A-Z0-9_]*)",/gm)].map((m) => m[1]);
  assert.ok(names.length >= 5, `${file}: too few rows found (${names.length})`);
  return names;
}

const binaries = [
  { bin: 'fortfail-orchestrator', table: 'src/config/variables.cc', docs: ['README.md', 'docs/packaging.md'] },
  { bin: 'fortfail-agent', table: 'src/agent/variables.cc', docs: ['docs/agent.md'] },
  { bin: 'fortfail', table: 'src/cli/variables.cc', docs: ['docs/cli.md'] },
];

describe('--help and man pages', () => {
  for (const { bin, table, docs } of binaries) {
    const names = tableNames(table);
    it(`${bin} --help exits 0 and lists every variable of ${table}`, () => {
      const out = execFileSync(path.join(binDir, bin), ['--help'], { encoding: 'utf8', env: { PATH: process.env.PATH } });
      for (const n of names) assert.match(out, new RegExp(`\\b${n}\\b`), `${bin} --help does not mention ${n}`);
      assert.match(out, /default/);
    });
    it(`${docs.join(' / ')} document every variable of ${table}`, () => {
      const text = docs.map((d) => fs.readFileSync(path.join(root, d), 'utf8')).join('\n');
      for (const n of names) assert.ok(text.includes(n), `${docs.join(' / ')} do not mention ${n}`);
    });
    it(`the build wrote ${bin}.1, which man renders without warnings`, (t) => {
      const page = path.join(buildDir, 'man', `${bin}.1`);
      assert.ok(fs.existsSync(page), `${page} is missing: the build generates it`);
      const roff = fs.readFileSync(page, 'utf8');
      assert.match(roff, new RegExp(`^\\.TH ${bin.toUpperCase()} 1 `));
      for (const section of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'ENVIRONMENT']) assert.match(roff, new RegExp(`^\\.SH ${section}$`, 'm'));
      for (const n of names) assert.ok(roff.includes(n.replaceAll('-', '\\-')), `${bin}.1 does not mention ${n}`);
      if (!has('man')) return t.skip('man is not installed');
      const r = spawnSync('man', ['--warnings', '-l', page], { encoding: 'utf8', env: { ...process.env, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '100', LC_ALL: 'C.UTF-8' } });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr.trim(), '', `man warns about ${bin}.1:\n${r.stderr}`);
      assert.match(r.stdout, /ENVIRONMENT/);
    });
  }
  it('fortfail.1 describes nested subcommands and their options', () => {
    const roff = fs.readFileSync(path.join(buildDir, 'man', 'fortfail.1'), 'utf8');
    assert.match(roff, /^\.SS "fortfail agent enroll/m);
    assert.match(roff, /^\.SS "fortfail completion SHELL"/m);
    assert.match(roff, /\\-\\-url/);
  });
});

describe('fortfail completion', () => {
  const cli = path.join(binDir, 'fortfail');
  const bashScript = execFileSync(cli, ['completion', 'bash'], { encoding: 'utf8' });

  // Sources the script in a fresh bash, completes `words` (the last one is
  // the word under the cursor) and returns COMPREPLY.
  function complete(words) {
    const script = `${bashScript}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})\nCOMP_CWORD=${words.length - 1}\n_fortfail\nprintf '%s\\n' "\${COMPREPLY[@]}"\n`;
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean).sort();
  }

  it('bash: the script is valid (bash -n) and equals the build\'s copy', () => {
    const r = spawnSync('bash', ['-n'], { input: bashScript, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fs.readFileSync(path.join(buildDir, 'completion', 'fortfail.bash'), 'utf8'), bashScript);
  });

  it('bash: completes top-level subcommands', () => {
    assert.deepEqual(complete(['fortfail', 'ag']), ['agent', 'agents']);
    assert.deepEqual(complete(['fortfail', 'comp']), ['completion']);
    const all = complete(['fortfail', '']);
    for (const sub of ['login', 'snapshots', 'backup', 'restore', 'jobs', 'events', 'gc', 'key', 'api-key', 'completion']) {
      assert.ok(all.includes(sub), `'fortfail <TAB>' misses ${sub}: ${all.join(' ')}`);
    }
  });

  it('bash: completes nested subcommands and options, after global options too', () => {
    assert.deepEqual(complete(['fortfail', 'agent', '']).filter((w) => !w.startsWith('-')), ['enroll', 'revoke']);
    assert.deepEqual(complete(['fortfail', '--json', 'api-key', 're']), ['revoke']);
    assert.ok(complete(['fortfail', 'login', '--']).includes('--secret'));
    assert.deepEqual(complete(['fortfail', '--u']), ['--url']);
  });

  it('zsh: the script is valid (zsh -n)', (t) => {
    if (!has('zsh')) return t.skip('zsh is not installed (scripts/deps.sh test installs it)');
    const zshScript = execFileSync(cli, ['completion', 'zsh'], { encoding: 'utf8' });
    assert.match(zshScript, /^#compdef fortfail\n/);
    const r = spawnSync('zsh', ['-n'], { input: zshScript, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  it('refuses an unknown shell with a usage error', () => {
    const r = spawnSync(cli, ['completion', 'fish'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /fish/);
  });
});
