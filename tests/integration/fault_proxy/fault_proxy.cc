// FaultProxy: see fault_proxy.h. One Link per accepted connection, with one reader
// and one writer coroutine per direction and a bounded queue of chunks between them
// (the queue carries each chunk's due time for SetDelay).
#include "fault_proxy.h"

#include <deque>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace vomsrepl::test {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {
constexpr size_t kReadSize = 64 * 1024;
constexpr size_t kMaxQueuedBytes = 8 * 1024 * 1024;  // per direction: the reader waits beyond it

void Reset(tcp::socket& s) {
  boost::system::error_code ec;
  if (!s.is_open()) return;
  s.set_option(asio::socket_base::linger(true, 0), ec);  // close() then sends a RST
  s.close(ec);
}
}  // namespace

struct FaultProxy::Link {
  struct Chunk {
    Clock::time_point due;
    std::vector<char> data;
    bool eof = false;        // the reader's side sent FIN: pass it on
    bool cut_after = false;  // the last chunk before CutAfter fires
  };
  struct Pipe {
    explicit Pipe(asio::io_context& io) : wake(io), space(io) {}
    std::deque<Chunk> queue;
    size_t queued = 0;
    asio::steady_timer wake;   // the writer waits for a chunk or its due time
    asio::steady_timer space;  // the reader waits for room in the queue
    bool done = false;         // the writer passed the EOF on
  };
  explicit Link(asio::io_context& io) : client(io), target(io), pipes{Pipe(io), Pipe(io)} {}
  tcp::socket& From(Direction d) { return d == Direction::kDown ? target : client; }
  tcp::socket& To(Direction d) { return d == Direction::kDown ? client : target; }

  tcp::socket client;
  tcp::socket target;
  Pipe pipes[2];
  bool aborted = false;
  uint64_t read_down = 0;  // bytes read from the target so far (PauseEach)
  bool paused = false;     // PauseEach held this connection already
};

FaultProxy::FaultProxy(asio::io_context& io, tcp::endpoint listen, tcp::endpoint target)
    : io_(io), acceptor_(io, listen), target_(std::move(target)), resume_(io) {}

FaultProxy::~FaultProxy() { Cut(); }

void FaultProxy::Start() { asio::co_spawn(io_, AcceptLoop(), asio::detached); }

