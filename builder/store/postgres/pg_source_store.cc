#include "builder/store/postgres/pg_source_store.h"

#include "builder/store/postgres/pg_schema.h"
#include "builder/util/sha256.h"

namespace ignite::store {
namespace {

// Statements carry text parameters (pg_connection.h), so the bytes travel as hex, which the
// server decodes into BYTEA and encodes back.
std::string hex_of(std::string_view bytes) {
  return to_hex(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> bytes_of_hex(std::string_view hex, std::string_view what) {
  if (hex.size() % 2 != 0) return internal_error("the server sent " + std::string(what) + " as odd hex");
  std::string out(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return internal_error("the server sent " + std::string(what) + " as bad hex");
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace

Result<PgSourceStore> PgSourceStore::open(std::string_view url) {
  IGNITE_ASSIGN_OR_RETURN(PgConnection conn, PgConnection::open(url));
  IGNITE_RETURN_IF_ERROR(ensure_pg_schema(conn));
  return PgSourceStore(std::move(conn));
}

Status PgSourceStore::put(std::string_view digest, std::string_view bytes, std::int64_t now_ms) {
  // ON CONFLICT DO NOTHING: the same bytes kept twice (two servers given one draft) are one row.
  return conn_
      .exec("keeping the draft source " + std::string(digest),
            "INSERT INTO sources (digest, bytes, kept_at_ms) VALUES ($1, decode($2, 'hex'), $3) "
            "ON CONFLICT (digest) DO NOTHING",
            {digest, hex_of(bytes), now_ms})
      .status();
}

Result<std::optional<std::string>> PgSourceStore::get(std::string_view digest) {
  const std::string what = "the draft source " + std::string(digest);
  IGNITE_ASSIGN_OR_RETURN(
      PgResult r, conn_.exec("reading " + what,
                             "SELECT encode(bytes, 'hex') FROM sources WHERE digest = $1", {digest}));
  if (r.empty()) return std::optional<std::string>();
  IGNITE_ASSIGN_OR_RETURN(std::string bytes, bytes_of_hex(r.text(0, 0), what));
  return std::optional<std::string>(std::move(bytes));
}

}  // namespace ignite::store
