// PostgresStore: what replicas sharing the database tell each other
// (LISTEN/NOTIFY) and the global event stream (migration v008).
#include <spdlog/spdlog.h>

#include <map>

#include "store/postgres/postgres_store.h"

namespace ff::store::postgres {

namespace {

// A PostgreSQL array literal of `items` as text: each element quoted, with
// '"' and '\\' escaped (WAL lines are JSON, full of both).
std::string text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.push_back('"');
    for (char ch : items[i]) {
      if (ch == '"' || ch == '\\') out.push_back('\\');
      out.push_back(ch);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

// Channels are database-wide; stores in separate schemas of one database
// must not hear each other.
std::string physical_channel(const std::string& schema, const std::string& channel) {
  return schema.empty() ? "ff_" + channel : "ff_" + schema + "_" + channel;
}

// LISTENs on its own connection, reconnecting after a failure.
class PostgresListener final : public ReplicaListener {
 public:
  PostgresListener(std::string conninfo, std::string schema, std::vector<std::string> channels)
      : conninfo_(std::move(conninfo)), schema_(std::move(schema)) {
    for (auto& c : channels) by_physical_[physical_channel(schema_, c)] = std::move(c);
  }

  Result<std::vector<ReplicaNotice>> wait(std::chrono::milliseconds timeout,
                                          bool* resubscribed) override {
    *resubscribed = false;
    if (!conn_ || conn_->broken()) {
      conn_.reset();
      FF_ASSIGN_OR_RETURN(conn_, Connection::connect(conninfo_, schema_));
      for (const auto& [physical, logical] : by_physical_) {
        // LISTEN takes no parameters; the name is ours (ff_, the checked
        // schema identifier, a constant) and quoted here as well.
        std::string sql = "LISTEN \"" + physical + "\"";
        if (Status s = conn_->exec_script(sql.c_str(), "listen"); !s.ok()) {
          conn_.reset();
          return s;
        }
      }
      *resubscribed = true;
    }
    FF_ASSIGN_OR_RETURN(auto raw, conn_->wait_notifications(timeout));
    std::vector<ReplicaNotice> out;
    out.reserve(raw.size());
    for (auto& [physical, payload] : raw) {
      auto it = by_physical_.find(physical);
      if (it != by_physical_.end()) out.push_back({it->second, std::move(payload)});
    }
    return out;
  }

 private:
  const std::string conninfo_;
  const std::string schema_;
  std::map<std::string, std::string> by_physical_;
  std::unique_ptr<Connection> conn_;
};

// Advisory lock keys: one class for singletons, the name hashed with the
// schema, so stores in separate schemas of one database never contend.
constexpr int kSingletonLockClass = 0x46465347;

// A session-level advisory lock on its own connection: PostgreSQL releases it
// when the session ends, so a replica that dies (or loses the database)
// frees it for the others.
class PostgresSingletonLock final : public SingletonLock {
 public:
  PostgresSingletonLock(std::string conninfo, std::string schema, std::string name)
      : conninfo_(std::move(conninfo)), schema_(std::move(schema)), name_(std::move(name)) {}

  Result<bool> held() override {
    Result<bool> checked = check();
    bool now = checked.ok() && *checked;
    if (now != holding_) {
      if (now) {
        spdlog::info("singleton {}: this replica runs it now", name_);
      } else {
        spdlog::info("singleton {}: no longer held here", name_);
      }
    }
    holding_ = now;
    return checked;
  }

 private:
  Result<bool> check() {
    if (!conn_ || conn_->broken()) {
      conn_.reset();
      locked_ = false;
      FF_ASSIGN_OR_RETURN(conn_, Connection::connect(conninfo_, schema_));
    }
    if (locked_) {
      // Still our session: the lock stands.
      FF_TRY(conn_->exec("SELECT 1").status());
      return true;
    }
    FF_ASSIGN_OR_RETURN(PgResult r,
                        conn_->exec("SELECT pg_try_advisory_lock($1::integer, hashtext($2::text))",
                                    Params::of(kSingletonLockClass, schema_ + "/" + name_)));
    locked_ = r.rows() == 1 && r.row(0).text(0) == "t";
    return locked_;
  }

  const std::string conninfo_;
  const std::string schema_;
  const std::string name_;
  std::unique_ptr<Connection> conn_;
  bool locked_ = false;   // taken on conn_
  bool holding_ = false;  // what the last held() said (for the log)
};

}  // namespace

std::unique_ptr<SingletonLock> PostgresStore::singleton_lock(const std::string& name) {
  return std::make_unique<PostgresSingletonLock>(conninfo_, schema_, name);
}

Status PostgresStore::notify_on(Connection& c, const std::string& channel,
                                const std::string& payload) {
  return c.exec("SELECT pg_notify($1, $2)", Params::of(physical_channel(schema_, channel), payload))
      .status();
}

Status PostgresStore::notify_replicas(const std::string& channel, const std::string& payload) {
  return pool_.with_connection([&](Connection& c) { return notify_on(c, channel, payload); });
}

std::unique_ptr<ReplicaListener> PostgresStore::replica_listener(
    std::vector<std::string> channels) {
  return std::make_unique<PostgresListener>(conninfo_, schema_, std::move(channels));
}

Result<int64_t> PostgresStore::append_stream(const std::string& replica, int64_t first_wal_seq,
                                             const std::vector<std::string>& lines) {
  if (lines.empty()) return stream_head();
  return pool_.transaction([&](Connection& c) -> Result<int64_t> {
    // The head row's lock numbers this batch and holds every other batch
    // back until this one has committed.
    FF_ASSIGN_OR_RETURN(
        PgResult head,
        c.exec("UPDATE event_stream_head SET seq = seq + $1 WHERE id = 1 RETURNING seq",
               Params::of(static_cast<int64_t>(lines.size()))));
    if (head.rows() != 1) return Internal("event_stream_head is missing its row");
    const int64_t last = head.row(0).int64(0);
    const int64_t first_seq = last - static_cast<int64_t>(lines.size()) + 1;
    // One statement for the whole batch: the lines go in as one text[].
    Status s = c.exec(
                    "INSERT INTO event_stream (seq, replica, wal_seq, line) "
                    "SELECT $1::bigint + n - 1, $2, $3::bigint + n - 1, line "
                    "FROM unnest($4::text[]) WITH ORDINALITY AS t(line, n)",
                    Params::of(first_seq, replica, first_wal_seq, text_array(lines)))
                   .status();
    if (s.code() == Code::kConflict) {
      return Conflict("replica " + replica + " already shipped some of WAL records " +
                      std::to_string(first_wal_seq) + ".." +
                      std::to_string(first_wal_seq + static_cast<int64_t>(lines.size()) - 1) +
                      ": is ORCH_REPLICA_ID shared by two orchestrators?");
    }
    FF_TRY(s);
    // Delivered at commit, to every replica's listener.
    FF_TRY(notify_on(c, kStreamChannel, std::to_string(last)));
    return last;
  });
}

Result<std::vector<StreamRecord>> PostgresStore::read_stream(int64_t after, int limit) {
  return pool_.with_connection([&](Connection& c) -> Result<std::vector<StreamRecord>> {
    FF_ASSIGN_OR_RETURN(PgResult r, c.exec("SELECT seq, replica, wal_seq, line FROM event_stream "
                                           "WHERE seq > $1 ORDER BY seq LIMIT $2",
                                           Params::of(after, limit)));
    std::vector<StreamRecord> out;
    out.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
      PgRow row = r.row(i);
      out.push_back({row.int64(0), row.text(1), row.int64(2), row.text(3)});
    }
    return out;
  });
}

Result<int64_t> PostgresStore::stream_head() {
  return pool_.with_connection([](Connection& c) -> Result<int64_t> {
    FF_ASSIGN_OR_RETURN(PgResult r, c.exec("SELECT seq FROM event_stream_head WHERE id = 1"));
    if (r.rows() != 1) return Internal("event_stream_head is missing its row");
    return r.row(0).int64(0);
  });
}

Result<int64_t> PostgresStore::stream_shipped(const std::string& replica) {
  return pool_.with_connection([&](Connection& c) -> Result<int64_t> {
    FF_ASSIGN_OR_RETURN(
        PgResult r, c.exec("SELECT COALESCE(MAX(wal_seq), 0) FROM event_stream WHERE replica = $1",
                           Params::of(replica)));
    return r.row(0).int64(0);
  });
}

}  // namespace ff::store::postgres
