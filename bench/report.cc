#include "bench/report.h"

#include <cmath>

#include "bench/stats.h"

namespace gale::bench {

bool Goal::Met(double value) const {
  switch (kind) {
    case kAtLeast:
      return value >= threshold;
    case kAtMost:
      return value <= threshold;
    case kNone:
      break;
  }
  return true;
}

Goal AtLeast(double threshold, std::string text) {
  return {Goal::kAtLeast, threshold, std::move(text)};
}

Goal AtMost(double threshold, std::string text) {
  return {Goal::kAtMost, threshold, std::move(text)};
}

namespace {

const char* ResultOf(const Metric& m) {
  if (m.goal.kind == Goal::kNone) return "";
  return m.goal.Met(SpreadOf(m.values).median) ? "PASS" : "MISS";
}

// Enough digits to read, whatever the magnitude.
std::string Format(double v) {
  char buf[32];
  double a = std::fabs(v);
  std::snprintf(buf, sizeof(buf),
                a >= 1000 ? "%.0f"
                : a >= 10 ? "%.1f"
                : a >= 1  ? "%.2f"
                          : "%.3f",
                v);
  return buf;
}

}  // namespace

void Report::Add(std::string_view scenario, std::string_view name, std::string_view unit,
                 double value, Goal goal) {
  for (Metric& m : metrics_) {
    if (m.scenario == scenario && m.name == name) {
      m.values.push_back(value);
      return;
    }
  }
  metrics_.push_back(
      {std::string(scenario), std::string(name), std::string(unit), {value}, std::move(goal)});
}

void Report::Note(std::string_view scenario, std::string text) {
  for (const auto& [s, t] : notes_) {
    if (s == scenario && t == text) return;  // the same finding in every run
  }
  notes_.emplace_back(std::string(scenario), std::move(text));
}

void Report::Print(std::string_view scenario, std::FILE* out) const {
  std::fprintf(out, "\n== %.*s ==\n", static_cast<int>(scenario.size()), scenario.data());
  std::fprintf(out, "%-34s %-8s %10s %10s %10s  %-28s %s\n", "figure", "unit", "min", "median",
               "max", "goal", "result");
  for (const Metric& m : metrics_) {
    if (m.scenario != scenario) continue;
    Spread s = SpreadOf(m.values);
    std::fprintf(out, "%-34s %-8s %10s %10s %10s  %-28s %s\n", m.name.c_str(), m.unit.c_str(),
                 Format(s.min).c_str(), Format(s.median).c_str(), Format(s.max).c_str(),
                 m.goal.text.c_str(), ResultOf(m));
  }
  for (const auto& [s, text] : notes_) {
    if (s == scenario) std::fprintf(out, "  note: %s\n", text.c_str());
  }
}

int Report::Misses() const {
  int misses = 0;
  for (const Metric& m : metrics_) {
    if (m.goal.kind != Goal::kNone && !m.goal.Met(SpreadOf(m.values).median)) ++misses;
  }
  return misses;
}

nlohmann::json Report::ToJson() const {
  nlohmann::json metrics = nlohmann::json::array();
  for (const Metric& m : metrics_) {
    Spread s = SpreadOf(m.values);
    metrics.push_back({{"scenario", m.scenario},
                       {"name", m.name},
                       {"unit", m.unit},
                       {"min", s.min},
                       {"median", s.median},
                       {"max", s.max},
                       {"values", m.values},
                       {"goal", m.goal.text},
                       {"result", ResultOf(m)}});
  }
  nlohmann::json notes = nlohmann::json::object();
  for (const auto& [scenario, text] : notes_) notes[scenario].push_back(text);
  return {{"metrics", metrics}, {"notes", notes}};
}

}  // namespace gale::bench
