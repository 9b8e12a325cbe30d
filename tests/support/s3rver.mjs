// Starts s3rver (npm, pinned in tests/package-lock.json) for the tests:
//   node tests/support/s3rver.mjs --port P --dir D
// Credentials are s3rver's fixed S3RVER/S3RVER pair.
import S3rver from 's3rver';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, v, i, a) => (i % 2 === 0 ? [...acc, [v.replace(/^--/, ''), a[i + 1]]] : acc), []));
const server = new S3rver({
  port: Number(args.port),
  address: '127.0.0.1',
  directory: args.dir,
  silent: true,
  allowMismatchedSignatures: false,
});
await server.run();
console.log(`s3rver listening on 127.0.0.1:${args.port}`);
const stop = async () => { await server.close(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
