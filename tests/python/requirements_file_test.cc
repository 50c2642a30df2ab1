// The requirements-file reader and the builder's refusals: each refusal's code and
// message, includes, secrets kept out of messages, and the directory source.
#include "builder/python/requirements_file.h"

#include <gtest/gtest.h>

#include "tests/testing/temp_dir.h"

namespace ignite::python {
namespace {

Result<AcceptedRequirements> load(const std::string& content, RequirementsVariables vars = {}) {
  InMemoryFileSource files;
  files.add("requirements.txt", content);
  return load_requirements(files, "requirements.txt", vars);
}

// The message of a load that must fail with INVALID_ARGUMENT.
std::string refusal(const std::string& content, RequirementsVariables vars = {}) {
  Result<AcceptedRequirements> r = load(content, std::move(vars));
  EXPECT_FALSE(r.ok()) << "accepted: " << content;
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << r.status().to_string();
  return r.status().message();
}

constexpr std::string_view kWheelsOnly =
    "the builder installs wheels from package indexes and http(s) URLs only, and never builds "
    "or runs package code at build time";

TEST(RequirementsFileRefusalTest, EditableInstalls) {
  EXPECT_EQ(refusal("requests==2.31.0\n-e ./mypkg\n"),
            "line 2 of requirements.txt: '-e ./mypkg' refused: it is an editable install, which "
            "builds the project from a source checkout and runs its build code; require a "
            "released wheel by name and version instead");
}

TEST(RequirementsFileRefusalTest, VcsUrls) {
  std::string why =
      "refused: it installs from a version control repository, which means building the "
      "package from source and running its build code; require a released wheel by name and "
      "version instead";
  EXPECT_EQ(refusal("git+https://github.com/psf/requests.git@v2.31.0#egg=requests"),
            "line 1 of requirements.txt: "
            "'git+https://github.com/psf/requests.git@v2.31.0#egg=requests' " +
                why);
  EXPECT_EQ(
      refusal("\n\nrequests @ git+https://github.com/psf/requests.git"),
      "line 3 of requirements.txt: 'requests @ git+https://github.com/psf/requests.git' " + why);
}

TEST(RequirementsFileRefusalTest, LocalPaths) {
  std::string why = "refused: it is a local path, a file or directory of the build machine; " +
                    std::string(kWheelsOnly);
  EXPECT_EQ(refusal("./vendor/pkg-1.0-py3-none-any.whl"),
            "line 1 of requirements.txt: './vendor/pkg-1.0-py3-none-any.whl' " + why);
  EXPECT_EQ(refusal("./mypkg[extra]"), "line 1 of requirements.txt: './mypkg[extra]' " + why);
  EXPECT_EQ(refusal("pkg-1.0.tar.gz"), "line 1 of requirements.txt: 'pkg-1.0.tar.gz' " + why);
  EXPECT_EQ(refusal("pkg @ file:///srv/wheels/pkg-1.0-py3-none-any.whl"),
            "line 1 of requirements.txt: 'pkg @ file:///srv/wheels/pkg-1.0-py3-none-any.whl' "
            "refused: it is a local path, a file of the build machine; " +
                std::string(kWheelsOnly));
}

TEST(RequirementsFileRefusalTest, SourceArchivesByUrl) {
  std::string why =
      "refused: it is a source archive, not a wheel (building it would run package code); "
      "point the URL at a .whl file or require the package by name";
  EXPECT_EQ(refusal("https://example.com/pkg-1.0.tar.gz#egg=pkg"),
            "line 1 of requirements.txt: 'https://example.com/pkg-1.0.tar.gz#egg=pkg' " + why);
  EXPECT_EQ(refusal("pkg @ https://example.com/pkg-1.0.zip"),
            "line 1 of requirements.txt: 'pkg @ https://example.com/pkg-1.0.zip' " + why);
}

TEST(RequirementsFileRefusalTest, SourceBuildOptionsAndLocalIndexes) {
  EXPECT_EQ(refusal("--no-binary :all:\nrequests"),
            "line 1 of requirements.txt: '--no-binary :all:' refused: --no-binary asks for "
            "source builds, which run package code; " +
                std::string(kWheelsOnly));
  EXPECT_EQ(refusal("-f ./wheels\nrequests"),
            "line 1 of requirements.txt: '-f ./wheels' refused: its --find-links is not an "
            "http(s) URL, and only http and https indexes and find-links pages are used; " +
                std::string(kWheelsOnly));
  EXPECT_EQ(refusal("--index-url file:///srv/simple\nrequests"),
            "line 1 of requirements.txt: '--index-url file:///srv/simple' refused: its "
            "--index-url is not an http(s) URL, and only http and https indexes and find-links "
            "pages are used; " +
                std::string(kWheelsOnly));
  EXPECT_TRUE(load("--no-binary :none:\nrequests").ok());
}

TEST(RequirementsFileRefusalTest, ConstraintsArePlainNamesAndSpecifiers) {
  InMemoryFileSource files;
  files.add("requirements.txt", "-c constraints.txt\nrequests\n");
  files.add("constraints.txt", "urllib3<2\nrequests[socks]==2.31.0\n");
  Result<AcceptedRequirements> r = load_requirements(files, "requirements.txt", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "line 2 of constraints.txt: constraint 'requests[socks]==2.31.0' refused: "
            "Constraints cannot have extras");
  files.add("constraints.txt", "urllib3 @ https://host/urllib3-2.0-py3-none-any.whl\n");
  r = load_requirements(files, "requirements.txt", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "line 1 of constraints.txt: constraint "
            "'urllib3 @ https://host/urllib3-2.0-py3-none-any.whl' refused: Links are not "
            "allowed as constraints");
}

TEST(RequirementsFileRefusalTest, HashCheckingModeCoversEveryRequirement) {
  std::string digest(64, 'a');
  EXPECT_EQ(refusal("requests==2.31.0 --hash=sha256:" + digest + "\nurllib3==2.0.7\n"),
            "line 2 of requirements.txt: 'urllib3==2.0.7' refused: it has no --hash, and once "
            "any requirement has one (or --require-hashes is given) pip's hash-checking mode "
            "needs a hash on every requirement");
  EXPECT_EQ(refusal("requests>=2 --hash=sha256:" + digest + "\n"),
            "line 1 of requirements.txt: 'requests>=2' refused: hash-checking mode needs every "
            "requirement pinned to one version with == (or ===)");
  EXPECT_EQ(refusal("--require-hashes\nrequests==2.31.0\n"),
            "line 2 of requirements.txt: 'requests==2.31.0' refused: it has no --hash, and once "
            "any requirement has one (or --require-hashes is given) pip's hash-checking mode "
            "needs a hash on every requirement");
  EXPECT_EQ(refusal("requests==2.31.0 --hash=sha256:ABC"),
            "line 1 of requirements.txt: 'requests==2.31.0' refused: a --hash=sha256: value is "
            "not a sha256 digest (64 lowercase hex digits), so no file could match it");
  Result<AcceptedRequirements> ok = load("requests==2.31.0 \\\n    --hash=sha256:" + digest + "\n");
  ASSERT_TRUE(ok.ok()) << ok.status().to_string();
  EXPECT_TRUE(ok->hash_mode);
  EXPECT_EQ(ok->requirements.at(0).hashes.at("sha256").at(0), digest);
}

TEST(RequirementsFileRefusalTest, SyntaxErrorsUsePipsWording) {
  EXPECT_EQ(refusal("# deps\nrequests=2.31.0\n"),
            "Invalid requirement: 'requests=2.31.0': Expected semicolon (after name with no "
            "version specifier) or end\n    requests=2.31.0\n            ^ (from line 2 of "
            "requirements.txt)\nHint: = is not a valid operator. Did you mean == ?");
  EXPECT_EQ(refusal("--bogus"),
            "line 1 of requirements.txt: invalid options in '--bogus': no such option: --bogus");
  EXPECT_EQ(refusal("--pr"),
            "line 1 of requirements.txt: invalid options in '--pr': ambiguous option: --pr "
            "(--pre, --prefer-binary?)");
  EXPECT_EQ(refusal("pkg --hash=md5:abc"),
            "line 1 of requirements.txt: invalid options in 'pkg --hash=md5:abc': Allowed hash "
            "algorithms for --hash are sha256, sha384, sha512.");
  EXPECT_EQ(refusal("-i 'unclosed"),
            "line 1 of requirements.txt: invalid options in '-i \\'unclosed': could not split "
            "options: No closing quotation");
}

TEST(RequirementsFileRefusalTest, CredentialsAndVariablesStayOutOfMessages) {
  std::string m = refusal("https://user:s3cret@example.com/pkg-1.0.tar.gz");
  EXPECT_EQ(m.find("s3cret"), std::string::npos) << m;
  EXPECT_NE(m.find("'https://****@example.com/pkg-1.0.tar.gz' refused"), std::string::npos) << m;

  RequirementsVariables vars{{"TOKEN", "s3cret-token"}, {"HOST", "example.com"}};
  m = refusal("https://${TOKEN}@${HOST}/pkg-1.0.tar.gz", vars);
  EXPECT_EQ(m.find("s3cret-token"), std::string::npos) << m;
  EXPECT_NE(m.find("'https://****@${HOST}/pkg-1.0.tar.gz' refused"), std::string::npos) << m;

  // A syntax error quotes the expanded text: the value goes back to ${NAME}.
  m = refusal("pkg ${TOKEN}", vars);
  EXPECT_EQ(m.find("s3cret-token"), std::string::npos) << m;
  EXPECT_TRUE(m.starts_with("Invalid requirement: 'pkg ${TOKEN}': ")) << m;

  m = refusal("-i https://admin:hunter2@${HOST}/simple --bogus", vars);
  EXPECT_EQ(m.find("hunter2"), std::string::npos) << m;
  EXPECT_EQ(m,
            "line 1 of requirements.txt: invalid options in "
            "'-i https://****@${HOST}/simple --bogus': no such option: --bogus");
}

TEST(RequirementsFileRefusalTest, VariablesInIncludesAndOptionsStayOutOfMessages) {
  RequirementsVariables vars{{"TOKEN", "s3cret-token"}};
  InMemoryFileSource files;
  files.add("requirements.txt", "-r deps/${TOKEN}.txt\n");
  files.add("deps/s3cret-token.txt", "\n-e ./local\n");
  Result<AcceptedRequirements> r = load_requirements(files, "requirements.txt", vars);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "line 2 of deps/${TOKEN}.txt: '-e ./local' refused: it is an editable install, "
            "which builds the project from a source checkout and runs its build code; require a "
            "released wheel by name and version instead");
  files.add("requirements.txt", "-r ${TOKEN}/missing.txt\n");
  r = load_requirements(files, "requirements.txt", vars);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "line 1 of requirements.txt: including '${TOKEN}/missing.txt': reading requirements "
            "file '${TOKEN}/missing.txt': no such file");
  files.add("requirements.txt", "--extra-index-url ftp://${TOKEN}/simple\n");
  r = load_requirements(files, "requirements.txt", vars);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("s3cret"), std::string::npos) << r.status().message();
}

