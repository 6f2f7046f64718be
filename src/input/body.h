// Turns a Record's bytes into the JSON value that detection and the decoders read.
// JSON bodies are parsed strictly; a form body becomes an object of string values; a
// GET-style form whose JSON sits in one `data` parameter becomes that JSON.
#pragma once

#include <string>

#include "input/duplicate_keys.h"
#include "input/framer.h"
#include "input/record.h"
#include "json/parser.h"

namespace cmrelay {

// As a Framer's InPlace (Framer::parse_in_place), it parses JSON bodies while they are framed;
// read() then takes such a record's value as it stands.
class BodyReader : public Framer::InPlace {
 public:
  size_t parse_first(std::string_view bytes, char* scratch, size_t& read) override;
  // The parsed body, or nullptr with error set. Valid until the next read() (or record
  // framed with this reader in place).
  // Repeated keys are resolved (the first wins) and said in warning().
  json::Value* read(const Record& rec, std::string& error);
  json::Parser& parser() { return parser_; }
  // What the last read() has to say about a body it read: "" or one warning.
  const std::string& warning() const { return warning_; }

 private:
  json::Value* read_form(std::string_view body, std::string& error);
  json::Value* resolve_duplicates(json::Value* body, const char* what);
  json::Parser parser_;
  json::Value* in_place_ = nullptr;  // The value parse_first() last parsed, until read().
  DuplicateKeys duplicates_;
  std::string warning_;
};

}  // namespace cmrelay
