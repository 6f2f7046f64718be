// The state file: SQLite behind state.h.
//
// One table, one row per open alert, keyed by alert_key (WITHOUT ROWID: the key is stored
// once). The channels are a JSON array of names (a handful per alert; no second table to
// keep in step). WAL lets readers and a writer overlap, and synchronous=NORMAL makes a commit
// a write to the WAL without an fsync: a crash of cmrelay loses nothing committed, a power
// loss at most the last moments, and the file is never left corrupt. Every change is one
// BEGIN IMMEDIATE transaction, so two runs at once take turns (up to kBusyMs each) instead of
// failing. auto_vacuum=INCREMENTAL gives freed pages back after expiry, so that the file
// follows the number of open alerts down as well as up.
#include "net/state/state.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <system_error>
#include <unordered_map>

#include "net/state/channel_list.h"

namespace cmrelay::state {
namespace {

constexpr int kBusyMs = 10000;  // How long a run waits for another's transaction.

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS open_alerts(
  alert_key TEXT PRIMARY KEY,
  severity TEXT NOT NULL,
  title TEXT NOT NULL,
  channels TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  generation INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
)";

}  // namespace

class FileStore final : public Store {
 public:
  FileStore(std::string path, std::chrono::seconds max_age);
  ~FileStore() override;
  FileStore(const FileStore&) = delete;
  FileStore& operator=(const FileStore&) = delete;

  void remember(std::string_view alert_key, std::string_view severity, std::string_view title,
                const std::vector<std::string>& channels, int64_t now) override;
  bool find(std::string_view alert_key, OpenAlert& out) override;
  void closed(std::string_view alert_key, std::string_view channel, int64_t generation) override;
  bool forget(std::string_view alert_key) override;
  uint64_t forget_all() override;
  uint64_t expire(int64_t now) override;
  std::string where() const override { return path_; }

  struct Db;
  std::unique_ptr<Db> db_;
  void expire_if_due();

 protected:
  void list_page(const std::string& after, std::vector<OpenAlert>& out) override;

 private:
  std::string path_;
  std::chrono::seconds max_age_;
  std::mutex mu_;  // One transaction at a time on the connection (reading and delivery threads).
};

struct FileStore::Db {
  std::string path;
  sqlite3* db = nullptr;
  // Prepared once per connection: preparing costs as much as running these statements.
  std::unordered_map<std::string, sqlite3_stmt*> prepared;

  ~Db() {
    for (auto& [sql, stmt] : prepared) sqlite3_finalize(stmt);
    sqlite3_close(db);
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw StateError(path + ": " + what + (db != nullptr ? std::string(": ") + sqlite3_errmsg(db) : std::string()));
  }

  void exec(const char* sql) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail("cannot use the state file");
  }

  // A prepared statement of the connection's cache, reset (its read or write done) when it
  // goes out of scope.
  class Stmt {
   public:
    Stmt(Db& db, const std::string& sql) : db_(db) {
      auto it = db.prepared.find(sql);
      if (it != db.prepared.end()) {
        s_ = it->second;
        return;
      }
      if (sqlite3_prepare_v3(db.db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &s_, nullptr) != SQLITE_OK) {
        db.fail("cannot use the state file");
      }
      db.prepared.emplace(sql, s_);
    }
    ~Stmt() {
      sqlite3_reset(s_);
      sqlite3_clear_bindings(s_);
    }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    Stmt& bind(int i, std::string_view v) {
      sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
      return *this;
    }
    Stmt& bind(int i, int64_t v) {
      sqlite3_bind_int64(s_, i, v);
      return *this;
    }
    // True while there is a row.
    bool step() {
      int rc = sqlite3_step(s_);
      if (rc == SQLITE_ROW) return true;
      if (rc != SQLITE_DONE) db_.fail("cannot use the state file");
      return false;
    }
    std::string text(int i) const {
      const unsigned char* t = sqlite3_column_text(s_, i);
      return t == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(t), sqlite3_column_bytes(s_, i));
    }
    int64_t integer(int i) const { return sqlite3_column_int64(s_, i); }

