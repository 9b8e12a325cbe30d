// MeteredStore: a BlobStore wrapper that counts failed operations in
// metrics::Metrics (fortfail_object_store_errors_total{operation}). A
// kNotFound answer is not a failure (callers ask stat() to learn absence),
// nor is kOutOfRange (a client's Range). Composed once, in src/orchestrator,
// outermost so that a failure counts once, after any retries.
//
// Thread-safety: as the wrapped store; `metrics` must outlive the store and
// every Reader and Writer it returns.
#pragma once

#include <memory>

#include "blob/blob_store.h"
#include "metrics/metrics.h"

namespace ff::blob {

std::unique_ptr<BlobStore> make_metered_store(std::unique_ptr<BlobStore> inner,
                                              metrics::Metrics& metrics);

}  // namespace ff::blob