TEST(RequirementsFileReaderTest, AcceptsWhatTheBuilderInstalls) {
  RequirementsVariables vars{{"TOKEN", "t0k"}};
  Result<AcceptedRequirements> r = load(
      "--index-url https://pypi.example/simple  # our mirror\n"
      "--extra-index-url https://${TOKEN}@extra.example/simple\n"
      "--pre\n"
      "requests[socks] >= 2.31, < 3 ; python_version >= '3.8'\n"
      "https://files.example/pkg/Foo_Bar-1.0-py3-none-any.whl; sys_platform == 'linux'\n"
      "tool @ https://files.example/tool-2.0-py3-none-any.whl\n",
      vars);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->index_url, "https://pypi.example/simple");
  EXPECT_EQ(r->extra_index_urls, std::vector<std::string>{"https://t0k@extra.example/simple"});
  EXPECT_TRUE(r->pre);
  EXPECT_FALSE(r->hash_mode);
  ASSERT_EQ(r->requirements.size(), 3u);
  EXPECT_EQ(r->requirements[0].requirement.to_string(),
            R"(requests[socks]<3,>=2.31; python_version >= "3.8")");
  EXPECT_EQ(r->requirements[0].where, "line 4 of requirements.txt");
  EXPECT_EQ(r->requirements[1].requirement.to_string(),
            R"(foo-bar @ https://files.example/pkg/Foo_Bar-1.0-py3-none-any.whl ; )"
            R"(sys_platform == "linux")");
  EXPECT_EQ(r->requirements[2].requirement.to_string(),
            "tool @ https://files.example/tool-2.0-py3-none-any.whl");
}

