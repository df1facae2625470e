#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "nlohmann/json.hpp"

namespace gale::bench {

// What a figure is measured against: its median passes or misses.
struct Goal {
  enum Kind { kNone, kAtLeast, kAtMost };
  Kind kind = kNone;
  double threshold = 0;
  std::string text;  // as printed, e.g. ">= 0.50 x no-op"

  bool Met(double value) const;
};

Goal AtLeast(double threshold, std::string text);
Goal AtMost(double threshold, std::string text);

// One figure of a scenario, with its value from every run.
struct Metric {
  std::string scenario;
  std::string name;  // e.g. "upload.f3.c4m.s1"
  std::string unit;  // e.g. "MiB/s", "x" for a ratio
  std::vector<double> values;
  Goal goal;
};

// Every figure of a benchmark run, in the order first recorded: printed as
// one table per scenario and written as JSON. Not thread-safe.
class Report {
 public:
  // Records one run's value of a figure (the goal is taken from the first).
  void Add(std::string_view scenario, std::string_view name, std::string_view unit, double value,
           Goal goal = {});
  // A line printed under the scenario's table (a finding, a setting).
  void Note(std::string_view scenario, std::string text);

  // Prints the table of `scenario`.
  void Print(std::string_view scenario, std::FILE* out) const;
  // How many figures with a goal miss it.
  int Misses() const;
  // {"metrics": [...], "notes": {...}}: what the tables show, per figure
  // with min, median, max, values, goal and result.
  nlohmann::json ToJson() const;

 private:
  std::vector<Metric> metrics_;
  std::vector<std::pair<std::string, std::string>> notes_;  // (scenario, text)
};

}  // namespace gale::bench
