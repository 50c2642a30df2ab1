// A wheel's declared license from its METADATA: synthetic cases for each rule, and the real
// wheels of ../shared/wheelhouse.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "builder/attest/spdx_sbom.h"
#include "builder/index/wheel_metadata.h"

namespace ignite::attest {
namespace {

std::string metadata(const std::string& fields) {
  return "Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n" + fields +
         "\nLicense: Apache-2.0\n\nThe body: not headers.\nLicense: BSD-3-Clause\n";
}

struct LicenseCase {
  const char* name;
  std::string fields;  // header lines after Name and Version
  const char* license;
};

class WheelLicenseTest : public ::testing::TestWithParam<LicenseCase> {};

TEST_P(WheelLicenseTest, Declares) {
  const std::string text = "Metadata-Version: 2.4\nName: pkg\nVersion: 1.0\n" + GetParam().fields +
                           "\nThe long description.\nLicense: MIT\n";
  EXPECT_EQ(wheel_license(text), GetParam().license) << text;
}

INSTANTIATE_TEST_SUITE_P(
    Rules, WheelLicenseTest,
    ::testing::Values(
        // Metadata 2.4's License-Expression wins over everything else.
        LicenseCase{"Expression",
                    "License-Expression: MIT\nLicense: BSD-3-Clause\n"
                    "Classifier: License :: OSI Approved :: ISC License (ISCL)\n",
                    "MIT"},
        LicenseCase{"CompoundExpression",
                    "License-Expression: (Apache-2.0 OR BSD-3-Clause) AND MIT\n",
                    "(Apache-2.0 OR BSD-3-Clause) AND MIT"},
        LicenseCase{"ExpressionOperatorsCapitalized",
                    "License-Expression: Apache-2.0 or  bsd-3-clause\n",
                    "Apache-2.0 OR bsd-3-clause"},
        LicenseCase{"ExpressionWithException",
                    "License-Expression: GPL-2.0-or-later WITH Classpath-exception-2.0\n",
                    "GPL-2.0-or-later WITH Classpath-exception-2.0"},
        LicenseCase{"ExpressionAnyId", "License-Expression: Zlib\n", "Zlib"},
        // A LicenseRef would need its text in the SBOM, which holds none.
        LicenseCase{"ExpressionLicenseRef", "License-Expression: LicenseRef-Proprietary\n",
                    "NOASSERTION"},
        LicenseCase{"MalformedExpressionFallsThrough", "License-Expression: MIT OR\nLicense: ISC\n",
                    "ISC"},
        LicenseCase{"UnbalancedExpression", "License-Expression: (MIT\n", "NOASSERTION"},
        // A License field counts when it is an SPDX id (or an AND/OR of them) of the list.
        LicenseCase{"LicenseId", "License: MIT\n", "MIT"},
        LicenseCase{"LicenseIdRespelled", "License: apache-2.0\n", "Apache-2.0"},
        LicenseCase{"LicenseIdsJoined", "License: Apache-2.0 OR MIT\n", "Apache-2.0 OR MIT"},
        LicenseCase{"LicenseProse", "License: MIT License\n", "NOASSERTION"},
        LicenseCase{"LicenseUnlistedId", "License: Zlib\n", "NOASSERTION"},
        LicenseCase{"LicenseText",
                    "License: Copyright (c) 2024 Someone\n        Permission is hereby granted\n",
                    "NOASSERTION"},
        LicenseCase{"LicenseGplVariant", "License: LGPL-2.1-or-later\n", "LGPL-2.1-or-later"},
        // Otherwise one unambiguous license classifier.
        LicenseCase{"Classifier",
                    "License: BSD\nClassifier: License :: OSI Approved :: MIT License\n", "MIT"},
        LicenseCase{"ClassifierUnderCategory",
                    "Classifier: License :: OSI Approved\n"
                    "Classifier: License :: OSI Approved :: Python Software Foundation License\n"
                    "Classifier: Programming Language :: Python :: 3\n",
                    "PSF-2.0"},
        LicenseCase{"ClassifierRepeated",
                    "Classifier: License :: OSI Approved :: The Unlicense (Unlicense)\n"
                    "Classifier: License :: OSI Approved :: The Unlicense (Unlicense)\n",
                    "Unlicense"},
        LicenseCase{"ClassifierOrLater",
                    "Classifier: License :: OSI Approved :: GNU General Public License v3 or "
                    "later (GPLv3+)\n",
                    "GPL-3.0-or-later"},
        // PEP 639: no inference from an ambiguous classifier, nor from several.
        LicenseCase{"AmbiguousBsd", "Classifier: License :: OSI Approved :: BSD License\n",
                    "NOASSERTION"},
        LicenseCase{"AmbiguousApache",
                    "Classifier: License :: OSI Approved :: Apache Software License\n",
                    "NOASSERTION"},
        LicenseCase{"AmbiguousGplv2",
                    "Classifier: License :: OSI Approved :: GNU General Public License v2 "
                    "(GPLv2)\n",
                    "NOASSERTION"},
        LicenseCase{"SeveralClassifiers",
                    "Classifier: License :: OSI Approved :: MIT License\n"
                    "Classifier: License :: OSI Approved :: ISC License (ISCL)\n",
                    "NOASSERTION"},
        LicenseCase{"ClearAndAmbiguous",
                    "Classifier: License :: OSI Approved :: MIT License\n"
                    "Classifier: License :: OSI Approved :: BSD License\n",
                    "NOASSERTION"},
        LicenseCase{"Nothing", "Summary: no license at all\n", "NOASSERTION"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(WheelLicenseTest, ReadsOnlyTheHeaders) {
  // The License in the body (after the empty line) is description text, not a field.
  EXPECT_EQ(wheel_license(metadata("Summary: s")), "Apache-2.0");
  EXPECT_EQ(wheel_license("\nLicense: MIT\n"), "NOASSERTION");
  EXPECT_EQ(wheel_license(""), "NOASSERTION");
  EXPECT_EQ(wheel_license("Name: x\r\nLicense-Expression: ISC\r\n"), "ISC");
}

const std::string kWheelhouse = std::string(IGNITE_SHARED_DIR) + "/wheelhouse";

TEST(WheelLicenseTest, RealWheels) {
  if (!std::filesystem::is_directory(kWheelhouse)) {
    if (std::getenv("CI")) FAIL() << "CI must run this test: no wheelhouse at " << kWheelhouse;
    GTEST_SKIP() << "the shared wheelhouse is not at " << kWheelhouse << " (../shared is absent)";
  }
  // One wheel for each way a license is declared, as the wheels themselves declare it.
  const std::pair<const char*, const char*> expected[] = {
      {"attrs-26.1.0-py3-none-any.whl", "MIT"},  // License-Expression
      {"cryptography-48.0.0-cp311-abi3-manylinux_2_34_x86_64.whl", "Apache-2.0 OR BSD-3-Clause"},
      {"certifi-2026.5.20-py3-none-any.whl", "MPL-2.0"},      // License: an id
      {"orjson-3.8.3-cp311-cp311-manylinux_2_28_x86_64.whl",  // License: "Apache-2.0 OR MIT"
       "Apache-2.0 OR MIT"},
      {"six-1.17.0-py2.py3-none-any.whl", "MIT"},
      {"annotated_types-0.7.0-py3-none-any.whl", "MIT"},       // only the MIT classifier
      {"itsdangerous-2.2.0-py3-none-any.whl", "NOASSERTION"},  // only "BSD License"
      {"python_dateutil-2.9.0.post0-py2.py3-none-any.whl",     // "Dual License", BSD + Apache
       "NOASSERTION"},
      {"typing_extensions-4.15.0-py3-none-any.whl", "PSF-2.0"},
  };
  for (const auto& [wheel, license] : expected) {
    const std::string name = std::string(wheel).substr(0, std::string(wheel).find('-'));
    auto text = index::read_wheel_metadata(kWheelhouse + "/" + wheel, name);
    ASSERT_TRUE(text.ok()) << text.status().to_string();
    EXPECT_EQ(wheel_license(*text), license) << wheel;
  }
  // Every wheel there gives NOASSERTION or an expression the SBOM can hold.
  for (const auto& entry : std::filesystem::directory_iterator(kWheelhouse)) {
    const std::string file = entry.path().filename();
    if (!file.ends_with(".whl")) continue;
    auto text = index::read_wheel_metadata(entry.path(), file.substr(0, file.find('-')));
    ASSERT_TRUE(text.ok()) << text.status().to_string();
    const std::string license = wheel_license(*text);
    EXPECT_FALSE(license.empty()) << file;
    EXPECT_EQ(license.find("LicenseRef"), std::string::npos) << file;
  }
}

}  // namespace
}  // namespace ignite::attest
