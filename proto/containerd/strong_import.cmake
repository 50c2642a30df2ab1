# cmake -DIN=FILE -DOUT=FILE -P strong_import.cmake: copies a .proto with `import weak "X";` made
# `import "X";`. protoc's C++ generator cannot handle weak imports (it crashes on them); a plain
# import generates the same messages, with the gogoproto options linked in instead of optional.
file(READ "${IN}" text)
string(REPLACE "import weak \"" "import \"" text "${text}")
get_filename_component(dir "${OUT}" DIRECTORY)
file(MAKE_DIRECTORY "${dir}")
file(WRITE "${OUT}.tmp" "${text}")
file(RENAME "${OUT}.tmp" "${OUT}")
