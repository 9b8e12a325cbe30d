// The individual migration versions, each defined in its own vNNN_*.cc file.
// Only migrations.cc includes this.
//
// Thread-safety: immutable data.
#pragma once

#include "store/migrations/migrations.h"

namespace ff::store::migrations {

extern const Migration kV001Initial;
extern const Migration kV002BackupJobs;
extern const Migration kV003Credentials;
extern const Migration kV004Repository;
extern const Migration kV005Webhooks;
extern const Migration kV006Schedules;
extern const Migration kV007Verification;
extern const Migration kV008EventStream;

}  // namespace ff::store::migrations
