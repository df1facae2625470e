#include "common/net_address.h"

#include <algorithm>
#include <cctype>

#include "common/strings.h"

namespace gale::common {
namespace {

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

}  // namespace

std::string HostPort::ToString() const {
  if (host.find(':') != std::string::npos) return StrCat("[", host, "]:", port);
  return StrCat(host, ":", port);
}

Result<HostPort> ParseHostPort(std::string_view text, std::string_view field) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        StrCat("field '", field, "': '", EscapeForMessage(text), "' ", why));
  };
  if (text.empty() || text.size() > 300) return bad("must be host:port");
  HostPort out;
  std::string_view port_text;
  if (text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return bad("must be [ipv6]:port");
    }
    std::string_view host = text.substr(1, close - 1);
    if (host.empty()) return bad("has an empty host");
    for (char c : host) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') {
        return bad("has an invalid IPv6 host");
      }
    }
    out.host = std::string(host);
    port_text = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("must be host:port");
    std::string_view host = text.substr(0, colon);
    if (host.empty()) return bad("has an empty host");
    for (char c : host) {
      if (!IsNameChar(c)) return bad("has an invalid host");
    }
    out.host = std::string(host);
    port_text = text.substr(colon + 1);
  }
  bool digits = !port_text.empty() && port_text.size() <= 5 &&
                std::all_of(port_text.begin(), port_text.end(),
                            [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  std::optional<int64_t> port = digits ? ParseInt64(port_text) : std::nullopt;
  if (!port || *port < 1 || *port > 65535) return bad("has a port outside [1, 65535]");
  out.port = static_cast<int>(*port);
  return out;
}

Result<std::vector<HostPort>> ParseHostPortList(std::string_view text, std::string_view field) {
  std::vector<HostPort> out;
  for (std::string_view part : SplitTrimmed(text, ',')) {
    ASSIGN_OR_RETURN(HostPort hp, ParseHostPort(part, field));
    out.push_back(std::move(hp));
  }
  if (out.empty()) {
    return absl::InvalidArgumentError(
        StrCat("field '", field, "' must list at least one host:port"));
  }
  return out;
}

}  // namespace gale::common
