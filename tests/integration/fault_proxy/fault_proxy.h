// FaultProxy: a TCP forwarder for the network-fault tests (issue 9, item 3), put
// between `vomsrepl run` and a MariaDB server. Every connection accepted on the
// listen port is forwarded to one target; the control commands (control.cc) inject
// faults into all of them:
//
//   Cut()           aborts every open connection, both sides, with a RST (SO_LINGER 0);
//   Stall()         stops forwarding both ways: nothing is read from either side, the
//                   sockets stay open (a silent network); new connections are accepted
//                   and connected to the target but stalled too;
//   Resume()        forwards again, whatever the kernels buffered meanwhile included;
//   SetDelay(ms)    each chunk is written `ms` after it was read (pipelined: latency,
//                   not a throughput limit; order kept); applies to chunks read later;
//   SetRefuse(b)    new connections are reset at once (true) or forwarded (false);
//   CutAfter(n, d)  Cut() once n more bytes went in direction d (kDown: target ->
//                   client, kUp: client -> target), counted over all connections; the
//                   n-th byte is written, the next one is not.
//   PauseEach(n, p) every connection, once it has read n bytes from the target, holds
//                   the rest for p before passing it on (once per connection; the
//                   connections open now included): a server that goes silent in the
//                   middle of what it sends, at the same place on every reconnect.
//                   PauseEach(0, 0ms) disarms it.
//
// A half-close (EOF) is passed on as a shutdown of the other side's sending half; a
// reset or error on one side aborts both. Thread-safety: none; everything, commands
// included, runs on the one io_context thread, so a command has taken effect when it
// returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <utility>  // before asio: Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace vomsrepl::test {

enum class Direction { kDown = 0, kUp = 1 };  // kDown: target -> client

struct ProxyStats {
  uint64_t open = 0;       // connections open now
  uint64_t accepted = 0;   // forwarded since start
  uint64_t refused = 0;    // reset at once while refusing
  uint64_t connect_failed = 0;  // the target did not accept: the client was reset
  uint64_t cuts = 0;       // Cut() calls, CutAfter's included
  int64_t last_cut_unix_ms = 0;
  uint64_t bytes[2] = {0, 0};  // forwarded, by Direction
  uint64_t pauses = 0;         // connections held by PauseEach so far
};

class FaultProxy {
 public:
  FaultProxy(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint listen,
             boost::asio::ip::tcp::endpoint target);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void Start();  // the accept loop

  void Cut();
  void Stall();
  void Resume();
  void SetDelay(std::chrono::milliseconds delay) { delay_ = delay; }
  void SetRefuse(bool refuse) { refuse_ = refuse; }
  void CutAfter(uint64_t bytes, Direction direction);
  void PauseEach(uint64_t bytes, std::chrono::milliseconds pause) { pause_after_ = bytes, pause_ = pause; }

  bool stalled() const { return stalled_; }
  bool refusing() const { return refuse_; }
  std::chrono::milliseconds delay() const { return delay_; }
  // Bytes still to go before an armed CutAfter fires (0: not armed).
  uint64_t cut_after_remaining() const { return cut_after_armed_ ? cut_after_remaining_ : 0; }
  ProxyStats Stats() const;

 private:
  struct Link;
  boost::asio::awaitable<void> AcceptLoop();
  boost::asio::awaitable<void> Connect(std::shared_ptr<Link> link);
  boost::asio::awaitable<void> Reader(std::shared_ptr<Link> link, Direction d);
  boost::asio::awaitable<void> Writer(std::shared_ptr<Link> link, Direction d);
  boost::asio::awaitable<void> WaitWhileStalled(Link& link);
  void PauseLastChunk(Link& link);  // PauseEach on the chunk the reader just queued
  void Abort(Link& link);

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::endpoint target_;
  boost::asio::steady_timer resume_;  // waited on while stalled; Resume() cancels it
  std::list<std::weak_ptr<Link>> links_;
  bool stalled_ = false;
  bool refuse_ = false;
  std::chrono::milliseconds delay_{0};
  bool cut_after_armed_ = false;
  uint64_t cut_after_remaining_ = 0;
  Direction cut_after_direction_ = Direction::kDown;
  uint64_t pause_after_ = 0;
  std::chrono::milliseconds pause_{0};
  ProxyStats stats_;
};

}  // namespace vomsrepl::test
