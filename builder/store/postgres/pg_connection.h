// One connection to PostgreSQL (libpq), for the PostgreSQL form of the store (issue 16).
//
// Statements are sent with their parameters apart (PQexecParams, text format), never spliced
// into the SQL. Errors are values with the codes of pg_error.h, naming the statement and carrying
// the server's message and SQLSTATE. A connection that was lost (the server restarted, the network
// dropped) fails its statement with UNAVAILABLE and is made again on the next call, so a restart
// of PostgreSQL costs a worker one failed call, not its life. Messages never show the URL's
// password.
//
// One object per thread, as libpq's PGconn is.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/util/status.h"

struct pg_conn;  // libpq's PGconn: only pg_connection.cc sees libpq-fe.h

namespace ignite::store {

// A statement's parameter in text format: text, an integer (sent as its decimal digits) or NULL.
class PgParam {
 public:
  PgParam(std::string_view text) : value_(std::string(text)) {}  // NOLINT: implicit by design
  PgParam(const std::string& text) : value_(text) {}             // NOLINT: implicit by design
  PgParam(const char* text) : value_(std::string(text)) {}       // NOLINT: implicit by design
  PgParam(std::int64_t n) : value_(std::to_string(n)) {}         // NOLINT: implicit by design
  PgParam(int n) : value_(std::to_string(n)) {}                  // NOLINT: implicit by design
  PgParam(std::nullopt_t) {}                                     // NOLINT: implicit by design

  const std::optional<std::string>& value() const { return value_; }

 private:
  std::optional<std::string> value_;
};

// What a statement returned, copied out of libpq's result: rows of text values (nullopt for
// NULL), and how many rows an INSERT, UPDATE or DELETE touched.
class PgResult {
 public:
  using Row = std::vector<std::optional<std::string>>;
  PgResult(std::vector<Row> rows, std::int64_t affected)
      : rows_(std::move(rows)), affected_(affected) {}

  std::size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  const std::vector<Row>& rows() const { return rows_; }
  std::int64_t affected() const { return affected_; }

  bool is_null(std::size_t row, std::size_t column) const;
  // The value as text; "" for NULL (and for a row or column that is not there).
  std::string text(std::size_t row, std::size_t column) const;
  // The value as a 64-bit integer; INTERNAL when it is NULL, missing or not an integer (a
  // statement that does not fit its caller: a bug, not the user's input).
  Result<std::int64_t> integer(std::size_t row, std::size_t column) const;

 private:
  std::vector<Row> rows_;
  std::int64_t affected_ = 0;
};

enum class PgIsolation { kReadCommitted, kRepeatableRead, kSerializable };

class PgConnection {
 public:
  // Connects to a postgres:// (or postgresql://) URL, in libpq's URI form
  // (postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?PARAM=VALUE...]). INVALID_ARGUMENT for
  // anything else; UNAVAILABLE when the server cannot be reached or refuses the connection.
  // Unless the URL says otherwise: connect_timeout=10 and application_name=ignite-builder.
  static Result<PgConnection> open(std::string_view url);

  PgConnection(PgConnection&&) noexcept;
  PgConnection& operator=(PgConnection&&) noexcept;
  ~PgConnection();

  // Runs one statement with $1, $2... bound to `params`. `name` says which statement it is in
  // errors ("loading app acme-corp/greet"): `name: <server's message> (SQLSTATE xxxxx)`.
  Result<PgResult> exec(std::string_view name, std::string_view sql,
                        const std::vector<PgParam>& params = {});
  // Runs several statements without parameters (a schema script), as one implicit transaction
  // unless it says BEGIN itself.
  Status exec_script(std::string_view name, std::string_view sql);

  // Runs `body` in a transaction at `isolation`: BEGIN, body, COMMIT; ROLLBACK when the body (or
  // the COMMIT) fails. When the server aborted it for a serialization failure or a deadlock
  // (40001, 40P01), runs it again after a short random pause, up to kMaxTransactionAttempts in
  // all, so `body` must start from scratch each time (reset what it fills). A lost connection is
  // not retried: whether the COMMIT happened is not known. Called inside another transaction,
  // `body` just runs as part of that one (whose caller retries it whole).
  static constexpr int kMaxTransactionAttempts = 5;
  Status transaction(std::string_view name, const std::function<Status()>& body,
                     PgIsolation isolation = PgIsolation::kReadCommitted);
  bool in_transaction() const { return in_transaction_; }

  // The URL without its password, for messages.
  const std::string& url_for_messages() const { return shown_url_; }

 private:
  struct Closer {
    void operator()(pg_conn* conn) const;
  };
  PgConnection(std::unique_ptr<pg_conn, Closer> conn, std::string shown_url, std::string password);

  // Makes the connection again when it was lost; UNAVAILABLE when that fails, or when it was
  // lost inside a transaction (gone with the session).
  Status ensure_connected(std::string_view name);
  Status transaction_once(std::string_view name, const std::function<Status()>& body,
                          PgIsolation isolation);
  // Secrets out of a message from libpq or the server.
  std::string scrub(std::string_view message) const;

  std::unique_ptr<pg_conn, Closer> conn_;
  std::string shown_url_;
  std::string password_;  // to scrub from messages; "" when the URL has none
  bool in_transaction_ = false;
  std::string last_sqlstate_;  // of the last failed statement: what transaction() retries on
};

}  // namespace ignite::store
