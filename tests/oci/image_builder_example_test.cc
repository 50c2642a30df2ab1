// The example at the top of builder/oci/image_builder.h, compiled and run: when an API it uses
// changes, this test stops building, and the comment is brought up to date with it. Keep the
// two in step (the body of build_example is the comment's code, with a small root filesystem
// made here in place of debootstrap's).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "builder/oci/image_builder.h"
#include "builder/source/code_hash.h"
#include "tests/oci/oci_testing.h"
#include "tests/testing/temp_dir.h"

namespace ignite::oci {
namespace {

Result<Descriptor> build_example(const std::string& store_dir, const std::string& rootfs_dir,
                                 const SourceTree& tree, const Digest& code_hash) {
  IGNITE_ASSIGN_OR_RETURN(OciLayout store,
                          OciLayout::open(store_dir + "/oci", CreateLayout::kIfMissing));
  IGNITE_ASSIGN_OR_RETURN(Epoch epoch,
                          Epoch::from_environment_value(std::getenv("SOURCE_DATE_EPOCH")));
  LayerOptions layer_options{epoch};

  BaseImageOptions base_options;
  base_options.created_by = "debootstrap --variant=minbase --include=python3 bookworm";
  base_options.settings.env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}};
  IGNITE_ASSIGN_OR_RETURN(WrittenBaseImage written,
                          write_base_image(store, rootfs_dir, base_options, layer_options,
                                           "ignite/base:bookworm", ExistingRef::kReplace));
  (void)written;
  IGNITE_ASSIGN_OR_RETURN(BaseImage base, BaseImage::open(store, "ignite/base:bookworm"));

  IGNITE_ASSIGN_OR_RETURN(
      Layer host,
      write_host_layer(store, std::string(IGNITE_SOURCE_DIR) + "/templates/python", layer_options));
  IGNITE_ASSIGN_OR_RETURN(Layer app, write_app_layer(store, tree, layer_options));

  ImageSettings settings = ImageSettings::for_function();
  settings.env = {{"IGNITE_FUNCTION_ID", "acme-corp/greet"},
                  {"IGNITE_ORGANIZATION_ID", "acme-corp"}};
  settings.entrypoint = {"/usr/bin/python3", "/opt/ignite/host/server.py"};
  settings.labels["dev.ignite.code-hash"] = code_hash.to_string();
  settings.annotations["dev.ignite.code-hash"] = code_hash.to_string();
  return compose_image(store, base, {{host, "runtime host"}, {app, "app"}}, settings, epoch,
                       "acme-corp/greet:v1", ExistingRef::kRefuse);
}

TEST(ImageBuilderExampleTest, TheHeadersExampleBuildsAVerifiableImage) {
  ::unsetenv("SOURCE_DATE_EPOCH");
  ignite::testing::TempDir dir;
  const std::string rootfs = dir.path() + "/rootfs";
  std::filesystem::create_directories(rootfs + "/usr/bin");
  std::filesystem::create_directories(dir.path() + "/store");  // the build command makes it
  std::ofstream(rootfs + "/usr/bin/python3") << "#!/bin/sh\n";
  const SourceTree tree = testing::golden_tree();
  const Digest hash = code_hash(tree);

  auto image = build_example(dir.path() + "/store", rootfs, tree, hash);
  ASSERT_TRUE(image.ok()) << image.status().message();

  auto layout = OciLayout::open(dir.path() + "/store/oci", CreateLayout::kNo);
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  auto stored = read_image(*layout, "acme-corp/greet:v1");
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  EXPECT_EQ(stored->manifest_descriptor.digest, image->digest);
  EXPECT_TRUE(verify_image(*layout, *stored).ok());
  EXPECT_EQ(stored->manifest.layers.size(), 3u);  // base, runtime host, app
  EXPECT_EQ(stored->config.labels.at("dev.ignite.code-hash"), hash.to_string());

  // The same inputs make the same image, so the ref may be set again; other inputs may not move
  // it (ExistingRef::kRefuse): versions never move.
  auto again = build_example(dir.path() + "/store", rootfs, tree, hash);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->digest, image->digest);
  auto other = build_example(dir.path() + "/store", rootfs, tree, Digest::of("another draft"));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), Code::kAlreadyExists) << other.status().message();
}

}  // namespace
}  // namespace ignite::oci
