// SqliteStore: opening, migrations, agents and snapshots. Jobs, commands and
// events are in sqlite_jobs.cc.
#include "store/sqlite/sqlite_store.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "store/detail/repository_sql.h"
#include "store/detail/rows.h"
#include "store/detail/where.h"
#include "store/migrations/migrations.h"

namespace ff::store::sqlite {

namespace {

// Runs `sql` (one bound id) and reports whether it returned a row.
Result<bool> has_row(Connection& c, std::string_view sql, const std::string& id) {
  FF_ASSIGN_OR_RETURN(Stmt q, c.prepare(sql));
  q.bind_all(id);
  return q.next();
}

}  // namespace

Result<Options> options_from_url(std::string_view url) {
  constexpr std::string_view kScheme = "sqlite://";
  if (!url.starts_with(kScheme)) return InvalidArgument("DATABASE_URL: not a sqlite:// URL");
  std::string_view rest = url.substr(kScheme.size());
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    spdlog::warn("sqlite: ignoring the query string of DATABASE_URL");
    rest = rest.substr(0, q);
  }
  Options options;
  if (rest == ":memory:" || rest == "/:memory:") {
    options.path = ":memory:";
    return options;
  }
  // sqlite:///rel.db names "rel.db"; sqlite:////abs.db names "/abs.db".
  if (!rest.starts_with('/') || rest.size() < 2) {
    return InvalidArgument(
        "DATABASE_URL: expected sqlite:///path, sqlite:////path or "
        "sqlite://:memory:");
  }
  options.path = std::string(rest.substr(1));
  return options;
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const Options& options) {
  FF_ASSIGN_OR_RETURN(auto db, Database::open(options));
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db)));
}

Status SqliteStore::migrate() {
  FF_TRY(db_->write([](Connection& c) {
    return c.exec_script(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY NOT NULL, "
        "name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
        "create schema_migrations");
  }));
  for (const migrations::Migration& m : migrations::all()) {
    // Checked and applied under one write lock: a second store on the same
    // file (in this process: the file is held exclusively) applying
    // migrations at the same time waits, then finds the version present.
    FF_ASSIGN_OR_RETURN(bool applied, db_->write([&](Connection& c) -> Result<bool> {
      {
        FF_ASSIGN_OR_RETURN(Stmt q,
                            c.prepare("SELECT 1 FROM schema_migrations WHERE version = ?1"));
        q.bind_all(m.version);
        FF_ASSIGN_OR_RETURN(bool present, q.next());
        if (present) return false;
      }
      FF_TRY(c.exec_script(std::string(m.sqlite_sql).c_str(), "migration"));
      FF_ASSIGN_OR_RETURN(Stmt ins,
                          c.prepare("INSERT INTO schema_migrations (version, name, applied_at) "
                                    "VALUES (?1, ?2, CAST((julianday('now') - 2440587.5) * "
                                    "86400000 AS INTEGER))"));
      std::string name(m.name);
      FF_TRY(ins.bind_all(m.version, name).run());
      return true;
    }));
    if (applied) spdlog::info("sqlite: applied schema migration {} ({})", m.version, m.name);
  }
  return db_->read([](Connection& c) -> Status {
    FF_ASSIGN_OR_RETURN(Stmt q, c.prepare("SELECT MAX(version) FROM schema_migrations"));
    FF_ASSIGN_OR_RETURN(bool row, q.next());
    if (row && q.int64(0) > migrations::latest_version()) {
      spdlog::warn("sqlite: database schema version {} is newer than this binary's {}", q.int64(0),
                   migrations::latest_version());
    }
    return OkStatus();
  });
}

Status SqliteStore::ping() {
  return db_->read([](Connection& c) -> Status {
    FF_ASSIGN_OR_RETURN(Stmt q, c.prepare("SELECT 1"));
    return q.run();
  });
}

// ---- agents

Status SqliteStore::touch_agents(std::vector<AgentSeen> seen) {
  std::sort(seen.begin(), seen.end(),
            [](const AgentSeen& a, const AgentSeen& b) { return a.id < b.id; });
  // Grouped: a fleet's first sightings arrive together.
  return db_->write_grouped([&](Connection& c) -> Status {
    for (const AgentSeen& a : seen) {
      // Cached by the connection; each Stmt resets it when it goes.
      FF_ASSIGN_OR_RETURN(Stmt q, c.prepare("INSERT INTO agents (id, first_seen, last_seen) "
                                            "VALUES (?1, ?2, ?2) ON CONFLICT (id) DO UPDATE "
                                            "SET last_seen = excluded.last_seen "
                                            "WHERE excluded.last_seen > agents.last_seen"));
      FF_TRY(q.bind_all(a.id, a.at).run());
    }
    return OkStatus();
  });
}

Result<std::vector<Agent>> SqliteStore::list_agents() {
  return db_->read([](Connection& c) -> Result<std::vector<Agent>> {
    FF_ASSIGN_OR_RETURN(
        Stmt q, c.prepare("SELECT " FF_STORE_AGENT_COLUMNS " FROM agents a LEFT JOIN snapshots s "
                          "ON s.agent_id = a.id GROUP BY a.id "
                          "ORDER BY a.first_seen DESC, a.id DESC"));
    std::vector<Agent> out;
    FF_TRY(q.each_row([&](const Stmt& r) { out.push_back(detail::agent_from(r)); }));
    return out;
  });
}

