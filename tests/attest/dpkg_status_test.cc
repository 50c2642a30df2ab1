// Reading a base image's dpkg status file. openssl_interop_test.cc also reads this machine's
// own /var/lib/dpkg/status against dpkg-query.
#include <gtest/gtest.h>

#include "builder/attest/spdx_sbom.h"

namespace ignite::attest {
namespace {

// Stanzas as dpkg writes them (from a Debian bookworm system), cut down: multi-line
// Description and Conffiles, a multi-arch library installed for two architectures, a package
// removed but for its conffiles, a purged one dpkg still remembers (no Version), a held one,
// one half-installed, CRLF line ends in one stanza and several empty lines between two.
constexpr std::string_view kStatus = R"(Package: libc6
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 13001
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u4
Depends: libgcc-s1
Conffiles:
 /etc/ld.so.conf.d/x86_64-linux-gnu.conf d4e7a7b88a71b5ffd9e2644e71a0cfab
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system.
 .
 This package includes shared versions of the standard C library.
Homepage: https://www.gnu.org/software/libc/libc.html

Package: base-files
Essential: yes
Status: install ok installed
Priority: required
Maintainer: Santiago Vila <sanvila@debian.org>
Architecture: amd64
Version: 12.4+deb12u5
Description: Debian base system miscellaneous files

Package: libc6
Status: install ok installed
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Architecture: i386
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u4
Description: GNU C Library: Shared libraries

Package: vim-tiny
Status: deinstall ok config-files
Priority: important
Architecture: amd64
Version: 2:9.0.1378-2
Conffiles:
 /etc/vim/vimrc.tiny 1a1e8e7bb5a0fc0d4a2fb7fd8b2c1a6d

Package: nano
Status: purge ok not-installed
Priority: important
Architecture: amd64

Package: libattr1
Status: hold ok installed
Architecture: amd64
Multi-Arch: same
Source: attr
Version: 1:2.5.1-4
Description: extended attribute handling - shared library

Package: half
Status: install reinstreq half-installed
Architecture: amd64
Version: 1.0


Package: tzdata
Status: install ok installed
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Architecture: all
Multi-Arch: foreign
Version: 2024a-0+deb12u1
Provides: tzdata-bookworm
)";

std::vector<std::string> summary(const std::vector<SbomDebianPackage>& packages) {
  std::vector<std::string> out;
  for (const auto& p : packages) {
    out.push_back(p.name + ":" + p.architecture + " " + p.version + " [" + p.maintainer + "]");
  }
  return out;
}

TEST(DpkgStatusTest, ListsTheInstalledPackagesSorted) {
  std::string text(kStatus);
  // CRLF line ends in the base-files stanza.
  const std::size_t from = text.find("Package: base-files");
  const std::size_t to = text.find("\n\n", from);
  std::string stanza = text.substr(from, to - from);
  for (std::size_t at = 0; (at = stanza.find('\n', at)) != std::string::npos; at += 2) {
    stanza.replace(at, 1, "\r\n");
  }
  text.replace(from, to - from, stanza);

  auto packages = parse_dpkg_status(text);
  ASSERT_TRUE(packages.ok()) << packages.status().to_string();
  EXPECT_EQ(summary(*packages),
            (std::vector<std::string>{
                "base-files:amd64 12.4+deb12u5 [Santiago Vila <sanvila@debian.org>]",
                "libattr1:amd64 1:2.5.1-4 []",
                "libc6:amd64 2.36-9+deb12u4 [GNU Libc Maintainers <debian-glibc@lists.debian.org>]",
                "libc6:i386 2.36-9+deb12u4 [GNU Libc Maintainers <debian-glibc@lists.debian.org>]",
                "tzdata:all 2024a-0+deb12u1 [GNU Libc Maintainers "
                "<debian-glibc@lists.debian.org>]"}));
}

TEST(DpkgStatusTest, AnEmptyFileHasNoPackages) {
  auto packages = parse_dpkg_status("");
  ASSERT_TRUE(packages.ok());
  EXPECT_TRUE(packages->empty());
  EXPECT_TRUE(parse_dpkg_status("\n\n").ok());
}

TEST(DpkgStatusTest, NamesTheStanzaThatLacksAField) {
  const Status no_package = parse_dpkg_status(
                                "Package: a\nStatus: install ok installed\nVersion: 1\n\n"
                                "Status: install ok installed\nVersion: 2\n")
                                .status();
  EXPECT_EQ(no_package.code(), Code::kInvalidArgument);
  EXPECT_EQ(no_package.message(), "dpkg status line 5: a stanza with no Package field");

  const Status no_version =
      parse_dpkg_status(
          "Package: a\nStatus: install ok installed\nVersion: 1\n\n\n"
          "Package: b\x1b\nStatus: install ok installed\nArchitecture: amd64\n")
          .status();
  EXPECT_EQ(no_version.code(), Code::kInvalidArgument);
  EXPECT_EQ(no_version.message(),
            "dpkg status line 6: installed package \"b\\x1B\" has no Version field");
}

}  // namespace
}  // namespace ignite::attest
