// The base image's own interpreter, unpacked once per store and run chrooted over a tree:
// its facts, the bytecode it writes (header, paths, failures) and that the bytes repeat.
// Needs root and the real Python base (the shared fixture, made by debootstrap).
#include "builder/pipeline/target_python.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <thread>

#include "builder/oci/media_types.h"
#include "builder/pipeline/function_store.h"
#include "builder/pipeline/python_base.h"
#include "builder/util/file_io.h"
#include "tests/pipeline/pipeline_testing.h"

namespace ignite::pipeline {
namespace {

namespace fs = std::filesystem;
using ignite::testing::run_command;
using ignite::testing::shell_quote;
using ignite::testing::TempDir;
using Clock = std::chrono::steady_clock;

long long ms_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

class TargetPythonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    store_dir_ = ignite::testing::python_base_store(&why);
    if (store_dir_.empty()) GTEST_SKIP() << why;
    auto store = FunctionStore::open(store_dir_, OpenStore::kExisting);
    ASSERT_TRUE(store.ok()) << store.status().to_string();
    store_.emplace(std::move(*store));
    auto base = oci::BaseImage::open(store_->layout(), kPythonBaseRef);
    ASSERT_TRUE(base.ok()) << base.status().to_string();
    base_.emplace(std::move(*base));
  }

  // The fixture store is shared by every test (and test process): opening takes its lock.
  TargetPython open() {
    auto python = open_target_python(*store_, *base_);
    EXPECT_TRUE(python.ok()) << python.status().to_string();
    return python.ok() ? *python : TargetPython{};
  }

  std::string store_dir_;
  std::optional<FunctionStore> store_;
  std::optional<oci::BaseImage> base_;
};

// A small dependency tree: a package, a module with constants whose order a hash seed could
// change, a file that does not compile, files that are not Python.
void write_tree(const TempDir& d) {
  d.write("pkg/__init__.py", "from .mod import greet\n");
  d.write("pkg/mod.py",
          "\"\"\"A module.\"\"\"\n"
          "WORDS = frozenset({'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'})\n"
          "def greet(name):\n"
          "    if name in {'x', 'y', 'z', 'w'}:\n"
          "        return 'letter ' + name\n"
          "    return f'hello {name}'\n");
  d.write("pkg/data.txt", "not python\n");
  d.write("pkg/sub/deep.py", "VALUE = (1, 2.5, 'three', b'four', None)\n");
  d.write("bad.py", "def broken(:\n    pass\n");
  d.write("legacy/py2.py", "print 'hello'\n");
  d.write("top.py", "import pkg\n", 0600);
  d.write("bin/tool", "#!/usr/bin/python3\nprint('tool')\n", 0755);
}

// Every file under `root` by relative path, with its bytes.
std::map<std::string, std::string> files_of(const std::string& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    out[fs::relative(e.path(), root).string()] = *read_file(e.path().string());
  }
  return out;
}

