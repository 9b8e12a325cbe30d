// PostgresStore: URL options, opening, migrations, agents and snapshots.
// Jobs, commands and events are in postgres_jobs.cc.
#include "store/postgres/postgres_store.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include <charconv>

#include "store/detail/repository_sql.h"
#include "store/detail/rows.h"
#include "store/migrations/migrations.h"
#include "store/postgres/detail/listing.h"
#include "store/postgres/detail/url.h"

namespace ff::store::postgres {

namespace {

// Advisory lock key for migrations, "FFST"; the schema name is the second
// key, so separate schemas in one database migrate independently.
constexpr int kMigrationLockKey = 0x46465354;

bool is_identifier(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<Options> options_from_url(std::string_view url) {
  if (!url.starts_with("postgresql://") && !url.starts_with("postgres://")) {
    return InvalidArgument("DATABASE_URL: not a postgresql:// URL");
  }
  Options options;
  size_t q = url.find('?');
  std::string base(url.substr(0, q));
  auto params = detail::split_query(q == std::string_view::npos ? "" : url.substr(q + 1));
  if (!params) return InvalidArgument("DATABASE_URL: bad percent escape in the query string");
  std::string passed;
  bool has_timeout = false;
  for (const auto& p : *params) {
    if (p.key == "schema") {
      if (!is_identifier(p.value)) {
        return InvalidArgument("DATABASE_URL: schema must be a plain identifier");
      }
      options.schema = p.value;
      continue;
    }
    if (p.key == "pool_size") {
      int n = 0;
      auto [end, ec] = std::from_chars(p.value.data(), p.value.data() + p.value.size(), n);
      if (ec != std::errc() || end != p.value.data() + p.value.size() || n < 1 || n > 1000) {
        return InvalidArgument("DATABASE_URL: pool_size must be 1..1000");
      }
      options.pool_size = n;
      continue;
    }
    if (p.key == "connect_timeout") has_timeout = true;
    passed += passed.empty() ? "?" : "&";
    passed += p.raw;
  }
  // Without a timeout an unreachable host blocks start-up for minutes.
  if (!has_timeout) passed += passed.empty() ? "?connect_timeout=10" : "&connect_timeout=10";
  options.conninfo = base + passed;
  return options;
}

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const Options& options) {
  std::unique_ptr<PostgresStore> store(new PostgresStore(options));
  FF_TRY(store->ping());
  return store;
}

Status PostgresStore::migrate() {
  return pool_.transaction([&](Connection& c) -> Status {
    FF_TRY(c.exec("SELECT pg_advisory_xact_lock($1::integer, hashtext($2::text))",
                  Params::of(kMigrationLockKey, schema_)));
    if (!schema_.empty()) {
      // DDL takes no parameters; the name was checked to be a plain
      // identifier and is quoted here as well.
      std::string sql = "CREATE SCHEMA IF NOT EXISTS \"" + schema_ + "\"";
      FF_TRY(c.exec_script(sql.c_str(), "create schema"));
    }
    FF_TRY(
        c.exec_script("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY "
                      "KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
                      "create schema_migrations"));
    FF_ASSIGN_OR_RETURN(PgResult have, c.exec("SELECT COALESCE(MAX(version), 0) FROM "
                                              "schema_migrations"));
    int64_t current = have.row(0).int64(0);
    if (current > migrations::latest_version()) {
      spdlog::warn("postgres: database schema version {} is newer than this binary's {}", current,
                   migrations::latest_version());
    }
    // Versions are applied without gaps, so "greater than the newest" finds
    // every missing one.
    for (const migrations::Migration& m : migrations::all()) {
      if (m.version <= current) continue;
      FF_TRY(c.exec_script(std::string(m.postgres_sql).c_str(), "migration"));
      FF_TRY(
          c.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, "
                 "(extract(epoch FROM clock_timestamp()) * 1000)::bigint)",
                 Params::of(m.version, std::string(m.name))));
      spdlog::info("postgres: applied schema migration {} ({})", m.version, m.name);
    }
    return OkStatus();
  });
}

Status PostgresStore::ping() {
  return pool_.with_connection([](Connection& c) -> Status { return c.exec("SELECT 1").status(); });
}

// ---- agents

Status PostgresStore::touch_agents(std::vector<AgentSeen> seen) {
  PendingTouch pending{&seen};
  touch_batches_.submit("", pending, [this](const std::vector<PendingTouch*>& batch) {
    std::vector<AgentSeen> all;
    for (const PendingTouch* t : batch) all.insert(all.end(), t->seen->begin(), t->seen->end());
    Status written = write_sightings(std::move(all));
    for (PendingTouch* t : batch) t->result = written;
  });
  return std::move(pending.result);
}

Status PostgresStore::write_sightings(std::vector<AgentSeen> seen) {
  std::sort(seen.begin(), seen.end(),
            [](const AgentSeen& a, const AgentSeen& b) { return a.id < b.id; });
  auto touch = [&](Connection& c) -> Status {
    for (const AgentSeen& a : seen) {
      FF_TRY(c.exec("INSERT INTO agents (id, first_seen, last_seen) VALUES ($1, $2, $2) "
                    "ON CONFLICT (id) DO UPDATE SET last_seen = EXCLUDED.last_seen "
                    "WHERE EXCLUDED.last_seen > agents.last_seen",
                    Params::of(a.id, a.at))
                 .status());
    }
    return OkStatus();
  };
  // One agent needs no transaction round trips of its own.
  if (seen.size() == 1) return pool_.with_connection(touch);
  return pool_.transaction(touch);
}

Result<std::vector<Agent>> PostgresStore::list_agents() {
  return pool_.with_connection([](Connection& c) -> Result<std::vector<Agent>> {
    FF_ASSIGN_OR_RETURN(
        PgResult r, c.exec("SELECT " FF_STORE_AGENT_COLUMNS " FROM agents a LEFT JOIN snapshots s "
                           "ON s.agent_id = a.id GROUP BY a.id "
                           "ORDER BY a.first_seen DESC, a.id DESC"));
    std::vector<Agent> out;
    out.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back(store::detail::agent_from(r.row(i)));
    return out;
  });
}

Result<Agent> PostgresStore::get_agent(const std::string& id) {
  return pool_.with_connection([&](Connection& c) -> Result<Agent> {
    FF_ASSIGN_OR_RETURN(
        PgResult r, c.exec("SELECT " FF_STORE_AGENT_COLUMNS " FROM agents a LEFT JOIN snapshots s "
                           "ON s.agent_id = a.id WHERE a.id = $1 GROUP BY a.id",
                           Params::of(id)));
    if (r.rows() == 0) return NotFound("agent " + id + " not found");
    return store::detail::agent_from(r.row(0));
  });
}

// ---- snapshots

Status PostgresStore::insert_snapshot(const Snapshot& s) {
  return run_sql(
      true, [&](store::detail::SqlTx& tx) { return store::detail::insert_snapshot_row(tx, s); });
}

Result<Snapshot> PostgresStore::get_snapshot(const std::string& id) {
  return pool_.with_connection([&](Connection& c) -> Result<Snapshot> {
    FF_ASSIGN_OR_RETURN(PgResult r,
                        c.exec("SELECT " FF_STORE_SNAPSHOT_COLUMNS " FROM snapshots WHERE id = $1",
                               Params::of(id)));
    if (r.rows() == 0) return NotFound("snapshot " + id + " not found");
    return store::detail::snapshot_from(r.row(0));
  });
}

Result<Listing<Snapshot>> PostgresStore::list_snapshots(const SnapshotFilter& f, const Page& p) {
  detail::ListingQuery query("snapshots", FF_STORE_SNAPSHOT_COLUMNS);
  query.equals("agent_id", f.agent_id);
  query.equals("status", f.status);
  return pool_.with_connection([&](Connection& c) {
    return query.fetch<Snapshot>(c, p,
                                 [](const PgRow& r) { return store::detail::snapshot_from(r); });
  });
}

Status PostgresStore::update_snapshot_status(const std::string& id, const std::string& from,
                                             const std::string& to,
                                             std::optional<SystemTime> uploaded_at) {
  return pool_.with_connection([&](Connection& c) -> Status {
    // One statement is the compare-and-set: under READ COMMITTED the WHERE
    // is re-checked against the newest row version once its lock is ours.
    FF_ASSIGN_OR_RETURN(PgResult u, c.exec("UPDATE snapshots SET status = $3, "
                                           "uploaded_at = COALESCE($4, uploaded_at) "
                                           "WHERE id = $1 AND status = $2",
                                           Params::of(id, from, to, uploaded_at)));
    if (u.affected() == 1) return OkStatus();
    // Only to word the error.
    FF_ASSIGN_OR_RETURN(PgResult r,
                        c.exec("SELECT status FROM snapshots WHERE id = $1", Params::of(id)));
    if (r.rows() == 0) return NotFound("snapshot " + id + " not found");
    return Conflict("snapshot " + id + " is " + r.row(0).text(0) + ", not " + from);
  });
}

Status PostgresStore::delete_snapshot(const std::string& id) {
  return pool_.transaction([&](Connection& c) -> Status {
    // The row lock orders us against create_restore_job (FOR SHARE on the
    // same row): either its job is visible below, or it finds no snapshot.
    FF_ASSIGN_OR_RETURN(PgResult s,
                        c.exec("SELECT 1 FROM snapshots WHERE id = $1 FOR UPDATE", Params::of(id)));
    if (s.rows() == 0) return NotFound("snapshot " + id + " not found");
    FF_ASSIGN_OR_RETURN(PgResult j, c.exec("SELECT id FROM restore_jobs WHERE snapshot_id = $1 "
                                           "AND status IN ('pending', 'in_progress') LIMIT 1",
                                           Params::of(id)));
    if (j.rows() > 0) {
      return Conflict("snapshot " + id + " is used by restore job " + j.row(0).text(0));
    }
    return c.exec("DELETE FROM snapshots WHERE id = $1", Params::of(id)).status();
  });
}

}  // namespace ff::store::postgres
