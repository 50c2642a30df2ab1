#include "builder/store/postgres/pg_connection.h"

#include <libpq-fe.h>

#include <charconv>
#include <chrono>
#include <random>
#include <thread>

#include "builder/net/url_redaction.h"
#include "builder/store/postgres/pg_error.h"

namespace ignite::store {
namespace {

struct ResultFreer {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultFreer>;

struct ConninfoFreer {
  void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};

// libpq's messages end with a newline, and may hold several lines.
std::string one_line(std::string_view message) {
  std::string out(message);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  for (char& c : out) {
    if (c == '\n') c = ' ';
  }
  return out;
}

// Notices ("relation ... already exists, skipping") are not errors, and libpq would print them
// on stderr.
void drop_notice(void* /*arg*/, const char* /*message*/) {}

const char* begin_statement(PgIsolation isolation) {
  switch (isolation) {
    case PgIsolation::kReadCommitted:
      return "BEGIN ISOLATION LEVEL READ COMMITTED";
    case PgIsolation::kRepeatableRead:
      return "BEGIN ISOLATION LEVEL REPEATABLE READ";
    case PgIsolation::kSerializable:
      return "BEGIN ISOLATION LEVEL SERIALIZABLE";
  }
  return "BEGIN";
}

}  // namespace

bool PgResult::is_null(std::size_t row, std::size_t column) const {
  return row >= rows_.size() || column >= rows_[row].size() || !rows_[row][column].has_value();
}

std::string PgResult::text(std::size_t row, std::size_t column) const {
  return is_null(row, column) ? std::string() : *rows_[row][column];
}

Result<std::int64_t> PgResult::integer(std::size_t row, std::size_t column) const {
  const std::string where = "row " + std::to_string(row) + " column " + std::to_string(column);
  if (is_null(row, column)) return internal_error("no integer at " + where + ": NULL or missing");
  const std::string& s = *rows_[row][column];
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) {
    return internal_error("no integer at " + where + ": \"" + s + "\"");
  }
  return value;
}

void PgConnection::Closer::operator()(pg_conn* conn) const { PQfinish(conn); }

PgConnection::PgConnection(std::unique_ptr<pg_conn, Closer> conn, std::string shown_url,
                           std::string password)
    : conn_(std::move(conn)), shown_url_(std::move(shown_url)), password_(std::move(password)) {}
PgConnection::PgConnection(PgConnection&&) noexcept = default;
PgConnection& PgConnection::operator=(PgConnection&&) noexcept = default;
PgConnection::~PgConnection() = default;

Result<PgConnection> PgConnection::open(std::string_view url) {
  const std::string text(url);
  const std::string shown = net::url_for_messages(text);
  if (!text.starts_with("postgres://") && !text.starts_with("postgresql://")) {
    return invalid_argument("database URL " + shown +
                            " is not a postgres:// (or postgresql://) URL");
  }
  // Parsed first, for a clear error about the URL itself and for its password (which a message
  // from libpq or the server is scrubbed of, whether it came in the userinfo or ?password=).
  char* parse_error = nullptr;
  std::unique_ptr<PQconninfoOption, ConninfoFreer> options(
      PQconninfoParse(text.c_str(), &parse_error));
  if (!options) {
    std::string why = parse_error ? one_line(parse_error) : "out of memory";
    PQfreemem(parse_error);
    return invalid_argument("database URL " + shown + ": " + net::redact_url(why));
  }
  std::string password;
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (std::string_view(o->keyword) == "password" && o->val != nullptr) password = o->val;
  }
  // expand_dbname: the URL's own settings are read where "dbname" stands, so they override the
  // defaults before it.
  const char* keywords[] = {"connect_timeout", "application_name", "client_encoding", "dbname",
                            nullptr};
  const char* values[] = {"10", "ignite-builder", "UTF8", text.c_str(), nullptr};
  std::unique_ptr<pg_conn, Closer> conn(PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
  if (!conn) return unavailable("connecting to " + shown + ": out of memory");
  PgConnection c(std::move(conn), shown, password);
  if (PQstatus(c.conn_.get()) != CONNECTION_OK) {
    return unavailable("connecting to " + shown + ": " +
                       c.scrub(one_line(PQerrorMessage(c.conn_.get()))));
  }
  PQsetNoticeProcessor(c.conn_.get(), drop_notice, nullptr);  // kept across PQreset
  return c;
}

std::string PgConnection::scrub(std::string_view message) const {
  return net::scrub_secrets(message, {password_});
}

Status PgConnection::ensure_connected(std::string_view name) {
  if (PQstatus(conn_.get()) == CONNECTION_OK) return ok_status();
  if (in_transaction_) {
    return unavailable(std::string(name) + ": the connection to " + shown_url_ +
                       " was lost during the transaction");
  }
  PQreset(conn_.get());
  if (PQstatus(conn_.get()) != CONNECTION_OK) {
    return unavailable(std::string(name) + ": connecting again to " + shown_url_ + ": " +
                       scrub(one_line(PQerrorMessage(conn_.get()))));
  }
  return ok_status();
}

Result<PgResult> PgConnection::exec(std::string_view name, std::string_view sql,
                                    const std::vector<PgParam>& params) {
  IGNITE_RETURN_IF_ERROR(ensure_connected(name));
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const PgParam& p : params) values.push_back(p.value() ? p.value()->c_str() : nullptr);
  const std::string statement(sql);
  ResultPtr r(PQexecParams(conn_.get(), statement.c_str(), static_cast<int>(values.size()),
                           /*paramTypes=*/nullptr, values.data(), /*paramLengths=*/nullptr,
                           /*paramFormats=*/nullptr, /*resultFormat=text*/ 0));
  const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    std::vector<PgResult::Row> rows;
    const int n = PQntuples(r.get());
    const int columns = PQnfields(r.get());
    rows.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      PgResult::Row row;
      row.reserve(static_cast<std::size_t>(columns));
      for (int j = 0; j < columns; ++j) {
        if (PQgetisnull(r.get(), i, j)) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(std::string(PQgetvalue(r.get(), i, j),
                                       static_cast<std::size_t>(PQgetlength(r.get(), i, j))));
        }
      }
      rows.push_back(std::move(row));
    }
    std::int64_t affected = 0;
    const std::string_view tuples = PQcmdTuples(r.get());
    std::from_chars(tuples.data(), tuples.data() + tuples.size(), affected);
    return PgResult(std::move(rows), affected);
  }
  const char* sqlstate = r ? PQresultErrorField(r.get(), PG_DIAG_SQLSTATE) : nullptr;
  last_sqlstate_ = sqlstate ? sqlstate : "";
  if (PQstatus(conn_.get()) != CONNECTION_OK) {
    // The session is gone (and its transaction with it): the next call connects again.
    return unavailable(std::string(name) + ": lost the connection to " + shown_url_ + ": " +
                       scrub(one_line(PQerrorMessage(conn_.get()))));
  }
  const char* primary = r ? PQresultErrorField(r.get(), PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const char* detail = r ? PQresultErrorField(r.get(), PG_DIAG_MESSAGE_DETAIL) : nullptr;
  std::string message = std::string(name) + ": ";
  message += primary ? primary : one_line(PQerrorMessage(conn_.get()));
  if (detail) message += std::string(" (") + detail + ")";
  if (sqlstate) message += std::string(" (SQLSTATE ") + sqlstate + ")";
  return Status(sqlstate ? code_for_sqlstate(sqlstate) : Code::kInternal, scrub(message));
}

