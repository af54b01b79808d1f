# embed.cmake: turn a file into a C source holding it as a NUL-terminated char array.
# Usage: cmake -DIN=file -DOUT=file.c -DSYMBOL=name -P embed.cmake
# Defines `const char SYMBOL[]` (the bytes plus a NUL) and `const size_t SYMBOL_len`.
# A char array, not a string literal: ISO C only promises 4095-byte literals.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" nhex)
math(EXPR nbytes "${nhex} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f])" "\\1\n" hex "${hex}")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
get_filename_component(base "${IN}" NAME)
file(WRITE "${OUT}.new"
  "/* Generated from ${base} by embed.cmake; do not edit. */\n"
  "#include <stddef.h>\n\n"
  "const char ${SYMBOL}[] = {\n${bytes}0x00};\n"
  "const size_t ${SYMBOL}_len = ${nbytes};\n")
file(RENAME "${OUT}.new" "${OUT}")