asio::awaitable<void> FaultProxy::AcceptLoop() {
  while (true) {
    boost::system::error_code ec;
    auto link = std::make_shared<Link>(io_);
    co_await acceptor_.async_accept(link->client, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;  // EMFILE and the like: the client sees a reset
    if (refuse_) {
      Reset(link->client);
      ++stats_.refused;
      continue;
    }
    links_.remove_if([](const std::weak_ptr<Link>& w) { return w.expired(); });
    links_.push_back(link);
    asio::co_spawn(io_, Connect(std::move(link)), asio::detached);
  }
}

asio::awaitable<void> FaultProxy::Connect(std::shared_ptr<Link> link) {
  boost::system::error_code ec;
  co_await link->target.async_connect(target_, asio::redirect_error(asio::use_awaitable, ec));
  if (link->aborted) co_return;
  if (ec) {
    ++stats_.connect_failed;
    Abort(*link);
    co_return;
  }
  ++stats_.accepted;
  link->client.set_option(tcp::no_delay(true), ec);
  link->target.set_option(tcp::no_delay(true), ec);
  for (Direction d : {Direction::kDown, Direction::kUp}) {
    asio::co_spawn(io_, Reader(link, d), asio::detached);
    asio::co_spawn(io_, Writer(link, d), asio::detached);
  }
}

asio::awaitable<void> FaultProxy::WaitWhileStalled(Link& link) {
  while (stalled_ && !link.aborted) {
    boost::system::error_code ec;
    co_await resume_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<void> FaultProxy::Reader(std::shared_ptr<Link> link, Direction d) {
  tcp::socket& from = link->From(d);
  Link::Pipe& pipe = link->pipes[static_cast<int>(d)];
  std::vector<char> buf(kReadSize);
  while (true) {
    co_await WaitWhileStalled(*link);
    boost::system::error_code ec;
    while (!link->aborted && pipe.queued >= kMaxQueuedBytes) {
      pipe.space.expires_at(Clock::time_point::max());
      co_await pipe.space.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (link->aborted) co_return;
    size_t n = co_await from.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
    if (link->aborted) co_return;
    Link::Chunk chunk{Clock::now() + delay_, {}, false, false};
    if (ec == asio::error::eof) {
      chunk.eof = true;
    } else if (ec) {
      Abort(*link);  // a reset (or any error) on one side resets the other
      co_return;
    } else {
      if (cut_after_armed_ && d == cut_after_direction_) {
        if (n >= cut_after_remaining_) {
          n = static_cast<size_t>(cut_after_remaining_);
          chunk.cut_after = true;
          cut_after_armed_ = false;
          cut_after_remaining_ = 0;
        } else {
          cut_after_remaining_ -= n;
        }
      }
      chunk.data.assign(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
    }
    const bool last = chunk.eof || chunk.cut_after;
    pipe.queued += chunk.data.size();
    pipe.queue.push_back(std::move(chunk));
    if (d == Direction::kDown) PauseLastChunk(*link);
    pipe.wake.cancel();
    if (last) co_return;  // nothing more is read from this side
  }
}

asio::awaitable<void> FaultProxy::Writer(std::shared_ptr<Link> link, Direction d) {
  tcp::socket& to = link->To(d);
  Link::Pipe& pipe = link->pipes[static_cast<int>(d)];
  while (!link->aborted) {
    boost::system::error_code ec;
    if (pipe.queue.empty()) {
      pipe.wake.expires_at(Clock::time_point::max());
      co_await pipe.wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    // deque::push_back keeps references to the front valid.
    Link::Chunk& chunk = pipe.queue.front();
    if (Clock::now() < chunk.due) {
      pipe.wake.expires_at(chunk.due);
      co_await pipe.wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    if (stalled_) {
      co_await WaitWhileStalled(*link);
      continue;
    }
    if (chunk.eof) {
      to.shutdown(tcp::socket::shutdown_send, ec);
      pipe.done = true;
      if (link->pipes[0].done && link->pipes[1].done) {
        link->client.close(ec);
        link->target.close(ec);
      }
      co_return;
    }
    co_await asio::async_write(to, asio::buffer(chunk.data), asio::redirect_error(asio::use_awaitable, ec));
    if (link->aborted) co_return;
    if (ec) {
      Abort(*link);
      co_return;
    }
    stats_.bytes[static_cast<int>(d)] += chunk.data.size();
    pipe.queued -= chunk.data.size();
    const bool cut = chunk.cut_after;
    pipe.queue.pop_front();
    pipe.space.cancel();
    if (cut) {
      Cut();
      co_return;
    }
  }
}

void FaultProxy::PauseLastChunk(Link& link) {
  Link::Pipe& pipe = link.pipes[static_cast<int>(Direction::kDown)];
  Link::Chunk& chunk = pipe.queue.back();
  const uint64_t before = link.read_down;
  link.read_down += chunk.data.size();
  if (link.paused || pause_.count() <= 0 || link.read_down <= pause_after_) return;
  // The bytes up to pause_after_ go at once, the rest `pause_` later; the writer keeps
  // the order, so everything read after them waits too. (The total queued is the same.)
  link.paused = true;
  ++stats_.pauses;
  const auto head = static_cast<std::ptrdiff_t>(pause_after_ > before ? pause_after_ - before : 0);
  Link::Chunk rest{chunk.due + pause_, std::vector<char>(chunk.data.begin() + head, chunk.data.end()), false,
                   chunk.cut_after};
  if (head == 0) {
    chunk = std::move(rest);
    return;
  }
  chunk.data.resize(static_cast<size_t>(head));
  chunk.cut_after = false;
  pipe.queue.push_back(std::move(rest));
}

void FaultProxy::Abort(Link& link) {
  if (link.aborted) return;
  link.aborted = true;
  Reset(link.client);
  Reset(link.target);
  for (Link::Pipe& p : link.pipes) {
    p.wake.cancel();
    p.space.cancel();
  }
  resume_.cancel();  // wakes the link's stalled coroutines; the others wait again
}

void FaultProxy::Cut() {
  // The time is read before the first RST goes out: a peer that notices the cut
  // (and logs it) while this thread is descheduled must not appear to have
  // noticed it before it happened.
  stats_.last_cut_unix_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (const auto& w : links_) {
    if (auto link = w.lock()) Abort(*link);
  }
  links_.clear();
  ++stats_.cuts;
}

void FaultProxy::Stall() {
  if (stalled_) return;
  stalled_ = true;
  resume_.expires_at(Clock::time_point::max());
}

void FaultProxy::Resume() {
  stalled_ = false;
  resume_.cancel();
}

void FaultProxy::CutAfter(uint64_t bytes, Direction direction) {
  if (bytes == 0) {
    cut_after_armed_ = false;
    Cut();
    return;
  }
  cut_after_armed_ = true;
  cut_after_remaining_ = bytes;
  cut_after_direction_ = direction;
}

ProxyStats FaultProxy::Stats() const {
  ProxyStats s = stats_;
  s.open = 0;
  for (const auto& w : links_) {
    auto link = w.lock();
    if (link && !link->aborted && link->client.is_open()) ++s.open;
  }
  return s;
}

}  // namespace vomsrepl::test
