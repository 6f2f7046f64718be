// The commands main() dispatches to. Each wires stages together; none holds logic of its own.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "deliver/sender.h"
#include "input/framer.h"

namespace cmrelay::cli {

// Documented exit status (man page, README).
enum Exit : int {
  kOk = 0,          // Every body converted (and delivered).
  kRejected = 1,    // Some input could not be read or converted.
  kUsage = 2,       // Bad arguments or configuration.
  kUndelivered = 3, // send: some events ended in the dead-letter file.
};

struct ReadOptions {
  std::vector<std::string> paths;  // Files, directories, "-"; none means stdin.
  std::string vendor = "auto";     // auto | volcengine | alibaba
  std::string reject_path;         // --reject FILE
  size_t max_body = Framer::kDefaultMaxBody;
};

struct ConvertOptions {
  ReadOptions read;
  bool pretty = false;
};

struct SendOptions {
  ReadOptions read;
  std::string url;               // --url: one ad-hoc channel.
  std::string dead_letter_path;  // --dead-letter FILE; empty: records go to stderr.
  bool dry_run = false;
  std::string stats = "text";    // --stats text|json
  deliver::DeliveryOptions delivery;
};

int convert(const ConvertOptions& options);
int send(const SendOptions& options);
int detect(const ReadOptions& options);

}  // namespace cmrelay::cli
