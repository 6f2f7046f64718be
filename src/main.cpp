// cmrelay: Volcengine and Alibaba Cloud Monitor webhooks -> Flashduty standard alert events.
// main() only parses arguments and hands them to a command.
#include <CLI/CLI.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace {

using namespace cmrelay;

constexpr const char* kExamples = R"(
Examples:
  cmrelay samples/                          convert every captured body under samples/
  cmrelay convert --pretty hook.json        one body, indented
  nc -l 8080 | cmrelay -                    convert a webhook captured with netcat
  cmrelay convert --reject bad.ndjson dir/  keep every body that could not be read
  cmrelay detect captures/                  which format each body is, and why
  cmrelay hook.json | head -1 | curl -sS -H 'Content-Type: application/json' \
      --data-binary @- "https://api.flashcat.cloud/event/push/alert/standard?integration_key=$KEY"

Exit status: 0 every body converted, 1 some input rejected, 2 usage error.
See cmrelay(1) for input forms, output fields and labels.
)";

void add_read_options(CLI::App* cmd, cli::ReadOptions& o) {
  cmd->add_option("paths", o.paths, "Files, directories (walked recursively, sorted) or - for stdin; none reads stdin");
  cmd->add_option("--vendor", o.vendor, "auto, volcengine or alibaba: only that vendor's formats are tried")
      ->capture_default_str();
  cmd->add_option("--reject", o.reject_path, "Append every rejected body, with its reason, to FILE as NDJSON")
      ->type_name("FILE");
  cmd->add_option("--max-body", o.max_body, "Largest body read, in bytes (suffixes k, m); longer ones are rejected")
      ->transform(CLI::AsSizeValue(false))
      ->type_name("SIZE")
      ->default_str("8m");
}

// `cmrelay PATH...` means `cmrelay convert PATH...`.
std::vector<std::string> with_default_command(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  static const char* kNotConvert[] = {"convert", "detect", "-h", "--help", "--version", "-V"};
  bool insert = true;
  if (!args.empty()) {
    for (const char* k : kNotConvert) insert &= args[0] != k;
  }
  if (insert) args.insert(args.begin(), "convert");
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cmrelay: turns Volcengine and Alibaba Cloud Monitor webhook bodies into Flashduty standard alert events",
               "cmrelay"};
  app.set_version_flag("--version,-V", std::string("cmrelay ") + CMRELAY_VERSION);
  app.footer(kExamples);
  app.require_subcommand(1);

  cli::ConvertOptions convert;
  CLI::App* c = app.add_subcommand("convert", "Print one Flashduty standard event per line (the default command)");
  add_read_options(c, convert.read);
  c->add_flag("--pretty", convert.pretty, "Indent the events (for reading; not NDJSON)");

  cli::ReadOptions detect;
  CLI::App* d = app.add_subcommand("detect", "Print each body's format id and the keys that decided it");
  add_read_options(d, detect);

  std::vector<std::string> args = with_default_command(argc, argv);
  std::reverse(args.begin(), args.end());  // CLI11 takes them last-first.
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return cli::kUsage;
  }
  if (c->parsed()) return cli::convert(convert);
  if (d->parsed()) return cli::detect(detect);
  return cli::kUsage;
}
