// Pipeline with jobs > 1: whatever the chunk size and the number of threads, what a run
// says (stdout bytes, stderr lines, reject records, counts, the inputs accounted for) is
// byte for byte what one thread says. Chunks of one record and many threads make every
// body cross a thread and every chunk boundary fall between a rejection and its neighbours.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "output/ndjson.h"
#include "pipeline/pipeline.h"

namespace cmrelay {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every JSON sample, sorted.
std::vector<std::string> sample_bodies() {
  std::vector<std::string> bodies;
  for (const char* vendor : {"volcengine", "alibaba"}) {
    for (const auto& entry : fs::directory_iterator(fs::path(CMRELAY_SOURCE_DIR) / "samples" / vendor)) {
      if (entry.path().extension() == ".json") bodies.push_back(slurp(entry.path()));
    }
  }
  std::sort(bodies.begin(), bodies.end());
  REQUIRE(bodies.size() > 10);
  return bodies;
}

// Every JSON sample, a line no format knows, a body with a repeated key and one too large,
// many times over: conversions, warnings (said once) and rejections, interleaved.
std::string mixed_input(size_t rounds) {
  const std::vector<std::string> bodies = sample_bodies();
  std::string out;
  for (size_t r = 0; r < rounds; ++r) {
    for (size_t i = 0; i < bodies.size(); ++i) {
      out += bodies[(i + r) % bodies.size()];
      out += '\n';
      if (i % 7 == r % 7) out += "no body of any vendor " + std::to_string(r) + "\n";
      if (i % 11 == 0) out += R"({"RuleName":"x","RuleName":"y","alert":)" + std::to_string(r) + "}\n";
      if (i == r % bodies.size()) out += "{\"big\":\"" + std::string(3000, 'z') + "\"}\n";
    }
  }
  return out;
}

struct Outcome {
  bool threads = false;
  std::string out, err, rejects;
  PipelineCounts counts;
  std::vector<ReadInput> complete;
};

// One run over path (without keep_rejects: no reject file); stderr is captured through a file.
Outcome run(const fs::path& dir, const fs::path& path, unsigned jobs, size_t chunk_bytes, bool render,
            uint64_t max_errors, bool keep_rejects = true, size_t max_body = 2048) {
  const fs::path rejects = dir / "rejects", err = dir / "err";
  fs::remove(rejects);
  PipelineOptions options;
  options.jobs = jobs;
  options.chunk_bytes = chunk_bytes;
  if (keep_rejects) options.reject_path = rejects.string();
  options.max_errors = max_errors;
  options.max_body = max_body;  // The big bodies are streamed to the reject file.
  Outcome o;
  Pipeline p(options);
  std::string error;
  REQUIRE(p.open(error));
  std::fflush(stderr);
  const int saved = ::dup(STDERR_FILENO);
  const int fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  ::dup2(fd, STDERR_FILENO);
  ::close(fd);
  if (render) {
    p.render_with(
        [](const Record& rec, const Detection& d, EventBatch& events, Rendered& r) {
          for (const Event& e : events) {
            append_event_json(e, r.out);
            r.out.Put('\n');
          }
          ++r.tally[0];
          r.line("rendered " + std::to_string(rec.index) + " " + std::string(d.format->id));
        },
        [&](Rendered& r) {
          o.out.append(r.out.GetString(), r.out.GetSize());
          o.out += "tally " + std::to_string(r.tally[0]) + "\n";  // Per take: differs by chunk.
        });
  }
  p.run({path.string()}, [&](const Record& rec, const Detection& d, EventBatch& events) {
    o.out += std::string(rec.source) + ":" + std::to_string(rec.index) + " " + std::string(d.format->id) + " " +
             std::to_string(events.size()) + " " + (events.empty() ? "" : events[0].alert_key) + "\n";
  });
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  o.err = slurp(err);
  o.rejects = slurp(rejects);
  o.counts = p.counts();
  o.complete = p.complete_inputs();
  o.threads = p.threads_started();
  return o;
}

// The take lines count bodies per take, which differ with chunking: drop them to compare.
std::string without_tallies(const std::string& s) {
  std::string out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("tally ", 0) != 0) out += line + "\n";
  }
  return out;
}

// What a run says and decides, compared with one thread's (the take lines dropped).
void check_same(const Outcome& many, const Outcome& one) {
  CHECK(without_tallies(many.out) == without_tallies(one.out));
  CHECK(many.err == one.err);
  CHECK(many.rejects == one.rejects);
  CHECK(many.counts.bodies == one.counts.bodies);
  CHECK(many.counts.events == one.counts.events);
  CHECK(many.counts.rejected == one.counts.rejected);
  CHECK(many.counts.unsaid == one.counts.unsaid);
  CHECK(many.counts.unreadable == one.counts.unreadable);
  REQUIRE(many.complete.size() == one.complete.size());
  for (size_t i = 0; i < one.complete.size(); ++i) {  // The same files removable, in order.
    CHECK(many.complete[i].path == one.complete[i].path);
    CHECK(many.complete[i].bytes == one.complete[i].bytes);
  }
}

}  // namespace