Result<Agent> SqliteStore::get_agent(const std::string& id) {
  return db_->read([&](Connection& c) -> Result<Agent> {
    FF_ASSIGN_OR_RETURN(
        Stmt q, c.prepare("SELECT " FF_STORE_AGENT_COLUMNS " FROM agents a LEFT JOIN snapshots s "
                          "ON s.agent_id = a.id WHERE a.id = ?1 GROUP BY a.id"));
    FF_ASSIGN_OR_RETURN(bool row, q.bind_all(id).next());
    if (!row) return NotFound("agent " + id + " not found");
    return detail::agent_from(q);
  });
}

// ---- snapshots

Status SqliteStore::insert_snapshot(const Snapshot& s) {
  return run_sql(
      true, [&](store::detail::SqlTx& tx) { return store::detail::insert_snapshot_row(tx, s); });
}

Result<Snapshot> SqliteStore::get_snapshot(const std::string& id) {
  return db_->read([&](Connection& c) -> Result<Snapshot> {
    FF_ASSIGN_OR_RETURN(
        Stmt q, c.prepare("SELECT " FF_STORE_SNAPSHOT_COLUMNS " FROM snapshots WHERE id = ?1"));
    FF_ASSIGN_OR_RETURN(bool row, q.bind_all(id).next());
    if (!row) return NotFound("snapshot " + id + " not found");
    return detail::snapshot_from(q);
  });
}

Result<Listing<Snapshot>> SqliteStore::list_snapshots(const SnapshotFilter& f, const Page& p) {
  Page page = detail::clamp_page(p);
  detail::WhereClause where('?');
  where.equals("agent_id", f.agent_id);
  where.equals("status", f.status);
  std::string items_sql = "SELECT " FF_STORE_SNAPSHOT_COLUMNS " FROM snapshots" + where.sql() +
                          " ORDER BY created_at DESC, id DESC LIMIT " + where.next_placeholder(1) +
                          " OFFSET " + where.next_placeholder(2);
  std::string count_sql = "SELECT COUNT(*) FROM snapshots" + where.sql();
  return db_->read_snapshot([&](Connection& c) -> Result<Listing<Snapshot>> {
    Listing<Snapshot> out;
    {
      FF_ASSIGN_OR_RETURN(Stmt q, c.prepare(items_sql));
      int i = 0;
      for (const std::string* arg : where.args()) q.bind(++i, *arg);
      q.bind(++i, page.limit);
      q.bind(++i, page.offset);
      FF_TRY(q.each_row([&](const Stmt& r) { out.items.push_back(detail::snapshot_from(r)); }));
    }
    FF_ASSIGN_OR_RETURN(Stmt q, c.prepare(count_sql));
    int i = 0;
    for (const std::string* arg : where.args()) q.bind(++i, *arg);
    FF_ASSIGN_OR_RETURN(bool row, q.next());
    out.total = row ? q.int64(0) : 0;
    return out;
  });
}

Status SqliteStore::update_snapshot_status(const std::string& id, const std::string& from,
                                           const std::string& to,
                                           std::optional<SystemTime> uploaded_at) {
  return db_->write([&](Connection& c) -> Status {
    {
      FF_ASSIGN_OR_RETURN(Stmt q, c.prepare("SELECT status FROM snapshots WHERE id = ?1"));
      FF_ASSIGN_OR_RETURN(bool row, q.bind_all(id).next());
      if (!row) return NotFound("snapshot " + id + " not found");
      std::string current = q.text(0);
      if (current != from) {
        return Conflict("snapshot " + id + " is " + current + ", not " + from);
      }
    }
    FF_ASSIGN_OR_RETURN(Stmt u, c.prepare("UPDATE snapshots SET status = ?2, "
                                          "uploaded_at = COALESCE(?3, uploaded_at) WHERE id = ?1"));
    return u.bind_all(id, to, uploaded_at).run();
  });
}

Status SqliteStore::delete_snapshot(const std::string& id) {
  return db_->write([&](Connection& c) -> Status {
    FF_ASSIGN_OR_RETURN(bool exists, has_row(c, "SELECT 1 FROM snapshots WHERE id = ?1", id));
    if (!exists) return NotFound("snapshot " + id + " not found");
    {
      FF_ASSIGN_OR_RETURN(Stmt q, c.prepare("SELECT id FROM restore_jobs WHERE snapshot_id = ?1 "
                                            "AND status IN ('pending', 'in_progress') LIMIT 1"));
      FF_ASSIGN_OR_RETURN(bool used, q.bind_all(id).next());
      if (used) return Conflict("snapshot " + id + " is used by restore job " + q.text(0));
    }
    FF_ASSIGN_OR_RETURN(Stmt d, c.prepare("DELETE FROM snapshots WHERE id = ?1"));
    return d.bind_all(id).run();
  });
}

}  // namespace ff::store::sqlite
