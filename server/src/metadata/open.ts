import type { Config } from '../config/schema.js';
import { ConfigError } from '../config/load.js';
import type { ChangeFeed, MetadataStore } from './types.js';
import { LocalChangeFeed } from './local-change-feed.js';
import { PostgresChangeFeed } from './postgres/change-feed.js';
import { SqliteMetadataStore, type LoosePermissions } from './sqlite/sqlite-metadata-store.js';

export type { LoosePermissions } from './sqlite/sqlite-metadata-store.js';
import { PostgresMetadataStore } from './postgres/postgres-metadata-store.js';

/**
 * Opens the metadata backend the config names. The one place that picks an adapter, for
 * the server and for `anode admin reset-root` alike (break-glass must write where the
 * node reads).
 */
export async function openMetadataStore(
  config: Config,
  onIdleError?: (err: Error) => void,
  onLoosePermissions?: (found: LoosePermissions) => void,
): Promise<MetadataStore> {
  if (config.storage.metadata_backend !== 'postgres')
    return SqliteMetadataStore.open(config.server.data_dir, onLoosePermissions ? { onLoosePermissions } : {});
  if (config.storage.postgres_url === '')
    throw new ConfigError('storage.postgres_url is required when storage.metadata_backend = "postgres"');
  // Errors and logs from the store name the server with the password redacted.
  return PostgresMetadataStore.open(config.storage.postgres_url, {
    poolSize: config.storage.postgres_pool_size,
    ...(onIdleError ? { onIdleError } : {}),
  });
}

/**
 * The change feed matching the metadata backend: LISTEN/NOTIFY on PostgreSQL (nodes share
 * the store), a feed that never fires on SQLite (one node).
 */
export async function openChangeFeed(
  config: Config,
  hooks: { onError?: (message: string) => void; onListening?: () => void } = {},
): Promise<ChangeFeed> {
  if (config.storage.metadata_backend !== 'postgres') return new LocalChangeFeed();
  return PostgresChangeFeed.open(config.storage.postgres_url, hooks);
}
