#include "src/cli/remote_submit.h"

#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "builder/net/http_client.h"
#include "builder/util/file_io.h"
#include "dodil/ignite/builder/v1/build.pb.h"
#include "dodil/ignite/v1/error.pb.h"
#include "src/api/json_mapping.h"
#include "src/cli/publish_options.h"
#include "src/cli/report.h"
#include "src/cli/store_option.h"

namespace ignite::cli {
namespace {

namespace bv1 = dodil::ignite::builder::v1;

// How many times a broken watch stream is taken up again (from the last event seen) before the
// command gives up with a transport error.
constexpr int kWatchReconnects = 5;

// The outcome of one call: the answer's message, or why not, with the exit status it means.
struct Failure {
  int exit;
  Status status;
};

class Remote {
 public:
  Remote(net::HttpClient client, std::string server, std::string token)
      : client_(std::move(client)), server_(std::move(server)), token_(std::move(token)) {
    while (!server_.empty() && server_.back() == '/') server_.pop_back();
  }

  // `method` PATH with `body`, its 200 answer parsed into `out`.
  std::optional<Failure> call(const std::string& method, const std::string& path,
                              const std::string& body, google::protobuf::Message& out) {
    net::HttpRequest request = make(method, path);
    request.body = body;
    auto response = client_.send(request);
    if (!response.ok()) return Failure{kExitUsage, response.status()};
    if (response->status != 200) return refusal(*response);
    if (Status s = api::parse_json(response->body, out); !s.ok()) {
      return Failure{kExitUsage, s.with_context(method + " " + url(path) + ": the answer")};
    }
    return std::nullopt;
  }

  // GET PATH as newline-delimited JSON, each line to `line` as it arrives.
  std::optional<Failure> stream(const std::string& path,
                                const std::function<Status(std::string_view)>& line) {
    net::HttpRequest request = make("GET", path);
    std::string pending;
    request.sink = [&](std::string_view bytes) -> Status {
      pending.append(bytes);
      for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
        IGNITE_RETURN_IF_ERROR(line(std::string_view(pending).substr(0, nl)));
        pending.erase(0, nl + 1);
      }
      return ok_status();
    };
    auto response = client_.send(request);
    if (!response.ok()) return Failure{kExitUsage, response.status()};
    if (response->status != 200) return refusal(*response);
    return std::nullopt;
  }

  std::string url(const std::string& path) const { return server_ + path; }

 private:
  net::HttpRequest make(const std::string& method, const std::string& path) const {
    net::HttpRequest r;
    r.method = method;
    r.url = url(path);
    r.headers = {"Content-Type: application/json", "Accept: application/json"};
    if (!token_.empty()) r.headers.push_back("Authorization: Bearer " + token_);
    return r;
  }

  // A non-200 answer: the API's error body when it has one. 4xx: the server refused (exit 1);
  // anything else is the transport's or the server's trouble (exit 2).
  Failure refusal(const net::HttpResponse& r) const {
    std::string message = r.body.substr(0, 500);
    auto error = api_error_message(r.body);
    if (!error.empty()) message = error;
    const int exit = r.status >= 400 && r.status < 500 ? kExitFailed : kExitUsage;
    return Failure{exit,
                   Status(r.status >= 500 ? Code::kUnavailable : Code::kFailedPrecondition,
                          "the server answered HTTP " + std::to_string(r.status) + ": " + message)};
  }

  // The message of an API error body ({code, status, message}), "" when it is not one.
  static std::string api_error_message(const std::string& body) {
    dodil::ignite::v1::ErrorStatus e;
    if (!api::parse_json(body, e).ok()) return "";
    return e.message();
  }

