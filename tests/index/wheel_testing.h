// Small synthetic wheels for the index tests: a zip with just a .dist-info/METADATA, enough
// for every source (and pip) to read.
#pragma once

#include <string>
#include <vector>

namespace ignite::testing {

// The bytes of "<name>-<version>-py3-none-any.whl" whose METADATA declares the given
// Requires-Python (when not empty) and Requires-Dist lines.
std::string make_wheel(const std::string& name, const std::string& version,
                       const std::string& requires_python = "",
                       const std::vector<std::string>& requires_dist = {});

// Writes it into `dir` under its file name; returns the file name.
std::string write_wheel(const std::string& dir, const std::string& name, const std::string& version,
                        const std::string& requires_python = "",
                        const std::vector<std::string>& requires_dist = {});

// Copies the named files of ../shared/wheelhouse into `dir`.
void copy_wheels(const std::string& dir, const std::vector<std::string>& filenames);

}  // namespace ignite::testing
