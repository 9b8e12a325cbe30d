// Where the transport runs a route: placement_of() for each kind of route
// under each ApiOptions::point_reads.
#include <gtest/gtest.h>

#include "api/api.h"

namespace ff::api {
namespace {

Route plain() {
  Route r{"POST", "/agent/{id}/events"};
  r.handle = [](Request&) { return Response{}; };
  return r;
}

Route point_read() {
  Route r{"GET", "/restore-jobs/{id}"};
  r.point_read = true;
  r.handle = [](Request&) { return Response{}; };
  return r;
}

Route with_fast_path() {
  Route r{"GET", "/agent/{id}/commands"};
  r.handle = [](Request&) { return Response{}; };
  r.try_inline = [](Request&) -> std::optional<Response> { return std::nullopt; };
  return r;
}

Route non_blocking() {
  Route r{"GET", "/health/live"};
  r.blocking = false;
  r.handle = [](Request&) { return Response{}; };
  return r;
}

ApiOptions reads_on(Lane lane, int reader_threads = 0) {
  ApiOptions o;
  o.point_reads = lane;
  o.reader_threads = reader_threads;
  return o;
}

void expect(Placement p, Lane lane, bool fast_path) {
  EXPECT_EQ(p.lane, lane);
  EXPECT_EQ(p.fast_path, fast_path);
}

TEST(Placement, NonBlockingRoutesRunInlineWhereverReadsGo) {
  for (Lane lane : {Lane::kInline, Lane::kReaders, Lane::kWorkers}) {
    expect(placement_of(non_blocking(), reads_on(lane, 8)), Lane::kInline, false);
  }
}

TEST(Placement, WritesAlwaysRunOnTheWorkers) {
  for (Lane lane : {Lane::kInline, Lane::kReaders, Lane::kWorkers}) {
    expect(placement_of(plain(), reads_on(lane, 8)), Lane::kWorkers, false);
  }
}

TEST(Placement, PointReadsAndFastPathsRunInlineOnAnInProcessDatabase) {
  expect(placement_of(point_read(), reads_on(Lane::kInline)), Lane::kInline, false);
  expect(placement_of(with_fast_path(), reads_on(Lane::kInline)), Lane::kInline, true);
}

TEST(Placement, PointReadsAndFastPathsRunOnTheReaderLaneOfANetworkedDatabase) {
  expect(placement_of(point_read(), reads_on(Lane::kReaders, 8)), Lane::kReaders, false);
  expect(placement_of(with_fast_path(), reads_on(Lane::kReaders, 8)), Lane::kReaders, true);
}

TEST(Placement, AReaderLaneWithoutThreadsMeansTheWorkers) {
  expect(placement_of(point_read(), reads_on(Lane::kReaders, 0)), Lane::kWorkers, false);
  expect(placement_of(with_fast_path(), reads_on(Lane::kReaders, 0)), Lane::kWorkers, false);
}

TEST(Placement, EverythingBlockingRunsOnTheWorkersWhenReadsDo) {
  expect(placement_of(point_read(), reads_on(Lane::kWorkers)), Lane::kWorkers, false);
  expect(placement_of(with_fast_path(), reads_on(Lane::kWorkers)), Lane::kWorkers, false);
}

}  // namespace
}  // namespace ff::api
