#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace gale::common {

// A "host:port" address as nodes advertise it and clients dial it.
struct HostPort {
  std::string host;  // a name, an IPv4 address, or an IPv6 address without brackets
  int port = 0;

  // "host:port", with brackets around IPv6 hosts.
  std::string ToString() const;
};

// Parses "host:port" or "[v6]:port". The host must be non-empty and made of
// name characters (letters, digits, '.', '-', '_', ':' inside brackets); the
// port must be in [1, 65535]. INVALID_ARGUMENT naming `field` otherwise.
Result<HostPort> ParseHostPort(std::string_view text, std::string_view field = "address");

// Parses a comma-separated list of host:port, at least one.
Result<std::vector<HostPort>> ParseHostPortList(std::string_view text,
                                                std::string_view field = "address");

}  // namespace gale::common
