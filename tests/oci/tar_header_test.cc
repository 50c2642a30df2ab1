// The ustar/pax encoding of single entries, field by field.
#include "builder/oci/tar_header.h"

#include <gtest/gtest.h>

namespace ignite::oci {
namespace {

std::string field(const std::string& h, std::size_t off, std::size_t len) {
  return h.substr(off, len);
}

LayerEntry file(std::uint64_t size, std::uint32_t mode = 0644) {
  LayerEntry e;
  e.size = size;
  e.mode = mode;
  return e;
}

TEST(TarHeaderTest, UstarFieldsOfARegularFile) {
  auto h = encode_tar_headers("app/handler.py", file(5, 0755), 1700000000);
  ASSERT_TRUE(h.ok()) << h.status().to_string();
  ASSERT_EQ(h->size(), 512u);
  EXPECT_EQ(field(*h, 0, 15), std::string("app/handler.py\0", 15));
  EXPECT_EQ(field(*h, 100, 8), std::string("0000755\0", 8));
  EXPECT_EQ(field(*h, 108, 8), std::string("0000000\0", 8));
  EXPECT_EQ(field(*h, 116, 8), std::string("0000000\0", 8));
  EXPECT_EQ(field(*h, 124, 12), std::string("00000000005\0", 12));
  EXPECT_EQ(field(*h, 136, 12), std::string("14524770400\0", 12));  // 1700000000 in octal
  EXPECT_EQ((*h)[156], '0');
  EXPECT_EQ(field(*h, 257, 8), std::string("ustar\0"
                                           "00",
                                           8));
  EXPECT_EQ(field(*h, 265, 64), std::string(64, '\0'));  // uname, gname empty
  EXPECT_EQ(field(*h, 329, 16), std::string("0000000\0"
                                            "0000000\0",
                                            16));
  // Checksum: six octal digits, NUL, space; over the block with the field as spaces.
  std::string blank = *h;
  blank.replace(148, 8, 8, ' ');
  unsigned sum = 0;
  for (char c : blank) sum += static_cast<unsigned char>(c);
  char expect[9];
  std::snprintf(expect, sizeof expect, "%06o", sum);
  EXPECT_EQ(field(*h, 148, 8), std::string(expect) + std::string("\0 ", 2));
}

TEST(TarHeaderTest, DirectoriesEndInSlashSymlinksAndHardLinksCarryTargets) {
  LayerEntry d;
  d.type = LayerEntryType::kDirectory;
  d.mode = 0755;
  d.size = 99;  // ignored: directories have no data
  auto h = encode_tar_headers("app/lib", d, 0);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(field(*h, 0, 9), std::string("app/lib/\0", 9));
  EXPECT_EQ((*h)[156], '5');
  EXPECT_EQ(field(*h, 124, 12), std::string("00000000000\0", 12));

  LayerEntry l;
  l.type = LayerEntryType::kSymlink;
  l.mode = 0777;
  l.link_target = "lib/util.py";
  h = encode_tar_headers("app/link", l, 0);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ((*h)[156], '2');
  EXPECT_EQ(field(*h, 157, 12), std::string("lib/util.py\0", 12));

  LayerEntry hl;
  hl.type = LayerEntryType::kHardlink;
  hl.link_target = "usr/bin/perl";
  h = encode_tar_headers("usr/bin/perl5.36.0", hl, 0);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ((*h)[156], '1');
  EXPECT_EQ(field(*h, 157, 13), std::string("usr/bin/perl\0", 13));
}

TEST(TarHeaderTest, DevicesCarryTheirNumbers) {
  LayerEntry c;
  c.type = LayerEntryType::kCharDevice;
  c.mode = 0666;
  c.dev_major = 1;
  c.dev_minor = 3;
  auto h = encode_tar_headers("dev/null", c, 0);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ((*h)[156], '3');
  EXPECT_EQ(field(*h, 329, 16), std::string("0000001\0"
                                            "0000003\0",
                                            16));
}

TEST(TarHeaderTest, LongNamesUsePrefixBeforePax) {
  const std::string dir(120, 'd');
  const std::string path = dir + "/" + std::string(90, 'f');  // 211 bytes: prefix + name
  auto h = encode_tar_headers(path, file(0), 0);
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 512u) << "no pax header needed";
  EXPECT_EQ(field(*h, 0, 91), std::string(90, 'f') + '\0');
  EXPECT_EQ(field(*h, 345, 121), dir + '\0');

