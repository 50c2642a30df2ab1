// The code each SQLSTATE is read as (pg_error.h): what the store's callers decide on. The same
// mappings against a real server are in pg_connection_test.cc.
#include "builder/store/postgres/pg_error.h"

#include <gtest/gtest.h>

namespace ignite::store {
namespace {

TEST(PgErrorTest, EachSqlstateIsReadAsWhatTheCallerShouldDo) {
  EXPECT_EQ(code_for_sqlstate("23505"), Code::kAlreadyExists);       // unique_violation
  EXPECT_EQ(code_for_sqlstate("23503"), Code::kFailedPrecondition);  // foreign_key_violation
  EXPECT_EQ(code_for_sqlstate("23514"), Code::kFailedPrecondition);  // check_violation
  EXPECT_EQ(code_for_sqlstate("23000"), Code::kFailedPrecondition);  // the schema's triggers
  EXPECT_EQ(code_for_sqlstate("40001"), Code::kAborted);             // serialization_failure
  EXPECT_EQ(code_for_sqlstate("40P01"), Code::kAborted);             // deadlock_detected
  EXPECT_EQ(code_for_sqlstate("40002"), Code::kInternal);     // integrity in COMMIT: not retried
  EXPECT_EQ(code_for_sqlstate("08006"), Code::kUnavailable);  // connection_failure
  EXPECT_EQ(code_for_sqlstate("08001"), Code::kUnavailable);
  EXPECT_EQ(code_for_sqlstate("57P01"), Code::kUnavailable);  // admin_shutdown
  EXPECT_EQ(code_for_sqlstate("57P03"), Code::kUnavailable);  // cannot_connect_now
  EXPECT_EQ(code_for_sqlstate("53300"), Code::kUnavailable);  // too_many_connections
  EXPECT_EQ(code_for_sqlstate("57014"), Code::kDeadlineExceeded);
  EXPECT_EQ(code_for_sqlstate("42P01"), Code::kInternal);  // undefined_table: a bug here
  EXPECT_EQ(code_for_sqlstate("XX000"), Code::kInternal);
  EXPECT_EQ(code_for_sqlstate(""), Code::kInternal);
  EXPECT_EQ(code_for_sqlstate("08"), Code::kInternal);  // not an SQLSTATE
}

TEST(PgErrorTest, OnlySerializationFailuresAndDeadlocksAreRunAgain) {
  EXPECT_TRUE(is_retryable_sqlstate("40001"));
  EXPECT_TRUE(is_retryable_sqlstate("40P01"));
  EXPECT_FALSE(is_retryable_sqlstate("40002"));
  EXPECT_FALSE(is_retryable_sqlstate("23505"));
  EXPECT_FALSE(is_retryable_sqlstate("08006"));
}

}  // namespace
}  // namespace ignite::store
