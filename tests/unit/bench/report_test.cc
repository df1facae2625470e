#include "bench/report.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>

#include "bench/load.h"
#include "bench/stats.h"

namespace gale::bench {
namespace {

TEST(SpreadTest, MinMedianMaxOfOddAndEvenCounts) {
  Spread odd = SpreadOf({5, 1, 3});
  EXPECT_EQ(odd.min, 1);
  EXPECT_EQ(odd.median, 3);
  EXPECT_EQ(odd.max, 5);
  Spread even = SpreadOf({4, 1, 2, 10});
  EXPECT_EQ(even.median, 3);
  EXPECT_EQ(SpreadOf({}).median, 0);
}

TEST(LatencyRecorderTest, NearestRankPercentilesAcrossMergedWorkers) {
  LatencyRecorder a, b;
  for (int ms = 1; ms <= 50; ++ms) a.Add(absl::Milliseconds(ms));
  for (int ms = 51; ms <= 100; ++ms) b.Add(absl::Milliseconds(ms));
  a.Merge(b);
  EXPECT_EQ(a.count(), 100);
  EXPECT_DOUBLE_EQ(a.PercentileMs(50), 50);
  EXPECT_DOUBLE_EQ(a.PercentileMs(99), 99);
  EXPECT_DOUBLE_EQ(a.PercentileMs(100), 100);
  EXPECT_DOUBLE_EQ(a.PercentileMs(0), 1);
  EXPECT_EQ(LatencyRecorder().PercentileMs(99), 0);
}

TEST(ReportTest, GoalsAreJudgedOnTheMedianOfTheRuns) {
  Report report;
  // Runs of 10, 30 and 20: the median 20 meets ">= 15" though one run did not.
  for (double v : {10.0, 30.0, 20.0}) report.Add("s", "rate", "/s", v, AtLeast(15, ">= 15"));
  for (double v : {9.0, 11.0, 12.0}) report.Add("s", "p99", "ms", v, AtMost(10, "<= 10"));
  report.Add("s", "plain", "x", 1.0);
  EXPECT_EQ(report.Misses(), 1);

  nlohmann::json json = report.ToJson();
  ASSERT_EQ(json["metrics"].size(), 3u);
  const nlohmann::json& rate = json["metrics"][0];
  EXPECT_EQ(rate["name"], "rate");
  EXPECT_EQ(rate["min"], 10.0);
  EXPECT_EQ(rate["median"], 20.0);
  EXPECT_EQ(rate["max"], 30.0);
  EXPECT_EQ(rate["values"], nlohmann::json({10.0, 30.0, 20.0}));
  EXPECT_EQ(rate["result"], "PASS");
  EXPECT_EQ(json["metrics"][1]["result"], "MISS");
  EXPECT_EQ(json["metrics"][2]["result"], "");
}

TEST(ReportTest, PrintsOneScenarioWithItsNotesOnce) {
  Report report;
  report.Add("a", "x", "/s", 1234.7, AtLeast(2000, ">= 2000/s"));
  report.Add("b", "y", "/s", 1);
  report.Note("a", "finding");
  report.Note("a", "finding");
  char* text = nullptr;
  size_t size = 0;
  std::FILE* out = ::open_memstream(&text, &size);
  report.Print("a", out);
  std::fclose(out);
  std::string printed(text, size);
  std::free(text);
  EXPECT_NE(printed.find("== a =="), std::string::npos);
  EXPECT_NE(printed.find("1235"), std::string::npos);
  EXPECT_NE(printed.find("MISS"), std::string::npos);
  EXPECT_EQ(printed.find(" y "), std::string::npos) << printed;
  EXPECT_EQ(printed.find("finding"), printed.rfind("finding")) << printed;
}

TEST(RunLoadTest, StopsAtTheOperationBoundAndCountsErrors) {
  LoadOptions options;
  options.concurrency = 4;
  options.max_ops = 1000;
  options.max_time = absl::Hours(1);
  std::atomic<int64_t> seen{0};
  LoadResult result = RunLoad(options, [&](int worker, int64_t index) -> Status {
    EXPECT_LT(worker, 4);
    EXPECT_LT(index, 1000);
    ++seen;
    if (index % 10 == 0) return absl::InternalError("boom");
    return absl::OkStatus();
  });
  EXPECT_EQ(seen, 1000);
  EXPECT_EQ(result.ops, 900);
  EXPECT_EQ(result.errors, 100);
  EXPECT_NE(result.first_error.find("boom"), std::string::npos);
  EXPECT_EQ(result.latency.count(), 900);
  int64_t completions = 0;
  for (int64_t n : result.per_second) completions += n;
  EXPECT_EQ(completions, 1000);
}

TEST(RunLoadTest, AnExpiredTimeBoundStartsNothing) {
  LoadOptions options;
  options.max_time = absl::ZeroDuration();
  std::atomic<int64_t> calls{0};
  LoadResult result = RunLoad(options, [&](int, int64_t) {
    ++calls;
    return absl::OkStatus();
  });
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(result.ops, 0);
}

}  // namespace
}  // namespace gale::bench
