// The image's own interpreter, run at build time over a dependency tree: the base image
// unpacked once per store (by manifest digest) and entered with a private mount namespace
// and chroot, the tree bind-mounted where the image will hold it, so that bytecode is made by
// the exact interpreter (and at the exact paths) that will load it. Compiling runs no
// package code: py_compile only parses and marshals. The unpacked base lives in the store:
//   <store>/cache/rootfs/<manifest hex>        the root filesystem (plus an empty
//                                              /opt/ignite/deps, the mount point)
//   <store>/cache/rootfs/<manifest hex>.json   its facts; written last, so present = complete
//   <store>/cache/rootfs/<manifest hex>.lock   flock()ed while it is made
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "builder/oci/image_builder.h"
#include "builder/pipeline/function_store.h"
#include "builder/util/status.h"

namespace ignite::pipeline {

// Where dependency trees are mounted in the chroot and placed in the image.
inline constexpr std::string_view kDepsMountPoint = "/opt/ignite/deps";
// The interpreter of function images (the entrypoint's).
inline constexpr std::string_view kTargetInterpreter = "/usr/bin/python3";

struct TargetPython {
  std::string rootfs;  // the unpacked base: <store>/cache/rootfs/<manifest hex>
  // "sha256:<hex>" of the interpreter's binary (kTargetInterpreter with its symlinks followed
  // inside the rootfs): two bases with the same interpreter make the same bytecode.
  std::string interpreter_digest;
  std::string version;  // "3.11.2", read from the binary's `-c` output once and cached
};

// The unpacked base for `base`, made once per store under a lock (concurrent builds wait for
// the first) into a temporary directory and renamed into place; later calls only read the
// small cached facts (<rootfs>.json). The layers are read from the store's layout, or from
// the layout the base was opened in. FAILED_PRECONDITION when the base is scratch, has no
// kTargetInterpreter, or its layers are in no local layout (a registry base keeps them in
// its registry); UNAVAILABLE when namespaces or chroot are refused (the version is asked of
// the interpreter itself).
Result<TargetPython> open_target_python(FunctionStore& store, const oci::BaseImage& base);

struct CompileResult {
  std::size_t compiled = 0;         // .py files that got a .pyc
  std::vector<std::string> failed;  // .py files the interpreter could not compile (e.g. py2
                                    // syntax in a test file), relative to the tree; pip skips
                                    // these silently, we report them as warnings
};

// Writes __pycache__/*.cpython-311.pyc for every .py file of `tree_dir` (a directory on disk
// that will be at kDepsMountPoint in the image), in unchecked-hash mode, with PYTHONHASHSEED=0
// and one process walking the tree in sorted order, so the bytes depend only on the tree and
// the interpreter. Symlinks in the tree are neither compiled nor followed; .pyc files are
// 0644 and belong to the caller. The base's root filesystem is read-only meanwhile, so a run
// never changes the shared cache. Runs as root (or in a user namespace); UNAVAILABLE naming
// the step and the errno when namespaces or chroot are not allowed here, INTERNAL with the
// interpreter's stderr when it fails, DEADLINE_EXCEEDED when it runs over 10 minutes (it is
// killed). Each call is its own process and namespace: calls may run in parallel, on
// different trees.
Result<CompileResult> compile_bytecode(const TargetPython& python, const std::string& tree_dir);

}  // namespace ignite::pipeline
