#include "client/coordinator_client.h"

#include "common/grpc_util.h"
#include "common/net_address.h"
#include "common/strings.h"

namespace gale::client {

Result<std::unique_ptr<CoordinatorClient>> CoordinatorClient::Create(
    std::string_view addresses, absl::Duration call_timeout, Metadata metadata,
    std::shared_ptr<grpc::ChannelCredentials> credentials) {
  ASSIGN_OR_RETURN(auto parsed, common::ParseHostPortList(addresses, "coordinator"));
  std::vector<std::string> list;
  for (const auto& hp : parsed) list.push_back(hp.ToString());
  return std::unique_ptr<CoordinatorClient>(
      new CoordinatorClient(std::move(list), call_timeout, std::move(metadata), credentials));
}

CoordinatorClient::CoordinatorClient(std::vector<std::string> addresses,
                                     absl::Duration call_timeout, Metadata metadata,
                                     const std::shared_ptr<grpc::ChannelCredentials>& credentials)
    : addresses_(std::move(addresses)),
      call_timeout_(call_timeout),
      metadata_(std::move(metadata)) {
  for (const auto& address : addresses_) {
    stubs_.push_back(
        v1::Coordinator::NewStub(common::CreateCoordinatorChannel(address, credentials)));
  }
}

Status CoordinatorClient::Run(const Call& call) {
  const size_t first = current_.load();
  Status last;
  for (size_t attempt = 0; attempt < stubs_.size(); ++attempt) {
    const size_t index = (first + attempt) % stubs_.size();
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + call_timeout_));
    for (const auto& [key, value] : metadata_) context.AddMetadata(key, value);
    grpc::Status status = call(stubs_[index].get(), &context);
    if (status.ok()) {
      current_ = index;
      return absl::OkStatus();
    }
    last = common::FromGrpcStatus(status);
    if (!absl::IsUnavailable(last) && !absl::IsDeadlineExceeded(last)) {
      current_ = index;
      return last;
    }
  }
  return Status(last.code(), StrCat("no coordinator answered (", addresses_.size(), " tried; ",
                                    "last: ", last.message(), ")"));
}

std::string CoordinatorClient::current_address() const { return addresses_[current_.load()]; }

}  // namespace gale::client