   private:
    Db& db_;
    sqlite3_stmt* s_ = nullptr;
  };

  // BEGIN IMMEDIATE ... COMMIT, rolled back when the scope is left by an exception.
  class Transaction {
   public:
    explicit Transaction(Db& db) : db_(db) { db.exec("BEGIN IMMEDIATE"); }
    ~Transaction() {
      if (!done_) sqlite3_exec(db_.db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    void commit() {
      db_.exec("COMMIT");
      done_ = true;
    }

   private:
    Db& db_;
    bool done_ = false;
  };

  // The columns every read selects, in the order row() reads them.
  static constexpr const char* kColumns =
      "SELECT alert_key, severity, title, channels, first_seen, last_seen, generation FROM open_alerts ";

  static void row(const Stmt& s, OpenAlert& a) {
    a.alert_key = s.text(0);
    a.severity = s.text(1);
    a.title = s.text(2);
    a.channels = parse_channels(s.text(3));
    a.first_seen = s.integer(4);
    a.last_seen = s.integer(5);
    a.generation = s.integer(6);
  }

  bool find(std::string_view key, OpenAlert& out) {
    Stmt s(*this, (std::string(kColumns) + "WHERE alert_key = ?").c_str());
    s.bind(1, key);
    if (!s.step()) return false;
    row(s, out);
    return true;
  }
};

std::string default_path() {
  // XDG: XDG_STATE_HOME when it is an absolute path, else ~/.local/state.
  const char* xdg = std::getenv("XDG_STATE_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/cmrelay/state.db";
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] == '/') return std::string(home) + "/.local/state/cmrelay/state.db";
  return "";
}

FileStore::FileStore(std::string path, std::chrono::seconds max_age) : path_(std::move(path)), max_age_(max_age) {}
FileStore::~FileStore() = default;

std::unique_ptr<Store> open_file(const std::string& path, std::chrono::seconds max_age, bool read_only) {
  using Db = FileStore::Db;
  auto s = std::make_unique<FileStore>(path, max_age);
  s->db_ = std::make_unique<Db>();
  Db& db = *s->db_;
  db.path = path;
  if (!read_only) {
    // The state holds alert titles: the directory and the file are the user's alone.
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!dir.empty() && !std::filesystem::exists(dir, ec)) {
      std::filesystem::create_directories(dir, ec);
      if (ec) throw StateError(path + ": cannot create its directory: " + ec.message());
      std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
    }
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw StateError(path + ": cannot open: " + std::error_code(errno, std::generic_category()).message());
    ::close(fd);
  }
  int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (sqlite3_open_v2(path.c_str(), &db.db, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) db.fail("cannot open");
  sqlite3_extended_result_codes(db.db, 1);
  sqlite3_busy_timeout(db.db, kBusyMs);
  int64_t v = 0;
  {
    Db::Stmt version(db, "PRAGMA user_version");  // The first read: a file that is no database fails here.
    version.step();
    v = version.integer(0);
  }  // Finalised: an open statement would hold a read transaction.

  if (v > kSchemaVersion) {
    throw StateError(path + ": written by a newer cmrelay (state schema " + std::to_string(v) + ", this one knows " +
                     std::to_string(kSchemaVersion) + ")");
  }
  if (read_only) {
    if (v == 0) throw StateError(path + ": not a cmrelay state file (no schema)");
    return s;
  }
  if (v == 0) db.exec("PRAGMA auto_vacuum=INCREMENTAL");  // Only takes before the first table and WAL.
  db.exec("PRAGMA journal_mode=WAL");
  db.exec("PRAGMA synchronous=NORMAL");
  if (v == 0) {
    Db::Transaction t(db);
    db.exec(kSchema);
    db.exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str());
    t.commit();
  }
  s->expire_if_due();
  return s;
}

