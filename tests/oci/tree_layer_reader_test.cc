// read_tree_layer: an app layer read back is the tree it was written from, so its codeHash is
// the draft's; what plan_tree_layer never writes is refused, naming the entry.
#include <gtest/gtest.h>

#include "builder/oci/layer_writer.h"
#include "builder/oci/media_types.h"
#include "builder/oci/tree_layer.h"
#include "builder/oci/tree_layer_reader.h"
#include "builder/source/code_hash.h"
#include "tests/testing/temp_dir.h"

namespace ignite::oci {
namespace {

using testing::TempDir;

SourceTree rich_tree() {
  SourceTree tree;
  EXPECT_TRUE(
      tree.add("handler.py", {EntryKind::kFile, "def handler(p, c):\n    return p\n"}).ok());
  EXPECT_TRUE(tree.add("lib/util.py", {EntryKind::kFile, "X = 1\n"}).ok());
  EXPECT_TRUE(tree.add("lib/deeper/run.sh", {EntryKind::kExecutable, "#!/bin/sh\n"}).ok());
  EXPECT_TRUE(tree.add("util.py", {EntryKind::kSymlink, "lib/util.py"}).ok());
  EXPECT_TRUE(tree.add("dot", {EntryKind::kSymlink, "./handler.py"}).ok());
  EXPECT_TRUE(tree.add("empty.txt", {EntryKind::kFile, ""}).ok());
  EXPECT_TRUE(tree.add_directory("nothing/inside").ok());
  return tree;
}

TEST(TreeLayerReaderTest, AnAppLayerReadsBackToItsTreeAndCodeHash) {
  TempDir tmp;
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok());
  const SourceTree tree = rich_tree();
  auto layer = write_app_layer(*layout, tree, LayerOptions{Epoch::zero()});
  ASSERT_TRUE(layer.ok()) << layer.status().to_string();

  auto read = read_tree_layer(*layout, layer->blob, kAppPrefix);
  ASSERT_TRUE(read.ok()) << read.status().to_string();
  EXPECT_EQ(code_hash_input(*read), code_hash_input(tree));
  EXPECT_EQ(code_hash(*read), code_hash(tree));
  ASSERT_NE(read->find("lib/deeper/run.sh"), nullptr);
  EXPECT_EQ(read->find("lib/deeper/run.sh")->kind, EntryKind::kExecutable);
  EXPECT_EQ(read->find("dot")->data, "./handler.py");
  // The empty directory is not in the layer (nor in the codeHash); the parents are.
  EXPECT_EQ(read->directories().count("nothing"), 0u);
  EXPECT_EQ(read->directories().count("lib/deeper"), 1u);
}

TEST(TreeLayerReaderTest, EntriesOutsideThePrefixAreRefused) {
  TempDir tmp;
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok());
  const SourceTree tree = rich_tree();
  auto plan = plan_tree_layer(tree, kHostPrefix);
  ASSERT_TRUE(plan.ok());
  auto layer = write_layer(*layout, *plan, LayerOptions{Epoch::zero()});
  ASSERT_TRUE(layer.ok());
  auto read = read_tree_layer(*layout, layer->blob, kAppPrefix);
  EXPECT_EQ(read.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(read.status().message(), "reading app/ from layer " + layer->blob.digest.to_string() +
                                         ": entry \"opt/\" is outside app/");
}

TEST(TreeLayerReaderTest, AMissingBlobIsNotFound) {
  TempDir tmp;
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok());
  Descriptor d{std::string(kMediaTypeLayerGzip), Digest::of("nothing"), 7, {}, std::nullopt};
  EXPECT_EQ(read_tree_layer(*layout, d, kAppPrefix).status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace ignite::oci
