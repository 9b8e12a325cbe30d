// open_store: picks the backend from the DATABASE_URL scheme.
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace ff::store {

Result<std::unique_ptr<Store>> open_store(const std::string& database_url) {
  std::string_view url = database_url;
  if (url.starts_with("sqlite://")) {
    FF_ASSIGN_OR_RETURN(sqlite::Options options, sqlite::options_from_url(url));
    FF_ASSIGN_OR_RETURN(auto store, sqlite::SqliteStore::open(options));
    return std::unique_ptr<Store>(std::move(store));
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    FF_ASSIGN_OR_RETURN(postgres::Options options, postgres::options_from_url(url));
    FF_ASSIGN_OR_RETURN(auto store, postgres::PostgresStore::open(options));
    return std::unique_ptr<Store>(std::move(store));
  }
  return InvalidArgument("DATABASE_URL: unsupported scheme (expected sqlite:// or postgresql://)");
}

}  // namespace ff::store
