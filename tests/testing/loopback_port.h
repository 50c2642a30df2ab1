// A loopback port for a test server that takes its port from its config (docker-registry,
// postgres) and so cannot bind port 0 and report it: one that was free a moment ago. Another
// process may take it in between; the servers' starters retry on a new one then.
#pragma once

namespace ignite::testing {

// A port of 127.0.0.1 that nothing was bound to when asked (bound to port 0, read and closed);
// -1 when no socket could be bound.
int free_loopback_port();

}  // namespace ignite::testing
