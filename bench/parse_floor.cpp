// The parse-only floor: reads files of JSON bodies (NDJSON or concatenated documents) and
// parses each body with RapidJSON exactly as src/json/parser.cpp does (iterative, UTF-8
// validated, full precision, into a reused pool), doing nothing else. Lines that are not
// JSON (form bodies) are stepped over. Prints "BODIES BYTES".
//   parse_floor FILE...
#include <fcntl.h>
#include <rapidjson/document.h>
#include <rapidjson/memorystream.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace {

using Allocator = rapidjson::MemoryPoolAllocator<>;
using Doc = rapidjson::GenericDocument<rapidjson::UTF8<>, Allocator, Allocator>;

constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag |
                            rapidjson::kParseFullPrecisionFlag | rapidjson::kParseStopWhenDoneFlag;
constexpr size_t kBlock = 16u << 20;

}  // namespace

int main(int argc, char** argv) {
  std::vector<char> value_buf(256u << 10), stack_buf(64u << 10);
  Allocator values(value_buf.data(), value_buf.size());
  Allocator stack(stack_buf.data(), stack_buf.size());
  std::vector<char> buf(kBlock);
  unsigned long long bodies = 0, bytes = 0, errors = 0;
  for (int a = 1; a < argc; ++a) {
    int fd = ::open(argv[a], O_RDONLY);
    if (fd < 0) {
      std::perror(argv[a]);
      return 2;
    }
    size_t have = 0;
    bool eof = false;
    while (!eof || have > 0) {
      if (!eof) {
        if (have == buf.size()) buf.resize(buf.size() * 2);
        ssize_t n = ::read(fd, buf.data() + have, buf.size() - have);
        if (n <= 0)
          eof = true;
        else
          have += static_cast<size_t>(n), bytes += static_cast<unsigned long long>(n);
      }
      size_t pos = 0;
      for (;;) {
        while (pos < have && (buf[pos] == ' ' || buf[pos] == '\n' || buf[pos] == '\r' || buf[pos] == '\t')) ++pos;
        if (pos == have) break;
        if (buf[pos] != '{' && buf[pos] != '[') {  // A form line: step over it.
          const void* nl = std::memchr(buf.data() + pos, '\n', have - pos);
          if (nl == nullptr && !eof) break;
          pos = nl ? static_cast<size_t>(static_cast<const char*>(nl) - buf.data()) + 1 : have;
          continue;
        }
        values.Clear();
        stack.Clear();
        Doc doc(&values, 1024, &stack);
        rapidjson::MemoryStream ms(buf.data() + pos, have - pos);
        doc.ParseStream<kFlags>(ms);
        if (doc.HasParseError()) {
          if (!eof) break;  // The body continues in the next block.
          ++errors;
          pos = have;
          break;
        }
        ++bodies;
        pos += ms.Tell();
      }
      std::memmove(buf.data(), buf.data() + pos, have - pos);
      have -= pos;
      if (eof && have > 0) have = 0;
    }
    ::close(fd);
  }
  std::printf("%llu %llu\n", bodies, bytes);
  if (errors > 0) std::fprintf(stderr, "parse_floor: %llu bodies failed to parse\n", errors);
  return errors > 0 ? 1 : 0;
}
