// A real PostgreSQL for the PostgreSQL store's tests (issue 16): Debian's server, initdb'd into a
// temporary directory and listening on a loopback port, with trust authentication.
//
// PostgreSQL refuses to run as root, and the tests run as root: then initdb and postgres run as
// Debian's `postgres` user (the temporary directory handed to it); otherwise as the test's own
// user. The server is a ChildProcess (SIGINT and wait when it goes away, PR_SET_PDEATHSIG when
// the test program dies). Starting one takes about a second, so a test program makes one
// (shared_postgres()) and each test takes a fresh database on it (create_database()), which keeps
// tests independent however ctest runs them.
#pragma once

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "tests/testing/child_process.h"
#include "tests/testing/temp_dir.h"

namespace ignite::testing {

inline constexpr const char* kPostgresInstallHint =
    "run scripts/install-deps (Debian packages postgresql, libpq-dev)";

// The newest /usr/lib/postgresql/<major>/bin holding initdb and postgres; "" when there is none.
std::string postgres_bin_dir();

// Why a private PostgreSQL cannot run here ("" when it can): no server binaries, or running as
// root with no `postgres` user to run them as.
std::string postgres_unavailable_reason();

// Skips the test naming what is missing; under CI (where PostgreSQL is installed) fails it.
#define IGNITE_REQUIRE_POSTGRES()                                                     \
  do {                                                                                \
    const std::string why_ = ::ignite::testing::postgres_unavailable_reason();        \
    if (!why_.empty()) {                                                              \
      if (std::getenv("CI")) FAIL() << "CI must run this test: " << why_;             \
      GTEST_SKIP() << why_ << " (" << ::ignite::testing::kPostgresInstallHint << ")"; \
    }                                                                                 \
  } while (false)

// In a test (or its fixture's SetUp): IGNITE_REQUIRE_POSTGRES(), then `url` set to a new
// database of the program's shared server, made for this test alone; a failure fails the test.
#define IGNITE_TAKE_POSTGRES_DATABASE(url)                                                    \
  do {                                                                                        \
    IGNITE_REQUIRE_POSTGRES();                                                                \
    ASSERT_TRUE(::ignite::testing::shared_postgres().ready())                                 \
        << ::ignite::testing::shared_postgres().log_tail();                                   \
    (url) = ::ignite::testing::shared_postgres().create_database();                           \
    ASSERT_FALSE((url).empty());                                                              \
  } while (false)

class PostgresServer {
 public:
  // initdb, then starts the server on a free loopback port (again on another port when another
  // process took that one first). A failure fails the test (non-fatally; ready() says so).
  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  bool ready() const { return ready_; }
  int port() const { return port_; }
  // postgres://postgres@127.0.0.1:PORT/DATABASE
  std::string url(const std::string& database) const;
  // A new, empty database ("t_1", "t_2", ...) made for one test; its URL. "" (and a test
  // failure) when it could not be made.
  std::string create_database();

  // Stops the server (a fast shutdown: open sessions are ended) and waits for it to exit.
  void stop();
  // Starts it again on the same data directory and port, as a restart in production would.
  void start_again();

  // Runs `sql` (one or more statements) as the superuser in `database`; "" on success, else the
  // server's message. For what a test does beside the code under test (making databases,
  // breaking a rule on purpose).
  std::string run_sql(const std::string& database, const std::string& sql) const;

  const std::string& log_path() const { return log_; }
  std::string log_tail() const;

 private:
  enum class Start { kReady, kAddressInUse, kFailed };
  Start start(int port);

  TempDir dir_;
  std::string bin_, data_, sockets_, log_;
  std::optional<RunAs> run_as_;
  int port_ = 0;
  int databases_ = 0;
  bool ready_ = false;
  std::unique_ptr<ChildProcess> process_;
};

// The one server of this test program, started on first use and stopped at exit. Call it after
// IGNITE_REQUIRE_POSTGRES().
PostgresServer& shared_postgres();

}  // namespace ignite::testing
