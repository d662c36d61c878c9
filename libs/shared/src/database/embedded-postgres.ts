import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError, ErrorCode } from '../core/errors.js';

/**
 * The embedded default: PostgreSQL compiled to WebAssembly (PGlite), persisted in a data
 * directory, served on a loopback socket so the ordinary `pg` driver and TypeORM reach it
 * exactly as they reach a real server. One process at a time owns a data directory; a
 * lock file names it, so a second process is refused instead of corrupting the files.
 */
export interface EmbeddedPostgres {
  readonly url: string;
  readonly dataDir: string;
  close(): Promise<void>;
}

const LOCK_FILE = 'platform.lock';

interface LockInfo {
  pid: number;
  startedAt: string;
  command: string;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take the data directory's lock, clearing one left by a process that has died. */
export function acquireDataDirLock(dataDir: string, command: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      const info: LockInfo = { pid: process.pid, startedAt: new Date().toISOString(), command };
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: LockInfo | undefined;
      try {
        holder = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
      } catch {
        holder = undefined; // half-written by a process that died at once
      }
      if (holder && processAlive(holder.pid)) {
        throw new DomainError(
          ErrorCode.UNAVAILABLE,
          `The embedded database in ${dataDir} is in use by process ${holder.pid} ` +
            `(${holder.command}, since ${holder.startedAt}). Only one process can open it: ` +
            `stop that process first, use the GraphQL API of the running gateway, ` +
            `or set DATABASE_URL to a PostgreSQL server.`,
          { dataDir, pid: holder.pid },
        );
      }
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new DomainError(ErrorCode.UNAVAILABLE, `Could not lock the embedded database in ${dataDir}.`);
}

/** Open (creating if needed) the embedded database in `dataDir` and serve it on 127.0.0.1. */
export async function startEmbeddedPostgres(dataDir: string, command = 'platform'): Promise<EmbeddedPostgres> {
  const release = acquireDataDirLock(dataDir, command);
  try {
    // Imported lazily: a deployment with DATABASE_URL never loads the WebAssembly build.
    const [{ PGlite }, { pg_trgm }, { PGLiteSocketServer }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('@electric-sql/pglite/contrib/pg_trgm'),
      import('@electric-sql/pglite-socket'),
    ]);
    const db = await PGlite.create(join(dataDir, 'pg'), { extensions: { pg_trgm } });
    // Several client connections are allowed; PGlite runs one at a time and keeps a
    // transaction's statements together. The platform's own pool uses one connection.
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
    await server.start();
    const port = Number(server.getServerConn().split(':').pop());
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      dataDir,
      async close() {
        try {
          await server.stop();
          await db.close();
        } finally {
          release();
        }
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}
