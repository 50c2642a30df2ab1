#include "src/api/json_mapping.h"

#include <google/protobuf/util/json_util.h>

#include "dodil/ignite/v1/error.pb.h"

namespace ignite::api {

Status parse_json(std::string_view json, google::protobuf::Message& message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &message, options);
  if (status.ok()) return ok_status();
  return invalid_argument("reading a " + message.GetDescriptor()->full_name() +
                          " from JSON: " + std::string(status.message()));
}

std::string to_json(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = false;  // lowerCamelCase, as the mapping says
  // Serializing a valid message cannot fail: json_util fails only on malformed Any or
  // well-known-type values, which messages built here never hold.
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

int http_status_for(Code code) {
  switch (code) {
    case Code::kOk:
      return 200;
    case Code::kCancelled:
      return 499;
    case Code::kInvalidArgument:
    case Code::kFailedPrecondition:
    case Code::kOutOfRange:
      return 400;
    case Code::kUnauthenticated:
      return 401;
    case Code::kPermissionDenied:
      return 403;
    case Code::kNotFound:
      return 404;
    case Code::kAlreadyExists:
    case Code::kAborted:
      return 409;
    case Code::kResourceExhausted:
      return 429;
    case Code::kUnimplemented:
      return 501;
    case Code::kUnavailable:
      return 503;
    case Code::kDeadlineExceeded:
      return 504;
    case Code::kUnknown:
    case Code::kInternal:
    case Code::kDataLoss:
      return 500;
  }
  return 500;
}

std::string error_json(const Status& status) {
  dodil::ignite::v1::ErrorStatus body;
  body.set_code(static_cast<int>(status.code()));
  body.set_status(std::string(code_name(status.code())));
  body.set_message(status.message());
  return to_json(body);
}

}  // namespace ignite::api
