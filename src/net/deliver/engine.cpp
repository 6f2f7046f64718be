#include "net/deliver/engine.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <ctime>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "net/deliver/inbox.h"

namespace cmrelay::deliver {
namespace {

Interrupts g_interrupts;

extern "C" void on_signal(int sig) {
  const int saved_errno = errno;
  // Reading standard input from now on sees its end instead of waiting for more (done
  // before the flags, so whoever sees them knows it is done). fd 0 is always standard input
  // here: main() opens /dev/null on any of 0-2 that was closed, so no file of ours sits there.
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::dup2(fd, STDIN_FILENO);
    ::close(fd);
  }
  int none = 0;
  g_interrupts.first.compare_exchange_strong(none, sig);
  g_interrupts.count.fetch_add(1);
  g_interrupts.stop.store(true);
  errno = saved_errno;
}

// SIGUSR1 only interrupts the reading thread's blocked read() (EINTR), which then reads
// the /dev/null now behind standard input.
extern "C" void on_wake(int) {}

// What the reading thread and the delivery loop share. Held by shared_ptr: after a second
// signal the reading thread may be left blocked on a FIFO, and must find it alive.
class HandOver : public Feed {
 public:
  explicit HandOver(std::function<void()> notify) : inbox(1024, std::move(notify)) {}

  void body_begins() override {
    bodies.fetch_add(1, std::memory_order_relaxed);
    in_body.store(true);
  }
  void body_ends() override { in_body.store(false); }
  void event(std::string_view body, const std::string& alert_key, const std::vector<const Channel*>& to,
             uint64_t token) override {
    std::lock_guard<std::mutex> lock(handing);
    if (sealed) {
      ++not_handed;
      return;
    }
    inbox.push({std::make_shared<const std::string>(body), alert_key, to, token});
  }

  Inbox inbox;
  std::mutex handing;       // Held while one event is handed over.
  bool sealed = false;      // Under handing: nothing more is handed over.
  uint64_t not_handed = 0;  // Under handing: events converted after the seal.
  std::atomic<bool> reading{true};
  std::atomic<uint64_t> bodies{0};   // Read so far (recognised ones).
  std::atomic<bool> in_body{false};  // The reader is handing over one body's events.
};

}  // namespace

Interrupts& catch_interrupts() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sa.sa_handler = on_wake;
  sigaction(SIGUSR1, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  return g_interrupts;
}

bool dead_letter_unrouted(DeadLetterFile& dead_letter, std::string_view event_json) {
  DeadLetter d;
  d.time = static_cast<int64_t>(std::time(nullptr));
  d.error = "routed to no channel";
  d.event_json = event_json;
  return dead_letter.write(format_dead_letter(d)) || dead_letter.is_stderr();
}

RunResult deliver_all(const std::function<void(Feed&)>& read, Sender& sender, DeadLetterFile& dead_letter,
                      const std::function<void(uint64_t)>& tick) {
  constexpr int kTickMs = 100;  // Signals are seen at least this often.
  const Interrupts& sig = g_interrupts;
  RunResult result;
  auto shared = std::make_shared<HandOver>([&sender] { sender.wakeup(); });
  std::thread reader([shared, read] {
    read(*shared);
    shared->reading.store(false);
    shared->inbox.close();
  });
  std::deque<Outgoing> taken;
  auto submit_taken = [&] {
    for (const Outgoing& item : taken) {
      if (item.channels.empty() && !dead_letter_unrouted(dead_letter, *item.body)) ++result.unrouted_failed;
      for (const Channel* ch : item.channels) sender.submit(item.body, item.alert_key, *ch, item.token);
    }
    taken.clear();
  };
  auto counts = [&] {
    std::lock_guard<std::mutex> lock(shared->handing);
    result.not_handed = shared->not_handed;
  };
  bool more = true;
  while (more || sender.queued() > 0) {
    tick(shared->bodies.load());
    if (sig.count.load() > 0) {
      shared->inbox.release();
      if (shared->reading.load()) pthread_kill(reader.native_handle(), SIGUSR1);
    }
    if (sig.count.load() > 1 && shared->reading.load()) {
      // Exit at once, but first take (and so dead-letter) every event already handed over:
      // under the lock, nothing is mid-way, and nothing more comes after the seal.
      {
        std::lock_guard<std::mutex> lock(shared->handing);
        shared->sealed = true;
        shared->inbox.take(taken);
      }
      submit_taken();
      while (sender.queued() > 0) sender.poll(kTickMs);
      // The rest of the body being handed over is only counted (not_handed), which takes
      // the reader microseconds; wait for that, boundedly, so that the count is whole.
      for (int i = 0; i < 100 && shared->in_body.load(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      counts();
      reader.detach();
      result.joined = false;
      return result;
    }
    if (more && !sender.full()) {
      more = shared->inbox.take(taken);
      submit_taken();
      if (!more && sender.queued() == 0) break;
    }
    sender.poll(kTickMs);
  }
  reader.join();
  counts();
  return result;
}

}  // namespace cmrelay::deliver
