#include "store/migrations/migrations.h"

#include "store/migrations/versions.h"

namespace ff::store::migrations {

std::span<const Migration> all() {
  static const Migration kAll[] = {
      kV001Initial,  kV002BackupJobs, kV003Credentials,  kV004Repository,
      kV005Webhooks, kV006Schedules,  kV007Verification, kV008EventStream,
  };
  return kAll;
}

int latest_version() { return all().back().version; }

}  // namespace ff::store::migrations