TEST_F(TargetPythonTest, OpensTheBasesInterpreterOnceAndCachesItsFacts) {
  TargetPython python = open();
  ASSERT_FALSE(python.rootfs.empty());
  EXPECT_TRUE(python.version.starts_with("3.11.")) << python.version;
  EXPECT_EQ(python.rootfs, fs::absolute(store_dir_).lexically_normal().string() + "/cache/rootfs/" +
                               base_->image().manifest_descriptor.digest.hex());
  // The digest is the file python3 resolves to inside the rootfs, never the host's.
  EXPECT_EQ(fs::read_symlink(python.rootfs + "/usr/bin/python3").string(), "python3.11");
  auto binary = read_file(python.rootfs + "/usr/bin/python3.11");
  ASSERT_TRUE(binary.ok());
  EXPECT_EQ(python.interpreter_digest, Digest::of(*binary).to_string());
  // The mount point is there, an empty directory.
  const std::string deps = python.rootfs + std::string(kDepsMountPoint);
  struct stat st {};
  ASSERT_EQ(::lstat(deps.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  EXPECT_TRUE(fs::is_empty(deps));
  // Later opens read the facts and nothing else.
  EXPECT_TRUE(fs::exists(python.rootfs + ".json"));
  const auto start = Clock::now();
  TargetPython again = open();
  EXPECT_LT(ms_since(start), 1000);
  EXPECT_EQ(again.rootfs, python.rootfs);
  EXPECT_EQ(again.interpreter_digest, python.interpreter_digest);
  EXPECT_EQ(again.version, python.version);
}

TEST_F(TargetPythonTest, CompilesEveryPythonFileAndReportsTheOnesThatFail) {
  TargetPython python = open();
  ASSERT_FALSE(python.rootfs.empty());
  TempDir tree;
  write_tree(tree);
  auto compiled = compile_bytecode(python, tree.path());
  ASSERT_TRUE(compiled.ok()) << compiled.status().to_string();
  EXPECT_EQ(compiled->compiled, 4u);
  EXPECT_EQ(compiled->failed, (std::vector<std::string>{"bad.py", "legacy/py2.py"}));

  std::vector<std::string> pycs;
  for (const auto& [path, bytes] : files_of(tree.path())) {
    if (path.ends_with(".pyc")) pycs.push_back(path);
  }
  EXPECT_EQ(pycs, (std::vector<std::string>{"__pycache__/top.cpython-311.pyc",
                                            "pkg/__pycache__/__init__.cpython-311.pyc",
                                            "pkg/__pycache__/mod.cpython-311.pyc",
                                            "pkg/sub/__pycache__/deep.cpython-311.pyc"}));
  const std::string pyc = *read_file(tree / "pkg/__pycache__/mod.cpython-311.pyc");
  ASSERT_GT(pyc.size(), 16u);
  // Python 3.11's magic number, then flags 0b01: hash-based, source never checked.
  EXPECT_EQ(pyc.substr(0, 4), std::string("\xa7\x0d\x0d\x0a", 4));
  EXPECT_EQ(pyc.substr(4, 4), std::string("\x01\x00\x00\x00", 4));
  for (const std::string& p : pycs) {
    struct stat st {};
    ASSERT_EQ(::stat((tree / p).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0644u) << p;
    EXPECT_EQ(st.st_uid, ::geteuid()) << p;
    struct stat dir {};
    ASSERT_EQ(::stat(fs::path(tree / p).parent_path().c_str(), &dir), 0);
    EXPECT_EQ(dir.st_mode & 07777, 0755u) << p;
  }
  EXPECT_FALSE(fs::exists(tree / "legacy/__pycache__/py2.cpython-311.pyc"));
  EXPECT_TRUE(fs::is_empty(python.rootfs + std::string(kDepsMountPoint)))
      << "the tree is mounted in a private namespace only";

  // The code objects carry the path the image will hold them at. Read with the host's
  // interpreter when it is the same minor version (marshal's format is per version).
  std::string host_version;
  run_command("/usr/bin/timeout 60 /usr/bin/python3 --version 2>&1", &host_version);
  if (!host_version.starts_with("Python 3.11.")) {
    GTEST_SKIP() << "the host's /usr/bin/python3 is not 3.11 (" << host_version
                 << "): co_filename not checked";
  }
  TempDir home;
  std::string out;
  const int rc = run_command(
      "/usr/bin/env -i HOME=" + shell_quote(home.path()) +
          " /usr/bin/timeout 60 /usr/bin/python3 -I -c " +
          shell_quote("import marshal,sys\n"
                      "c = marshal.loads(open(sys.argv[1], 'rb').read()[16:])\n"
                      "print(c.co_filename)\n"
                      "print([k.co_filename for k in c.co_consts if hasattr(k, 'co_filename')])") +
          " " + shell_quote(tree / "pkg/__pycache__/mod.cpython-311.pyc"),
      &out);
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(out, "/opt/ignite/deps/pkg/mod.py\n['/opt/ignite/deps/pkg/mod.py']\n");
}

TEST_F(TargetPythonTest, TheSameTreeGivesTheSameBytes) {
  TargetPython python = open();
  ASSERT_FALSE(python.rootfs.empty());
  TempDir a, b;
  write_tree(a);
  write_tree(b);
  auto ca = compile_bytecode(python, a.path());
  auto cb = compile_bytecode(python, b.path());
  ASSERT_TRUE(ca.ok()) << ca.status().to_string();
  ASSERT_TRUE(cb.ok()) << cb.status().to_string();
  const auto fa = files_of(a.path());
  const auto fb = files_of(b.path());
  ASSERT_EQ(fa.size(), fb.size());
  for (const auto& [path, bytes] : fa) {
    ASSERT_TRUE(fb.contains(path)) << path;
    EXPECT_TRUE(fb.at(path) == bytes) << path << " differs between two compiles";
  }
  // Compiling again over its own output changes nothing either.
  auto again = compile_bytecode(python, a.path());
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  EXPECT_EQ(files_of(a.path()), fa);
}

// Only the tree's own files are compiled, and bytecode is never written through a symlink
// (the rootfs, shared by every build of the store, is read-only in the namespace anyway).
TEST_F(TargetPythonTest, SymlinksAreNeitherCompiledNorFollowed) {
  TargetPython python = open();
  ASSERT_FALSE(python.rootfs.empty());
  TempDir tree;
  tree.write("real.py", "X = 1\n");
  tree.symlink("link.py", "real.py");
  tree.symlink("loop", ".");
  tree.write("evil/os.py", "Y = 2\n");
  tree.symlink("evil/__pycache__", "/usr/lib/python3.11/__pycache__");
  const std::string stdlib_cache = python.rootfs + "/usr/lib/python3.11/__pycache__";
  const bool had_os_pyc = fs::exists(stdlib_cache + "/os.cpython-311.pyc");
  const std::string before = had_os_pyc ? *read_file(stdlib_cache + "/os.cpython-311.pyc") : "";
  auto compiled = compile_bytecode(python, tree.path());
  ASSERT_TRUE(compiled.ok()) << compiled.status().to_string();
  EXPECT_EQ(compiled->compiled, 1u);
  EXPECT_EQ(compiled->failed, std::vector<std::string>{"evil/os.py"});
  EXPECT_TRUE(fs::exists(tree / "__pycache__/real.cpython-311.pyc"));
  EXPECT_FALSE(fs::exists(tree / "__pycache__/link.cpython-311.pyc"));
  EXPECT_EQ(fs::exists(stdlib_cache + "/os.cpython-311.pyc"), had_os_pyc);
  if (had_os_pyc) {
    EXPECT_EQ(*read_file(stdlib_cache + "/os.cpython-311.pyc"), before);
  }
}

TEST_F(TargetPythonTest, AMissingTreeIsNotFound) {
  TargetPython python = open();
  ASSERT_FALSE(python.rootfs.empty());
  TempDir tmp;
  auto compiled = compile_bytecode(python, tmp / "missing");
  EXPECT_EQ(compiled.status().code(), Code::kNotFound) << compiled.status().to_string();
}

TEST_F(TargetPythonTest, ScratchHasNoInterpreter) {
  auto python = open_target_python(*store_, oci::BaseImage::scratch());
  EXPECT_EQ(python.status().code(), Code::kFailedPrecondition) << python.status().to_string();
}

// A store of its own: the base's layers absent (as a registry base keeps them), then taken
// from the layout the base was read from, by two threads at once: one unpacks, the other
// waits for it and reads its facts.
TEST_F(TargetPythonTest, LayersFromTheBasesLayoutUnpackedOnceUnderTheLock) {
  TempDir tmp;
  auto other = FunctionStore::open(tmp / "store", OpenStore::kCreateIfMissing);
  ASSERT_TRUE(other.ok()) << other.status().to_string();
  const oci::StoredImage& image = base_->image();
  ASSERT_TRUE(other->layout().add_blob(oci::kMediaTypeConfig, image.config_bytes).ok());
  auto manifest_bytes = store_->layout().read_blob(image.manifest_descriptor.digest);
  ASSERT_TRUE(manifest_bytes.ok());
  ASSERT_TRUE(other->layout().add_blob(image.manifest_descriptor.media_type, *manifest_bytes).ok());
  auto remote = oci::BaseImage::open(other->layout(), image.manifest_descriptor);
  ASSERT_TRUE(remote.ok()) << remote.status().to_string();
  auto refused = open_target_python(*other, *remote);
  EXPECT_EQ(refused.status().code(), Code::kFailedPrecondition) << refused.status().to_string();
  EXPECT_NE(refused.status().message().find("the base image's layers are not in the store"),
            std::string::npos)
      << refused.status().message();

  std::optional<Result<TargetPython>> first, second;
  const auto start = Clock::now();
  std::thread t1([&] { first.emplace(open_target_python(*other, *base_)); });
  std::thread t2([&] { second.emplace(open_target_python(*other, *base_)); });
  t1.join();
  t2.join();
  std::cout << "[          ] unpacking the Python base and asking its version took "
            << ms_since(start) << " ms\n";
  ASSERT_TRUE(first->ok()) << first->status().to_string();
  ASSERT_TRUE(second->ok()) << second->status().to_string();
  EXPECT_EQ((*first)->rootfs, (*second)->rootfs);
  EXPECT_EQ((*first)->interpreter_digest, (*second)->interpreter_digest);
  EXPECT_EQ((*first)->version, (*second)->version);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(tmp / "store/cache/rootfs"))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  const std::string hex = image.manifest_descriptor.digest.hex();
  EXPECT_EQ(names, (std::vector<std::string>{hex, hex + ".json", hex + ".lock"}))
      << "no temporary tree is left";

  // What the unpacked tree holds matches the fixture's own cache, file for file.
  TargetPython shared = open();
  TempDir tree;
  write_tree(tree);
  auto compiled = compile_bytecode(**first, tree.path());
  ASSERT_TRUE(compiled.ok()) << compiled.status().to_string();
  EXPECT_EQ((*first)->interpreter_digest, shared.interpreter_digest);
}

}  // namespace
}  // namespace ignite::pipeline
