#include <iostream>
#include <string>
#include <vector>

#include "src/cli/commands.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  return ignite::cli::run_main(args, {std::cout, std::cerr});
}
