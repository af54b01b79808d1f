# cmake -DIN=file -DOUT=file.c -DVAR=name -P embed.cmake
# Writes `const char VAR[] = {...bytes..., 0};` so a text file ships inside a binary.
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE "${OUT}.tmp" "/* generated from ${IN} by embed.cmake */\nconst char ${VAR}[] = {\n${bytes}0};\n")
file(RENAME "${OUT}.tmp" "${OUT}")