Status PgConnection::exec_script(std::string_view name, std::string_view sql) {
  IGNITE_RETURN_IF_ERROR(ensure_connected(name));
  const std::string script(sql);
  ResultPtr r(PQexec(conn_.get(), script.c_str()));
  const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return ok_status();
  const char* sqlstate = r ? PQresultErrorField(r.get(), PG_DIAG_SQLSTATE) : nullptr;
  last_sqlstate_ = sqlstate ? sqlstate : "";
  if (PQstatus(conn_.get()) != CONNECTION_OK) {
    return unavailable(std::string(name) + ": lost the connection to " + shown_url_ + ": " +
                       scrub(one_line(PQerrorMessage(conn_.get()))));
  }
  std::string message = std::string(name) + ": " + one_line(PQresultErrorMessage(r.get()));
  if (sqlstate) message += std::string(" (SQLSTATE ") + sqlstate + ")";
  return Status(sqlstate ? code_for_sqlstate(sqlstate) : Code::kInternal, scrub(message));
}

Status PgConnection::transaction(std::string_view name, const std::function<Status()>& body,
                                 PgIsolation isolation) {
  if (in_transaction_) return body();  // part of the caller's transaction
  for (int attempt = 1;; ++attempt) {
    Status s = transaction_once(name, body, isolation);
    if (s.ok()) return s;
    const bool retryable = s.code() == Code::kAborted && is_retryable_sqlstate(last_sqlstate_);
    if (!retryable) return s;
    if (attempt == kMaxTransactionAttempts) {
      return s.with_context(std::string(name) + ": aborted " +
                            std::to_string(kMaxTransactionAttempts) + " times in a row");
    }
    // A pause before trying again, growing and random: run again at once, the loser of a
    // deadlock often takes its first row back before the winner (just woken) takes it, and the
    // two deadlock again, attempt after attempt.
    thread_local std::minstd_rand jitter(std::random_device{}());
    const int most_ms = 10 << (attempt - 1);  // 10, 20, 40, 80 ms
    std::this_thread::sleep_for(std::chrono::milliseconds(
        1 + std::uniform_int_distribution<int>(0, most_ms)(jitter)));
  }
}

Status PgConnection::transaction_once(std::string_view name, const std::function<Status()>& body,
                                      PgIsolation isolation) {
  last_sqlstate_.clear();
  IGNITE_RETURN_IF_ERROR(exec(name, begin_statement(isolation)).status());
  in_transaction_ = true;
  Status s = body();
  if (s.ok() && PQtransactionStatus(conn_.get()) == PQTRANS_INERROR) {
    // A statement failed and the body went on regardless: COMMIT would answer with a ROLLBACK
    // that reads as success.
    s = internal_error(std::string(name) +
                       ": a statement of the transaction failed, and it was not reported");
  }
  if (s.ok()) s = exec(name, "COMMIT").status();
  if (!s.ok() && PQstatus(conn_.get()) == CONNECTION_OK &&
      PQtransactionStatus(conn_.get()) != PQTRANS_IDLE) {
    // Keeps the body's error (and its SQLSTATE) as what is reported, whatever ROLLBACK says.
    const std::string sqlstate = last_sqlstate_;
    (void)exec(name, "ROLLBACK");
    last_sqlstate_ = sqlstate;
  }
  in_transaction_ = false;
  return s;
}

}  // namespace ignite::store
