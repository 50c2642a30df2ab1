#include "builder/git/libgit2_error.h"

#include <git2.h>

#include <string>

#include "builder/net/url_redaction.h"

namespace ignite::git {
namespace {

// libgit2 1.5 reports an HTTP answer it did not expect as "unexpected http status code: 404".
Code code_for_http_status(std::string_view message) {
  const std::size_t at = message.find("status code: ");
  if (at == std::string_view::npos) return Code::kUnavailable;
  const std::string_view digits = message.substr(at + 13, 3);
  if (digits == "401") return Code::kUnauthenticated;
  if (digits == "403") return Code::kPermissionDenied;
  if (digits == "404" || digits == "410") return Code::kNotFound;
  if (!digits.empty() && digits[0] == '4' && digits != "408" && digits != "429") {
    return Code::kFailedPrecondition;
  }
  return Code::kUnavailable;
}

}  // namespace

Code libgit2_code(int rc, int error_class, std::string_view message) {
  switch (rc) {
    case GIT_EAUTH:
      return Code::kUnauthenticated;
    case GIT_ECERTIFICATE:
      return Code::kFailedPrecondition;
    case GIT_ENOTFOUND:
      return Code::kNotFound;
    case GIT_EAMBIGUOUS:
    case GIT_EINVALIDSPEC:
      return Code::kInvalidArgument;
    case GIT_EEOF:
      return Code::kUnavailable;
    default:
      break;
  }
  if (message.find("remote error") != std::string_view::npos) {
    // The server answered, with a refusal ("ERR access denied or repository not exported"):
    // asking again gets the same answer.
    return message.find("not exported") != std::string_view::npos ||
                   message.find("no such repository") != std::string_view::npos ||
                   message.find("not found") != std::string_view::npos ||
                   message.find("does not exist") != std::string_view::npos
               ? Code::kNotFound
               : Code::kFailedPrecondition;
  }
  switch (error_class) {
    case GIT_ERROR_NET:
    case GIT_ERROR_HTTP:
      return code_for_http_status(message);
    case GIT_ERROR_SSL:
      return message.find("certificate") != std::string_view::npos ? Code::kFailedPrecondition
                                                                   : Code::kUnavailable;
    case GIT_ERROR_OS:
      // A system call's failure: on a socket (refused, reset, unreachable) worth retrying; on a
      // file:// repository's path, or the scratch directory, not.
      if (message.find("No such file or directory") != std::string_view::npos) {
        return Code::kNotFound;
      }
      if (message.find("Permission denied") != std::string_view::npos) {
        return Code::kPermissionDenied;
      }
      if (message.find("No space left") != std::string_view::npos) {
        return Code::kResourceExhausted;
      }
      return Code::kUnavailable;
    case GIT_ERROR_NOMEMORY:
      return Code::kResourceExhausted;
    default:
      return Code::kInternal;
  }
}

Status libgit2_status(int rc, std::string_view context) {
  const git_error* e = git_error_last();
  const std::string message =
      e && e->message ? net::redact_url(e->message) : "unknown libgit2 error";
  const int klass = e ? e->klass : GIT_ERROR_NONE;
  return Status(libgit2_code(rc, klass, message), std::string(context) + ": " + message);
}

}  // namespace ignite::git
