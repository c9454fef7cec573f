// A TCP client on loopback for the HTTP server tests (http_metrics_test,
// http_server_limits_test): plain sockets, so that what the server receives is
// exactly what the test wrote.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>

namespace vomsrepl::ops::testing {

// A connected socket to 127.0.0.1:port (the caller closes it); -1 when the
// connection is refused.
inline int ConnectLoopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace vomsrepl::ops::testing
