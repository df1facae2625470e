#include "coordinator/store/postgres/pg_connection.h"

#include <algorithm>

#include "spdlog/spdlog.h"

namespace gale::coordinator {
namespace {

// Replaces the value of every key=value parameter named password (URL query
// or keyword/value connection string) with "***".
void RedactPasswordParameters(std::string& text) {
  constexpr std::string_view kKey = "password=";
  for (size_t pos = text.find(kKey); pos != std::string::npos; pos = text.find(kKey, pos)) {
    pos += kKey.size();
    size_t end = text.find_first_of("& \t\n", pos);
    if (end == std::string::npos) end = text.size();
    text.replace(pos, end - pos, "***");
    pos += 3;
  }
}

// The password in user:password@ of a URL, or "".
std::string_view UrlPassword(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  const size_t start = scheme + 3;
  size_t end = url.find_first_of("/?#", start);
  if (end == std::string_view::npos) end = url.size();
  size_t at = url.substr(0, end).rfind('@');
  if (at == std::string_view::npos || at < start) return "";
  size_t colon = url.find(':', start);
  if (colon == std::string_view::npos || colon > at) return "";
  return url.substr(colon + 1, at - colon - 1);
}

// A server message without its trailing newline, and without `url`'s
// password should it appear.
std::string CleanMessage(std::string_view message, std::string_view url) {
  std::string out(TrimWhitespace(message));
  std::string_view password = UrlPassword(url);
  for (size_t pos = password.empty() ? std::string::npos : out.find(password);
       pos != std::string::npos; pos = out.find(password, pos + 3)) {
    out.replace(pos, password.size(), "***");
  }
  RedactPasswordParameters(out);
  return out;
}

}  // namespace

std::string WithConnectionParams(std::string_view url,
                                 const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out(url);
  const bool uri = url.starts_with("postgresql://") || url.starts_with("postgres://");
  for (const auto& [key, value] : params) {
    if (uri) {
      out += StrCat(out.find('?') == std::string::npos ? "?" : "&", key, "=", value);
    } else {
      out += StrCat(out.empty() ? "" : " ", key, "=", value);
    }
  }
  return out;
}

std::string RedactPostgresUrl(std::string_view url) {
  std::string out(url);
  std::string_view password = UrlPassword(url);
  if (!password.empty()) {
    const size_t at = static_cast<size_t>(password.data() - url.data());
    out.replace(at, password.size(), "***");
  }
  RedactPasswordParameters(out);
  return out;
}

std::string PgTextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (const std::string& value : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : value) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::string PgByteaArray(const std::vector<std::string>& hex_values) {
  std::string out = "{";
  for (const std::string& hex : hex_values) {
    // "\\x..." in the array literal is the element \x..., bytea's hex form.
    StrAppend(&out, out.size() > 1 ? "," : "", "\"\\\\x", hex, "\"");
  }
  out += '}';
  return out;
}

std::string PgInt64Array(const std::vector<int64_t>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) out += StrCat(i == 0 ? "" : ",", values[i]);
  out += '}';
  return out;
}

std::vector<std::string> ParsePgTextArray(const pqxx::field& field) {
  std::vector<std::string> out;
  pqxx::array_parser parser = field.as_array();
  while (true) {
    auto [juncture, value] = parser.get_next();
    if (juncture == pqxx::array_parser::done) return out;
    if (juncture == pqxx::array_parser::string_value) out.push_back(std::move(value));
  }
}

bool IsPgText(std::string_view text) {
  return text.find('\0') == std::string_view::npos && IsValidUtf8(text);
}

std::optional<int64_t> PgLimit(int limit) {
  if (limit < 0) return std::nullopt;
  return limit;
}

const std::string& PgTx::Prepared(std::string_view sql) {
  auto [it, inserted] = conn_.prepared_.try_emplace(std::string(sql));
  if (inserted) {
    it->second = StrCat("gale_", conn_.prepared_.size());
    // Registered with the server on first use, inside this transaction.
    conn_.conn_->prepare(it->second, it->first);
  }
  return it->second;
}

Status PgTx::Failed(const std::exception& e) { return conn_.Failed(e, what_); }

Status PgConnection::Failed(const std::exception& e, std::string_view what) {
  bool broken = false;
  Status status = PgErrorStatus(e, what, &broken);
  if (broken || !conn_->is_open()) broken_ = true;
  return status;
}

Status PgTx::ExecScript(std::string_view sql) {
  try {
    txn_.exec(std::string(sql));
    return absl::OkStatus();
  } catch (const std::exception& e) {
    return Failed(e);
  }
}

