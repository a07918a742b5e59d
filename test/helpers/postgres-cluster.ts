/**
 * A throwaway PostgreSQL cluster for tests: `initdb` into a temp dir, `pg_ctl start` on a
 * free loopback port (socket in the temp dir, so no system service is touched), one
 * database per caller, everything stopped and removed by stop(). Test support only, so it
 * lives under test/ and never ships in the server build; the PostgreSQL store's unit test
 * and the integration tests (through test/helpers/postgres.ts) both use it.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './anode-node.js';

export class PostgresUnavailableError extends Error {
  override readonly name = 'PostgresUnavailableError';
}

export interface PostgresCluster {
  readonly host: string;
  readonly port: number;
  /** The unprivileged role the application connects as (owns every test database). */
  readonly appUser: string;
  readonly appPassword: string;
  /** A connection URL for `database` as the application role. */
  url(database: string): string;
  /** Creates a fresh database owned by the application role; returns its name. */
  createDatabase(prefix?: string): Promise<string>;
  /** Drops a database, disconnecting anyone still on it. */
  dropDatabase(name: string): Promise<void>;
  /** Runs SQL as the superuser in `database` (default: postgres). */
  superQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[], database?: string): Promise<R[]>;
  /** Restarts the server on the same port ("fast": open connections are cut). */
  restart(): Promise<void>;
  /** Stops the server (immediately: nothing here must survive) and removes the temp dir. */
  stop(): Promise<void>;
}

/** The newest <root>/<major>/bin holding initdb (Debian's layout), or ANODE_PG_BINDIR. */
export function findPostgresBinDir(root = '/usr/lib/postgresql', env: NodeJS.ProcessEnv = process.env): string {
  const override = env['ANODE_PG_BINDIR'];
  if (override !== undefined && override !== '') {
    if (!existsSync(join(override, 'initdb'))) throw new PostgresUnavailableError(`ANODE_PG_BINDIR=${override} has no initdb`);
    return override;
  }
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((d) => /^\d+$/.test(d) && existsSync(join(root, d, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = majors[0];
  if (newest === undefined) {
    throw new PostgresUnavailableError(
      `PostgreSQL server binaries (initdb, pg_ctl) not found under ${root}/*/bin: ` +
        "install the Debian package 'postgresql' (apt-get install postgresql; scripts/ci-deps.sh does this) " +
        'or set ANODE_PG_BINDIR. The PostgreSQL backend tests never skip silently.',
    );
  }
  return join(root, newest, 'bin');
}

/** initdb refuses to run as root, so as root every server binary runs as `postgres`. */
function asServerUser(bin: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [bin, args];
  return ['runuser', ['-u', 'postgres', '--', bin, ...args]];
}

function run(bin: string, args: string[]): Promise<string> {
  const [cmd, argv] = asServerUser(bin, args);
  return new Promise((resolve, reject) => {
    execFile(cmd, argv, { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${[cmd, ...argv].join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function postgresIds(): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new PostgresUnavailableError(
      "running as root needs the 'postgres' system user (created by the Debian package 'postgresql') to run initdb",
    );
  }
}

/**
 * Starts a private cluster. Its default collation is ICU en-US on purpose: a store that
 * forgot COLLATE "C" (or bytea) on a key column would then list in locale order and fail.
 */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = findPostgresBinDir();
  const base = await mkdtemp(join(tmpdir(), 'anode-pg-'));
  const dataDir = join(base, 'data');
  const superPassword = randomBytes(18).toString('base64url');
  const appUser = 'anode_app';
  const appPassword = randomBytes(18).toString('base64url');
  const pwfile = join(base, 'pwfile');
  await writeFile(pwfile, `${superPassword}\n`, { mode: 0o600 });
  if (process.getuid?.() === 0) {
    const { uid, gid } = postgresIds();
    chownSync(base, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  const pgCtl = join(bin, 'pg_ctl');
  let started = false;
  // If the test process dies without stop(), do not leave a postmaster behind.
  const onExit = (): void => {
    if (started) {
      const [cmd, argv] = asServerUser(pgCtl, ['stop', '-m', 'immediate', '-D', dataDir]);
      try {
        execFileSync(cmd, argv, { stdio: 'ignore', timeout: 10_000 });
      } catch {
        /* already gone */
      }
    }
    rmSync(base, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  try {
    await run(join(bin, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--pwfile',
      pwfile,
      '--auth-local=scram-sha-256',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
      '--locale-provider=icu',
      '--icu-locale=en-US',
      '--no-sync',
    ]);
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const opts = [
        `-c listen_addresses=127.0.0.1`,
        `-p ${port}`,
        `-k ${base}`,
        // Durability is not under test here; speed is welcome.
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
        '-c max_connections=200',
      ].join(' ');
      try {
        await run(pgCtl, ['start', '-w', '-t', '60', '-D', dataDir, '-l', join(base, 'server.log'), '-o', opts]);
        break;
      } catch (err) {
        if (attempt >= 3) throw err; // most likely the port was taken between probe and bind
      }
    }
    started = true;
    const host = '127.0.0.1';
    const superPool = new Map<string, pg.Pool>();
    const superFor = (database: string): pg.Pool => {
      let pool = superPool.get(database);
      if (pool === undefined) {
        pool = new pg.Pool({ host, port, user: 'postgres', password: superPassword, database, max: 2 });
        pool.on('error', () => undefined); // idle clients die when the cluster stops
        superPool.set(database, pool);
      }
      return pool;
    };
    const superQuery = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = [], database = 'postgres'): Promise<R[]> =>
      (await superFor(database).query<R>(sql, params)).rows;
    await superQuery(`CREATE ROLE ${appUser} LOGIN PASSWORD '${appPassword}' NOSUPERUSER NOCREATEDB NOCREATEROLE`);
    let dbCounter = 0;
    return {
      host,
      port,
      appUser,
      appPassword,
      url: (database) => `postgres://${appUser}:${encodeURIComponent(appPassword)}@${host}:${port}/${database}`,
      async createDatabase(prefix = 'anode_test') {
        const name = `${prefix}_${process.pid}_${++dbCounter}`;
        await superQuery(`CREATE DATABASE ${name} OWNER ${appUser}`);
        return name;
      },
      async dropDatabase(name) {
        const pool = superPool.get(name);
        if (pool !== undefined) {
          superPool.delete(name);
          await pool.end();
        }
        await superQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
      superQuery,
      async restart() {
        await run(pgCtl, ['restart', '-w', '-t', '60', '-m', 'fast', '-D', dataDir, '-l', join(base, 'server.log')]);
      },
      async stop() {
        await Promise.all([...superPool.values()].map((p) => p.end()));
        superPool.clear();
        await run(pgCtl, ['stop', '-m', 'immediate', '-D', dataDir]).catch(() => undefined);
        started = false;
        process.removeListener('exit', onExit);
        rmSync(base, { recursive: true, force: true });
      },
    };
  } catch (err) {
    onExit();
    process.removeListener('exit', onExit);
    throw err;
  }
}