TEST(RequirementsFileReaderTest, IncludesAreRelativeToTheIncludingFile) {
  InMemoryFileSource files;
  files.add("requirements.txt", "-r deps/base.txt\nflask\n");
  files.add("deps/base.txt", "requests\n--constraint ../pins/constraints.txt\n");
  files.add("pins/constraints.txt", "urllib3<2\n");
  Result<AcceptedRequirements> r = load_requirements(files, "requirements.txt", {});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->requirements.size(), 2u);
  EXPECT_EQ(r->requirements[0].where, "line 1 of deps/base.txt");
  EXPECT_EQ(r->requirements[1].where, "line 2 of requirements.txt");
  ASSERT_EQ(r->constraints.size(), 1u);
  EXPECT_EQ(r->constraints[0].where, "line 1 of pins/constraints.txt");
  EXPECT_EQ(r->constraints[0].requirement.to_string(), "urllib3<2");
}

TEST(RequirementsFileReaderTest, BadIncludesAreRefused) {
  InMemoryFileSource files;
  files.add("requirements.txt", "-r a.txt\n");
  files.add("a.txt", "\n-r requirements.txt\n");
  Result<RequirementsFile> r = read_requirements_file(files, "requirements.txt", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "line 1 of requirements.txt: including 'a.txt': line 2 of a.txt: including "
            "'requirements.txt': including 'requirements.txt' again: include cycle "
            "'requirements.txt' -> 'a.txt' -> 'requirements.txt'");

  files.add("requirements.txt", "-r ../../etc/passwd\n");
  r = read_requirements_file(files, "requirements.txt", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "line 1 of requirements.txt: including '-r ../../etc/passwd': the path leads "
            "outside the source");

  files.add("requirements.txt", "-r /etc/passwd\n");
  r = read_requirements_file(files, "requirements.txt", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "line 1 of requirements.txt: including '-r /etc/passwd': absolute paths are "
            "refused: name a file inside the source, relative to the including file");

  files.add("requirements.txt", "-r https://example.com/reqs.txt\n");
  r = read_requirements_file(files, "requirements.txt", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "line 1 of requirements.txt: including '-r https://example.com/reqs.txt': includes "
            "by URL are refused: the build reads only the files of the source");

  files.add("requirements.txt", "-r missing.txt\n");
  r = read_requirements_file(files, "requirements.txt", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(r.status().message(),
            "line 1 of requirements.txt: including 'missing.txt': reading requirements file "
            "'missing.txt': no such file");
}

TEST(RequirementsFileReaderTest, OptionsOnRequirementLinesAreIgnoredWithAWarning) {
  Result<RequirementsFile> r = [] {
    InMemoryFileSource files;
    files.add("requirements.txt", "requests --pre\n--hash=sha256:abc\n");
    return read_requirements_file(files, "requirements.txt", {});
  }();
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_FALSE(r->options().pre);
  EXPECT_EQ(r->warnings,
            (std::vector<std::string>{
                "line 1 of requirements.txt: --pre on a requirement line is ignored (pip applies "
                "only --hash, --config-settings and --global-option there)",
                "line 2 of requirements.txt: --hash without a requirement is ignored"}));
}

TEST(RequirementsFileReaderTest, DeclaredEncodingsAndRefusedBytes) {
  EXPECT_TRUE(load("# -*- coding: latin-1 -*-\nrequests # caf\xE9\n").ok());
  EXPECT_EQ(refusal("# coding: shift_jis\nrequests\n"),
            "'requirements.txt' declares the encoding 'shift_jis', which is not supported (use "
            "UTF-8, Latin-1 or ASCII)");
}

TEST(DirectoryFileSourceTest, ReadsInsideTheTreeAndFollowsNoSymlink) {
  testing::TempDir dir;
  dir.write("requirements.txt", "-r deps/base.txt\n");
  dir.write("deps/base.txt", "requests\n");
  dir.write("outside.txt", "secret\n");
  dir.symlink("linked.txt", "outside.txt");
  DirectoryFileSource source(dir.path());
  Result<AcceptedRequirements> r = load_requirements(source, "requirements.txt", {});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->requirements.at(0).requirement.to_string(), "requests");

  Result<std::string> linked = source.read("linked.txt");
  ASSERT_FALSE(linked.ok());
  EXPECT_EQ(linked.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(linked.status().message(),
            "reading requirements file 'linked.txt': the path goes through a symbolic link, "
            "which is not followed (keep requirement files as regular files in the source "
            "tree)");
  Result<std::string> missing = source.read("deps/none.txt");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  Result<std::string> dots = source.read("deps/../outside.txt");
  ASSERT_FALSE(dots.ok());
  EXPECT_EQ(dots.status().message(),
            "reading requirements file 'deps/../outside.txt': not a normalized relative path");
}

}  // namespace
}  // namespace ignite::python
