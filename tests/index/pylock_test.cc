#include "builder/index/pylock.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string_view>

#include "builder/python/platform_tags.h"
#include "builder/util/file_io.h"

namespace ignite::index {
namespace {

const std::string kGolden = std::string(IGNITE_SOURCE_DIR) + "/tests/index/golden/pylock.toml";

Lock sample_lock() {
  Lock lock;
  lock.environments = {environment_marker(python::Environment::target_default())};
  lock.requires_python = "==3.11.*";
  LockedPackage werkzeug{
      "werkzeug",
      "3.1.8",
      std::nullopt,
      ">=3.9",
      "https://idx.example/simple/",
      {{"werkzeug-3.1.8-py3-none-any.whl",
        "https://idx.example/files/werkzeug-3.1.8-py3-none-any.whl", "", std::string(64, 'b')}},
      {"flask 3.1.3: werkzeug>=3.1.0"}};
  LockedPackage flask{
      "flask",
      "3.1.3",
      std::nullopt,
      ">=3.9",
      "https://idx.example/simple/",
      {{"flask-3.1.3-py3-none-any.whl", "https://idx.example/files/flask-3.1.3-py3-none-any.whl",
        "", std::string(64, 'a')}},
      {"requested: flask==3.1.3", "requested: flask==3.1.3"}};
  LockedPackage local{"six",
                      "1.17.0",
                      std::nullopt,
                      std::nullopt,
                      "",
                      {{"six-1.17.0-py2.py3-none-any.whl", "",
                        "/wheels/six-1.17.0-py2.py3-none-any.whl", std::string(64, 'c')}},
                      {}};
  // Out of order on purpose: the writer sorts.
  lock.packages = {werkzeug, local, flask};
  return lock;
}

TEST(PylockTest, WritesTheGoldenBytes) {
  const std::string bytes = write_pylock(sample_lock());
  // Exactly "1": IGNITE_UPDATE_GOLDEN=0 (or empty) must compare, not rewrite.
  if (const char* update = std::getenv("IGNITE_UPDATE_GOLDEN");
      update != nullptr && std::string_view(update) == "1") {
    ASSERT_TRUE(write_file_atomic(kGolden, bytes).ok());
  }
  auto golden = read_file(kGolden);
  ASSERT_TRUE(golden.ok()) << golden.status().message() << " (IGNITE_UPDATE_GOLDEN=1 writes it)";
  EXPECT_EQ(bytes, *golden);
  EXPECT_EQ(lock_hash(bytes).to_string(), Digest::of(*golden).to_string());
}

TEST(PylockTest, ReadsBackWhatItWritesAndWritesTheSameBytesAgain) {
  const std::string bytes = write_pylock(sample_lock());
  auto lock = read_pylock(bytes, "test lock");
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  ASSERT_EQ(lock->packages.size(), 3u);
  EXPECT_EQ(lock->packages[0].name, "flask");
  EXPECT_EQ(lock->packages[0].required_by, std::vector<std::string>{"requested: flask==3.1.3"});
  EXPECT_EQ(lock->packages[1].wheels[0].path, "/wheels/six-1.17.0-py2.py3-none-any.whl");
  EXPECT_EQ(lock->packages[2].index, "https://idx.example/simple/");
  EXPECT_EQ(write_pylock(*lock), bytes);
}

TEST(PylockTest, ReadsPipStyleLocks) {
  const std::string text = R"(lock-version = "1.0"
created-by = "pip"

[[packages]]
name = "Typing_Extensions"
version = "4.15.0"
marker = "python_version >= '3.9'"

[[packages.wheels]]
url = "https://files.example/typing_extensions-4.15.0-py3-none-any.whl"
upload-time = 2025-08-25T13:48:20Z
size = 44614
[packages.wheels.hashes]
sha256 = "f0fa19c6845758ab08074a0cfa8b7aecb71c999ca73d62883bc25cc018c4e548"
)";
  auto lock = read_pylock(text, "pylock.toml");
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  ASSERT_EQ(lock->packages.size(), 1u);
  EXPECT_EQ(lock->packages[0].name, "typing-extensions");
  EXPECT_EQ(lock->packages[0].wheels[0].name, "typing_extensions-4.15.0-py3-none-any.whl");
  const python::TagPriority tags(python::target_tags(python::PythonTarget{}));
  auto wheel = select_locked_wheel(lock->packages[0], tags);
  ASSERT_TRUE(wheel.ok());
}

TEST(PylockTest, RefusesWhatTheBuilderCannotInstall) {
  auto err = [](std::string_view text) {
    auto lock = read_pylock(text, "pylock.toml");
    return lock.ok() ? std::string("ok") : lock.status().message();
  };
  const std::string head = "lock-version = \"1.0\"\n";
  EXPECT_EQ(err("lock-version = \"2.0\"\n"),
            "pylock.toml: lock-version: version 2.0 is not supported (1.x is)");
  EXPECT_EQ(err("x = 1\n"), "pylock.toml: lock-version: missing (this is not a PEP 751 lock)");
  EXPECT_EQ(err(head + "[[packages]]\nname = \"a\"\nversion = \"1\"\nsdist = { url = "
                       "\"https://h/a-1.tar.gz\" }\n"),
            "pylock.toml: packages[0] (a): a package from sdist is not installable: the builder "
            "installs wheels only");
  EXPECT_EQ(err(head + "[[packages]]\nname = \"a\"\nversion = \"1\"\nwheels = [{ url = "
                       "\"https://h/a-1-py3-none-any.whl\", hashes = { md5 = \"00\" } }]\n"),
            "pylock.toml: packages[0] (a).wheels[0]: a wheel needs hashes.sha256 (64 lowercase hex "
            "digits)");
  EXPECT_EQ(err(head +
                "[[packages]]\nname = \"a\"\nversion = \"1\"\nwheels = [{ url = "
                "\"https://h/b-1-py3-none-any.whl\", hashes = { sha256 = \"" +
                std::string(64, '0') + "\" } }]\n"),
            "pylock.toml: packages[0] (a).wheels[0]: wheel b-1-py3-none-any.whl is not a file of "
            "package a");
  EXPECT_EQ(err(head +
                "[[packages]]\nname = \"a\"\nversion = \"1\"\nwheels = [{ url = "
                "\"https://u:p@h/a-1-py3-none-any.whl\", hashes = { sha256 = \"" +
                std::string(64, '0') + "\" } }]\n"),
            "pylock.toml: packages[0] (a).wheels[0]: a wheel url must not carry credentials");
  EXPECT_EQ(err("lock-version = [\n"),
            "pylock.toml: line 1, column 18: Error while parsing array: encountered end-of-file");
}

TEST(PylockTest, SelectsTheBestWheelForTheTarget) {
  LockedPackage p{
      "demo",
      "1.0",
      std::nullopt,
      std::nullopt,
      "",
      {{"demo-1.0-py3-none-any.whl", "https://h/a", "", std::string(64, '0')},
       {"demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl", "https://h/b", "", std::string(64, '1')},
       {"demo-1.0-cp312-cp312-win_amd64.whl", "https://h/c", "", std::string(64, '2')}},
      {}};
  const python::TagPriority tags(python::target_tags(python::PythonTarget{}));
  auto wheel = select_locked_wheel(p, tags);
  ASSERT_TRUE(wheel.ok());
  EXPECT_EQ((*wheel)->url, "https://h/b");
  p.wheels.erase(p.wheels.begin(), p.wheels.begin() + 2);
  auto none = select_locked_wheel(p, tags);
  EXPECT_EQ(none.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(none.status().message(),
            "installing demo 1.0 from the lock: no wheel fits the target "
            "(demo-1.0-cp312-cp312-win_amd64.whl)");
}

}  // namespace
}  // namespace ignite::index
