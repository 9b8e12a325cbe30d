// `make package`: the three Debian packages CPack builds from the existing
// build directory (cmake/packaging.cmake), checked without installing them:
// - names, control fields and shared-library dependencies (dpkg-deb -f);
// - contents (dpkg-deb -c): binaries, man pages, completion, units, env files;
// - maintainer scripts (dpkg-deb -e): present, executable, valid sh, creating
//   and purging the right user and directories; env files are conffiles, the
//   agent's with BACKUP_ON_START=0;
// - the units pass `systemd-analyze verify` (skipped without systemd-analyze);
// - extracted into a temporary root (dpkg-deb -x), every binary runs --version.
// The packages are built once into a temporary directory with cpack, so the
// build directory's own packages/ is left alone.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { binDir, tempDir } from '../support/orchestrator.mjs';

const buildDir = path.dirname(binDir);
const cpackConfig = path.join(buildDir, 'CPackConfig.cmake');
const version = fs.readFileSync(path.resolve(import.meta.dirname, '../../CMakeLists.txt'), 'utf8')
  .match(/project\(fortfail VERSION ([0-9.]+)/)[1];
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const skip = !fs.existsSync(cpackConfig) ? `no ${cpackConfig}: configure the build first`
  : !has('dpkg-deb') ? 'dpkg-deb is not installed' : false;

const expected = {
  'fortfail-orchestrator': {
    user: 'fortfail', stateDir: '/var/lib/fortfail', env: 'orchestrator',
    libs: ['libc6', 'libssl3', 'libsqlite3-0', 'libpq5'],
    files: ['./usr/bin/fortfail-orchestrator', './usr/share/man/man1/fortfail-orchestrator.1.gz',
      './usr/lib/systemd/system/fortfail-orchestrator.service', './etc/fortfail/orchestrator.env',
      './usr/share/doc/fortfail-orchestrator/copyright'],
  },
  'fortfail-agent': {
    user: 'fortfail-agent', stateDir: '/var/lib/fortfail-agent', env: 'agent',
    libs: ['libc6', 'libarchive13'],
    files: ['./usr/bin/fortfail-agent', './usr/share/man/man1/fortfail-agent.1.gz',
      './usr/lib/systemd/system/fortfail-agent.service', './etc/fortfail/agent.env',
      './usr/share/doc/fortfail-agent/copyright'],
  },
  fortfail: {
    libs: ['libc6', 'libcurl4'],
    files: ['./usr/bin/fortfail', './usr/share/man/man1/fortfail.1.gz',
      './usr/share/bash-completion/completions/fortfail', './usr/share/zsh/vendor-completions/_fortfail',
      './usr/share/doc/fortfail/copyright'],
  },
};

describe('Debian packages (make package)', { skip }, () => {
  let dir;
  const debs = {};
  const field = (pkg, name) => execFileSync('dpkg-deb', ['-f', debs[pkg], name], { encoding: 'utf8' }).trim();

  before(() => {
    dir = tempDir('ff-pkg-');
    // `make package`'s output when it is newer than every binary; else a fresh build.
    const built = path.join(buildDir, 'packages');
    const newest = Math.max(...['fortfail-orchestrator', 'fortfail-agent', 'fortfail'].map((b) => fs.statSync(path.join(binDir, b)).mtimeMs));
    const ready = fs.existsSync(built) ? fs.readdirSync(built).filter((f) => f.endsWith('.deb')) : [];
    let from = built;
    if (ready.length !== 3 || ready.some((f) => fs.statSync(path.join(built, f)).mtimeMs < newest)) {
      execFileSync('cpack', ['-G', 'DEB', '--config', cpackConfig, '-B', dir], { stdio: 'pipe', timeout: 240_000 });
      from = dir;
    }
    for (const f of fs.readdirSync(from).filter((f) => f.endsWith('.deb'))) {
      debs[execFileSync('dpkg-deb', ['-f', path.join(from, f), 'Package'], { encoding: 'utf8' }).trim()] = path.join(from, f);
    }
  });

  it('builds exactly fortfail-orchestrator, fortfail-agent and fortfail', () => {
    assert.deepEqual(Object.keys(debs).sort(), Object.keys(expected).sort());
  });

  for (const [pkg, want] of Object.entries(expected)) {
    it(`${pkg}: control fields and shared-library dependencies`, () => {
      assert.equal(field(pkg, 'Version'), version);
      assert.equal(field(pkg, 'Architecture'), execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim());
      assert.match(field(pkg, 'Maintainer'), /\S+ <\S+@\S+>/);
      assert.match(field(pkg, 'Description'), /FortFail/);
      const depends = field(pkg, 'Depends');
      for (const lib of want.libs) assert.match(depends, new RegExp(`(^|, )${lib} \\(>= `), `${pkg} Depends: ${depends}`);
      if (want.user) assert.match(depends, /\bpasswd\b/);
    });

    it(`${pkg}: contents`, () => {
      const listing = execFileSync('dpkg-deb', ['-c', debs[pkg]], { encoding: 'utf8' });
      const entries = new Map(listing.split('\n').filter(Boolean).map((l) => {
        const parts = l.split(/\s+/);
        return [parts.slice(5).join(' ').replace(/ -> .*/, ''), { mode: parts[0], owner: parts[1] }];
      }));
      for (const f of want.files) assert.ok(entries.has(f), `${pkg} lacks ${f}:\n${listing}`);
      for (const [name, e] of entries) assert.equal(e.owner, 'root/root', `${name} is owned by ${e.owner}`);
      const bin = want.files[0];
      assert.equal(entries.get(bin).mode, '-rwxr-xr-x');
      // Nothing from the build tree or the other packages leaks in.
      const others = Object.values(expected).filter((o) => o !== want).flatMap((o) => o.files.filter((f) => !f.includes('/doc/')));
      for (const f of others) assert.ok(!entries.has(f), `${pkg} also ships ${f}`);
    });

    it(`${pkg}: maintainer scripts and conffiles`, () => {
      const control = path.join(dir, `control-${pkg}`);
      execFileSync('dpkg-deb', ['-e', debs[pkg], control]);
      if (!want.user) {
        for (const s of ['postinst', 'postrm', 'prerm']) assert.ok(!fs.existsSync(path.join(control, s)), `${pkg} has a ${s}`);
        return;
      }
      for (const s of ['postinst', 'prerm', 'postrm']) {
        const p = path.join(control, s);
        assert.ok(fs.existsSync(p), `${pkg} lacks ${s}`);
        assert.equal(fs.statSync(p).mode & 0o777, 0o755, `${pkg} ${s} mode`);
        const r = spawnSync('sh', ['-n', p], { encoding: 'utf8' });
        assert.equal(r.status, 0, `${pkg} ${s}: ${r.stderr}`);
        assert.ok(!fs.readFileSync(p, 'utf8').includes('@FF_'), `${pkg} ${s} has an unfilled placeholder`);
      }
      const postinst = fs.readFileSync(path.join(control, 'postinst'), 'utf8');
      assert.match(postinst, new RegExp(`^user=${want.user}$`, 'm'));
      assert.match(postinst, new RegExp(`^state_dir=${want.stateDir}$`, 'm'));
      assert.match(postinst, /useradd --system/);
      assert.match(postinst, /getent passwd "\$user"/, 'postinst must be idempotent');
      assert.match(postinst, /install -d -o "\$user" -g "\$user" -m 0750 "\$state_dir"/);
      const postrm = fs.readFileSync(path.join(control, 'postrm'), 'utf8');
      assert.match(postrm, /^\s*purge\)/m);
      assert.match(postrm, /userdel "\$user"/);
      assert.match(postrm, /rm -rf "\$state_dir"/);
      assert.equal(fs.readFileSync(path.join(control, 'conffiles'), 'utf8').trim(), `/etc/fortfail/${want.env}.env`);
    });
  }

  // postinst and postrm run for real, but inside a temporary root: their
  // absolute paths are rewritten into it, and the user-database commands,
  // chown and systemctl are stubs that keep a log (getent answers from it).
  function runScript(control, script, args, sandbox) {
    const stubs = path.join(sandbox, 'stubs');
    fs.mkdirSync(stubs, { recursive: true });
    const log = path.join(sandbox, 'log');
    const stub = (name, body) => fs.writeFileSync(path.join(stubs, name), `#!/bin/sh\necho "${name} $*" >>'${log}'\n${body}\n`, { mode: 0o755 });
    stub('getent', `grep -q "^add $1 $2\\$" '${log}' && ! grep -q "^del $1 $2\\$" '${log}'`);
    stub('groupadd', `echo "add group \${2:-$1}" >>'${log}'`);
    stub('useradd', `for a; do last=$a; done; echo "add passwd $last" >>'${log}'`);
    stub('userdel', `echo "del passwd $1" >>'${log}'`);
    stub('groupdel', `echo "del group $1" >>'${log}'`);
    stub('chown', 'true');
    stub('systemctl', 'true');
    // install -o/-g would need the user: keep -d and -m only.
    stub('install', 'while [ $# -gt 1 ]; do case "$1" in -o|-g) shift 2 ;; -m) m=$2; shift 2 ;; -d) shift ;; *) break ;; esac; done; mkdir -p "$1" && chmod "$m" "$1"');
    const text = fs.readFileSync(path.join(control, script), 'utf8').replaceAll('/etc/fortfail', `${sandbox}/etc/fortfail`).replaceAll('/var/lib/', `${sandbox}/var/lib/`);
    const copy = path.join(sandbox, script);
    fs.writeFileSync(copy, text, { mode: 0o755 });
    const r = spawnSync('sh', [copy, ...args], { encoding: 'utf8', env: { PATH: `${stubs}:${process.env.PATH}` } });
    assert.equal(r.status, 0, `${script} ${args.join(' ')}: ${r.stderr}`);
    return fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
  }

  for (const pkg of ['fortfail-orchestrator', 'fortfail-agent']) {
    it(`${pkg}: postinst creates the user, directories and secrets once; postrm purge removes them`, () => {
      const want = expected[pkg];
      const sandbox = tempDir('ff-pkg-sandbox-');
      const control = path.join(sandbox, 'control');
      execFileSync('dpkg-deb', ['-e', debs[pkg], control]);
      execFileSync('dpkg-deb', ['-x', debs[pkg], sandbox]);  // the env file
      const state = path.join(sandbox, want.stateDir);
      let log = runScript(control, 'postinst', ['configure'], sandbox);
      assert.match(log, new RegExp(`^add passwd ${want.user}$`, 'm'));
      assert.match(log, new RegExp(`^add group ${want.user}$`, 'm'));
      assert.equal(fs.statSync(state).mode & 0o777, 0o750);
      assert.equal(fs.statSync(path.join(sandbox, `etc/fortfail/${want.env}.env`)).mode & 0o777, 0o640);
      const secrets = path.join(sandbox, 'etc/fortfail/orchestrator-secrets.env');
      const first = pkg === 'fortfail-orchestrator' ? fs.readFileSync(secrets, 'utf8') : null;
      if (first) {
        assert.equal(fs.statSync(secrets).mode & 0o777, 0o640);
        for (const v of ['ORCH_JWT_SECRET', 'ORCH_REG_SECRET', 'ORCH_OPERATOR_SECRET']) assert.match(first, new RegExp(`^${v}=[0-9a-f]{64}$`, 'm'));
      } else {
        assert.ok(!fs.existsSync(secrets));
        assert.equal(fs.statSync(path.join(state, 'restore')).mode & 0o777, 0o750);
      }
      // Idempotent: the second run adds no user and keeps the secrets.
      log = runScript(control, 'postinst', ['configure'], sandbox);
      assert.equal(log.match(/^add passwd /gm).length, 1, log);
      if (first) assert.equal(fs.readFileSync(secrets, 'utf8'), first);
      fs.writeFileSync(path.join(state, 'kept-by-the-service'), 'x');
      // remove keeps everything; purge removes it.
      runScript(control, 'postrm', ['remove'], sandbox);
      assert.ok(fs.existsSync(path.join(state, 'kept-by-the-service')));
      fs.rmSync(path.join(sandbox, `etc/fortfail/${want.env}.env`));  // dpkg removes conffiles on purge
      log = runScript(control, 'postrm', ['purge'], sandbox);
      assert.ok(!fs.existsSync(state), 'purge leaves the state directory');
      assert.ok(!fs.existsSync(secrets), 'purge leaves the generated secrets');
      assert.match(log, new RegExp(`^del passwd ${want.user}$`, 'm'));
      assert.ok(!fs.existsSync(path.join(sandbox, 'etc/fortfail')), 'purge leaves an empty /etc/fortfail');
    });
  }

  it('the agent\'s env file turns backup-on-start off; the orchestrator\'s keeps state in /var/lib/fortfail', () => {
    const root = path.join(dir, 'env-root');
    for (const pkg of ['fortfail-agent', 'fortfail-orchestrator']) execFileSync('dpkg-deb', ['-x', debs[pkg], root]);
    const agentEnv = fs.readFileSync(path.join(root, 'etc/fortfail/agent.env'), 'utf8');
    assert.match(agentEnv, /^BACKUP_ON_START=0$/m);
    const orchEnv = fs.readFileSync(path.join(root, 'etc/fortfail/orchestrator.env'), 'utf8');
    for (const v of ['DATABASE_URL=sqlite:////var/lib/fortfail/', 'WAL_PATH=/var/lib/fortfail/', 'ORCH_DATA_DIR=/var/lib/fortfail/']) {
      assert.ok(orchEnv.split('\n').some((l) => l.startsWith(v)), `orchestrator.env lacks ${v}`);
    }
  });

  it('the units are hardened and pass systemd-analyze verify', (t) => {
    const root = path.join(dir, 'unit-root');
    for (const pkg of ['fortfail-agent', 'fortfail-orchestrator']) execFileSync('dpkg-deb', ['-x', debs[pkg], root]);
    const units = ['fortfail-orchestrator', 'fortfail-agent'].map((u) => path.join(root, `usr/lib/systemd/system/${u}.service`));
    for (const u of units) {
      const text = fs.readFileSync(u, 'utf8');
      const name = path.basename(u, '.service');
      for (const line of ['NoNewPrivileges=yes', 'ProtectSystem=strict', `ExecStart=/usr/bin/${name}`,
        `EnvironmentFile=/etc/fortfail/${name.replace('fortfail-', '')}.env`]) {
        assert.match(text, new RegExp(`^${line}$`, 'm'), `${name}.service lacks ${line}`);
      }
      assert.match(text, /^User=fortfail(-agent)?$/m);
      assert.match(text, /^StateDirectory=fortfail(-agent)?$/m);
    }
    if (!has('systemd-analyze')) return t.skip('systemd-analyze is not installed');
    // The units name /usr/bin/...: verify copies whose ExecStart points into
    // the extracted root, so no installation is needed.
    const verifyDir = path.join(dir, 'verify');
    fs.mkdirSync(verifyDir);
    const copies = units.map((u) => {
      const copy = path.join(verifyDir, path.basename(u));
      fs.writeFileSync(copy, fs.readFileSync(u, 'utf8').replace(/^ExecStart=\/usr\/bin\//m, `ExecStart=${root}/usr/bin/`));
      return copy;
    });
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', ...copies], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    // Warnings about these units (unknown keys, bad values) fail the test too.
    const ours = r.stderr.split('\n').filter((l) => l.includes('fortfail'));
    assert.deepEqual(ours, [], r.stderr);
  });

  it('extracted, every binary runs --version', () => {
    const root = path.join(dir, 'root');
    for (const deb of Object.values(debs)) execFileSync('dpkg-deb', ['-x', deb, root]);
    for (const bin of ['fortfail-orchestrator', 'fortfail-agent', 'fortfail']) {
      const out = execFileSync(path.join(root, 'usr/bin', bin), ['--version'], { encoding: 'utf8' });
      assert.equal(out.trim(), `${bin} ${version}`);
    }
  });
});