TEST_CASE("pipeline --jobs: byte for byte what one thread says, whatever the chunks and threads") {
  char tmpl[] = "/tmp/cmrelay-jobs-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  const fs::path dir(tmpl);
  const fs::path input = dir / "input.json";
  std::ofstream(input, std::ios::binary) << mixed_input(16);
  for (bool render : {false, true}) {
    for (uint64_t max_errors : {uint64_t{UINT64_MAX}, uint64_t{5}}) {
      CAPTURE(render);
      CAPTURE(max_errors);
      const Outcome one = run(dir, input, 1, size_t{1} << 20, render, max_errors);
      CHECK_FALSE(one.threads);  // --jobs 1 never starts a thread.
      REQUIRE(one.counts.bodies > 600);
      REQUIRE(one.counts.rejected > 50);
      REQUIRE(one.err.find("longer than the 2048-byte limit") != std::string::npos);
      REQUIRE(one.err.find("warning:") != std::string::npos);
      for (unsigned jobs : {2u, 3u, 8u}) {
        // The last: larger than the input, which is then processed on the reading thread.
        for (size_t chunk : {size_t{1}, size_t{700}, size_t{1} << 16, size_t{64} << 20}) {
          CAPTURE(jobs);
          CAPTURE(chunk);
          const Outcome many = run(dir, input, jobs, chunk, render, max_errors);
          // Threads once a chunk fills before the input ends (or pauses, or a body over
          // max_body comes: the first comes within 64 KiB here); never for an input within one.
          if (chunk <= 700) CHECK(many.threads);
          if (chunk > one.complete[0].bytes) CHECK_FALSE(many.threads);
          check_same(many, one);
          CHECK(many.complete.size() == 1);
        }
      }
    }
  }
  fs::remove_all(dir);
}

TEST_CASE("pipeline --jobs: a directory of many small files, chunks spanning files, as one thread") {
  char tmpl[] = "/tmp/cmrelay-jobs-files-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  const fs::path dir(tmpl), in = dir / "in";
  fs::create_directory(in);
  // A body or two per file: samples, lines no format knows, two bodies over max_body (each
  // makes everything before it committed first), and an empty file: what a file's end says
  // and decides must wait for its records.
  const std::vector<std::string> bodies = sample_bodies();
  constexpr size_t kFiles = 2000, kMaxBody = 4096;  // No sample is over kMaxBody.
  for (size_t i = 0; i < kFiles; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "f%04zu.json", i);
    std::ofstream f(in / name, std::ios::binary);
    if (i == 777) continue;  // Empty.
    f << bodies[i % bodies.size()] << "\n";
    if (i % 9 == 4) f << "no body of any vendor " << i << "\n";
    if (i % 13 == 0) f << bodies[(i / 13) % bodies.size()] << "\n";
    if (i == 1500 || i == 1900) f << "{\"big\":\"" << std::string(kMaxBody, 'z') << "\"}\n";
  }
  for (bool keep_rejects : {true, false}) {
    CAPTURE(keep_rejects);
    const Outcome one = run(dir, in, 1, size_t{1} << 20, false, UINT64_MAX, keep_rejects, kMaxBody);
    CHECK_FALSE(one.threads);
    REQUIRE(one.counts.bodies > kFiles);
    REQUIRE(one.counts.rejected > 100);
    REQUIRE(one.err.find("longer than the 4096-byte limit") != std::string::npos);
    // With a reject file every file is kept whole; without, those with a rejection are not.
    if (keep_rejects) {
      CHECK(one.complete.size() == kFiles);
    } else {
      CHECK(one.complete.size() == kFiles - kFiles / 9 - 2);  // The rejected lines, the big bodies.
    }
    for (unsigned jobs : {2u, 3u}) {
      for (size_t chunk : {size_t{1}, size_t{300}, size_t{64} << 10, size_t{1} << 20}) {
        CAPTURE(jobs);
        CAPTURE(chunk);
        const Outcome many = run(dir, in, jobs, chunk, false, UINT64_MAX, keep_rejects, kMaxBody);
        // The run's input, not each file (none is as large as 64 KiB), decides.
        CHECK(many.threads);
        check_same(many, one);
      }
    }
  }
  fs::remove_all(dir);
}

}  // namespace cmrelay