  const std::string name = "a/b/" + std::string(99, 'c');
  auto split = split_ustar_name(name);
  ASSERT_TRUE(split.has_value());
  EXPECT_EQ(split->first, "a/b");  // the longest prefix that fits, as GNU tar chooses
  EXPECT_EQ(split->second, std::string(99, 'c'));
  EXPECT_FALSE(split_ustar_name(std::string(101, 'x')).has_value());
  EXPECT_FALSE(split_ustar_name(std::string(160, 'p') + "/" + std::string(10, 'n')).has_value());
}

TEST(TarHeaderTest, PaxOnlyForWhatDoesNotFit) {
  const std::string path = std::string(101, 'x');  // no '/' to split at
  LayerEntry l;
  l.type = LayerEntryType::kSymlink;
  l.mode = 0777;
  l.link_target = std::string(150, 't');
  auto h = encode_tar_headers(path, l, 7);
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 3 * 512u);  // pax header, its records (one block), the ustar header
  EXPECT_EQ((*h)[156], 'x');
  EXPECT_EQ(field(*h, 0, 12), "PaxHeaders/x");
  const std::string records = pax_record("linkpath", l.link_target) + pax_record("path", path);
  EXPECT_EQ(field(*h, 124, 12), std::string("00000000423\0", 12));  // 275 bytes of records
  EXPECT_EQ(records.size(), 275u);
  EXPECT_EQ(field(*h, 512, records.size()), records);
  EXPECT_EQ(field(*h, 512 + records.size(), 512 - records.size()),
            std::string(512 - records.size(), '\0'));
  EXPECT_EQ((*h)[1024 + 156], '2');
  // Never atime, ctime or mtime records.
  EXPECT_EQ(records.find("time"), std::string::npos);

  LayerEntry big = file(0);
  big.uid = 1u << 22;  // above 07777777
  h = encode_tar_headers("f", big, 0);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(field(*h, 512, pax_record("uid", "4194304").size()), pax_record("uid", "4194304"));
}

TEST(TarHeaderTest, PaxRecordLengthCountsItself) {
  EXPECT_EQ(pax_record("path", "a"), "9 path=a\n");
  EXPECT_EQ(pax_record("path", "ab"), "11 path=ab\n");  // 9 + 1 digit would be 10: two digits
  // "path" + value + 3 = 97: 99 with two digits.
  EXPECT_EQ(pax_record("path", std::string(90, 'x')).substr(0, 3), "99 ");
  // 98 + 2 = 100 needs three digits: 101.
  std::string r = pax_record("path", std::string(91, 'x'));
  EXPECT_EQ(r.substr(0, 4), "101 ");
  EXPECT_EQ(r.size(), 101u);
  for (std::size_t n = 0; n < 2000; n += 7) {
    r = pax_record("linkpath", std::string(n, 'y'));
    EXPECT_EQ(r.size(), std::stoul(r.substr(0, r.find(' ')))) << n;
  }
}

TEST(TarHeaderTest, RefusesWhatUstarCannotHold) {
  auto h = encode_tar_headers("f", file(0), -1);
  EXPECT_EQ(h.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(h.status().message(), "tar entry \"f\": mtime -1 does not fit a ustar header");
  LayerEntry c;
  c.type = LayerEntryType::kCharDevice;
  c.dev_major = 1u << 22;
  h = encode_tar_headers("dev/x", c, 0);
  EXPECT_EQ(h.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(h.status().message(),
            "tar entry \"dev/x\": device number 4194304,0 does not fit a ustar header");
}

}  // namespace
}  // namespace ignite::oci
