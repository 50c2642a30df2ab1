// HTTP/JSON for the service's messages: the proto3 JSON mapping (lowerCamelCase names, bytes as
// base64, enums by name, Timestamps as RFC 3339), done by protobuf's own util/json_util so that
// the HTTP API and the gRPC API can never disagree on a message's shape.
#pragma once

#include <google/protobuf/message.h>

#include <string>
#include <string_view>

#include "builder/util/status.h"

namespace ignite::api {

// Fills `message` from a request body. Unknown fields are refused (a typo in a field name must
// not silently drop what the caller meant). INVALID_ARGUMENT naming the message type and what
// json_util found wrong ("invalid value for bytes field sourceCode", "unknown field ...").
Status parse_json(std::string_view json, google::protobuf::Message& message);

// The message as JSON: fields with default values left out, as the mapping does by default.
std::string to_json(const google::protobuf::Message& message);

// The HTTP status a gRPC code maps to (as grpc-gateway maps them): INVALID_ARGUMENT and
// FAILED_PRECONDITION 400, NOT_FOUND 404, ALREADY_EXISTS 409, DEADLINE_EXCEEDED 504, ...
int http_status_for(Code code);

// The JSON error body for `status` (dodil.ignite.v1.ErrorStatus).
std::string error_json(const Status& status);

}  // namespace ignite::api
