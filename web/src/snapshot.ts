// What a snapshot is and what it costs, whatever the orchestrator's version:
// older orchestrators send none of the repository fields (issue 12), and every
// snapshot they hold is an unencrypted tar object whose metadata may carry the
// agent's counts.
import type { Snapshot } from './types';

export type SnapshotFormat = 'repository' | 'tar';

const count = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);

export const snapshotFormat = (s: Snapshot): SnapshotFormat =>
  typeof s.format === 'string' && s.format.startsWith('repository') ? 'repository' : 'tar';

export const isEncrypted = (s: Snapshot): boolean => s.encrypted === true;

// Bytes of file content in the backed-up tree; null when nobody recorded it.
export const logicalSize = (s: Snapshot): number | null =>
  count(s.logical_size) ?? count(s.metadata?.byte_count) ?? (snapshotFormat(s) === 'repository' ? count(s.size) : null);

// Bytes this snapshot added to the store: new packs, or the whole tar object.
export const storedBytes = (s: Snapshot): number | null =>
  count(s.stored_bytes) ?? (snapshotFormat(s) === 'tar' ? count(s.size) : null);

export const fileCount = (s: Snapshot): number | null => count(s.file_count) ?? count(s.metadata?.file_count);

export const ENCRYPTION_WARNING =
  'Not encrypted: whoever can read the object store can read this backup. Give the agent a repository key (AGENT_KEY_FILE).';
