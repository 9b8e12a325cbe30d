// Shapes of the orchestrator's JSON (docs/openapi.json is the reference).

export type SnapshotStatus = 'pending' | 'available' | 'corrupt';
export type JobStatus = 'pending' | 'in_progress' | 'completed' | 'failed' | 'cancelled';
export type JobKind = 'restore' | 'backup';

export interface Agent {
  id: string;
  status: 'online' | 'offline';
  last_seen: string;
  first_seen?: string;
  snapshot_count?: number;
  last_snapshot_at?: string | null;
  last_proven_restorable_at?: string | null; // a drill proved one of its snapshots
}

// The repository fields (issue 12) are absent on older orchestrators, whose
// snapshots are all unencrypted tar objects: read them through snapshot.ts.
export interface Snapshot {
  id: string;
  agent_id: string;
  checksum: string; // the object's SHA-256 (tar) or the root tree id (repository)
  size: number; // the object's size (tar) or the logical size (repository)
  metadata: Record<string, unknown>;
  status: SnapshotStatus;
  created_at: string;
  uploaded_at: string | null;
  format?: string; // 'tar' | 'repository-v1'
  encrypted?: boolean;
  repository_id?: string | null; // the key id of an encrypted repository snapshot
  root?: string | null;
  logical_size?: number | null;
  stored_bytes?: number | null; // bytes this snapshot added to the store
  file_count?: number | null;
  verified_at?: string | null; // a verify job found its objects intact
  proven_restorable_at?: string | null; // a drill restored it and proved every file
}

export interface JobLog {
  timestamp: string;
  agent_id: string;
  event_type: string;
  message: string;
  metadata: Record<string, unknown>;
}

export interface RestoreJob {
  id: string;
  snapshot_id: string;
  target_agent_id: string;
  target_path?: string | null;
  status: JobStatus;
  created_at: string;
  updated_at?: string;
  logs?: JobLog[];
}

export interface BackupJob {
  id: string;
  agent_id: string;
  paths?: string[];
  snapshot_id?: string | null;
  status: JobStatus;
  created_at: string;
  updated_at?: string;
  logs?: JobLog[];
}

// Restore and backup jobs seen through one lens, for lists and charts.
export interface Job {
  kind: JobKind;
  id: string;
  status: JobStatus;
  agent_id: string; // the target agent of a restore, the source agent of a backup
  snapshot_id: string | null;
  target_path: string | null;
  paths: string[];
  created_at: string;
  updated_at: string | null;
}

// One write-ahead-log record as sent on /ws, or the `connected` greeting.
export interface WalRecord {
  seq?: number;
  timestamp?: string;
  event: string;
  agent_id?: string;
  job_id?: string;
  snapshot_id?: string;
  status?: string;
  event_type?: string;
  message?: string;
  kind?: string;
  metadata?: Record<string, unknown>;
  [field: string]: unknown;
}

export const isFinished = (s: JobStatus): boolean => s === 'completed' || s === 'failed' || s === 'cancelled';

export function restoreAsJob(j: RestoreJob): Job {
  return {
    kind: 'restore',
    id: j.id,
    status: j.status,
    agent_id: j.target_agent_id,
    snapshot_id: j.snapshot_id,
    target_path: j.target_path ?? null,
    paths: [],
    created_at: j.created_at,
    updated_at: j.updated_at ?? null,
  };
}

export function backupAsJob(j: BackupJob): Job {
  return {
    kind: 'backup',
    id: j.id,
    status: j.status,
    agent_id: j.agent_id,
    snapshot_id: j.snapshot_id ?? null,
    target_path: null,
    paths: j.paths ?? [],
    created_at: j.created_at,
    updated_at: j.updated_at ?? null,
  };
}

// Alert webhooks (docs/alerts.md): exactly these event names; others are refused.
export const WEBHOOK_EVENTS = ['job.failed', 'snapshot.corrupt', 'agent.offline', 'backup.missed', 'drill.failed'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface Webhook {
  id: string;
  url: string;
  events: WebhookEvent[];
  created_at: string;
  last_status: number | null;
  last_error: string | null;
  last_delivery_at: string | null;
  deliveries: number;
  failures: number;
}

// Schedules (docs/schedules.md): exactly one of cron (5 fields, UTC) and interval_seconds.
export const SCHEDULE_KINDS = ['backup', 'verify', 'drill'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];
export const RETENTION_KEYS = ['keep_last', 'keep_hourly', 'keep_daily', 'keep_weekly', 'keep_monthly', 'keep_yearly'] as const;
export type RetentionKey = (typeof RETENTION_KEYS)[number];

export interface Schedule {
  id: string;
  agent_id: string;
  kind: ScheduleKind;
  cron: string | null;
  interval_seconds: number | null;
  paths: string[] | null;
  retention: Partial<Record<RetentionKey, number>> | null;
  target_agent_id: string | null;
  enabled: boolean;
  next_run_at: string;
  last_run_at: string | null;
  last_job_id: string | null;
  last_status: 'ok' | 'missed' | 'failed' | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}