void FileStore::remember(std::string_view key, std::string_view severity, std::string_view title,
                         const std::vector<std::string>& channels, int64_t now) {
  // One statement, so one transaction: the channels already remembered, then the new ones.
  static const std::string kUpsert =
      "INSERT INTO open_alerts VALUES (?1, ?2, ?3, ?4, ?5, ?5, 1) ON CONFLICT(alert_key) DO UPDATE SET "
      "severity = ?2, title = ?3, last_seen = ?5, generation = generation + 1, channels = ("
      "SELECT json_group_array(value) FROM (SELECT value FROM json_each(open_alerts.channels) UNION ALL "
      "SELECT value FROM json_each(?4) WHERE value NOT IN (SELECT value FROM json_each(open_alerts.channels))))";
  std::lock_guard<std::mutex> lock(mu_);
  Db::Stmt s(*db_, kUpsert);
  s.bind(1, key).bind(2, severity).bind(3, title).bind(4, channels_json(channels)).bind(5, now);
  s.step();
}

bool FileStore::find(std::string_view key, OpenAlert& out) {
  std::lock_guard<std::mutex> lock(mu_);
  return db_->find(key, out);
}

void FileStore::closed(std::string_view key, std::string_view channel, int64_t generation) {
  // Nothing happens unless the alert is still of that generation (no firing event since).
  // Its last channel: the alert goes. Otherwise the channel leaves the list.
  static const std::string kLast =
      "DELETE FROM open_alerts WHERE alert_key = ?1 AND generation = ?3 AND json_array_length(channels) = 1 "
      "AND json_extract(channels, '$[0]') = ?2";
  static const std::string kOne =
      "UPDATE open_alerts SET channels = (SELECT json_group_array(value) FROM json_each(channels) WHERE value != ?2) "
      "WHERE alert_key = ?1 AND generation = ?3 AND EXISTS (SELECT 1 FROM json_each(channels) WHERE value = ?2)";
  std::lock_guard<std::mutex> lock(mu_);
  Db::Stmt(*db_, kLast).bind(1, key).bind(2, channel).bind(3, generation).step();
  if (sqlite3_changes(db_->db) > 0) return;
  Db::Stmt(*db_, kOne).bind(1, key).bind(2, channel).bind(3, generation).step();
}

void FileStore::list_page(const std::string& after, std::vector<OpenAlert>& out) {
  std::lock_guard<std::mutex> lock(mu_);
  Db::Stmt s(*db_, (std::string(Db::kColumns) + "WHERE alert_key > ? ORDER BY alert_key LIMIT ?").c_str());
  s.bind(1, after).bind(2, static_cast<int64_t>(kPage));
  while (s.step()) Db::row(s, out.emplace_back());
}

bool FileStore::forget(std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  Db::Stmt(*db_, "DELETE FROM open_alerts WHERE alert_key = ?").bind(1, key).step();
  return sqlite3_changes(db_->db) > 0;
}

uint64_t FileStore::forget_all() {
  std::lock_guard<std::mutex> lock(mu_);
  Db::Stmt(*db_, "DELETE FROM open_alerts").step();
  uint64_t n = static_cast<uint64_t>(sqlite3_changes(db_->db));
  db_->exec("PRAGMA incremental_vacuum");
  return n;
}

uint64_t FileStore::expire(int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  Db::Transaction t(*db_);
  Db::Stmt(*db_, "DELETE FROM open_alerts WHERE last_seen < ?").bind(1, now - max_age_.count()).step();
  uint64_t n = static_cast<uint64_t>(sqlite3_changes(db_->db));
  Db::Stmt(*db_, "INSERT INTO meta VALUES ('expired_at', ?1) ON CONFLICT(name) DO UPDATE SET value = ?1")
      .bind(1, now)
      .step();
  t.commit();
  db_->exec("PRAGMA incremental_vacuum");  // The pages recoveries and expiry freed go back.
  return n;
}

void FileStore::expire_if_due() {
  if (max_age_.count() <= 0) return;
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  int64_t last = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Db::Stmt s(*db_, "SELECT value FROM meta WHERE name = 'expired_at'");
    if (s.step()) last = s.integer(0);
  }
  if (now - last >= kExpireEvery || now < last) expire(now);
}

}  // namespace cmrelay::state