  net::HttpClient client_;
  std::string server_;
  std::string token_;
};

std::string state_word(bv1::BuildState s) {
  std::string name = bv1::BuildState_Name(s);
  const std::string prefix = "BUILD_STATE_";
  return name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
}

// One event as a line on the terminal: "  RUNNING  stage layers".
std::string event_line(const bv1::BuildEvent& e) {
  std::string line = "  " + std::to_string(e.sequence()) + " " + state_word(e.state());
  if (!e.message().empty()) line += "  " + e.message();
  return line;
}

Result<std::string> source_bytes(const std::string& source) {
  struct stat st {};
  if (::stat(source.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return invalid_argument(source + " is a directory; submit an archive of it (tar -C " + source +
                            " -czf draft.tar.gz .), or push it to git and use --git");
  }
  return read_file(source);
}

int fail(Io io, const Failure& f) {
  io.err << "ignite-builder: error: " << f.status.message() << "\n";
  return f.exit;
}

}  // namespace

std::vector<FlagSpec> remote_submit_flags() {
  return {{"--server", "", true}, {"--wait", "", false},  {"--git", "", true},
          {"--ref", "", true},    {"--subdir", "", true}, {"--token", "", true}};
}

const char* const kRemoteSubmitUsage =
    "  --server URL      submit to a running `ignite-builder serve` (its HTTP/JSON address,\n"
    "                    http://HOST:PORT) instead of a local store\n"
    "  --git URL --ref REF [--subdir DIR]  with --server: build DIR of REF (a branch, a tag or\n"
    "                    a commit id) of the git repository at URL, instead of SOURCE\n"
    "  --wait            with --server: stream the build's events until it ends; exit 0 when it\n"
    "                    succeeded, 1 with the reason when it failed\n"
    "  --token TOKEN     with --server: the bearer token (default: $IGNITE_TOKEN)\n";

int run_remote_submit(const Args& args, Io io, std::string_view usage) {
  const std::string server = *args.value("--server");
  if (server.rfind("http://", 0) != 0 && server.rfind("https://", 0) != 0) {
    return usage_error(
        io, "--server takes the server's HTTP address (http://HOST:PORT), not \"" + server + "\"",
        usage);
  }
  if (args.has("--store")) return usage_error(io, "--server and --store exclude each other", usage);
  auto format = parse_output_format(args.value_or("--output", "text"));
  if (!format.ok()) return usage_error(io, format.status().message(), usage);
  auto app = app_from(args);
  if (!app.ok()) return usage_error(io, app.status().message(), usage);

  bv1::SubmitBuildRequest request;
  request.set_app_id(app->to_string());
  request.set_idempotency_key(args.value_or("--idempotency-key", ""));
  if (args.has("--publish")) request.set_priority(bv1::BUILD_PRIORITY_PUBLISH);
  if (args.has("--git")) {
    if (!args.positional().empty()) {
      return usage_error(io, "--git and a SOURCE exclude each other", usage);
    }
    if (!args.has("--ref")) return usage_error(io, "--git needs --ref REF", usage);
    request.mutable_git()->set_url(*args.value("--git"));
    request.mutable_git()->set_ref(*args.value("--ref"));
    request.mutable_git()->set_subdir(args.value_or("--subdir", ""));
  } else {
    if (args.has("--ref") || args.has("--subdir")) {
      return usage_error(io, "--ref and --subdir go with --git", usage);
    }
    if (args.positional().size() != 1) {
      return usage_error(io, "submit takes exactly one SOURCE (or --git URL --ref REF)", usage);
    }
    const std::string& source = args.positional()[0];
    auto bytes = source_bytes(source);
    if (!bytes.ok()) return report_error(io, bytes.status().with_context("submitting " + source));
    request.set_source_code(std::move(*bytes));
  }
  std::string token = args.value_or("--token", "");
  if (token.empty()) {
    if (const char* env = std::getenv("IGNITE_TOKEN")) token = env;
  }

  net::HttpClientOptions http;
  http.connect_timeout = std::chrono::seconds(10);
  auto client = net::HttpClient::create(http);
  if (!client.ok()) return report_error(io, client.status());
  Remote remote(std::move(*client), server, token);

  bv1::Build build;
  if (auto f = remote.call("POST", "/v1/builds", api::to_json(request), build)) {
    return fail(io, *f);
  }
  if (!args.has("--wait")) {
    if (*format == OutputFormat::kJson) {
      io.out << api::to_json(build) << "\n";
    } else {
      io.out << build.id() << "\n";
      io.err << "ignite-builder: queued " << build.app_id() << " on " << server << "\n";
    }
    return kExitOk;
  }

  io.err << "ignite-builder: build " << build.id() << " of " << build.app_id() << "\n";
  std::uint64_t seen = 0;
  for (int attempt = 0;; ++attempt) {
    Status stream_error;
    auto f = remote.stream(
        "/v1/builds/" + build.id() + ":watch?afterSequence=" + std::to_string(seen),
        [&](std::string_view line) -> Status {
          if (line.empty()) return ok_status();
          bv1::WatchBuildLine parsed;
          IGNITE_RETURN_IF_ERROR(api::parse_json(line, parsed).with_context("a watch line"));
          if (parsed.has_error()) {
            stream_error = Status(Code::kUnavailable, parsed.error().message());
            return ok_status();
          }
          io.err << event_line(parsed.result()) << "\n";
          io.err.flush();
          seen = parsed.result().sequence();
          return ok_status();
        });
    if (f && f->exit != kExitUsage) return fail(io, *f);  // refused: not worth another try
    if (auto g = remote.call("GET", "/v1/builds/" + build.id(), "", build)) {
      if (attempt >= kWatchReconnects) return fail(io, *g);
    }
    const bool finished = build.state() == bv1::BUILD_STATE_SUCCEEDED ||
                          build.state() == bv1::BUILD_STATE_FAILED ||
                          build.state() == bv1::BUILD_STATE_CANCELLED;
    if (finished) break;
    if (attempt >= kWatchReconnects) {
      return fail(io, f ? *f
                        : Failure{kExitUsage, stream_error.ok()
                                                  ? unavailable("the watch stream ended early")
                                                  : stream_error});
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250 << attempt));
  }

  if (*format == OutputFormat::kJson) io.out << api::to_json(build) << "\n";
  if (build.state() == bv1::BUILD_STATE_SUCCEEDED) {
    if (*format != OutputFormat::kJson) {
      io.out << build.app_id() << ":v" << build.version() << " " << build.image_digest() << "\n";
    }
    return kExitOk;
  }
  io.err << "ignite-builder: build " << build.id() << " " << state_word(build.state())
         << (build.error().empty() ? "" : ": " + build.error()) << "\n";
  return kExitFailed;
}

}  // namespace ignite::cli