Status PgErrorStatus(const std::exception& e, std::string_view context, bool* broken) {
  const std::string message = StrCat(context, ": ", TrimWhitespace(e.what()));
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    *broken = true;
    return absl::UnavailableError(
        StrCat(message, " (the connection was lost during COMMIT; the outcome is unknown)"));
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    *broken = true;
    return absl::UnavailableError(message);
  }
  // libpqxx 6 throws these without a SQLSTATE, outside sql_error.
  if (dynamic_cast<const pqxx::serialization_failure*>(&e) != nullptr ||
      dynamic_cast<const pqxx::deadlock_detected*>(&e) != nullptr) {
    return absl::AbortedError(message);
  }
  if (dynamic_cast<const pqxx::statement_completion_unknown*>(&e) != nullptr) {
    return absl::UnavailableError(StrCat(message, " (the statement's outcome is unknown)"));
  }
  const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e);
  if (sql == nullptr) return absl::InternalError(message);
  const std::string& state = sql->sqlstate();
  const std::string detailed = StrCat(message, " (SQLSTATE ", state, ")");
  if (state == "40001" || state == "40P01") return absl::AbortedError(detailed);
  if (state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03") {
    *broken = true;
    return absl::UnavailableError(detailed);
  }
  if (state == "53300" || state == "55P03" || state == "57014") {
    return absl::UnavailableError(detailed);
  }
  if (state.starts_with("53")) return absl::ResourceExhaustedError(detailed);
  if (state == "23505") return absl::AlreadyExistsError(detailed);
  if (state.starts_with("22")) return absl::InvalidArgumentError(detailed);
  return absl::InternalError(detailed);
}

// Server notices (e.g. "relation already exists, skipping") go to the log at
// debug level instead of libpqxx's default, stderr.
class PgConnection::NoticeLogger final : public pqxx::errorhandler {
 public:
  using pqxx::errorhandler::errorhandler;
  bool operator()(const char message[]) noexcept override {
    spdlog::debug("postgres: {}", TrimWhitespace(message));
    return false;
  }
};

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& url) {
  try {
    auto conn = std::make_unique<pqxx::connection>(url);
    return std::unique_ptr<PgConnection>(new PgConnection(std::move(conn)));
  } catch (const std::exception& e) {
    return absl::UnavailableError(StrCat("cannot connect to PostgreSQL at ", RedactPostgresUrl(url),
                                         ": ", CleanMessage(e.what(), url)));
  }
}

// Keeps the payloads of one channel's notifications for AwaitNotifications.
class PgConnection::Listener final : public pqxx::notification_receiver {
 public:
  Listener(pqxx::connection_base& conn, const std::string& channel)
      : pqxx::notification_receiver(conn, channel) {}
  void operator()(const std::string& payload, int backend_pid) override {
    received.emplace_back(payload, backend_pid);
  }
  std::vector<std::pair<std::string, int>> received;  // payload, sender
};

Status PgConnection::Listen(const std::string& channel) {
  try {
    listener_ = std::make_unique<Listener>(*conn_, channel);
    listening_pid_ = conn_->backendpid();
    return absl::OkStatus();
  } catch (const std::exception& e) {
    return Failed(e, StrCat("LISTEN ", channel));
  }
}

Result<std::vector<std::string>> PgConnection::AwaitNotifications(
    absl::Duration timeout, const absl::flat_hash_set<int>& ignored) {
  if (listener_ == nullptr) return absl::FailedPreconditionError("not listening");
  try {
    if (listener_->received.empty()) {
      const int64_t micros = std::max<int64_t>(0, absl::ToInt64Microseconds(timeout));
      conn_->await_notification(micros / 1'000'000, micros % 1'000'000);
    } else {
      conn_->get_notifs();
    }
  } catch (const std::exception& e) {
    return Failed(e, "waiting for notifications");
  }
  if (!conn_->is_open() || conn_->backendpid() != listening_pid_) {
    broken_ = true;
    return absl::UnavailableError(
        "the PostgreSQL session listening for changes was lost; notifications may be missing");
  }
  std::vector<std::string> out;
  for (auto& [payload, sender] : listener_->received) {
    if (!ignored.contains(sender)) out.push_back(std::move(payload));
  }
  listener_->received.clear();
  return out;
}

PgConnection::PgConnection(std::unique_ptr<pqxx::connection> conn)
    : conn_(std::move(conn)),
      connected_pid_(conn_->backendpid()),
      notices_(std::make_unique<NoticeLogger>(*conn_)) {}

PgConnection::~PgConnection() = default;

Status PgConnection::Run(std::string_view what, PgIsolation isolation,
                         const std::function<Status(PgTx&)>& body) {
  Status status;
  in_doubt_ = false;
  try {
    std::unique_ptr<pqxx::transaction_base> txn;
    switch (isolation) {
      case PgIsolation::kAutocommit:
        txn = std::make_unique<pqxx::nontransaction>(*conn_);
        break;
      case PgIsolation::kRepeatableRead:
        txn = std::make_unique<pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>>(*conn_);
        break;
      case PgIsolation::kSerializable:
        txn = std::make_unique<pqxx::transaction<pqxx::serializable>>(*conn_);
        break;
      case PgIsolation::kSnapshot:
        txn = std::make_unique<pqxx::transaction<pqxx::repeatable_read>>(*conn_);
        break;
    }
    PgTx tx(*this, *txn, what);
    status = body(tx);
    if (status.ok()) {
      txn->commit();
    } else {
      txn->abort();
    }
    return status;
  } catch (const std::exception& e) {
    Status failure = Failed(e, what);
    if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) in_doubt_ = true;
    // A body's own error wins over a failed rollback.
    return status.ok() ? failure : status;
  }
}

}  // namespace gale::coordinator
