import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSync } from '@grpc/proto-loader';
import { MESSAGE_FIELDS, SERVICE_METHODS } from './messages.js';
import { PROTO_FILE, PROTO_OPTIONS, chunkServiceDefinition } from './proto.js';

test('every message of chunks.proto has exactly the fields messages.ts declares', () => {
  const def = loadSync(PROTO_FILE, PROTO_OPTIONS);
  const messages = Object.entries(def)
    .filter(
      ([name, v]) => name.startsWith('anode.cluster.v1.') && 'type' in v && (v as { format?: string }).format?.includes('DescriptorProto'),
    )
    .map(
      ([name, v]) =>
        [
          name.slice('anode.cluster.v1.'.length),
          (v as unknown as { type: { field: Array<{ name: string }> } }).type.field.map((f) => f.name),
        ] as const,
    );
  assert.deepEqual(
    Object.fromEntries(messages.map(([n, f]) => [n, [...f].sort()])),
    Object.fromEntries(Object.entries(MESSAGE_FIELDS).map(([n, f]) => [n, [...f].sort()])),
  );
});

test('the service has the methods and streaming kinds messages.ts declares', () => {
  const service = chunkServiceDefinition();
  const kinds = Object.fromEntries(
    Object.entries(service)
      .filter(([name]) => /^[A-Z]/.test(name))
      .map(([name, m]) => [name, { requestStream: m.requestStream, responseStream: m.responseStream }]),
  );
  assert.deepEqual(kinds, SERVICE_METHODS);
});
