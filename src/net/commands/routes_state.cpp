// routes test --state: the core command with the open-alert state as its memory, so that it
// shows a recovery going where send and serve send it (route/dispatch.h).
#include "net/commands/options.h"
#include "net/deliver/recall.h"

namespace cmrelay::cli {

int routes_test_with_state(const RoutesTestOptions& options) {
  if (!options.cases_path.empty()) return routes_test(options);  // Refused there, with the reason.
  std::string error;
  // Read only, as by send --dry-run: nothing expires, so no age applies.
  std::unique_ptr<state::Store> store = open_state(options.state, std::chrono::seconds(0), true, error);
  Recall recall(store.get(), false);
  if (!error.empty()) recall.fail(error);
  return routes_test(options, &recall);
}

Run add_routes_full(CLI::App& cmd) { return add_routes_with(cmd, routes_test_with_state); }

}  // namespace cmrelay::cli
