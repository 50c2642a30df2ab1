#include <ostream>

#include "builder/util/builder_version.h"
#include "src/cli/args.h"
#include "src/cli/commands.h"
#include "src/cli/report.h"

namespace ignite::cli {
namespace {

constexpr const char* kMainUsage =
    "usage: ignite-builder COMMAND [ARGS]\n"
    "\n"
    "Commands:\n"
    "  build SOURCE --org ORG --app APP  build a function into the app's next version\n"
    "  publish-image IMAGE --org ORG --app APP\n"
    "                                    publish an existing image as the app's next version\n"
    "  versions ORG/APP                  list an app's versions\n"
    "  verify ORG/APP[:vN] [--source SOURCE]\n"
    "                                    check a version's blobs, labels and codeHash\n"
    "  import ORG/APP[:vN] --containerd SOCKET\n"
    "                                    place a version into a node's containerd\n"
    "  submit SOURCE --org ORG --app APP queue a build of a function (docs/queue.md)\n"
    "  worker [--until-idle]             build what is queued, as the app's next versions\n"
    "  builds [ORG/APP]                  list queued, running and finished builds\n"
    "  cancel BUILD                      cancel a queued or running build\n"
    "  serve [--listen HOST:PORT]        serve BuildService over gRPC, with worker threads\n"
    "  store check | store base          check the store; make the default base image\n"
    "  hash SOURCE [--list] [-o json]    print the codeHash v1 of a file, directory or archive\n"
    "  lock SOURCE [--find-links DIR] [--index-url URL] [--no-index] [--refresh] [-o json]\n"
    "                                    resolve requirements.txt into a pylock.toml\n"
    "  version                           print the builder's version\n"
    "\n"
    "Run `ignite-builder COMMAND --help` for a command's options.\n";

}  // namespace

int run_main(const std::vector<std::string>& argv, Io io) {
  if (argv.size() < 2) return usage_error(io, "no command given", kMainUsage);
  // Checked here, on the whole command line, rather than in Args::parse: build and lock take
  // their repeated flags (--find-links, --index-url) out before Args::parse sees the rest, and
  // only here do argument numbers match the user's command line.
  if (Status utf8 = check_utf8_arguments(argv); !utf8.ok()) {
    return usage_error(io, utf8.message(), "");
  }
  const std::string& command = argv[1];
  std::vector<std::string> rest(argv.begin() + 2, argv.end());
  if (command == "hash") return run_hash(rest, io);
  if (command == "lock") return run_lock(rest, io);
  if (command == "build") return run_build(rest, io);
  if (command == "publish-image") return run_publish_image(rest, io);
  if (command == "versions") return run_versions(rest, io);
  if (command == "verify") return run_verify(rest, io);
  if (command == "import") return run_import(rest, io);
  if (command == "submit") return run_submit(rest, io);
  if (command == "worker") return run_worker(rest, io);
  if (command == "builds") return run_builds(rest, io);
  if (command == "cancel") return run_cancel(rest, io);
  if (command == "serve") return run_serve(rest, io);
  if (command == "store") return run_store(rest, io);
  if (command == "version" || command == "--version") {
    io.out << "ignite-builder " << kBuilderVersion << "\n";
    return kExitOk;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    io.out << kMainUsage;
    return kExitOk;
  }
  return usage_error(io, "unknown command \"" + command + "\"", kMainUsage);
}

}  // namespace ignite::cli
