#include "ops/http_access.h"

#include <algorithm>
#include <cctype>

#include <boost/asio/ip/address.hpp>

namespace vomsrepl::ops {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

}  // namespace

bool IsIpAddress(std::string_view host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(host), ec);
  return !ec;
}

bool IsLoopbackAddress(std::string_view host) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(host), ec);
  if (ec) return false;
  if (address.is_v4()) return address.to_v4().is_loopback();
  auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).is_loopback();
  return v6.is_loopback();
}

bool IsLoopbackListen(const std::string& listen) {
  std::string host;
  uint16_t port = 0;
  return ParseListenAddress(listen, &host, &port).ok() && IsLoopbackAddress(host);
}

HttpAccess::HttpAccess(std::string listen_host, uint16_t port)
    : port_suffix_(":" + std::to_string(port)), loopback_(IsLoopbackAddress(listen_host)), default_port_(port == 80) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(listen_host, ec);
  wildcard_ = !ec && address.is_unspecified();
  auto with_port = [&](std::string_view h) { hosts_.push_back(Lower(h) + port_suffix_); };
  if (!ec && address.is_v6()) {
    with_port("[" + address.to_string() + "]");
  } else {
    with_port(listen_host);
  }
  if (loopback_) {
    with_port("127.0.0.1");
    with_port("localhost");
    with_port("[::1]");
  }
}

bool HttpAccess::HostAllowed(std::string_view host) const {
  std::string h = Lower(host);
  if (default_port_ && !h.empty() && h.back() != ']' && h.find(':') == std::string::npos) h += port_suffix_;
  if (default_port_ && !h.empty() && h.back() == ']') h += port_suffix_;
  if (std::find(hosts_.begin(), hosts_.end(), h) != hosts_.end()) return true;
  return wildcard_ && h.size() > port_suffix_.size() && h.ends_with(port_suffix_);
}

std::string HttpAccess::RefusalOf(const HttpRequest& request) const {
  if (request.has_origin) {
    return "requests with an Origin header (from a web page) are refused: use curl or `vomsrepl replica`\n";
  }
  if (request.host.empty()) return "a Host header naming the listen address is required\n";
  if (!HostAllowed(request.host)) {
    return "Host '" + request.host + "' is not this daemon's listen address (" + hosts_.front() + ")\n";
  }
  return {};
}

}  // namespace vomsrepl::ops
