/**
 * PostgreSQL for integration tests: a private throwaway cluster (see
 * test/helpers/postgres-cluster.ts — initdb in a temp dir as the `postgres`
 * user when running as root, its own loopback port and socket dir, no system service),
 * plus the ANODE_* variables that point a node started by startNode() at one database.
 * A missing PostgreSQL installation fails the calling test with a message naming the
 * Debian package; it never skips.
 */
import type { PostgresCluster } from './postgres-cluster.js';

export { PostgresUnavailableError, findPostgresBinDir, startPostgresCluster, type PostgresCluster } from './postgres-cluster.js';

/** Environment for startNode({ env }) so the node keeps its metadata in `database`. */
export function postgresNodeEnv(cluster: PostgresCluster, database: string): Record<string, string> {
  return {
    ANODE_STORAGE_METADATA_BACKEND: 'postgres',
    ANODE_STORAGE_POSTGRES_URL: cluster.url(database),
  };
}
