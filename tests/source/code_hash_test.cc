// Known answers for codeHash v1. The literals were computed with coreutils alone, e.g.
//   printf 'f %s handler.py\n' $(printf 'def handler(payload, ctx):\n    return payload\n' |
//     sha256sum | cut -d' ' -f1) | sha256sum
#include "builder/source/code_hash.h"

#include <gtest/gtest.h>

#include "builder/source/intake.h"

namespace ignite {
namespace {

constexpr const char* kHandler = "def handler(payload, ctx):\n    return payload\n";

TEST(CodeHashTest, SingleFileKnownAnswer) {
  auto tree = read_source_bytes(kHandler, IntakeOptions{});
  ASSERT_TRUE(tree.ok()) << tree.status().to_string();
  EXPECT_EQ(code_hash(*tree).to_string(),
            "sha256:2a481b9ee0b036ef6ccf7a022c88dc4bf215b7b83753540388a5923d8f3f5e22");
}

TEST(CodeHashTest, TreeKnownAnswerAndInput) {
  SourceTree tree;
  ASSERT_TRUE(tree.add("run.sh", {EntryKind::kExecutable, "#!/bin/sh\necho hi\n"}).ok());
  ASSERT_TRUE(tree.add("link", {EntryKind::kSymlink, "lib/util.py"}).ok());
  ASSERT_TRUE(tree.add("lib/util.py", {EntryKind::kFile, "X = 1\n"}).ok());
  ASSERT_TRUE(tree.add("handler.py", {EntryKind::kFile, kHandler}).ok());
  EXPECT_EQ(code_hash_input(tree),
            "f 3aa4c14db3be2a27564246a63e0c93abcd6fe8c3709477d43e8d04b11cda43bc handler.py\n"
            "f 0abae1e0ae728216ee44993c5a3a755f8b1c387d947fc4c4f72cab0e4a84214b lib/util.py\n"
            "l 5bfdfa7f938d7e4c6b166cb195223a304686e1924a2e2313c2d17933d70eee57 link\n"
            "x 299001868fb8c02fd431c336c6d058f5558c5dff5b5af5e6fe04b870a6a9cbba run.sh\n");
  EXPECT_EQ(code_hash(tree).to_string(),
            "sha256:b2400878ad32e6f6b546938f952ee53ef02ca375f4820d99496947985fa4488e");
}

TEST(CodeHashTest, SortsBytewiseLikeCLocale) {
  SourceTree tree;
  // '.' (0x2E) < '/' (0x2F) < 'B' (0x42) < 'a' (0x61) < 0xC3 (é)
  for (const char* p : {"\xC3\xA9.py", "a/b", "a.py", "B.py", "handler.py"}) {
    ASSERT_TRUE(tree.add(p, {EntryKind::kFile, ""}).ok());
  }
  std::vector<std::string> order;
  for (const auto& [path, e] : tree.entries()) order.push_back(path);
  EXPECT_EQ(order, (std::vector<std::string>{"B.py", "a.py", "a/b", "handler.py", "\xC3\xA9.py"}));
}

TEST(CodeHashTest, EveryHashedPropertyChangesIt) {
  auto base = [] {
    SourceTree t;
    EXPECT_TRUE(t.add("handler.py", {EntryKind::kFile, kHandler}).ok());
    EXPECT_TRUE(t.add("l", {EntryKind::kSymlink, "handler.py"}).ok());
    return t;
  };
  const std::string h = code_hash(base()).to_string();
  SourceTree byte;
  ASSERT_TRUE(byte.add("handler.py", {EntryKind::kFile, std::string(kHandler) + " "}).ok());
  ASSERT_TRUE(byte.add("l", {EntryKind::kSymlink, "handler.py"}).ok());
  SourceTree exec;
  ASSERT_TRUE(exec.add("handler.py", {EntryKind::kExecutable, kHandler}).ok());
  ASSERT_TRUE(exec.add("l", {EntryKind::kSymlink, "handler.py"}).ok());
  SourceTree name;
  ASSERT_TRUE(name.add("handler.py", {EntryKind::kFile, kHandler}).ok());
  ASSERT_TRUE(name.add("m", {EntryKind::kSymlink, "handler.py"}).ok());
  SourceTree target;
  ASSERT_TRUE(target.add("handler.py", {EntryKind::kFile, kHandler}).ok());
  ASSERT_TRUE(target.add("l", {EntryKind::kSymlink, "./handler.py"}).ok());
  for (const SourceTree* t : {&byte, &exec, &name, &target}) {
    EXPECT_NE(code_hash(*t).to_string(), h);
  }
  EXPECT_EQ(code_hash(base()).to_string(), h);
}

}  // namespace
}  // namespace ignite
