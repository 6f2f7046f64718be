// A Record is one vendor body cut out of an input stream, plus where it came from.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cmrelay {

enum class BodyKind {
  Json,  // JSON text (an object, normally)
  Form,  // application/x-www-form-urlencoded text
};

struct Record {
  BodyKind kind = BodyKind::Json;
  std::string_view body;    // Valid until the next record is read.
  std::string_view source;  // File path, or "<stdin>".
  uint64_t index = 0;       // 1-based record number within the source.
  uint64_t offset = 0;      // Byte offset of the record within the source.
  uint64_t length = 0;      // Bytes the record spans in the source (body may be shorter).

  // The body has already been parsed by the Framer's InPlace (Framer::parse_in_place).
  bool parsed = false;

  // Set when the bytes could not be cut into a body (truncated, too large, bad capture):
  // the record is then rejected with this reason and body holds what could be kept.
  std::string error;

  // From a captured HTTP request; empty otherwise. content_type decides the body's kind;
  // headers are the request's other headers but those that framed the body (Content-Length,
  // Transfer-Encoding, Content-Encoding), names lower-case, in order: what a decoder reads
  // of them is the decoder's business (input knows no vendor's headers).
  struct Header {
    std::string name;
    std::string value;
  };
  std::string content_type;
  std::vector<Header> headers;

  // The value of the last header named name (lower-case), or empty.
  std::string_view header(std::string_view name) const {
    for (size_t i = headers.size(); i-- > 0;) {
      if (headers[i].name == name) return headers[i].value;
    }
    return {};
  }
};

}  // namespace cmrelay
